# Terraform 1.12 and later. project_id is optional: without it the provider
# looks in its own project first, then in every environment the key reaches.
import {
  to = rancher_registry.staging_mirror
  identity = {
    project_id = "1a5"
    id         = "1sp4"
  }
}
