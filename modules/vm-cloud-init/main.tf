locals {
  unit_dir = "/etc/systemd/system"
  unit_vars = {
    user       = var.user
    python     = var.python
    config_dir = var.config_dir
    data_dir   = var.data_dir
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
            path        = p
            content     = c.files[p]
            owner       = startswith(p, "${var.config_dir}/") ? "${var.user}:${var.user}" : "root:root"
            permissions = startswith(p, "${var.config_dir}/") ? var.file_mode : "0644"
            defer       = true
          }],
          [for u in sort(keys(local.units)) : {
            path        = "${local.unit_dir}/${u}"
            content     = local.units[u]
            owner       = "root:root"
            permissions = "0644"
            defer       = true
            } if(c.main || length(c.workers) > 0) && (
            u == "matrix-synapse.target" || (u == "matrix-synapse.service" && c.main) || (u == "matrix-synapse-worker@.service" && length(c.workers) > 0)
          )],
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
          c.proxy ? concat(
            var.proxy.kind == "apache" && startswith(var.proxy.config_path, "/etc/apache2/sites-available/") ? [
              ["a2enmod", "proxy", "proxy_http", "headers", "rewrite"],
              ["a2ensite", trimsuffix(basename(var.proxy.config_path), ".conf")],
            ] : [],
            [
              ["systemctl", "enable", local.proxy_packages[var.proxy.kind]],
              ["systemctl", "reload-or-restart", local.proxy_packages[var.proxy.kind]],
            ]
          ) : [],
          var.extra_runcmd,
        )
      },
    )
  }

  user_data = { for h, cc in local.cloud_config : h => "#cloud-config\n${yamlencode(cc)}" }
}
