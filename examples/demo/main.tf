# A registry and the credential a Rancher environment uses to pull from it.
# make demo runs this against the built-in simulator; the provider reads
# RANCHER_URL, RANCHER_ACCESS_KEY, RANCHER_SECRET_KEY and RANCHER_PROJECT_ID.
terraform {
  required_providers {
    rancher = {
      source = "cattle-ops/rancher"
    }
  }
}

provider "rancher" {}

variable "registry_password" {
  description = "Password of the registry account."
  type        = string
  sensitive   = true
  default     = "demo-password"
}

resource "rancher_registry" "internal" {
  server_address = "registry.internal.example.com"
  name           = "internal"
  description    = "Images built by CI"
}

resource "rancher_registry_credential" "ci" {
  registry_id  = rancher_registry.internal.id
  name         = "ci-pull"
  description  = "Pulls images built by CI"
  email        = "ci@example.com"
  public_value = "ci-bot"
  secret_value = var.registry_password
}

output "credential_id" {
  value = rancher_registry_credential.ci.id
}

output "credential_state" {
  value = rancher_registry_credential.ci.state
}
