#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# Usage: scripts/dev-provider-config.sh DIR
# DIR/bin/terraform-provider-rancher must hold the provider built from this
# checkout. Writes DIR/terraformrc, a Terraform CLI configuration that makes
# terraform (or tofu) use that binary with no network: dev_overrides for plan
# and apply, and a filesystem mirror of the same binary so that init finds it
# too. Point TF_CLI_CONFIG_FILE at it.
set -euo pipefail
dir=$(cd "$1" && pwd)
platform="$(go env GOOS)_$(go env GOARCH)"
for host in registry.terraform.io registry.opentofu.org; do
  mirror="$dir/mirror/$host/cattle-ops/rancher/0.0.1/$platform"
  mkdir -p "$mirror"
  cp "$dir/bin/terraform-provider-rancher" "$mirror/terraform-provider-rancher_v0.0.1"
done
cat >"$dir/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "cattle-ops/rancher" = "$dir/bin"
  }
  filesystem_mirror {
    path    = "$dir/mirror"
    include = ["cattle-ops/rancher"]
  }
}
RC
