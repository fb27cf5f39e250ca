#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# make check-examples: every example folder must be formatted (terraform fmt)
# and valid (terraform validate) against the provider built from this
# checkout. Needs no network: terraform gets the provider through
# dev_overrides and a local filesystem mirror holding the same binary.
set -euo pipefail
cd "$(dirname "$0")/.."

TERRAFORM=${TERRAFORM:-terraform}
root=$PWD
# Write-only attributes and ephemeral variables need Terraform 1.11: with an
# older CLI (given with TERRAFORM=…; make uses 1.14 or later) the folders
# that use them are checked by fmt only.
read -r tf_major tf_minor < <(scripts/terraform-version.sh "$TERRAFORM")
modern=0 identity=0 query=0
if [ "$tf_major" -gt 1 ] || { [ "$tf_major" -eq 1 ] && [ "$tf_minor" -ge 11 ]; }; then
  modern=1
fi
# Import by identity needs Terraform 1.12, list resources (query files) 1.14.
if [ "$tf_major" -gt 1 ] || { [ "$tf_major" -eq 1 ] && [ "$tf_minor" -ge 12 ]; }; then
  identity=1
fi
if [ "$tf_major" -gt 1 ] || { [ "$tf_major" -eq 1 ] && [ "$tf_minor" -ge 14 ]; }; then
  query=1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/check-examples.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "==> Building the provider"
go build -o "$work/bin/terraform-provider-rancher" .

scripts/dev-provider-config.sh "$work"
export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_IN_AUTOMATION=1
export CHECKPOINT_DISABLE=1

dirs=()
for d in examples/provider examples/resources/* examples/data-sources/* examples/list-resources/* examples/demo; do
  [ -d "$d" ] && compgen -G "$d/*.tf*" >/dev/null && dirs+=("$d")
done
if [ "${#dirs[@]}" -eq 0 ]; then
  echo "No example folders found." >&2
  exit 1
fi

failed=()
for d in "${dirs[@]}"; do
  echo "==> $d"
  ok=1
  if compgen -G "$d/*.tf" >/dev/null && ! "$TERRAFORM" fmt -check -diff "$d"; then
    echo "    terraform fmt: not formatted (run: terraform fmt $d)" >&2
    ok=0
  fi
  # terraform fmt (1.14) takes no .tfquery.hcl file, whose syntax is that
  # of a .tf file: check a copy under that name.
  for q in "$d"/*.tfquery.hcl; do
    [ -e "$q" ] || continue
    copy="$work/fmt/$(basename "$q" .tfquery.hcl).tf"
    mkdir -p "$work/fmt"
    cp "$q" "$copy"
    if ! "$TERRAFORM" fmt -check -diff "$copy"; then
      echo "    terraform fmt: $q is not formatted" >&2
      ok=0
    fi
  done

  if [ "$query" -eq 0 ] && compgen -G "$d/*.tfquery.hcl" >/dev/null; then
    echo "    validate skipped: list resources need Terraform 1.14 (this is $tf_major.$tf_minor)"
    [ "$ok" -eq 1 ] || failed+=("$d")
    continue
  fi

  if [ "$modern" -eq 0 ] && grep -Eqs '_wo\b|_wo |ephemeral' "$d"/*.tf; then
    echo "    validate skipped: this folder uses write-only attributes, which need Terraform 1.11 (this is $tf_major.$tf_minor)"
    [ "$ok" -eq 1 ] || failed+=("$d")
    continue
  fi

  if [ "$identity" -eq 0 ] && grep -Eqs '^\s*identity\s*=' "$d"/*.tf; then
    echo "    validate skipped: this folder imports by identity, which needs Terraform 1.12 (this is $tf_major.$tf_minor)"
    [ "$ok" -eq 1 ] || failed+=("$d")
    continue
  fi

  # Validate a copy, so that no .terraform/ or lock file lands in the tree.
  # Folders written for the documentation have no required_providers block:
  # add one that points at this provider.
  tmp="$work/config/${d//\//_}"
  mkdir -p "$tmp"
  cp "$d"/*.tf* "$tmp/"
  if ! grep -qs 'required_providers' "$d"/*.tf*; then
    cat >"$tmp/zz_required_providers.tf" <<'TF'
terraform {
  required_providers {
    rancher = {
      source = "cattle-ops/rancher"
    }
  }
}
TF
  fi
  if ! out=$("$TERRAFORM" -chdir="$tmp" init -input=false -backend=false 2>&1); then
    echo "$out" >&2
    ok=0
  elif ! out=$("$TERRAFORM" -chdir="$tmp" validate -no-color $([ "$query" -eq 1 ] && echo -query) 2>&1); then
    echo "$out" >&2
    ok=0
  else
    echo "    fmt and validate: ok"
  fi
  [ "$ok" -eq 1 ] || failed+=("$d")
done

echo
if [ "${#failed[@]}" -gt 0 ]; then
  echo "Examples with problems: ${failed[*]}" >&2
  exit 1
fi
echo "All ${#dirs[@]} example folders are formatted and valid."
