#!/usr/bin/env bash
# Runs every fuzz target (qingting-fuzz --list) with N inputs each (default 1,000,000), release
# build, seed $FUZZ_SEED (default 1). Prints per target: inputs run, seconds, invariant failures,
# crashes. A crash (a trap: the process dies) leaves its input in .build/fuzz/TARGET.current; the
# script keeps it as .build/fuzz/crashes/TARGET-INDEX.bin and goes on from the next input.
# Reproduce one: qingting-fuzz --replay TARGET FILE.
#   scripts/fuzz.sh [N] [TARGET…]
set -uo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
shift || true
SEED=${FUZZ_SEED:-1}
DIR=.build/fuzz
mkdir -p "$DIR/crashes"
swift build -c release --product qingting-fuzz >&2 || exit 2
BIN="$(swift build -c release --show-bin-path)/qingting-fuzz"
TARGETS=${*:-$("$BIN" --list)}
status=0
printf '%-22s %10s %9s %9s %8s\n' target inputs seconds failures crashes
for target in $TARGETS; do
    start=0 crashes=0 failures=0
    began=$(date +%s.%N)
    while [ "$start" -lt "$N" ]; do
        rm -f "$DIR/$target.current"
        line=$("$BIN" "$target" --inputs $((N - start)) --start "$start" --seed "$SEED" --dir "$DIR" | tee /dev/stderr | tail -1)
        if [ -f "$DIR/$target.current" ]; then
            index=$("$BIN" --extract "$DIR/$target.current" "$DIR/crashes/$target.tmp")
            mv "$DIR/crashes/$target.tmp" "$DIR/crashes/$target-$index.bin"
            rm -f "$DIR/$target.current"
            echo "$target: crash at input $index, kept in $DIR/crashes/$target-$index.bin" >&2
            crashes=$((crashes + 1))
            start=$((index + 1))
        else
            found=$(sed -n 's/.*failures=\([0-9]*\).*/\1/p' <<<"$line")
            [ -n "$found" ] || { echo "$target: the harness stopped without a summary" >&2; exit 2; }
            failures=$((failures + found))
            start=$N
        fi
    done
    seconds=$(echo "$(date +%s.%N) - $began" | bc)
    printf '%-22s %10d %9.1f %9d %8d\n' "$target" "$N" "$seconds" "$failures" "$crashes"
    [ $((failures + crashes)) -eq 0 ] || status=1
done
exit $status
