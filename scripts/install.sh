#!/usr/bin/env bash
# Builds the release binary and installs it as PREFIX/bin/qingting (PREFIX defaults to /usr/local),
# with the models and lexicons in PREFIX/share/qingting, found through a small wrapper that sets
# QINGTING_HOME. Run again to update. Usage: scripts/install.sh [PREFIX]
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${1:-/usr/local}"
scripts/setup.sh
swift build -c release --product qingting >&2
share="$prefix/share/qingting"
mkdir -p "$prefix/bin" "$share/bin"
install -m 0755 .build/release/qingting "$share/bin/qingting"
rm -rf "$share/Models" "$share/Lexicons"
mkdir -p "$share/Models"
cp -R Lexicons "$share/Lexicons"
cp Models/*.qtlin Models/*.qtseg "$share/Models/"
cp -R Models/corpus "$share/Models/corpus"
cat > "$prefix/bin/qingting" <<WRAPPER
#!/bin/sh
# Installed by Qingting's scripts/install.sh: models and lexicons live in $share.
QINGTING_HOME="\${QINGTING_HOME:-$share}" exec "$share/bin/qingting" "\$@"
WRAPPER
chmod 0755 "$prefix/bin/qingting"
echo "installed $prefix/bin/qingting ($("$prefix/bin/qingting" --version))" >&2
