#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# make demo: a tour of the provider against the built-in Rancher 1.x simulator.
# Builds the provider and the simulator, starts the simulator on a free
# loopback port, then runs terraform init, apply, plan and destroy on
# examples/demo through a dev_overrides CLI configuration.
set -euo pipefail
cd "$(dirname "$0")/.."

TERRAFORM=${TERRAFORM:-terraform}
work=.demo
rm -rf "$work"
mkdir -p "$work/bin" "$work/config"

step() { printf '\n==> %s\n' "$*"; }

step "Building the provider and the Rancher 1.x API simulator"
go build -o "$work/bin/terraform-provider-rancher" .
go build -o "$work/ranchersim" ./internal/ranchersim/cmd/ranchersim

step "Starting the simulator on a free loopback port"
"$work/ranchersim" -listen 127.0.0.1:0 >"$work/sim.env" 2>"$work/sim.log" &
sim_pid=$!
cleanup() {
  kill "$sim_pid" 2>/dev/null || true
  wait "$sim_pid" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  [ "$(wc -l <"$work/sim.env")" -ge 4 ] && break
  kill -0 "$sim_pid" 2>/dev/null || { cat "$work/sim.log" >&2; exit 1; }
  sleep 0.1
done
set -a
# shellcheck disable=SC1091
. "$work/sim.env"
set +a
echo "    The simulator answers at $RANCHER_URL (project $RANCHER_PROJECT_ID)."
echo "    The provider reads RANCHER_URL, RANCHER_ACCESS_KEY, RANCHER_SECRET_KEY and RANCHER_PROJECT_ID from the environment."

# Terraform uses the provider just built instead of one from the registry:
# dev_overrides for plan and apply, and a local mirror holding the same
# binary so that init needs no network either.
scripts/dev-provider-config.sh "$work"
export TF_CLI_CONFIG_FILE="$PWD/$work/terraformrc"
export TF_IN_AUTOMATION=1
cp examples/demo/*.tf "$work/config/"
tf() { "$TERRAFORM" -chdir="$work/config" "$@"; }

step "terraform init (the dev_overrides warning is expected: the provider comes from this checkout)"
tf init -input=false >/dev/null
echo "    Initialized."

step "terraform apply: creates a registry and a credential for it, and waits until Rancher has activated both"
tf apply -input=false -auto-approve -compact-warnings

step "terraform plan: a second plan must show no changes"
set +e
tf plan -input=false -detailed-exitcode -compact-warnings
code=$?
set -e
if [ "$code" -ne 0 ]; then
  echo "FAILED: the second plan is not empty (exit code $code)." >&2
  exit 1
fi
echo "    No changes: what Rancher holds matches the configuration."

step "terraform destroy: deactivates and removes the credential, then the registry (which is also purged, freeing its address)"
tf destroy -input=false -auto-approve -compact-warnings

step "Stopping the simulator"
cleanup
trap - EXIT
echo "    Done. The demo ran against the in-memory simulator; nothing outside this machine was touched."
