#!/usr/bin/env bash
# Prints "MAJOR MINOR" of the terraform CLI given as $1 (default: terraform).
set -euo pipefail
CHECKPOINT_DISABLE=1 "${1:-terraform}" version 2>/dev/null | head -n 1 | sed -E 's/^[A-Za-z]+ v([0-9]+)\.([0-9]+).*/\1 \2/'
