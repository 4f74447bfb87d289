locals {
  image = coalesce(var.image, "matrixdotorg/synapse:v${var.synapse_version}")
  uid   = split(":", var.run_as)[0]
  gid   = try(split(":", var.run_as)[1], split(":", var.run_as)[0])
  # The command prefix that runs the process as run_as (see docker_container.synapse).
  drop_privileges = ["setpriv", "--reuid=${local.uid}", "--regid=${local.gid}", "--clear-groups", "--"]
  # Whether a secret is given is not itself secret: it decides which upload blocks exist.
  has_secret = nonsensitive(var.replication_secret != null)

  # The fleet's secret config file (homeserver_yaml's inline secrets) beside the shared config:
  # every command loads it, and it is uploaded when files holds it.
  secret_config_path = "${dirname(var.shared_config_path)}/homeserver-secrets.yaml"

  # Every Synapse process on the host: the workers, and main if it runs here.
  processes = merge(
    {
      for n, w in var.workers : n => {
        command = w.command
        ports   = compact([tostring(w.http_port), w.replication_port == null ? "" : tostring(w.replication_port), w.metrics_port == null ? "" : tostring(w.metrics_port)])
        health  = w.http_port
        paths   = [var.shared_config_path, local.secret_config_path, w.config_path, w.log_config_path]
      }
    },
    var.main == null ? {} : {
      main = {
        command = var.main.command
        ports   = compact([tostring(var.main.http_port), var.main.replication_port == null ? "" : tostring(var.main.replication_port), var.main.metrics_port == null ? "" : tostring(var.main.metrics_port)])
        health  = var.main.http_port
        paths   = concat([var.shared_config_path, local.secret_config_path], var.main.log_config_path == null ? [] : [var.main.log_config_path], var.main.extra_files)
      }
    },
  )
  # The files each container gets (only those present in files).
  process_files = {
    for n, p in local.processes : n => { for path in p.paths : path => var.files[path] if contains(keys(var.files), path) }
  }
  # What the containers' for_each iterate over: a map of the process names only (see
  # terraform_data.files).
  process_names = { for k in keys(local.processes) : k => k }

  proxy_images = {
    nginx   = "nginx:1.27-alpine"
    haproxy = "haproxy:3.0-alpine"
    caddy   = "caddy:2.8-alpine"
    # The provider's Apache configuration loads Debian's module paths (/usr/lib/apache2/modules).
    apache = "ubuntu/apache2:latest"
  }
  # The fleet's proxy configuration is standalone: it names its own pid file and runtime
  # directory (the provider's defaults below), so the container creates that directory and runs
  # the proxy in the foreground on the uploaded file.
  proxy_runtime_dirs = {
    nginx   = "/run/nginx"
    haproxy = "/run/haproxy"
    caddy   = "/var/lib/caddy"
    apache  = "/run/apache2"
  }
  proxy_start = var.proxy == null ? null : {
    nginx   = "exec nginx -c ${var.proxy.config_path} -g 'daemon off;'"
    haproxy = "exec haproxy -W -db -f ${var.proxy.config_path} -f ${dirname(var.proxy.config_path)}/pools"
    caddy   = "exec caddy run --config ${var.proxy.config_path} --adapter caddyfile"
    apache  = "exec apache2 -f ${var.proxy.config_path} -DFOREGROUND"
  }[var.proxy.kind]
  proxy_runtime_dir = var.proxy == null ? null : coalesce(var.proxy.runtime_dir, local.proxy_runtime_dirs[var.proxy.kind])
  # The certificate and key, bind-mounted read-only where the configuration reads them: container
  # path -> host path (one entry when the key is inside the certificate file).
  proxy_tls_mounts = var.proxy == null || var.proxy_tls_files == null ? {} : merge(
    { (var.proxy.tls_certificate_path) = var.proxy_tls_files.certificate },
    { (var.proxy.tls_key_path) = var.proxy_tls_files.key },
  )
}

resource "docker_network" "this" {
  name   = "${var.name_prefix}-${var.host}"
  driver = "bridge"
}

resource "docker_image" "synapse" {
  name         = local.image
  keep_locally = true
}

# Restart (replace) a container when any of its files changes: the container is replaced when
# this resource's input (the files' contents) changes.
resource "terraform_data" "files" {
  # A map of names only (Terraform evaluates a for_each expression once per instance).
  for_each = local.process_names

  # The secret's hash joins the trigger so a rotated secret restarts the containers.
  input = merge({ for p, c in local.process_files[each.key] : p => sha256(c) }, local.has_secret ? { (var.replication_secret_path) = sha256(var.replication_secret) } : {})
}

