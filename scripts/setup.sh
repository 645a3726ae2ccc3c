#!/usr/bin/env bash
# Installs the system libraries Qingting links (ICU, SQLite) when they are missing; with --test
# also what the tests use (headless Chromium and a CJK font, for the report page's browser test).
# Safe to run again: it does nothing when everything is there.
set -euo pipefail
packages=(libicu-dev libsqlite3-dev)
if [ "${1:-}" = "--test" ]; then packages+=(chromium fonts-wqy-zenhei); fi
missing=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "setup: the Swift toolchain (swift) is not on PATH" >&2; exit 1; }
