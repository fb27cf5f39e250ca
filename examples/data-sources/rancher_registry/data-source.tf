# A registry made outside Terraform, found by its address (compared without
# regard to case, as Rancher does).
data "rancher_registry" "docker_hub" {
  server_address = "index.docker.io"
}

# A registry of another environment (project), found by its id.
data "rancher_registry" "staging" {
  project_id = "1a6"
  id         = "1sp3"
}

# Add a credential to the registry found by address.
resource "rancher_registry_credential" "hub" {
  registry_id  = data.rancher_registry.docker_hub.id
  email        = "ops@example.com"
  public_value = "ops-bot"
  secret_value = var.docker_hub_token
}

variable "docker_hub_token" {
  description = "Access token of the ops-bot Docker Hub account."
  type        = string
  sensitive   = true
}

output "staging_registry_address" {
  value = data.rancher_registry.staging.server_address
}
