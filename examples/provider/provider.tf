terraform {
  required_providers {
    rancher = {
      source = "cattle-ops/rancher"
    }
  }
}

# Every setting can also come from the environment (RANCHER_URL,
# RANCHER_ACCESS_KEY, RANCHER_SECRET_KEY, RANCHER_PROJECT_ID), in which case
# the provider block can stay empty: provider "rancher" {}
provider "rancher" {
  api_url    = "https://rancher.example.com"
  access_key = var.rancher_access_key
  secret_key = var.rancher_secret_key

  # Optional with an environment API key: the provider finds the key's
  # environment by itself. Required with an account API key.
  project_id = "1a5"

  request_timeout = "30s"
  max_retries     = 4
}

variable "rancher_access_key" {
  description = "Rancher API access key."
  type        = string
}

variable "rancher_secret_key" {
  description = "Rancher API secret key."
  type        = string
  sensitive   = true
}
