#!/usr/bin/env bash
# Ingest cost of two builds side by side: BASE and NEW ingest the same payloads into fresh stores,
# alternating, ROUNDS times with --rules none and with the default rules; prints best and median
# wall and CPU (user + sys) seconds of each.
# Usage: Benchmarks/ingest/ab_ingest.sh BASE_BINARY NEW_BINARY DATA_DIR [ROUNDS]
#   DATA_DIR holds crm.jsonl and payloads.jsonl (Benchmarks/ingest/generate.py writes them; e.g.
#   the `ingest` folder Benchmarks/rules/rules_bench.py leaves in its --work directory).
set -euo pipefail
base=$1 new=$2 data=$3 rounds=${4:-3}
work=$(mktemp -d)
log=$work/times
for r in $(seq "$rounds"); do
  for rules in none default; do
    for side in base new; do
      bin=$base; [ "$side" = new ] && bin=$new
      store=$work/$side.sqlite; rm -f "$store" "$store-wal" "$store-shm"
      "$bin" customers import --store "$store" "$data/crm.jsonl" > /dev/null
      flags=(); [ "$rules" = none ] && flags=(--rules none)
      /usr/bin/time -f "$rules $side %e %U %S" -a -o "$log" "$bin" ingest --store "$store" "${flags[@]}" "$data/payloads.jsonl" > /dev/null 2>&1
    done
  done
done
python3 - "$log" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    rules, side, wall, user, sys_ = line.split()
    runs[(rules, side)].append((float(wall), float(user) + float(sys_)))
for rules in ("none", "default"):
    for side in ("base", "new"):
        wall = [w for w, _ in runs[(rules, side)]]; cpu = [c for _, c in runs[(rules, side)]]
        print("rules=%-7s %-4s wall best %.2f median %.2f  cpu best %.2f median %.2f" % (
            rules, side, min(wall), statistics.median(wall), min(cpu), statistics.median(cpu)))
PY
rm -rf "$work"
