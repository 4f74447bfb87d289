variable "files_by_host" {
  description = "host -> absolute path -> content: the fleet module's files_by_host output. One user_data is rendered per host."
  type        = map(map(string))

  validation {
    condition     = alltrue(flatten([for h, files in var.files_by_host : [for p in keys(files) : startswith(p, "/")]]))
    error_message = "Every path in files_by_host must be absolute."
  }
}

variable "workers_by_host" {
  description = "host -> names of the workers it runs: the fleet module's workers_by_host output. Each gets matrix-synapse-worker@<name>.service."
  type        = map(list(string))
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue(flatten([for h, names in var.workers_by_host : [for n in names : can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]*$", n))]]))
    error_message = "Worker names must be letters, digits, '.', '_' or '-' (they become systemd instance names)."
  }
}

variable "main_host" {
  description = "The host running the main process (the fleet's main.host); it gets matrix-synapse.service."
  type        = string

  validation {
    condition     = contains(keys(var.files_by_host), var.main_host)
    error_message = "main_host must be a key of files_by_host."
  }
}

variable "proxy" {
  description = "The reverse proxy ({kind, host, config_path, tls_certificate_path, tls_key_path}, the fleet's proxy output): its host enables and reloads the proxy service. With TLS paths the unit asserts the files exist before it starts (they are not written: the operator or certbot provides them, see README). null = no proxy."
  type = object({
    kind                 = string
    host                 = string
    config_path          = string
    tls_certificate_path = optional(string)
    tls_key_path         = optional(string)
  })
  default = null

  validation {
    condition     = var.proxy == null || contains(["nginx", "haproxy", "caddy", "apache"], try(var.proxy.kind, ""))
    error_message = "proxy.kind must be one of \"nginx\", \"haproxy\", \"caddy\", \"apache\"."
  }
  validation {
    condition     = var.proxy == null || contains(keys(var.files_by_host), try(var.proxy.host, ""))
    error_message = "proxy.host must be a key of files_by_host."
  }
  validation {
    condition     = var.proxy == null || (try(var.proxy.tls_certificate_path, null) == null) == (try(var.proxy.tls_key_path, null) == null)
    error_message = "proxy.tls_certificate_path and proxy.tls_key_path go together (pass the fleet's proxy output): set both, or neither for plain HTTP."
  }
}

variable "config_dir" {
  description = "Synapse's configuration directory on the VMs (the fleet's config_dir): the units read <config_dir>/homeserver.yaml and <config_dir>/workers/<name>.yaml."
  type        = string
  default     = "/etc/matrix-synapse"
  nullable    = false
}

variable "python" {
  description = "The Python interpreter that has Synapse installed (the Debian package's virtualenv by default)."
  type        = string
  default     = "/opt/venvs/matrix-synapse/bin/python"
  nullable    = false

  validation {
    condition     = startswith(var.python, "/")
    error_message = "python must be an absolute path (systemd ExecStart needs one)."
  }
}

variable "user" {
  description = "System user (and group) Synapse runs as and owns its config files."
  type        = string
  default     = "matrix-synapse"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_-]*$", var.user))
    error_message = "user must be a valid system user name."
  }
}

variable "create_user" {
  description = "Create the system user with cloud-init (users:) so files can be owned by it before any package is installed."
  type        = bool
  default     = true
  nullable    = false
}

variable "data_dir" {
  description = "Synapse's working directory (WorkingDirectory= of the units, the user's home)."
  type        = string
  default     = "/var/lib/matrix-synapse"
  nullable    = false
}

variable "packages" {
  description = "Packages to install on every Synapse host (e.g. [\"matrix-synapse-py3\"] with its apt source added by you). The proxy host also gets the proxy package."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "install_proxy_package" {
  description = "Install the proxy's Debian package (nginx, haproxy, caddy, apache2) on the proxy host."
  type        = bool
  default     = true
  nullable    = false
}

variable "file_mode" {
  description = "Permissions of the Synapse config files written (they hold no secrets, but need not be world-readable)."
  type        = string
  default     = "0640"
  nullable    = false

  validation {
    condition     = can(regex("^0[0-7]{3}$", var.file_mode))
    error_message = "file_mode must be an octal mode like \"0640\"."
  }
}

variable "extra_runcmd" {
  description = "Commands appended to every host's runcmd."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "replication_secret_path" {
  description = "Where the replication secret is written on every host running Synapse (main or a worker): the fleet's replication_secret_path output. Required with replication_secret."
  type        = string
  default     = null

  validation {
    condition     = var.replication_secret_path == null || try(startswith(var.replication_secret_path, "/") && alltrue([for h, files in var.files_by_host : !contains(keys(files), var.replication_secret_path)]), false)
    error_message = "replication_secret_path must be an absolute path that is not also a path of files_by_host."
  }
}

variable "replication_secret" {
  description = "The replication secret, written (write_files, mode 0600, owner user:user) at replication_secret_path on every host running Synapse; Synapse reads it at load time. It ends up in user_data, hence in Terraform state, in your cloud's instance metadata (readable from the VM by any local user unless your cloud restricts it) and in cloud-init's logs/cache on the VM: protect them, or leave this null and provision the file out of band. null writes no secret."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.replication_secret == null || var.replication_secret_path != null
    error_message = "replication_secret needs replication_secret_path (the fleet's replication_secret_path output)."
  }
}
