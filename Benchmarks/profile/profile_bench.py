#!/usr/bin/env python3
"""A small benchmark of the living customer profile: ingest with profile updates, rebuild,
rebuild --check, and customer.get over the socket.

Usage: python3 Benchmarks/profile/profile_bench.py [--binary .build/release/qingting]
           [--customers 1000] [--events 20000] [--gets 2000] [--seed 1]

Writes a world into a temporary folder: CRM customers (the default import schema) and a generic
export of events (comments, DMs, likes, shares, views, visits, orders) whose authors carry their
customer's phone (the deterministic rule links them), with times over 90 days. Then times, each
as a whole command: `customers import`, `ingest --mapping` (the profile of every event's customer
is updated in the same transaction), `rebuild`, `rebuild --check`, and `--gets` sequential
`customer.get` calls on one connection to `serve --store` (p50, p99, max). The profile's share of
the ingest cost is bounded above by rebuild's time per event (rebuild reads the log and folds
every event; the ingest path folds each event once). Same seed, same files.
"""
import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEXTS = ["想买个新手机，哪个牌子好", "客服态度太差，我要投诉", "强烈安利这款粉底液", "物流太慢了", "还行吧",
         "这款耳机音质真好", "申请退款一直没人处理", "对这家太失望了，准备换一家"]
KINDS = ["comment"] * 4 + ["dm"] * 2 + ["like"] * 4 + ["share", "view", "view", "visit", "order"]
MAPPING = {"event_id": "id", "uid": "user", "author": {"phone": "phone"}, "text": "body", "time": "at",
           "time_format": "unix_ms", "kind": "type", "metrics": {"amount": "amount", "view_seconds": "secs"}}


def timed(args, **kw):
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, **kw)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{args[1]} failed: {done.stderr[-400:]}")
    return seconds, done


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=os.path.join(root, ".build/release/qingting"))
    p.add_argument("--customers", type=int, default=1000)
    p.add_argument("--events", type=int, default=20000)
    p.add_argument("--gets", type=int, default=2000)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = random.Random(a.seed)
    folder = tempfile.mkdtemp(prefix="qingting-profile-bench-")
    store = os.path.join(folder, "crm.sqlite")
    now = 1_767_225_600_000  # 2026-01-01T00:00:00Z
    with open(os.path.join(folder, "crm.jsonl"), "w") as f:
        for i in range(a.customers):
            f.write(json.dumps({"id": f"C{i:07d}", "phone": f"139{i:08d}", "gender": rng.choice("男女"),
                                "city": rng.choice(["上海", "北京", "杭州", "成都"])}, ensure_ascii=False) + "\n")
    with open(os.path.join(folder, "mapping.json"), "w") as f:
        json.dump(MAPPING, f)
    with open(os.path.join(folder, "events.jsonl"), "w") as f:
        for n in range(a.events):
            c = min(int(rng.paretovariate(1.2)) - 1, a.customers - 1)  # a heavy tail: some write often
            kind = rng.choice(KINDS)
            e = {"id": f"e{n}", "user": f"u{c}", "phone": f"139{c:08d}", "type": kind,
                 "at": now - rng.randrange(90 * 86_400_000)}
            if kind in ("comment", "dm"):
                e["body"] = rng.choice(TEXTS)
            if kind == "order":
                e["amount"] = rng.randrange(50, 5000)
            if kind == "view":
                e["secs"] = rng.randrange(600)
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
    q = a.binary
    env = dict(os.environ, QINGTING_HOME=root)
    s, _ = timed([q, "customers", "import", "--store", store, "--durability", "normal",
                  os.path.join(folder, "crm.jsonl")], env=env)
    print(f"customers import: {a.customers} customers in {s:.2f} s")
    s, out = timed([q, "ingest", "--store", store, "--durability", "normal", "--now", str(now), "--mapping",
                    os.path.join(folder, "mapping.json"), os.path.join(folder, "events.jsonl")], env=env)
    ingest = s
    print(f"ingest with profile updates: {a.events} events in {s:.2f} s ({a.events / s:,.0f} events/s) {out.stdout.strip()}")
    s, out = timed([q, "rebuild", "--store", store, "--durability", "normal"], env=env)
    print(f"rebuild: {s:.2f} s ({a.events / s:,.0f} events/s) {out.stdout.strip()}")
    print(f"rebuild's time per event ÷ ingest's: {s / ingest:.1%} (an upper bound on the profile's share)")
    s, out = timed([q, "rebuild", "--store", store, "--check"], env=env)
    print(f"rebuild --check: {s:.2f} s, exit {out.returncode}: {out.stdout.strip()[:120]}")

    sock = os.path.join(folder, "q.sock")
    server = subprocess.Popen([q, "serve", "--store", store, "--socket", sock], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(200):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        c = socket.socket(socket.AF_UNIX)
        c.connect(sock)
        reader = c.makefile("rb")
        latencies = []
        for i in range(a.gets):
            who = f"C{min(int(rng.paretovariate(1.2)) - 1, a.customers - 1):07d}"
            line = json.dumps({"jsonrpc": "2.0", "id": i, "method": "customer.get",
                               "params": {"id": who, "now": str(now), "events": 5}}) + "\n"
            start = time.perf_counter()
            c.sendall(line.encode())
            reply = reader.readline()
            latencies.append(time.perf_counter() - start)
            if b'"error"' in reply and b"-32004" not in reply:
                sys.exit(f"customer.get failed: {reply[:300]}")
        latencies.sort()
        pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
        print(f"customer.get over the socket, {a.gets} calls on one connection: p50 {pick(0.5):.2f} ms, "
              f"p99 {pick(0.99):.2f} ms, max {latencies[-1] * 1000:.2f} ms")
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"(store and inputs in {folder})")


if __name__ == "__main__":
    main()
