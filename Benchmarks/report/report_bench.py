#!/usr/bin/env python3
"""What a report costs: `qingting report` and `kpi.report` over a large stored history, in one run.

Usage: python3 Benchmarks/report/report_bench.py [--events 1000000] [--span-days 90] [--scale 10]
           [--customers 5000] [--repeat 5] [--work DIR] [--binary .build/release/qingting]

1. `qingting link generate` makes a world; Benchmarks/ingest/generate.py turns it into --events
   mixed-platform payloads spread over the --span-days before 2026-01-01 (skipped when DIR has them).
2. They are ingested with the default rules (`--durability normal`) into a store: the daily
   aggregates, leads, orders, tickets and actions the report reads are what ingest keeps.
3. Timed, best and median of --repeat: `qingting report` for the last 30 days by day (whole
   process: start, open, read, print), `kpi.report` for the same 30 days over the socket (one
   request at a time against `qingting serve`), and `report --html` for the whole quarter by day.
4. The same on a store whose report tables are --scale times larger: every `kpi_daily` row copied
   to --scale - 1 more platforms, every ticket (with its feed history), action, lead and order
   copied --scale - 1 times, and every customer's daily activity copied to --scale - 1 more customers. That is more than --scale times the events would make (more events
   do not bring that many more platforms or measures per day), so it bounds the report at
   --scale × --events events from above. With --scale 1 this step is skipped.
Prints one JSON object.
"""
import argparse
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOW = 1_767_225_600_000  # 2026-01-01T00:00:00Z
DAY = 86_400_000


def day(ms):
    return time.strftime("%Y-%m-%d", time.gmtime(ms / 1000))


def timed(cmd):
    start = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.monotonic() - start


def summary(times):
    return {"best_ms": round(min(times) * 1000, 1), "median_ms": round(statistics.median(times) * 1000, 1)}


def socket_times(binary, store, params, repeat):
    sock = store + ".sock"
    if os.path.exists(sock):
        os.remove(sock)
    server = subprocess.Popen([binary, "serve", "--store", store, "--socket", sock],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        s = socket.socket(socket.AF_UNIX)
        s.connect(sock)
        f = s.makefile("rwb")
        times = []
        for i in range(repeat + 1):
            start = time.monotonic()
            f.write((json.dumps({"jsonrpc": "2.0", "id": i, "method": "kpi.report", "params": params}) + "\n").encode())
            f.flush()
            answer = json.loads(f.readline())
            if "error" in answer:
                raise SystemExit("kpi.report failed: %s" % answer["error"])
            if i > 0:  # the first call folds nothing but warms the page cache
                times.append(time.monotonic() - start)
        s.close()
        return times, answer["result"]
    finally:
        server.terminate()
        server.wait()


def scale(store, factor):
    db = sqlite3.connect(store)
    for k in range(1, factor):
        off = k * 10**12
        db.execute("INSERT INTO kpi_daily (day, measure, platform, value) SELECT day, measure, platform || '#%d', value FROM kpi_daily WHERE platform NOT LIKE '%%#%%'" % k)
        db.execute("INSERT INTO kpi_active (day, customer, platform) SELECT day, customer || '#%d', platform FROM kpi_active WHERE customer NOT LIKE '%%#%%'" % k)
        db.execute("INSERT INTO kpi_leads SELECT customer || '#%d', platform, lead_at, lead_seq, converted_at, order_seq FROM kpi_leads WHERE customer NOT LIKE '%%#%%'" % k)
        db.execute("INSERT INTO kpi_orders SELECT seq + ?, customer || '#%d', at, amount, social FROM kpi_orders WHERE seq < ?" % k, (off, 10**12))
        db.execute("INSERT INTO tickets SELECT id + ?, customer, rule, status, priority, skill, assignee, subject, platform, events, created_at, updated_at, first_response_at, resolved_at, changes FROM tickets WHERE id < ?", (off, 10**12))
        db.execute("""INSERT INTO feed (kind, key, rule, rules_version, customer, priority, action, status, ticket, events, body, at, created_at)
                      SELECT kind, key || '#%d', rule, rules_version, customer, priority, action, status,
                             CASE WHEN ticket IS NULL THEN NULL ELSE ticket + ? END, events, body, at, created_at
                      FROM feed WHERE key NOT LIKE '%%#%%' AND kind IN ('ticket', 'action')""" % k, (off,))
    db.commit()
    counts = {t: db.execute("SELECT COUNT(*) FROM %s" % t).fetchone()[0] for t in ("kpi_daily", "kpi_active", "kpi_leads", "kpi_orders", "tickets", "feed")}
    db.close()
    return counts


def measure(binary, store, work, repeat, label):
    month = ["--from", day(NOW - 30 * DAY), "--until", day(NOW), "--by", "day"]
    cli = [timed([binary, "report", "--store", store] + month) for _ in range(repeat)]
    sock, result = socket_times(binary, store, {"from": day(NOW - 30 * DAY), "until": day(NOW), "by": "day"}, repeat)
    page = os.path.join(work, label + ".html")
    html = [timed([binary, "report", "--store", store, "--from", day(NOW - 90 * DAY), "--until", day(NOW), "--by", "day", "--html", page])
            for _ in range(max(1, repeat // 2))]
    buzz = next(k["value"] for k in result["kpis"] if k["name"] == "buzz")
    return {"report_30_days_cli": summary(cli), "kpi_report_30_days_socket": summary(sock),
            "html_quarter_cli": summary(html), "html_bytes": os.path.getsize(page), "buzz_30_days": buzz}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--span-days", type=int, default=90)
    ap.add_argument("--scale", type=int, default=10)
    ap.add_argument("--customers", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--work", default="/tmp/qingting-report-bench")
    ap.add_argument("--binary", default=os.path.join(root, ".build/release/qingting"))
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    world = os.path.join(a.work, "world")
    if not os.path.exists(os.path.join(world, "customers.jsonl")):
        subprocess.run([a.binary, "link", "generate", "--customers", str(a.customers), "-o", world], check=True, capture_output=True)
    data = os.path.join(a.work, "data-%d" % a.events)
    if not os.path.exists(os.path.join(data, "payloads.jsonl")):
        subprocess.run([sys.executable, os.path.join(root, "Benchmarks/ingest/generate.py"), world, data, "--events", str(a.events),
                        "--now", str(NOW), "--span-days", str(a.span_days)], check=True, capture_output=True)
    store = os.path.join(a.work, "store-%d.sqlite" % a.events)
    out = {"events": a.events, "span_days": a.span_days}
    if not os.path.exists(store):
        subprocess.run([a.binary, "customers", "import", "--store", store, os.path.join(data, "crm.jsonl")], check=True, capture_output=True)
        start = time.monotonic()
        subprocess.run([a.binary, "ingest", "--store", store, "--durability", "normal", "--now", day(NOW),
                        os.path.join(data, "payloads.jsonl")], check=True, capture_output=True)
        out["ingest_seconds"] = round(time.monotonic() - start, 1)
    out["stored"] = measure(a.binary, store, a.work, a.repeat, "stored")
    if a.scale <= 1:  # --scale 1: the stored history only (say --events 10000000 measured as it is)
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return
    scaled = os.path.join(a.work, "scaled-%d.sqlite" % a.events)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(scaled + suffix):
            os.remove(scaled + suffix)
    shutil.copyfile(store, scaled)
    out["scaled_rows"] = scale(scaled, a.scale)
    out["scaled_x%d" % a.scale] = measure(a.binary, scaled, a.work, a.repeat, "scaled")
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
