#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# make bench: the provider's performance measurements, in one run on this
# machine.
#
# For each N (default 100 and 1000), at Terraform's default parallelism (10),
# against the simulator with 50 ms transitions and a small added latency:
#   - wall time of `terraform apply` creating N rancher_registry_credential
#     (the median of BENCH_RUNS rounds; all on one registry made beforehand
#     with curl, not counted), next to a terraform_data baseline of the same
#     N, and (for context) N noop_item of
#     scripts/noopprovider, a framework provider that calls nothing: what any
#     plugin provider costs Terraform;
#   - the floor ceil(N/10) x (round trip + 2 x transition delay) and the
#     ratio (provider - baseline) / floor;
#   - API requests per created credential (apply) and per refreshed
#     credential (a plan after apply: the refresh reads lists, at most
#     R + ceil(N/100) requests for N credentials in R registries, here R = 1),
#     from the simulator's /_sim/stats, and the plan's time next to a plan of
#     the N noop_item (what a provider that calls nothing costs);
#   - the provider's peak memory, in a separate apply, plan and destroy of the
#     same N: there terraform starts the provider through scripts/peakrss,
#     which records each provider process's peak resident set size
#     (ru_maxrss, the kernel's VmHWM) when it exits; the timed runs go
#     without it, as for any user;
#   - wall time of destroy (provider and baseline), and its requests per
#     credential, its refresh included (target: at most 4);
#   - `terraform query -generate-config-out` over the N credentials: list
#     requests (pages of 100, and the registries once: at most
#     ceil(N/100) + 1) and reads of single objects (none), from /_sim/stats.
# Prints one markdown table and writes it to bench-results.md.
#
# Environment: TERRAFORM (terraform binary), BENCH_SIZES (default "100 1000"),
# BENCH_RUNS (rounds of applies per N whose median time is reported, default 3),
# BENCH_LATENCY (simulator -latency, default 5ms), BENCH_OUT (default
# bench-results.md), BENCH_KEEP=1 keeps the work directory.
set -euo pipefail
cd "$(dirname "$0")/.."

TERRAFORM=${TERRAFORM:-terraform}
SIZES=${BENCH_SIZES:-100 1000}
RUNS=${BENCH_RUNS:-3}
LATENCY=${BENCH_LATENCY:-5ms}
OUT=${BENCH_OUT:-bench-results.md}
TRANSITION_MS=50 # simulator -transition-delay; a create passes registering and activating
PARALLELISM=10   # terraform's default; not passed on the command line
RTT_SAMPLES=31
MEMORY_TARGET_MIB=64
MEMORY_TARGET_N=1000
QUERY_TARGET_N=1000
QUERY_TARGET_LISTS=11

bench_start=$EPOCHREALTIME
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
work=$(mktemp -d "${TMPDIR:-/tmp}/terraform-provider-rancher-bench.XXXXXX")
sim_pid=""

stop_pid() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop_pid "$sim_pid"
  if [ "${BENCH_KEEP:-0}" = 1 ]; then
    echo "Work directory kept: $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '==> %s\n' "$*" >&2; }
die() {
  echo "bench: $*" >&2
  exit 1
}
now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# run LOG CMD...: runs a command with its output in LOG; on failure shows
# the end of LOG and stops.
run() {
  local log=$1
  shift
  if ! "$@" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "failed: $* (log above)"
  fi
}

step "Building the provider, the simulator and peakrss (once)"
go build -o "$work/terraform-provider-rancher" .
go build -o "$work/ranchersim" ./internal/ranchersim/cmd/ranchersim
go build -o "$work/peakrss" ./scripts/peakrss
go build -o "$work/noopprovider" ./scripts/noopprovider
tf_version=$("$TERRAFORM" version -json 2>/dev/null | jq -r .terraform_version)
# terraform query needs Terraform 1.14 or later; with an older TERRAFORM the
# query measure is left out.
has_query=$(awk -F. -v v="$tf_version" 'BEGIN { split(v, p, "."); print (p[1] > 1 || (p[1] == 1 && p[2] >= 14)) ? 1 : 0 }')

