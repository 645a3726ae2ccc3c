#!/usr/bin/env python3
"""The ingest benchmark: `qingting ingest` end to end against the Python pipeline, in one run.

Usage: python3 Benchmarks/ingest/compare-ingest.py [--events 1000000] [--customers 100000]
           [--python-events 2000] [--work DIR] [--binary .build/release/qingting]

1. `qingting link generate --customers N` makes a world (customers, identities, truth), and
   `qingting link train` a link model on it; Benchmarks/ingest/generate.py turns it into the CRM
   export (with explicit bindings) and the mixed-platform payloads (skipped when DIR has them).
2. `qingting customers import` loads the customers into a fresh store.
3. `qingting ingest --link-model` appends every payload: parse, analyse, resolve against the
   customers (bindings, keys, then the model online), commit; its resident memory is sampled
   every 2 s to show whether it stays flat.
4. Benchmarks/peers/python_ingest.py (json / xml.etree, jieba, SnowNLP, sqlite3) runs the first
   --python-events payloads into its own store (SnowNLP is too slow for all of them).
Prints events/s of both, the ratio, and the memory samples. Needs: pip install jieba snownlp
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--python-events", type=int, default=2000)
    ap.add_argument("--work", default="/tmp/qingting-ingest-bench")
    ap.add_argument("--binary", default=os.path.join(root, ".build/release/qingting"))
    a = ap.parse_args()
    q, w = a.binary, a.work
    os.makedirs(w, exist_ok=True)
    world = os.path.join(w, "world")
    if not os.path.exists(os.path.join(world, "identities.jsonl")):
        run([q, "link", "generate", "--customers", str(a.customers), "-o", world])
    model = os.path.join(w, "model.json")
    if not os.path.exists(model):
        run([q, "link", "train", "--customers", os.path.join(world, "customers.jsonl"),
             "--identities", os.path.join(world, "identities.jsonl"), "-o", model])
    payloads = os.path.join(w, "payloads.jsonl")
    if not os.path.exists(payloads):
        run([sys.executable, os.path.join(root, "Benchmarks/ingest/generate.py"), world, w, "--events", str(a.events)])
    crm = os.path.join(w, "crm.jsonl")
    store = os.path.join(w, "store.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(store + suffix):
            os.remove(store + suffix)
    t0 = time.time()
    imported = json.loads(run([q, "customers", "import", "--store", store, crm]).stdout)
    import_seconds = time.time() - t0

    samples = []
    proc = subprocess.Popen([q, "ingest", "--store", store, "--now", "1767225600000", "--link-model", model, payloads],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def sample():
        while proc.poll() is None:
            try:
                for line in open("/proc/%d/status" % proc.pid):
                    if line.startswith("VmRSS:"):
                        samples.append((round(time.time() - t1, 1), int(line.split()[1]) // 1024))
            except OSError:
                pass
            time.sleep(2)

    t1 = time.time()
    threading.Thread(target=sample, daemon=True).start()
    out, err = proc.communicate()
    summary = json.loads(out)

    py_store = os.path.join(w, "python.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(py_store + suffix):
            os.remove(py_store + suffix)
    py = json.loads(run([sys.executable, os.path.join(root, "Benchmarks/peers/python_ingest.py"), payloads, crm, py_store,
                         "--limit", str(a.python_events)]).stdout)

    print("customers imported: %d in %.1f s (%d bindings)" % (imported["created"], import_seconds,
                                                             imported["bindings"]["added"]))
    print("-" * 96)
    print("qingting ingest (--link-model)  %8d payloads  %8.0f events/s  %6.1f s  stored %d, duplicates %d, linked %d"
          % (summary["received"], summary["events_per_second"], summary["seconds"], summary["stored"],
             summary["duplicates"], summary["linked"]))
    print("python json/xml+jieba+SnowNLP   %8d payloads  %8.1f events/s  %6.1f s  stored %d, duplicates %d, linked %d"
          % (py["payloads"], py["events_per_second"], py["seconds"], py["stored"], py["duplicates"], py["linked"]))
    print("ratio: %.0fx" % (summary["events_per_second"] / py["events_per_second"]))
    print("-" * 96)
    print("qingting resident memory (s, MiB): " + ", ".join("%s:%d" % s for s in samples[::max(1, len(samples) // 12)]))
    print("cores: %d, load average before: %s" % (os.cpu_count(), open("/proc/loadavg").read().split()[:3]))


if __name__ == "__main__":
    sys.exit(main())
