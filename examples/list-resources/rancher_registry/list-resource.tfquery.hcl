# Every registry of the provider's project (environment). Terraform lists
# 100 results unless limit says otherwise.
list "rancher_registry" "all" {
  provider = rancher
  limit    = 1000
}

# The registry of one server address in another environment.
list "rancher_registry" "staging_hub" {
  provider = rancher

  config {
    project_id     = "1a6"
    server_address = "hub.example.com"
  }
}