step "Starting the simulator (-transition-delay ${TRANSITION_MS}ms -latency $LATENCY)"
"$work/ranchersim" -listen 127.0.0.1:0 -transition-delay "${TRANSITION_MS}ms" -latency "$LATENCY" \
  >"$work/sim.env" 2>"$work/sim.log" &
sim_pid=$!
for _ in $(seq 1 100); do
  [ "$(wc -l <"$work/sim.env")" -ge 4 ] && break
  kill -0 "$sim_pid" 2>/dev/null || {
    cat "$work/sim.log" >&2
    die "the simulator did not start"
  }
  sleep 0.1
done
set -a
# shellcheck disable=SC1091
. "$work/sim.env"
set +a
auth="$RANCHER_ACCESS_KEY:$RANCHER_SECRET_KEY"
api="$RANCHER_URL/v1/projects/$RANCHER_PROJECT_ID"
stats() { curl -sf "$RANCHER_URL/_sim/stats" >"$1"; }

# delta BEFORE AFTER: request counts between two /_sim/stats snapshots.
delta() {
  jq -n --slurpfile a "$1" --slurpfile b "$2" '
    ($a[0]) as $a | ($b[0]) as $b
    | ($b.routes | to_entries
       | map({key, value: (.value - ($a.routes[.key] // 0))})
       | map(select(.value != 0)) | from_entries) as $d
    | {total: ($b.total - $a.total),
       post: ([$d | to_entries[] | select(.key | startswith("POST ")) | .value] | add // 0),
       get: ([$d | to_entries[] | select(.key | startswith("GET ")) | .value] | add // 0),
       routes: $d}'
}

step "Creating the registry the credentials belong to (out of band, not measured)"
registry_id=$(curl -sf -u "$auth" -X POST -H 'Content-Type: application/json' \
  -d '{"serverAddress":"bench.registry.example.com","name":"bench"}' "$api/registries" | jq -r .id)
[ -n "$registry_id" ] && [ "$registry_id" != null ] || die "could not create the registry"
state=""
for _ in $(seq 1 100); do
  state=$(curl -sf -u "$auth" "$api/registries/$registry_id" | jq -r .state)
  [ "$state" = active ] && break
  sleep 0.05
done
[ "$state" = active ] || die "registry $registry_id did not become active (state $state)"

step "Measuring the round trip ($RTT_SAMPLES GETs of the registry, one connection)"
urls=()
for _ in $(seq 1 "$RTT_SAMPLES"); do urls+=(-o /dev/null "$api/registries/$registry_id"); done
rtt_ms=$(curl -sf -u "$auth" -w '%{time_total}\n' "${urls[@]}" |
  sort -g | awk '{ v[NR] = $1 } END { printf "%.2f", 1000 * v[int((NR + 1) / 2)] }')

# Terraform: a CLI configuration whose only provider source is a filesystem
# mirror (no network, no plugin cache). It holds the provider as
# cattle-ops/rancher, the no-op provider as bench/noop, and as
# bench/rancher-peak a small script that runs the provider under peakrss,
# which appends the provider's peak RSS (KiB) to $BENCH_PEAK_FILE when it
# exits.
platform="$(go env GOOS)_$(go env GOARCH)"
mkdir -p "$work/mirror/registry.terraform.io/cattle-ops/rancher/0.0.1/$platform" \
  "$work/mirror/registry.terraform.io/bench/noop/0.0.1/$platform" \
  "$work/mirror/registry.terraform.io/bench/rancher-peak/0.0.1/$platform"
cp "$work/terraform-provider-rancher" "$work/mirror/registry.terraform.io/cattle-ops/rancher/0.0.1/$platform/terraform-provider-rancher_v0.0.1"
cp "$work/noopprovider" "$work/mirror/registry.terraform.io/bench/noop/0.0.1/$platform/terraform-provider-noop_v0.0.1"
peak_wrapper="$work/mirror/registry.terraform.io/bench/rancher-peak/0.0.1/$platform/terraform-provider-rancher-peak_v0.0.1"
cat >"$peak_wrapper" <<EOF
#!/bin/sh
exec "$work/peakrss" "\$BENCH_PEAK_FILE" "$work/terraform-provider-rancher" "\$@"
EOF
chmod +x "$peak_wrapper"
cat >"$work/terraformrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["cattle-ops/rancher", "bench/noop", "bench/rancher-peak"]
  }
}
EOF
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
unset TF_REATTACH_PROVIDERS TF_LOG TF_LOG_PROVIDER TF_LOG_PATH
tf() { "$TERRAFORM" -chdir="$1" "${@:2}" -input=false -no-color; }

# peak NAME: each provider process started from now on appends its peak to
# peak-NAME.
peak() { export BENCH_PEAK_FILE="$work/peak-$1"; }
# peak_mib NAME: the largest peak of the provider processes of peak-NAME, in
# MiB; procs NAME: how many there were.
peak_mib() {
  [ -s "$work/peak-$1" ] || die "no provider process recorded its peak for $1"
  sort -n "$work/peak-$1" | awk '{ max = $1 } END { printf "%.1f", max / 1024 }'
}
procs() { wc -l <"$work/peak-$1" | tr -d ' '; }

rows=()
row() { rows+=("| $1 | $2 | $3 | $4 | $5 |"); }
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {
  ok = (op == "<=") ? (v <= t) : (op == "<") ? (v < t) : (v == t)
  print ok ? "PASS" : "MISS" }'; }
details=()

for n in $SIZES; do
  n_start=$EPOCHREALTIME
  dir_b="$work/baseline-$n" dir_p="$work/provider-$n" dir_n="$work/noop-$n" dir_m="$work/memory-$n"
  mkdir -p "$dir_b" "$dir_p" "$dir_n" "$dir_m"
  cat >"$dir_b/main.tf" <<EOF
resource "terraform_data" "bench" {
  count = $n
  input = "bench-\${count.index}"
}
EOF
  cat >"$dir_n/main.tf" <<EOF
terraform {
  required_providers {
    noop = { source = "bench/noop" }
  }
}

resource "noop_item" "bench" {
  count = $n
  input = "bench-\${count.index}"
}
EOF
  cat >"$dir_p/main.tf" <<EOF
terraform {
  required_providers {
    rancher = { source = "cattle-ops/rancher" }
  }
}

provider "rancher" {}

resource "rancher_registry_credential" "bench" {
  count        = $n
  registry_id  = "$registry_id"
  email        = "bench\${count.index}@example.com"
  public_value = "user\${count.index}"
  secret_value = "secret-\${count.index}"
  name         = "bench-\${count.index}"
}
EOF
  sed 's|source = "cattle-ops/rancher"|source = "bench/rancher-peak"|' "$dir_p/main.tf" >"$dir_m/main.tf"

  run "$work/b-init-$n.log" tf "$dir_b" init
  run "$work/n-init-$n.log" tf "$dir_n" init
  run "$work/p-init-$n.log" tf "$dir_p" init
  # RUNS rounds of: baseline, no-op and provider applies, each destroyed
  # again but the last round's; the times reported are the medians. The
  # requests are counted in the last round.
  b_times=() n_times=() p_times=()
  for round in $(seq 1 "$RUNS"); do
    step "N=$n, round $round/$RUNS: terraform_data, no-op provider and provider applies"
    t0=$(now)
    run "$work/b-apply-$n.log" tf "$dir_b" apply -auto-approve
    b_times+=("$(elapsed "$t0" "$(now)")")
    t0=$(now)
    run "$work/n-apply-$n.log" tf "$dir_n" apply -auto-approve
    n_times+=("$(elapsed "$t0" "$(now)")")
    if [ "$round" = "$RUNS" ]; then
      t0=$(now)
      run "$work/n-plan-$n.log" tf "$dir_n" plan
      t_nplan=$(elapsed "$t0" "$(now)")
    fi
    run "$work/n-destroy-$n.log" tf "$dir_n" destroy -auto-approve
    stats "$work/s0"
    t0=$(now)
    run "$work/p-apply-$n.log" tf "$dir_p" apply -auto-approve
    p_times+=("$(elapsed "$t0" "$(now)")")
    stats "$work/s1"
    if [ "$round" -lt "$RUNS" ]; then
      run "$work/p-destroy-$n.log" tf "$dir_p" destroy -auto-approve
      run "$work/b-destroy-$n.log" tf "$dir_b" destroy -auto-approve
    fi
  done
  t_base=$(median "${b_times[@]}") t_noop=$(median "${n_times[@]}") t_prov=$(median "${p_times[@]}")

  step "N=$n: plan after apply (refresh)"
  t0=$(now)
  set +e
  tf "$dir_p" plan -detailed-exitcode >"$work/p-plan-$n.log" 2>&1
  plan_code=$?
  set -e
  t_plan=$(elapsed "$t0" "$(now)")
  [ "$plan_code" = 1 ] && {
    tail -n 40 "$work/p-plan-$n.log" >&2
    die "plan failed"
  }
  stats "$work/s2"

  # terraform query over the N credentials, as an adoption would run it
  # (-generate-config-out, which fills in every attribute): list requests
  # only, in pages of 100, and no read of any one credential.
  stats "$work/q1"
  if [ "$has_query" = 1 ]; then
    step "N=$n: terraform query -generate-config-out over the $n credentials"
    dir_q="$work/query-$n"
    mkdir -p "$dir_q"
    sed '/^resource /,$d' "$dir_p/main.tf" >"$dir_q/main.tf"
    cat >"$dir_q/adopt.tfquery.hcl" <<EOF
list "rancher_registry_credential" "bench" {
  provider = rancher
  limit    = $n
}
EOF
    run "$work/q-init-$n.log" tf "$dir_q" init
    stats "$work/q0"
    t0=$(now)
    # (query takes no -input flag, which tf adds)
    run "$work/q-query-$n.log" "$TERRAFORM" -chdir="$dir_q" query -no-color -generate-config-out=generated.tf
    t_query=$(elapsed "$t0" "$(now)")
    stats "$work/q1"
    q_found=$(grep -c '^resource "rancher_registry_credential"' "$dir_q/generated.tf" || true)
    d_query=$(delta "$work/q0" "$work/q1")
    q_lists=$(jq '[.routes | to_entries[] | select(.key | test("^GET [^ ]*/(registrycredentials|registries)$")) | .value] | add // 0' <<<"$d_query")
    q_byid=$(jq '[.routes | to_entries[] | select(.key | contains("{id}")) | .value] | add // 0' <<<"$d_query")
    q_total=$(jq .total <<<"$d_query")
    q_max=$(((n + 99) / 100 + 1))
  fi

  step "N=$n: destroy (provider, then baseline)"
  t0=$(now)
  run "$work/p-destroy-$n.log" tf "$dir_p" destroy -auto-approve
  t_pdestroy=$(elapsed "$t0" "$(now)")
  stats "$work/s3"
  t0=$(now)
  run "$work/b-destroy-$n.log" tf "$dir_b" destroy -auto-approve
  t_bdestroy=$(elapsed "$t0" "$(now)")

  step "N=$n: peak memory (apply, plan, destroy again, the provider under peakrss)"
  peak "init-$n"
  run "$work/m-init-$n.log" tf "$dir_m" init
  peak "apply-$n"
  run "$work/m-apply-$n.log" tf "$dir_m" apply -auto-approve
  peak "plan-$n"
  run "$work/m-plan-$n.log" tf "$dir_m" plan
  peak "destroy-$n"
  run "$work/m-destroy-$n.log" tf "$dir_m" destroy -auto-approve
  mem_apply=$(peak_mib "apply-$n") mem_plan=$(peak_mib "plan-$n") mem_destroy=$(peak_mib "destroy-$n")

  d_apply=$(delta "$work/s0" "$work/s1")
  d_plan=$(delta "$work/s1" "$work/s2")
  d_destroy=$(delta "$work/q1" "$work/s3")
  a_total=$(jq .total <<<"$d_apply") a_post=$(jq .post <<<"$d_apply") a_get=$(jq .get <<<"$d_apply")
  p_total=$(jq .total <<<"$d_plan") p_get=$(jq .get <<<"$d_plan")
  p_byid=$(jq '.routes["GET /v1/projects/{pid}/registrycredentials/{id}"] // 0' <<<"$d_plan")
  x_total=$(jq .total <<<"$d_destroy")

  waves=$(((n + PARALLELISM - 1) / PARALLELISM))
  floor=$(calc "%.2f" "$waves * ($rtt_ms + 2 * $TRANSITION_MS) / 1000")
  ratio=$(calc "%.2f" "($t_prov - $t_base) / $floor")
  over_base=$(calc "%.2f" "$t_prov / $t_base")
  ratio_noop=$(calc "%.2f" "($t_prov - $t_noop) / $floor")
  per_create=$(calc "%.2f" "$a_total / $n")
  per_create_post=$(calc "%.2f" "$a_post / $n")
  per_create_get=$(calc "%.2f" "$a_get / $n")
  per_refresh=$(calc "%.3f" "$p_total / $n")
  per_refresh_get=$(calc "%.3f" "$p_byid / $n")
  per_destroy=$(calc "%.2f" "$x_total / $n")
  # Refresh: the credentials of the one registry in lists of 100, no read
  # by id: at most R + ceil(N/100) requests, R = 1.
  refresh_max=$((1 + (n + 99) / 100))
  refresh_ok=$(awk -v id="$p_byid" -v t="$p_total" -v m="$refresh_max" 'BEGIN { print (id == 0 && t <= m) ? "PASS" : "MISS" }')
  plan_over_noop=$(calc "%.2f" "$t_plan / $t_nplan")
  plan_note="no changes"
  [ "$plan_code" = 2 ] && plan_note="NOT EMPTY (exit 2)"

  row "$n" "apply, provider / baseline terraform_data (s), median of $RUNS (all: provider ${p_times[*]}; baseline ${b_times[*]})" "$t_prov / $t_base" "" ""
  row "$n" "floor ceil($n/$PARALLELISM) × (RTT $rtt_ms ms + 2×${TRANSITION_MS} ms) (s)" "$floor" "" ""
  row "$n" "**(provider − baseline) / floor**" "**$ratio**" "≤ 1.3" "$(verdict "$ratio" "<=" 1.3)"
  row "$n" "provider / baseline (context)" "$over_base" "" ""
  row "$n" "apply of N noop_item, a framework provider that calls nothing (s, median; all ${n_times[*]}); (provider − no-op) / floor (context: what is left once plugin costs are taken out)" "$t_noop; $ratio_noop" "" ""
  row "$n" "**requests per created credential** (POST + GET)" "**$per_create** ($per_create_post + $per_create_get)" "≤ 3" "$(verdict "$per_create" "<=" 3)"
  row "$n" "**requests per refreshed credential** (plan after apply: all / GET by id)" "**$per_refresh** / $per_refresh_get ($p_total requests, plan: $plan_note)" "≤ (1 + ⌈N/100⌉)/N = $(calc "%.3f" "$refresh_max / $n")" \
    "$([ "$plan_code" = 0 ] && echo "$refresh_ok" || echo MISS)"
  row "$n" "plan after apply (refresh), provider / N noop_item (s)" "$t_plan / $t_nplan = $plan_over_noop" "" ""
  mem_peak=$(printf '%s\n' "$mem_apply" "$mem_plan" "$mem_destroy" | sort -g | tail -n 1)
  if [ "$n" = "$MEMORY_TARGET_N" ]; then
    mem_ok=$(verdict "$mem_peak" "<" "$MEMORY_TARGET_MIB")
    mem_target="< $MEMORY_TARGET_MIB MiB"
  else
    mem_ok="(info)"
    mem_target="(at N=$MEMORY_TARGET_N)"
  fi
  row "$n" "**provider peak memory**, peak RSS of the provider processes terraform started: apply / plan / destroy (MiB)" "$mem_apply / $mem_plan / $mem_destroy (max **$mem_peak**; processes $(procs "apply-$n") / $(procs "plan-$n") / $(procs "destroy-$n"))" "$mem_target" "$mem_ok"
  row "$n" "destroy, provider / baseline (s)" "$t_pdestroy / $t_bdestroy" "" ""
  row "$n" "**requests per destroyed credential**, its refresh included" "**$per_destroy**" "≤ 4" "$(verdict "$per_destroy" "<=" 4)"
  if [ "$has_query" = 1 ]; then
    if [ "$n" = "$QUERY_TARGET_N" ]; then
      query_target="≤ $QUERY_TARGET_LISTS lists, 0 reads"
      query_max=$QUERY_TARGET_LISTS query_pass=PASS
    else
      query_target="(≤ $q_max lists at N=$n)"
      query_max=$q_max query_pass="(info)"
    fi
    query_ok=$(awk -v l="$q_lists" -v i="$q_byid" -v f="$q_found" -v n="$n" -v t="$query_max" -v p="$query_pass" \
      'BEGIN { print (l <= t && i == 0 && f == n) ? p : "MISS" }')
    row "$n" "**terraform query -generate-config-out** over the N credentials: list requests / reads of one object / all requests; resource blocks written; time (s)" "**$q_lists** / **$q_byid** / $q_total; $q_found written; $t_query" "$query_target" "$query_ok"
  else
    row "$n" "terraform query over the N credentials" "not measured: needs Terraform 1.14 or later (this is $tf_version)" "" ""
  fi
  details+=("- N=$n apply requests: $(jq -c .routes <<<"$d_apply")")
  details+=("- N=$n plan requests: $(jq -c .routes <<<"$d_plan")")
  details+=("- N=$n destroy requests: $(jq -c .routes <<<"$d_destroy")")
  [ "$has_query" = 1 ] && details+=("- N=$n query requests: $(jq -c .routes <<<"$d_query")")
  details+=("- N=$n: this N took $(elapsed "$n_start" "$(now)") s in all (init, apply, plan, destroy of both)")
done

total=$(elapsed "$bench_start" "$(now)")
{
  echo "# make bench"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)," \
    "terraform $tf_version, $(go env GOVERSION), $(nproc) CPUs, parallelism $PARALLELISM (terraform's default)," \
    "load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (other work on the machine skews the times)."
  echo "Simulator: -transition-delay ${TRANSITION_MS}ms (registering → activating → active: 2 × ${TRANSITION_MS} ms per create)," \
    "-latency $LATENCY; measured round trip (median of $RTT_SAMPLES GETs) $rtt_ms ms."
  echo "Terraform installs the provider from a filesystem mirror and starts it itself, as for any user, with no TF_LOG set;" \
    "peak memory is each provider process's ru_maxrss (scripts/peakrss), in an apply, plan and destroy of its own;" \
    "credentials all belong to registry $registry_id, made beforehand with curl (not counted)."
  echo
  echo "| N | measure | value | target | result |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Requests per route (simulator /_sim/stats deltas):"
  echo
  printf '%s\n' "${details[@]}"
  echo
  echo "Whole bench: $total s."
} | tee "$OUT"
echo "Written to $OUT." >&2
