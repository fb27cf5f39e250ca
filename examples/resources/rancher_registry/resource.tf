# A private registry the hosts of the provider's environment pull from.
resource "rancher_registry" "internal" {
  server_address = "registry.example.com"
  name           = "internal"
  description    = "Images built by CI"

  timeouts {
    create = "10m"
    delete = "10m"
  }
}

# The same kind of registry in another environment (project), kept
# inactive: Rancher does not use it to pull until active is set to true.
resource "rancher_registry" "staging_mirror" {
  project_id     = "1a6"
  server_address = "mirror.example.com:5000"
  name           = "staging-mirror"
  active         = false
}
