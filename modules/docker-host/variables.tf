variable "host" {
  description = "Name of the fleet host this module instance deploys (a key of the fleet module's hosts). Used in container and network names."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]*$", var.host))
    error_message = "host must be a name of letters, digits, '.', '_' or '-' (it becomes part of container names)."
  }
}

variable "synapse_version" {
  description = "Synapse release, major.minor.patch (e.g. \"1.157.1\"): the image is matrixdotorg/synapse:v<version>, pinned to it."
  type        = string

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.synapse_version))
    error_message = "synapse_version must be a full release like \"1.157.1\" (the image tag is v<version>; there is no v1.157 tag)."
  }
}

variable "image" {
  description = "Override of the Synapse image reference (default matrixdotorg/synapse:v<synapse_version>)."
  type        = string
  default     = null
}

variable "files" {
  description = "The host's files: absolute path -> content, i.e. the fleet module's files_by_host[<host>]."
  type        = map(string)

  validation {
    condition     = alltrue([for p in keys(var.files) : startswith(p, "/")])
    error_message = "Every key of files must be an absolute path."
  }
}

variable "shared_config_path" {
  description = "Path of the shared homeserver.yaml in files (the fleet's shared_config_path); every Synapse container gets it."
  type        = string
  default     = "/etc/matrix-synapse/homeserver.yaml"
}

variable "workers" {
  description = "The workers placed on this host: name -> {command, http_port, replication_port, metrics_port, config_path, log_config_path}. Pass `{ for n, w in module.fleet.workers : n => w if w.host == \"<host>\" }` (extra attributes are ignored)."
  type = map(object({
    command          = string
    http_port        = number
    replication_port = optional(number)
    metrics_port     = optional(number)
    config_path      = string
    log_config_path  = string
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for n, w in var.workers : can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]*$", n))])
    error_message = "Worker names must be letters, digits, '.', '_' or '-' (they become container names)."
  }
  validation {
    condition     = alltrue([for n, w in var.workers : startswith(w.command, "python ")])
    error_message = "Every worker command must start with \"python \" (the synapse_worker command attribute)."
  }
}

variable "main" {
  description = "Run the main process on this host too: the fleet's main output ({command, http_port, replication_port, metrics_port, log_config_path}); it gets the shared config, its log config (log_config_path, a key of files) and extra_files (more paths of files). null = main runs elsewhere."
  type = object({
    command          = string
    http_port        = number
    replication_port = optional(number)
    metrics_port     = optional(number)
    log_config_path  = optional(string)
    extra_files      = optional(list(string), [])
  })
  default = null

  validation {
    condition     = try(var.main.log_config_path == null || contains(keys(var.files), var.main.log_config_path), true)
    error_message = "main.log_config_path must be a key of files (the fleet renders main's log config into main's host files)."
  }
}

variable "replication_secret_path" {
  description = "Where the replication secret is uploaded in every Synapse container of this host: the fleet's replication_secret_path output (worker_replication_secret_path in the shared config). Required with replication_secret."
  type        = string
  default     = null

  validation {
    condition     = var.replication_secret_path == null || try(startswith(var.replication_secret_path, "/") && !contains(keys(var.files), var.replication_secret_path), false)
    error_message = "replication_secret_path must be an absolute path that is not also a key of files."
  }
}

variable "replication_secret" {
  description = "The replication secret, uploaded (mode 0600, owned by run_as) at replication_secret_path into every Synapse container of this host; Synapse reads it at load time. It is stored in Terraform state (the docker provider keeps upload contents there): protect the state, or leave this null and provide the file with `mounts`. null uploads nothing."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.replication_secret == null || var.replication_secret_path != null
    error_message = "replication_secret needs replication_secret_path (the fleet's replication_secret_path output)."
  }
}

variable "redis" {
  description = "Run a Redis container on this host: image and published port. null = no Redis here."
  type = object({
    image = optional(string, "redis:7.4-alpine")
    port  = optional(number, 6379)
  })
  default = null
}

