# Every credential of the provider's project (environment). Terraform lists
# 100 results unless limit says otherwise.
list "rancher_registry_credential" "all" {
  provider = rancher
  limit    = 1000
}

# The credentials of one registry in another environment, with every
# attribute (include_resource), as -generate-config-out writes them.
list "rancher_registry_credential" "staging_hub" {
  provider         = rancher
  include_resource = true

  config {
    project_id  = "1a6"
    registry_id = "1sp4"
  }
}

# Only the credentials someone deactivated.
list "rancher_registry_credential" "inactive" {
  provider = rancher

  config {
    active = false
  }
}
