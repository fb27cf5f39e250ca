# The private registry the environment pulls from.
resource "rancher_registry" "internal" {
  server_address = "registry.example.com"
  name           = "internal"
  description    = "Images built by CI"
}

# A credential whose password is kept (marked sensitive) in the Terraform
# state. Changing the password updates the credential in place.
resource "rancher_registry_credential" "ci" {
  registry_id  = rancher_registry.internal.id
  name         = "ci-pull"
  description  = "Pulls images built by CI"
  email        = "ci@example.com"
  public_value = "ci-bot"
  secret_value = var.registry_password

  timeouts {
    create = "10m"
    delete = "10m"
  }
}

# Terraform 1.11 and later: a credential whose password is never stored in
# the plan or the state. Increment secret_value_wo_version to send a new
# password.
resource "rancher_registry_credential" "deploy" {
  registry_id             = rancher_registry.internal.id
  name                    = "deploy-pull"
  email                   = "deploy@example.com"
  public_value            = "deploy-bot"
  secret_value_wo         = var.deploy_token
  secret_value_wo_version = 1
}

variable "registry_password" {
  description = "Password of the ci-bot registry account."
  type        = string
  sensitive   = true
}

variable "deploy_token" {
  description = "Access token of the deploy-bot registry account."
  type        = string
  sensitive   = true
  ephemeral   = true
}
