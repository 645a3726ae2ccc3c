#!/usr/bin/env python3
"""A small benchmark of the living customer profile: ingest with profile updates, rebuild,
rebuild --check, and customer.get over the socket.

Usage: python3 Benchmarks/profile/profile_bench.py [--binary .build/release/qingting]
           [--customers 1000] [--events 20000] [--gets 2000] [--seed 1]
       python3 Benchmarks/profile/profile_bench.py --store FILE [--rebuild] [--gets 2000]

Writes a world into a temporary folder: CRM customers (the default import schema) and a generic
export of events (comments, DMs, likes, shares, views, visits, orders) whose authors carry their
customer's phone (the deterministic rule links them), with times over 90 days; 70% of the events
come from customers drawn uniformly, 30% from a heavy tail (a few customers write a lot). Then times, each
as a whole command: `customers import`, `ingest --mapping` (the profile of every event's customer
is updated in the same transaction), `rebuild`, `rebuild --check`, and `--gets` sequential
`customer.get` calls on one connection to `serve --store` (p50, p99, max). The profile's share of
the ingest cost is bounded above by rebuild's time per event (rebuild reads the log and folds
every event; the ingest path folds each event once). Same seed, same files.

With --store FILE the world is an existing store (say the 10,000,000-event store that
Benchmarks/report/report_bench.py builds): no import, no ingest; `customer.get` is timed on customers
drawn three ways, a third each — uniformly from all customers, uniformly from those with a profile,
and by activity (the customer of a random stored event) — and `rebuild` / `rebuild --check` only
with --rebuild (they write the store's derived tables).
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


def author(rng, customers):
    """A customer index: uniform 70% of the time, else a heavy tail over the first ones."""
    if rng.random() < 0.7:
        return rng.randrange(customers)
    return min(int(rng.paretovariate(1.2) * 7) - 7, customers - 1)


def time_gets(q, store, env, folder, picks):
    """`customer.get` for each id in picks, in order, on one connection; the latencies in ms."""
    sock = os.path.join(folder, "q.sock")
    if os.path.exists(sock):
        os.remove(sock)
    server = subprocess.Popen([q, "serve", "--store", store, "--socket", sock], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(1200):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        c = socket.socket(socket.AF_UNIX)
        c.connect(sock)
        reader = c.makefile("rb")
        latencies = []
        for i, (who, now) in enumerate(picks):
            line = json.dumps({"jsonrpc": "2.0", "id": i, "method": "customer.get",
                               "params": {"id": who, "now": str(now), "events": 5}}) + "\n"
            start = time.perf_counter()
            c.sendall(line.encode())
            reply = reader.readline()
            latencies.append((time.perf_counter() - start) * 1000)
            if b'"error"' in reply and b"-32004" not in reply:
                sys.exit(f"customer.get failed: {reply[:300]}")
        return latencies
    finally:
        server.terminate()
        server.wait(timeout=30)


def percentiles(latencies):
    ordered = sorted(latencies)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]
    return f"p50 {pick(0.5):.2f} ms, p99 {pick(0.99):.2f} ms, max {ordered[-1]:.2f} ms"


def existing_store(a, env):
    """Times customer.get (and with --rebuild, rebuild) on a store someone else filled."""
    import sqlite3
    rng = random.Random(a.seed)
    db = sqlite3.connect(f"file:{a.store}?mode=ro", uri=True)
    customers = [r[0] for r in db.execute("SELECT id FROM customers")]
    profiled = [r[0] for r in db.execute("SELECT customer FROM profiles")]
    top = db.execute("SELECT MAX(seq), MAX(occurred_at) FROM events").fetchone()
    events = top[0] or 0
    now = (top[1] or 0) + 1
    active = []
    while len(active) < a.gets // 3 and events:
        row = db.execute("SELECT customer FROM events WHERE seq = ?", (rng.randrange(1, events + 1),)).fetchone()
        if row and row[0]:
            active.append(row[0])
    db.close()
    print(f"store {a.store}: {len(customers):,} customers, {len(profiled):,} profiles, {events:,} events")
    groups = {"uniform over customers": [rng.choice(customers) for _ in range(a.gets // 3)],
              "uniform over profiles": [rng.choice(profiled) for _ in range(a.gets // 3)],
              "by activity": active}
    picks = [(who, now) for ids in groups.values() for who in ids]
    order = list(range(len(picks)))
    rng.shuffle(order)
    latencies = time_gets(a.binary, a.store, env, os.path.dirname(os.path.abspath(a.store)), [picks[i] for i in order])
    back = [0.0] * len(picks)
    for position, i in enumerate(order):
        back[i] = latencies[position]
    print(f"customer.get over the socket, {len(picks)} calls on one connection: {percentiles(latencies)}")
    start = 0
    for name, ids in groups.items():
        print(f"  {name}: {percentiles(back[start:start + len(ids)])}")
        start += len(ids)
    if a.rebuild:
        s, out = timed([a.binary, "rebuild", "--store", a.store, "--durability", "normal"], env=env)
        print(f"rebuild: {s:.2f} s ({events / s:,.0f} events/s) {out.stdout.strip()[:200]}")
        s, out = timed([a.binary, "rebuild", "--store", a.store, "--check"], env=env)
        print(f"rebuild --check: {s:.2f} s, exit {out.returncode}: {out.stdout.strip()[:120]}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=os.path.join(root, ".build/release/qingting"))
    p.add_argument("--customers", type=int, default=1000)
    p.add_argument("--events", type=int, default=20000)
    p.add_argument("--gets", type=int, default=2000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--store", help="measure this existing store instead of building a world")
    p.add_argument("--rebuild", action="store_true", help="with --store: also time rebuild and rebuild --check")
    a = p.parse_args()
    env = dict(os.environ, QINGTING_HOME=root)
    if a.store:
        return existing_store(a, env)
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
            c = author(rng, a.customers)
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

    picks = [(f"C{author(rng, a.customers):07d}", now) for _ in range(a.gets)]
    latencies = time_gets(q, store, env, folder, picks)
    print(f"customer.get over the socket, {a.gets} calls on one connection: {percentiles(latencies)}")
    print(f"(store and inputs in {folder})")


if __name__ == "__main__":
    main()
