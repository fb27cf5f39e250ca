#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# Prints "MAJOR MINOR" of the terraform CLI given as $1 (default: terraform).
set -euo pipefail
# OpenTofu may print warnings about its CLI configuration before the
# version line, on standard output.
CHECKPOINT_DISABLE=1 "${1:-terraform}" version 2>/dev/null |
  awk '!found && /^[A-Za-z]+ v[0-9]+\.[0-9]+/ { sub(/^[A-Za-z]+ v/, ""); split($0, v, "."); print v[1], v[2]; found = 1 }'
