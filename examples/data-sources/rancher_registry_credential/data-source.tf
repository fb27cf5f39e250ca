# A registry and, on it, a credential made outside Terraform, found by the
# credential's name. Exactly one credential of that name must exist on the
# registry; if several do, look it up by id instead.
data "rancher_registry" "internal" {
  server_address = "registry.example.com"
}

data "rancher_registry_credential" "ci" {
  registry_id = data.rancher_registry.internal.id
  name        = "ci-pull"
}

# A credential found by its id, in another environment (project).
data "rancher_registry_credential" "staging" {
  project_id = "1a6"
  id         = "1c7"
}

# The password is never exposed; the user name and state are.
output "ci_user" {
  value = data.rancher_registry_credential.ci.public_value
}

output "staging_credential_active" {
  value = data.rancher_registry_credential.staging.active
}
