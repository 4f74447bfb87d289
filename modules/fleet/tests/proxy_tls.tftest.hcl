# The proxy terminates TLS on its listen port and an additional port (443 + 8448): the
# rendered configuration carries the TLS directives and both ports, the proxy output hands the
# ports and file paths to the deploy modules, and a certificate without a key is rejected.

variables {
  homeserver_yaml         = file("tests/homeserver.yaml")
  synapse_version         = "1.157"
  hosts                   = { hs1 = "10.0.0.10", edge = "10.0.0.5" }
  main                    = { host = "hs1" }
  redis                   = { host = "hs1" }
  replication_secret_path = "/etc/matrix-synapse/replication.secret"
  proxy = {
    kind = "nginx"
    host = "edge"
    listen = {
      port                 = 443
      additional_ports     = [8448]
      server_name          = "matrix.example.org"
      tls_certificate_path = "/etc/letsencrypt/live/matrix.example.org/fullchain.pem"
      tls_key_path         = "/etc/letsencrypt/live/matrix.example.org/privkey.pem"
    }
  }
}

run "nginx_terminates_tls_on_both_ports" {
  command = plan

  assert {
    condition     = strcontains(output.proxy_files[output.proxy.config_path], "listen 0.0.0.0:443 ssl;") && strcontains(output.proxy_files[output.proxy.config_path], "listen 0.0.0.0:8448 ssl;")
    error_message = "The nginx configuration must listen with ssl on 443 and 8448."
  }
  assert {
    condition     = strcontains(output.proxy_files[output.proxy.config_path], "ssl_certificate /etc/letsencrypt/live/matrix.example.org/fullchain.pem;") && strcontains(output.proxy_files[output.proxy.config_path], "ssl_certificate_key /etc/letsencrypt/live/matrix.example.org/privkey.pem;")
    error_message = "The nginx configuration must name the certificate and the key."
  }
  assert {
    condition     = output.files_by_host["edge"]["/etc/synapse-proxy/nginx.conf"] == output.proxy_files[output.proxy.config_path]
    error_message = "The proxy host must receive the TLS configuration."
  }
}

run "proxy_output_hands_ports_and_files_on" {
  command = plan

  assert {
    condition     = output.proxy.port == 443 && output.proxy.additional_ports == tolist([8448]) && output.proxy.ports == tolist([443, 8448])
    error_message = "The proxy output must carry the listen port, the additional ports and all of them."
  }
  assert {
    condition     = output.proxy.tls_certificate_path == "/etc/letsencrypt/live/matrix.example.org/fullchain.pem" && output.proxy.tls_key_path == "/etc/letsencrypt/live/matrix.example.org/privkey.pem"
    error_message = "The proxy output must carry the TLS file paths."
  }
  assert {
    condition     = output.ports_by_host["edge"]["proxy nginx"] == 443 && output.ports_by_host["edge"]["proxy nginx 8448"] == 8448
    error_message = "Every proxy port is claimed on the proxy host."
  }
}

run "haproxy_binds_both_ports_with_the_certificate" {
  command = plan
  variables {
    proxy = {
      kind = "haproxy"
      host = "edge"
      listen = {
        port                 = 443
        additional_ports     = [8448]
        tls_certificate_path = "/etc/haproxy/certs/matrix.pem"
        tls_key_path         = "/etc/haproxy/certs/matrix.pem"
      }
    }
  }

  assert {
    condition     = strcontains(output.proxy_files[output.proxy.config_path], ":443 ssl crt /etc/haproxy/certs/matrix.pem") && strcontains(output.proxy_files[output.proxy.config_path], ":8448 ssl crt /etc/haproxy/certs/matrix.pem")
    error_message = "The HAProxy configuration must bind 443 and 8448 with ssl crt."
  }
}

run "caddy_names_the_files_on_both_ports" {
  command = plan
  variables {
    proxy = {
      kind = "caddy"
      host = "edge"
      listen = {
        port                 = 443
        additional_ports     = [8448]
        tls_certificate_path = "/etc/ssl/matrix/fullchain.pem"
        tls_key_path         = "/etc/ssl/matrix/privkey.pem"
      }
    }
  }

  assert {
    condition     = strcontains(output.proxy_files[output.proxy.config_path], "tls /etc/ssl/matrix/fullchain.pem /etc/ssl/matrix/privkey.pem") && strcontains(output.proxy_files[output.proxy.config_path], ":443") && strcontains(output.proxy_files[output.proxy.config_path], ":8448")
    error_message = "The Caddyfile must serve 443 and 8448 with the given certificate and key."
  }
  assert {
    condition     = output.proxy_configs.caddy == null && strcontains(output.proxy_files[output.proxy.config_path], "import /etc/synapse-proxy/pools/main.caddy") && output.proxy_configs.apache == null && output.proxy_configs.haproxy == null
    error_message = "Only proxy.kind's configuration is rendered."
  }
}

run "apache_names_the_files_on_both_ports" {
  command = plan
  variables {
    proxy = {
      kind = "apache"
      host = "edge"
      listen = {
        port                 = 443
        additional_ports     = [8448]
        tls_certificate_path = "/etc/ssl/matrix/fullchain.pem"
        tls_key_path         = "/etc/ssl/matrix/privkey.pem"
      }
    }
  }

  assert {
    condition     = strcontains(output.proxy_files[output.proxy.config_path], "SSLCertificateFile \"/etc/ssl/matrix/fullchain.pem\"") && strcontains(output.proxy_files[output.proxy.config_path], "SSLCertificateKeyFile \"/etc/ssl/matrix/privkey.pem\"") && strcontains(output.proxy_files[output.proxy.config_path], "Listen 0.0.0.0:8448")
    error_message = "The Apache configuration must load the certificate and key and listen on 8448."
  }
}

run "plain_http_without_tls_paths" {
  command = plan
  variables {
    proxy = { kind = "nginx", host = "edge", listen = { port = 8080, additional_ports = [8448] } }
  }

  assert {
    condition     = strcontains(output.proxy_files[output.proxy.config_path], "listen 0.0.0.0:8080;") && strcontains(output.proxy_files[output.proxy.config_path], "listen 0.0.0.0:8448;") && !strcontains(output.proxy_files[output.proxy.config_path], "ssl")
    error_message = "Without TLS paths every port is plain HTTP."
  }
  assert {
    condition     = output.proxy.tls_certificate_path == null && output.proxy.tls_key_path == null
    error_message = "The proxy output's TLS paths are null for plain HTTP."
  }
}

run "certificate_without_key_is_rejected" {
  command = plan
  variables {
    proxy = { kind = "nginx", host = "edge", listen = { port = 443, tls_certificate_path = "/etc/ssl/matrix/fullchain.pem" } }
  }
  expect_failures = [var.proxy]
}

run "key_without_certificate_is_rejected" {
  command = plan
  variables {
    proxy = { kind = "nginx", host = "edge", listen = { port = 443, tls_key_path = "/etc/ssl/matrix/privkey.pem" } }
  }
  expect_failures = [var.proxy]
}

run "additional_port_colliding_with_main_is_rejected" {
  command = plan
  variables {
    hosts = { hs1 = "10.0.0.10" }
    main  = { host = "hs1" }
    proxy = { kind = "nginx", host = "hs1", listen = { port = 443, additional_ports = [8008] } }
  }
  expect_failures = [synapse_shared_config.this]
}
