# A proxy that terminates TLS on 443 and 8448: both ports are published, the certificate and
# key are bind-mounted read-only from the caller's host paths at the paths the configuration
# reads, and half-given TLS settings are rejected. The docker provider is mocked.

mock_provider "docker" {
  mock_resource "docker_image" {
    defaults = {
      image_id = "sha256:0000000000000000000000000000000000000000000000000000000000000000"
    }
  }
  mock_resource "docker_network" {
    defaults = {
      id = "net-0123"
    }
  }
}

variables {
  host            = "edge"
  synapse_version = "1.157.1"
  files = {
    "/etc/synapse-proxy/nginx.conf" = "events {}\nhttp {}\n"
  }
  proxy = {
    kind                 = "nginx"
    config_path          = "/etc/synapse-proxy/nginx.conf"
    ports                = [443, 8448]
    tls_certificate_path = "/etc/synapse-proxy/tls/fullchain.pem"
    tls_key_path         = "/etc/synapse-proxy/tls/privkey.pem"
  }
  proxy_tls_files = {
    certificate = "/etc/letsencrypt/live/matrix.example.org/fullchain.pem"
    key         = "/etc/letsencrypt/live/matrix.example.org/privkey.pem"
  }
}

run "publishes_both_ports_and_mounts_the_files" {
  command = plan

  assert {
    condition     = toset([for p in docker_container.proxy[0].ports : "${p.internal}:${p.external}"]) == toset(["443:443", "8448:8448"])
    error_message = "The proxy container must publish 443 and 8448 on the same host ports."
  }
  assert {
    condition = toset([for m in docker_container.proxy[0].mounts : "${m.type} ${m.source} ${m.target} ${m.read_only}"]) == toset([
      "bind /etc/letsencrypt/live/matrix.example.org/fullchain.pem /etc/synapse-proxy/tls/fullchain.pem true",
      "bind /etc/letsencrypt/live/matrix.example.org/privkey.pem /etc/synapse-proxy/tls/privkey.pem true",
    ])
    error_message = "The certificate and key must be bind-mounted read-only at the paths the configuration reads."
  }
  assert {
    condition     = length(docker_container.synapse) == 0
    error_message = "A proxy-only host runs no Synapse container."
  }
}

run "one_mount_when_the_key_is_in_the_certificate_file" {
  command = plan
  variables {
    proxy = {
      kind                 = "haproxy"
      config_path          = "/etc/synapse-proxy/nginx.conf"
      ports                = [443, 8448]
      tls_certificate_path = "/etc/haproxy/certs/matrix.pem"
      tls_key_path         = "/etc/haproxy/certs/matrix.pem"
    }
    proxy_tls_files = { certificate = "/srv/tls/matrix.pem", key = "/srv/tls/matrix.pem" }
  }

  assert {
    condition     = [for m in docker_container.proxy[0].mounts : "${m.source} ${m.target} ${m.read_only}"] == ["/srv/tls/matrix.pem /etc/haproxy/certs/matrix.pem true"]
    error_message = "A combined certificate+key file is mounted once."
  }
}

run "plain_http_mounts_nothing" {
  command = plan
  variables {
    proxy           = { kind = "nginx", config_path = "/etc/synapse-proxy/nginx.conf", ports = [8080, 8448] }
    proxy_tls_files = null
  }

  assert {
    condition     = length(docker_container.proxy[0].mounts) == 0 && length(docker_container.proxy[0].ports) == 2
    error_message = "Without TLS the proxy gets no mounts but still publishes every port."
  }
}

run "rejects_certificate_without_key" {
  command = plan
  variables {
    proxy = {
      kind                 = "nginx"
      config_path          = "/etc/synapse-proxy/nginx.conf"
      ports                = [443]
      tls_certificate_path = "/etc/synapse-proxy/tls/fullchain.pem"
    }
  }
  expect_failures = [var.proxy]
}

run "rejects_tls_paths_without_host_files" {
  command = plan
  variables {
    proxy_tls_files = null
  }
  expect_failures = [var.proxy_tls_files]
}

run "rejects_host_files_without_tls_paths" {
  command = plan
  variables {
    proxy = { kind = "nginx", config_path = "/etc/synapse-proxy/nginx.conf", ports = [8080] }
  }
  expect_failures = [var.proxy_tls_files]
}

run "rejects_relative_host_path" {
  command = plan
  variables {
    proxy_tls_files = { certificate = "fullchain.pem", key = "/etc/letsencrypt/live/matrix.example.org/privkey.pem" }
  }
  expect_failures = [var.proxy_tls_files]
}

run "rejects_two_host_files_for_one_combined_path" {
  command = plan
  variables {
    proxy = {
      kind                 = "haproxy"
      config_path          = "/etc/synapse-proxy/nginx.conf"
      tls_certificate_path = "/etc/haproxy/certs/matrix.pem"
      tls_key_path         = "/etc/haproxy/certs/matrix.pem"
    }
    proxy_tls_files = { certificate = "/srv/tls/cert.pem", key = "/srv/tls/key.pem" }
  }
  expect_failures = [docker_container.proxy[0]]
}
