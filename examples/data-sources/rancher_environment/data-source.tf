# An environment found by its name, among those the API keys reach. Rancher
# calls an environment a project: its id (such as "1a6") is what project_id
# takes.
data "rancher_environment" "staging" {
  name = "Staging"
}

# A registry in that environment, whatever the provider's own project is.
resource "rancher_registry" "staging" {
  project_id     = data.rancher_environment.staging.id
  server_address = "registry.example.com"
  name           = "internal"
}

# An environment found by its id.
data "rancher_environment" "default" {
  id = "1a5"
}

output "default_environment_name" {
  value = data.rancher_environment.default.name
}
