#!/usr/bin/env bash
# Installs what is missing and runs every unit and integration test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
swift test "$@"
