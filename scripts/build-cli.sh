#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# Usage: scripts/build-cli.sh terraform|tofu VERSION DEST
#
# Builds the Terraform or OpenTofu CLI of that version (such as 1.14.9) from
# its source on the Go module proxy and puts it at DEST (bin/terraform-1.14.9/
# terraform, for instance). Nothing is downloaded but through `go mod
# download`.
#
# `go install module@version` refuses a module whose go.mod has replace
# directives, as Terraform's has since 1.x, so the module is downloaded,
# copied somewhere writable and built in place, as its release builds are
# (-trimpath, version.dev=no: the CLI reports v1.14.9, not v1.14.9-dev).
# Terraform's go.mod replaces some packages by nested modules
# (internal/backend/remote-state/{azure,consul,s3,…}) that a module zip never
# holds; those backends are left out of the build (their requirements,
# replace directives, imports and entries in internal/backend/init/init.go),
# which leaves the local, remote, http, inmem and cloud backends: all the
# tests need. The script fails when that patch no longer applies.
#
# A build takes minutes, so the CLI is kept in a cache outside the clone
# (CLI_CACHE_DIR, default ${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-rancher),
# which any clone on the machine reuses after checking `<cli> version`.
set -euo pipefail

usage() {
  echo "usage: $0 terraform|tofu VERSION DEST" >&2
  exit 2
}
[ "$#" -eq 3 ] || usage
name=$1 version=${2#v} dest=$3
case "$name" in
  terraform) module=github.com/hashicorp/terraform pkg=. banner=Terraform ;;
  tofu) module=github.com/opentofu/opentofu pkg=./cmd/tofu banner=OpenTofu ;;
  *) usage ;;
esac
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || {
  echo "$0: version must look like 1.14.9, not $version" >&2
  exit 2
}
want="$banner v$version"
case "$dest" in /*) ;; *) dest=$PWD/$dest ;; esac

die() {
  echo "build-cli: $name v$version: $*" >&2
  exit 1
}
# reports prints the version line of `CLI version` ("Terraform v1.14.9").
# OpenTofu may print warnings about the CLI configuration before it, on
# standard output.
reports() { CHECKPOINT_DISABLE=1 "$1" version 2>/dev/null | grep -m 1 -E '^[A-Za-z]+ v[0-9]' || true; }

cache=${CLI_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-rancher}/$name-v$version
cached=$cache/$name

install_cached() {
  mkdir -p "$(dirname "$dest")"
  # Copied rather than linked: bin/ keeps working when the cache is cleared.
  cp "$cached" "$dest.tmp.$$"
  mv -f "$dest.tmp.$$" "$dest"
  echo "$want ready at $dest (built once into $cache)"
}

if [ -x "$dest" ] && [ "$(reports "$dest")" = "$want" ]; then
  echo "$want ready at $dest"
  exit 0
fi

mkdir -p "$cache"
# One build at a time per version on this machine: another clone may be
# building the same CLI right now.
exec 9>"$cache/.lock"
flock 9
if [ -x "$cached" ] && [ "$(reports "$cached")" = "$want" ]; then
  install_cached
  exit 0
fi

start=$(date +%s)
echo "Building $want from the Go module proxy (several minutes, once per machine)."
export GOWORK=off GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/build-$name-$version.XXXXXX")
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

# Downloaded outside any module, so that no go.mod is read or changed.
json=$(cd "$tmp" && go mod download -json "$module@v$version") || {
  echo "$json" >&2
  die "go mod download failed"
}
dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")
[ -n "$dir" ] && [ -f "$dir/go.mod" ] || {
  echo "$json" >&2
  die "go mod download gave no module directory"
}
# The module cache is read-only: build in a writable copy.
src=$tmp/src
cp -R "$dir" "$src"
chmod -R u+w "$src"
cd "$src"

# Replace directives whose target is a directory of the module that the
# module zip does not hold (a nested module: the zip leaves it out).
missing=()
while read -r old target; do
  [ -f "$target/go.mod" ] || missing+=("$old")
done < <(awk '
  /^replace[ \t]*\($/ { block = 1; next }
  block && /^\)/ { block = 0; next }
  {
    line = $0
    sub(/\/\/.*/, "", line)
    if (!block && line !~ /^replace[ \t]/) next
    if (!block) sub(/^replace[ \t]+/, "", line)
    n = split(line, f, /[ \t]+=>[ \t]+/)
    if (n != 2) next
    split(f[1], o, /[ \t]+/)
    split(f[2], t, /[ \t]+/)
    if (t[1] ~ /^\.\.?\//) print o[1], t[1]
  }' go.mod)

# importers: the Go files (tests aside) that import package $1 or one below it.
importers() {
  grep -rlE --include='*.go' --exclude='*_test.go' "\"${1//./\\.}(/[^\"]*)?\"" . || true
}
init=internal/backend/init/init.go
backends=()
for old in "${missing[@]}"; do
  users=$(importers "$old")
  if [ -n "$users" ]; then
    case "$old" in
      "$module"/internal/backend/remote-state/*) ;;
      *) die "$old, a nested module that the module zip lacks, is imported by: $users (this script only knows how to leave out remote-state backends)" ;;
    esac
    [ "$users" = "./$init" ] || die "$old is imported by $users, not by $init alone: the backend patch no longer applies"
    backends+=("$old")
  fi
  go mod edit -dropreplace="$old" -droprequire="$old"
done

if [ "${#backends[@]}" -gt 0 ]; then
  for path in "${backends[@]}"; do
    # The import line (`backendS3 "…/remote-state/s3"`) gives the package's
    # name in init.go; its one use is a line of the backends map.
    alias=$(awk -v p="\"$path\"" '$2 == p { print $1 }' "$init")
    [ "$(wc -w <<<"$alias")" -eq 1 ] || die "$init does not import $path exactly once under a name: the backend patch no longer applies"
    uses=$(grep -c "[^[:alnum:]_]$alias\." "$init" || true)
    [ "$uses" -eq 1 ] || die "$init uses $alias $uses times, not once in the backends map: the backend patch no longer applies"
    grep -Eq "^[[:space:]]*\"[a-z0-9]+\":[[:space:]]+func\(\) backend\.Backend \{ return $alias\.New\(\) \},$" "$init" ||
      die "$init has no backends map entry returning $alias.New(): the backend patch no longer applies"
    awk -v p="\"$path\"" -v use="$alias." '$2 == p { next } index($0, use) { next } { print }' "$init" >"$init.new"
    mv "$init.new" "$init"
    echo "    left out the backend $path"
  done
  gofmt -l "$init" >/dev/null || die "$init no longer parses after the patch"
  gofmt -w "$init"
fi
# Nothing may import what was left out any more.
for old in "${missing[@]}"; do
  users=$(importers "$old")
  [ -z "$users" ] || die "$old is still imported by: $users"
done

go build -trimpath -ldflags "-s -w -X $module/version.dev=no" -o "$tmp/out/$name" "$pkg" ||
  die "go build failed"
got=$(reports "$tmp/out/$name")
if [ "$got" != "$want" ]; then
  CHECKPOINT_DISABLE=1 "$tmp/out/$name" version >&2 || true
  die "the built CLI reports \"$got\", not \"$want\""
fi

mv -f "$tmp/out/$name" "$cached.tmp.$$"
mv -f "$cached.tmp.$$" "$cached"
echo "Built $want in $(($(date +%s) - start)) s."
install_cached
