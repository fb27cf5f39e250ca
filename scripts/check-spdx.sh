#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# make lint: every Go file starts with the SPDX licence line, and every shell
# script of the project's tooling carries it right after its #! line, as
# HashiCorp's providers do. The examples' import.sh files are left alone: the
# docs show them whole.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=0
while IFS= read -r f; do
  if [ "$(head -n 1 "$f")" != "// SPDX-License-Identifier: MPL-2.0" ]; then
    echo "$f: the first line is not // SPDX-License-Identifier: MPL-2.0" >&2
    missing=1
  fi
done < <(git ls-files '*.go')
while IFS= read -r f; do
  if [ "$(sed -n 2p "$f")" != "# SPDX-License-Identifier: MPL-2.0" ]; then
    echo "$f: the line after #! is not # SPDX-License-Identifier: MPL-2.0" >&2
    missing=1
  fi
done < <(git ls-files 'scripts/*.sh' .ci/run)
exit "$missing"
