#!/usr/bin/env bash
# Installs what is missing, builds a release binary, and runs `qingting` with the given arguments.
# With no arguments it analyzes the bundled demo posts (Models/corpus/demo-posts.txt) to JSONL.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product qingting >&2
if [ $# -eq 0 ]; then
  set -- analyze --file Models/corpus/demo-posts.txt
fi
exec .build/release/qingting "$@"
