#!/usr/bin/env python3
"""What the rules cost: `qingting ingest` with the default rules against `--rules none`, and
`qingting rules backtest` of the defaults over a large stored history, in one run.

Usage: python3 Benchmarks/rules/rules_bench.py [--events 30000] [--backtest-events 1000000]
           [--customers 5000] [--repeat 3] [--work DIR] [--binary .build/release/qingting]

1. `qingting link generate --customers N` makes a world; Benchmarks/ingest/generate.py turns it
   into the CRM export and mixed-platform payloads (skipped when DIR has them).
2. Ingest cost: for --repeat rounds, a fresh store gets the customers and then every payload,
   once with `--rules none` and once with the shipped default rules (alternating, so drift on
   the machine hits both); prints the best wall and CPU (user+sys) seconds of each and the
   added cost in percent.
3. Backtest: --backtest-events payloads ingested with `--rules none --durability normal` into
   a store, then `qingting rules backtest --store` of the default rules over all of it, timed.
Prints one JSON object.
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(cmd):
    """Runs cmd; returns (wall seconds, CPU seconds of the child, its stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def payloads(binary, work, name, customers, events):
    world = os.path.join(work, "world")
    if not os.path.exists(os.path.join(world, "customers.jsonl")):
        subprocess.run([binary, "link", "generate", "--customers", str(customers), "-o", world],
                       check=True, capture_output=True)
    out = os.path.join(work, name)
    if not os.path.exists(os.path.join(out, "payloads.jsonl")):
        subprocess.run([sys.executable, os.path.join(root, "Benchmarks/ingest/generate.py"), world, out,
                        "--events", str(events)], check=True, capture_output=True)
    return out


def fresh_store(binary, work, data):
    store = os.path.join(work, "store.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(store + suffix):
            os.remove(store + suffix)
    subprocess.run([binary, "customers", "import", "--store", store, os.path.join(data, "crm.jsonl")],
                   check=True, capture_output=True)
    return store


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=30_000)
    ap.add_argument("--backtest-events", type=int, default=1_000_000)
    ap.add_argument("--customers", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--work", default="/tmp/qingting-rules-bench")
    ap.add_argument("--binary", default=os.path.join(root, ".build/release/qingting"))
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    binary = args.binary

    data = payloads(binary, args.work, "ingest", args.customers, args.events)
    best = {"none": (1e9, 1e9), "default": (1e9, 1e9)}
    for attempt in range(args.repeat):
        for rules in ("none", "default"):
            store = fresh_store(binary, args.work, data)
            cmd = [binary, "ingest", "--store", store, os.path.join(data, "payloads.jsonl")]
            if rules == "none":
                cmd[2:2] = ["--rules", "none"]
            wall, cpu, _ = run(cmd)
            best[rules] = (min(best[rules][0], wall), min(best[rules][1], cpu))
            print(f"round {attempt + 1} rules={rules}: {wall:.2f} s wall, {cpu:.2f} s CPU", file=sys.stderr)
    report = {
        "ingest_events": args.events,
        "none": {"wall_s": round(best["none"][0], 2), "cpu_s": round(best["none"][1], 2)},
        "default": {"wall_s": round(best["default"][0], 2), "cpu_s": round(best["default"][1], 2)},
        "added_wall_pct": round(100 * (best["default"][0] / best["none"][0] - 1), 1),
        "added_cpu_pct": round(100 * (best["default"][1] / best["none"][1] - 1), 1),
    }

    if args.backtest_events > 0:
        big = payloads(binary, args.work, "backtest", args.customers, args.backtest_events)
        store = os.path.join(args.work, "backtest.sqlite")
        if not os.path.exists(store):
            print(f"ingesting {args.backtest_events} payloads for the backtest …", file=sys.stderr)
            tmp = fresh_store(binary, args.work, big)
            subprocess.run([binary, "ingest", "--store", tmp, "--rules", "none", "--durability", "normal",
                            os.path.join(big, "payloads.jsonl")], check=True, capture_output=True)
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(tmp + suffix):
                    shutil.move(tmp + suffix, store + suffix)
        wall, cpu, out = run([binary, "rules", "backtest", "--store", store])
        events = json.loads(out)["events"]
        report["backtest"] = {"events": events, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
                              "events_per_s": round(events / wall)}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
