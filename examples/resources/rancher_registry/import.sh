# A registry of a given project (environment): <project_id>/<id>
terraform import rancher_registry.internal 1a5/1sp3

# A registry of the provider's project, or of any environment the key reaches: <id>
terraform import rancher_registry.internal 1sp3
