import {
  to = rancher_registry_credential.ci
  id = "1a5/1c7"
}
