locals {
  # Whether a secret is given is not itself secret: it decides which files are written.
  has_secret = nonsensitive(var.replication_secret != null)

  unit_dir = "/etc/systemd/system"
  # The fleet module's secret config file (homeserver_yaml's inline secrets), loaded right after
  # the shared config when the fleet hands one over.
  secret_config_path = "${var.config_dir}/homeserver-secrets.yaml"
  has_secret_config  = anytrue([for h, files in var.files_by_host : contains(keys(files), local.secret_config_path)])
  unit_vars = {
    user          = var.user
    python        = var.python
    config_dir    = var.config_dir
    data_dir      = var.data_dir
    secret_config = local.has_secret_config ? " --config-path=${local.secret_config_path}" : ""
  }
  units = {
    "matrix-synapse.target"          = templatefile("${path.module}/templates/matrix-synapse.target.tftpl", local.unit_vars)
    "matrix-synapse.service"         = templatefile("${path.module}/templates/matrix-synapse.service.tftpl", local.unit_vars)
    "matrix-synapse-worker@.service" = templatefile("${path.module}/templates/matrix-synapse-worker@.service.tftpl", local.unit_vars)
  }

  proxy_packages = {
    nginx   = "nginx"
    haproxy = "haproxy"
    caddy   = "caddy"
    apache  = "apache2"
  }

  # The fleet's proxy configuration is standalone (own pid file and runtime directory, the
  # provider's defaults: /run/nginx, /run/haproxy, /var/lib/caddy, /run/apache2), so it runs as
  # its own unit, in the foreground, on that file; the distribution's service is disabled.
  proxy_unit = var.proxy == null ? null : templatefile("${path.module}/templates/synapse-proxy.service.tftpl", {
    kind        = var.proxy.kind
    config_path = var.proxy.config_path
    runtime_directory = {
      nginx = "nginx", haproxy = "haproxy", caddy = "caddy", apache = "apache2"
    }[var.proxy.kind]
    check = {
      nginx   = "/usr/sbin/nginx -t -q -c ${var.proxy.config_path}"
      haproxy = "/usr/sbin/haproxy -c -q -f ${var.proxy.config_path} -f ${dirname(var.proxy.config_path)}/pools"
      caddy   = "/usr/bin/caddy validate --config ${var.proxy.config_path} --adapter caddyfile"
      apache  = "/usr/sbin/apache2 -t -f ${var.proxy.config_path}"
    }[var.proxy.kind]
    start = {
      nginx   = "/usr/sbin/nginx -c ${var.proxy.config_path} -g 'daemon off;'"
      haproxy = "/usr/sbin/haproxy -W -db -f ${var.proxy.config_path} -f ${dirname(var.proxy.config_path)}/pools"
      caddy   = "/usr/bin/caddy run --config ${var.proxy.config_path} --adapter caddyfile"
      apache  = "/usr/sbin/apache2 -f ${var.proxy.config_path} -DFOREGROUND"
    }[var.proxy.kind]
    reload_signal = { nginx = "HUP", haproxy = "USR2", caddy = "", apache = "USR1" }[var.proxy.kind]
    # The certificate and key the configuration reads (distinct paths; none without TLS).
    tls_files = distinct(compact([var.proxy.tls_certificate_path, var.proxy.tls_key_path]))
  })

  hosts = {
    for h, files in var.files_by_host : h => {
      files   = files
      workers = sort(lookup(var.workers_by_host, h, []))
      main    = h == var.main_host
      proxy   = var.proxy != null && try(var.proxy.host, null) == h
    }
  }

  cloud_config = {
    for h, c in local.hosts : h => merge(
      var.create_user && (c.main || length(c.workers) > 0) ? {
        users = ["default", { name = var.user, system = true, homedir = var.data_dir, shell = "/usr/sbin/nologin", lock_passwd = true }]
      } : {},
      length(concat(c.main || length(c.workers) > 0 ? var.packages : [], c.proxy && var.install_proxy_package ? [local.proxy_packages[var.proxy.kind]] : [])) > 0 ? {
        packages = concat(c.main || length(c.workers) > 0 ? var.packages : [], c.proxy && var.install_proxy_package ? [local.proxy_packages[var.proxy.kind]] : [])
      } : {},
      {
        # Deferred: written in the final stage, after users and packages exist, so the owners resolve.
        write_files = concat(
          [for p in sort(keys(c.files)) : {
            path    = p
            content = c.files[p]
            owner   = startswith(p, "${var.config_dir}/") ? "${var.user}:${var.user}" : "root:root"
            # A sensitive content (the secret config file) is readable only by the Synapse user.
            permissions = issensitive(c.files[p]) ? "0600" : startswith(p, "${var.config_dir}/") ? var.file_mode : "0644"
            defer       = true
          }],
          # The replication secret on every Synapse host, readable only by the Synapse user.
          local.has_secret && (c.main || length(c.workers) > 0) ? [{
            path        = var.replication_secret_path
            content     = var.replication_secret
            owner       = "${var.user}:${var.user}"
            permissions = "0600"
            defer       = true
          }] : [],
          [for u in sort(keys(local.units)) : {
            path        = "${local.unit_dir}/${u}"
            content     = local.units[u]
            owner       = "root:root"
            permissions = "0644"
            defer       = true
            } if(c.main || length(c.workers) > 0) && (
            u == "matrix-synapse.target" || (u == "matrix-synapse.service" && c.main) || (u == "matrix-synapse-worker@.service" && length(c.workers) > 0)
          )],
          c.proxy ? [{
            path        = "${local.unit_dir}/synapse-proxy.service"
            content     = local.proxy_unit
            owner       = "root:root"
            permissions = "0644"
            defer       = true
          }] : [],
        )
        runcmd = concat(
          c.main || length(c.workers) > 0 ? concat(
            [
              ["install", "-d", "-o", var.user, "-g", var.user, "-m", "0750", var.data_dir],
              ["systemctl", "daemon-reload"],
              ["systemctl", "enable", "matrix-synapse.target"],
            ],
            c.main ? [["systemctl", "enable", "matrix-synapse.service"]] : [],
            [for w in c.workers : ["systemctl", "enable", "matrix-synapse-worker@${w}.service"]],
            [["systemctl", "start", "matrix-synapse.target"]],
          ) : [],
          c.proxy ? [
            ["systemctl", "daemon-reload"],
            # The distribution's own service would hold the ports with its default site.
            ["systemctl", "disable", "--now", local.proxy_packages[var.proxy.kind]],
            ["systemctl", "enable", "synapse-proxy.service"],
            ["systemctl", "restart", "synapse-proxy.service"],
          ] : [],
          var.extra_runcmd,
        )
      },
    )
  }

  user_data = { for h, cc in local.cloud_config : h => "#cloud-config\n${yamlencode(cc)}" }
}
