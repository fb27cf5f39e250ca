# A credential of a given project (environment): <project_id>/<id>
terraform import rancher_registry_credential.ci 1a5/1c7

# A credential of the provider's project, or of any environment the key reaches: <id>
terraform import rancher_registry_credential.ci 1c7

# The id form of the archived hashicorp/rancher provider: <registry_id>/<id>
terraform import rancher_registry_credential.ci 1sp3/1c7
