# A credential of a given project (environment): <project_id>/<id>
terraform import rancher_registry_credential.ci 1a5/1c7

# A credential of the provider's project: <id>
terraform import rancher_registry_credential.ci 1c7