resource "docker_container" "synapse" {
  for_each = local.process_names

  name     = "${var.name_prefix}-${var.host}-${each.key}"
  hostname = each.key
  image    = docker_image.synapse.image_id
  # The image's entrypoint (start.py) generates a config; the fleet's files are complete, so run
  # the worker's command directly, as run_as: setpriv (util-linux, in every Debian-based image)
  # drops from root to run_as before it starts. The container itself is not given run_as as
  # its user because Docker then resolves that user in the image's /etc/passwd to own the
  # uploaded files, which fails for uid:gid (Docker 20.10) and for a uid the image does not
  # list; as root, the uploads keep the owner written in them.
  entrypoint = concat(local.drop_privileges, split(" ", local.processes[each.key].command))
  restart    = "unless-stopped"
  env        = concat(["SYNAPSE_INSTANCE=${each.key}"], var.env)

  networks_advanced {
    name    = docker_network.this.id
    aliases = [each.key]
  }

  dynamic "ports" {
    for_each = local.processes[each.key].ports
    content {
      internal = tonumber(ports.value)
      external = tonumber(ports.value)
      ip       = var.publish_ip
    }
  }

  dynamic "upload" {
    for_each = local.process_files[each.key]
    content {
      file    = upload.key
      content = upload.value
      owner   = local.uid
      group   = local.gid
      # A sensitive content (the fleet's secret config file) is readable only by the Synapse user.
      permissions = issensitive(upload.value) ? "0600" : "0640"
    }
  }

  # The replication secret (in Terraform state: see the variable's description), readable only
  # by the Synapse user.
  dynamic "upload" {
    for_each = local.has_secret ? [var.replication_secret_path] : []
    content {
      file        = upload.value
      content     = var.replication_secret
      owner       = local.uid
      group       = local.gid
      permissions = "0600"
    }
  }

  dynamic "mounts" {
    for_each = var.mounts
    content {
      type      = mounts.value.type
      source    = mounts.value.source
      target    = mounts.value.target
      read_only = mounts.value.read_only
    }
  }

  healthcheck {
    test         = ["CMD", "curl", "-fSs", "http://localhost:${local.processes[each.key].health}/health"]
    interval     = "15s"
    timeout      = "5s"
    retries      = 3
    start_period = "10s"
  }

  lifecycle {
    replace_triggered_by = [terraform_data.files[each.key]]
  }
}

resource "docker_image" "redis" {
  count = var.redis == null ? 0 : 1

  name         = var.redis.image
  keep_locally = true
}

resource "docker_container" "redis" {
  count = var.redis == null ? 0 : 1

  name    = "${var.name_prefix}-${var.host}-redis"
  image   = docker_image.redis[0].image_id
  restart = "unless-stopped"

  networks_advanced {
    name    = docker_network.this.id
    aliases = ["redis"]
  }

  ports {
    internal = 6379
    external = var.redis.port
    ip       = var.publish_ip
  }

  healthcheck {
    test     = ["CMD", "redis-cli", "ping"]
    interval = "15s"
    timeout  = "5s"
    retries  = 3
  }
}

resource "docker_image" "proxy" {
  count = var.proxy == null ? 0 : 1

  name         = coalesce(var.proxy.image, local.proxy_images[var.proxy.kind])
  keep_locally = true
}

locals {
  # The proxy's configuration: its entry file (config_path) and the pool files it includes,
  # pools/* beside it (the fleet's proxy_files).
  proxy_files = var.proxy == null ? {} : {
    for p, c in var.files : p => c if p == var.proxy.config_path || startswith(p, "${dirname(var.proxy.config_path)}/pools/")
  }
}

resource "terraform_data" "proxy_config" {
  count = var.proxy == null ? 0 : 1

  input = sha256(jsonencode(local.proxy_files))
}

resource "docker_container" "proxy" {
  count = var.proxy == null ? 0 : 1

  name    = "${var.name_prefix}-${var.host}-${var.proxy.kind}"
  image   = docker_image.proxy[0].image_id
  restart = "unless-stopped"

  networks_advanced {
    name    = docker_network.this.id
    aliases = ["proxy"]
  }

  dynamic "ports" {
    for_each = var.proxy.ports
    content {
      internal = ports.value
      external = ports.value
      ip       = coalesce(var.proxy_publish_ip, var.publish_ip)
    }
  }

  # Root in the container so the proxy can create its runtime directory and bind low ports; nginx
  # and Apache drop to their worker users themselves.
  user       = "0"
  entrypoint = ["/bin/sh", "-c", "mkdir -p '${local.proxy_runtime_dir}' && ${local.proxy_start}"]

  dynamic "upload" {
    for_each = local.proxy_files
    content {
      file    = upload.key
      content = upload.value
    }
  }

  dynamic "mounts" {
    for_each = local.proxy_tls_mounts
    content {
      type      = "bind"
      source    = mounts.value
      target    = mounts.key
      read_only = true
    }
  }

  lifecycle {
    replace_triggered_by = [terraform_data.proxy_config[0]]

    precondition {
      # try(): HCL evaluates every operand, and proxy_tls_files may be null.
      condition     = try(var.proxy.tls_certificate_path != var.proxy.tls_key_path || var.proxy_tls_files.certificate == var.proxy_tls_files.key, true)
      error_message = "proxy.tls_certificate_path and proxy.tls_key_path name the same file (${coalesce(var.proxy.tls_certificate_path, "-")}), so proxy_tls_files.certificate and proxy_tls_files.key must be the same host file too."
    }
  }
}