variable "proxy" {
  description = "Run the reverse proxy on this host: kind (nginx, haproxy, caddy, apache), config_path (its key in files, i.e. the fleet's proxy.config_path), published ports (the fleet's proxy.ports: listen port and additional ports; default 8008, the provider's default listen port), tls_certificate_path and tls_key_path (the fleet's, where the configuration reads the certificate and key inside the container; set with proxy_tls_files), optional image and runtime_dir (the pid/temp directory the rendered config names; defaults per kind, see README). The config is uploaded to the same path inside the container. null = no proxy here."
  type = object({
    kind        = string
    config_path = string
    ports       = optional(list(number), [8008])
    image       = optional(string)
    runtime_dir = optional(string)
    # Where the rendered configuration reads the TLS files (the fleet's proxy.tls_certificate_path
    # and proxy.tls_key_path); proxy_tls_files gives their host paths.
    tls_certificate_path = optional(string)
    tls_key_path         = optional(string)
  })
  default = null

  validation {
    condition     = var.proxy == null || contains(["nginx", "haproxy", "caddy", "apache"], try(var.proxy.kind, ""))
    error_message = "proxy.kind must be one of \"nginx\", \"haproxy\", \"caddy\", \"apache\"."
  }
  validation {
    condition     = var.proxy == null || contains(keys(var.files), try(var.proxy.config_path, ""))
    error_message = "proxy.config_path must be a key of files (the fleet renders the proxy file only into the proxy host's files)."
  }
  validation {
    condition     = var.proxy == null || (try(var.proxy.tls_certificate_path, null) == null) == (try(var.proxy.tls_key_path, null) == null)
    error_message = "proxy.tls_certificate_path and proxy.tls_key_path go together (pass the fleet's proxy.tls_certificate_path and proxy.tls_key_path): set both, or neither for plain HTTP."
  }
}

variable "proxy_tls_files" {
  description = "Host paths of the proxy's PEM certificate (with chain) and private key, e.g. { certificate = \"/etc/letsencrypt/live/matrix.example.org/fullchain.pem\", key = \"/etc/letsencrypt/live/matrix.example.org/privkey.pem\" }: bind-mounted read-only at proxy.tls_certificate_path and proxy.tls_key_path, where the configuration reads them (one mount when both name the same file). Required when the proxy terminates TLS, null otherwise. The files stay on the Docker host: they are not in Terraform state."
  type = object({
    certificate = string
    key         = string
  })
  default = null

  validation {
    condition     = var.proxy_tls_files == null || (startswith(try(var.proxy_tls_files.certificate, ""), "/") && startswith(try(var.proxy_tls_files.key, ""), "/"))
    error_message = "proxy_tls_files.certificate and proxy_tls_files.key must be absolute paths on the Docker host."
  }
  validation {
    condition     = (var.proxy_tls_files != null) == (try(var.proxy.tls_certificate_path, null) != null)
    error_message = "proxy_tls_files (host paths of the certificate and key) is needed exactly when proxy.tls_certificate_path and proxy.tls_key_path are set (the proxy terminates TLS): set both, or neither."
  }
}

variable "publish_ip" {
  description = "Host address the worker, Redis and proxy ports are published on."
  type        = string
  default     = "0.0.0.0"
}

variable "proxy_publish_ip" {
  description = "Host address the proxy's ports are published on, when it differs from publish_ip (e.g. the public address, or 127.0.0.1 behind another proxy, while the workers' ports stay on a private address). null = publish_ip."
  type        = string
  default     = null
}

variable "run_as" {
  description = "user[:group] (numeric, since the Docker provider resolves names on the Terraform machine) Synapse runs as; uploaded files are owned by it. The image's synapse user is 991."
  type        = string
  default     = "991:991"

  validation {
    condition     = can(regex("^[0-9]+(:[0-9]+)?$", var.run_as))
    error_message = "run_as must be numeric uid or uid:gid, e.g. \"991:991\"."
  }
}

variable "mounts" {
  description = "Extra mounts for every Synapse container (the media store directory and the signing key, which Synapse needs at load time and files does not carry): type (bind or volume), source, target, read_only."
  type = list(object({
    type      = optional(string, "bind")
    source    = string
    target    = string
    read_only = optional(bool, false)
  }))
  default  = []
  nullable = false
}

variable "env" {
  description = "Extra environment variables (KEY=VALUE) for every Synapse container."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "name_prefix" {
  description = "Prefix of container and network names."
  type        = string
  default     = "synapse"
}
