#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# make check-docs: regenerate docs/ and fail when the result differs from what
# is committed (changed, deleted or new files), so docs/ always matches the
# schemas, templates/ and examples/.
set -euo pipefail
cd "$(dirname "$0")/.."

# tfplugindocs renders write-only attributes only with Terraform 1.11 or
# later, so docs/ is generated with such a CLI (make uses 1.16 or later); an
# older one, given with TERRAFORM=…, would write different docs.
read -r tf_major tf_minor < <(scripts/terraform-version.sh "${TERRAFORM:-terraform}")
if [ "$tf_major" -eq 1 ] && [ "$tf_minor" -lt 11 ]; then
  echo "docs/ check skipped: docs are generated with Terraform 1.11 or later, and this terraform is $tf_major.$tf_minor."
  exit 0
fi

make --no-print-directory docs >/dev/null

status=0
if ! git diff --exit-code --stat HEAD -- docs/; then
  status=1
fi
untracked=$(git ls-files --others --exclude-standard -- docs/)
if [ -n "$untracked" ]; then
  echo "New files in docs/ that are not committed:" >&2
  echo "$untracked" >&2
  status=1
fi
if [ "$status" -ne 0 ]; then
  echo >&2
  echo "docs/ is out of date: run 'make docs' and commit the result." >&2
  git --no-pager diff HEAD -- docs/ >&2 || true
  exit 1
fi
echo "docs/ is up to date."
