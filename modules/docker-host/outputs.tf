output "network" {
  description = "Name of the Docker network the host's containers share."
  value       = docker_network.this.name
}

output "image" {
  description = "The Synapse image reference the containers run."
  value       = local.image
}

output "containers" {
  description = "process name (workers, \"main\") -> container name."
  value       = { for n, c in docker_container.synapse : n => c.name }
}

output "files_by_container" {
  description = "process name -> paths uploaded into its container (the replication secret's path included when one is given)."
  value       = { for n, f in local.process_files : n => sort(concat(keys(f), local.has_secret ? [var.replication_secret_path] : [])) }
}

output "redis_container" {
  description = "Name of the Redis container (null if none)."
  value       = try(docker_container.redis[0].name, null)
}

output "proxy_container" {
  description = "Name of the reverse-proxy container (null if none)."
  value       = try(docker_container.proxy[0].name, null)
}
