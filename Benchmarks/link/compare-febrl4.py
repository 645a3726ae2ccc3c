#!/usr/bin/env python3
"""FEBRL4 side by side: Qingting's `eval link` and Splink (DuckDB) on the same 5,000 x 5,000 task.

Usage: python3 Benchmarks/link/compare-febrl4.py [path/to/qingting]
Needs corpora/febrl (scripts/fetch-corpora.sh) and `pip install splink duckdb`.
Prints F1, precision, recall, seconds and peak memory for both, and the speed ratio. Qingting's
seconds are the whole process (loading, blocking, training, scoring, clustering); Splink's are
training + prediction only (its data loading is left out, in its favour).
"""
import json, os, re, subprocess, sys, tempfile

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".build/release/qingting")
febrl = os.path.join(root, "corpora/febrl")


def timed(cmd):
    """Runs cmd under /usr/bin/time; returns (stdout, peak RSS in MiB)."""
    proc = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True, check=True)
    peak_kib = int(proc.stderr.strip().splitlines()[-1])
    return proc.stdout, peak_kib / 1024


truth = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False)
for name in ("dataset4a.csv", "dataset4b.csv"):
    with open(os.path.join(febrl, name)) as f:
        next(f)
        for line in f:
            rid = line.split(",")[0].strip()
            if rid:
                truth.write(json.dumps({"id": rid, "entity": "-".join(rid.split("-")[:2])}) + "\n")
truth.close()

out, q_mem = timed([binary, "eval", "link", "--quiet", "--settings", os.path.join(root, "Benchmarks/link/febrl4.json"),
                    "--left", os.path.join(febrl, "dataset4a.csv"), "--right", os.path.join(febrl, "dataset4b.csv"),
                    "--truth", truth.name])
m = re.search(r"precision ([\d.]+)\s+recall ([\d.]+)\s+F1 ([\d.]+)", out)
q = {"precision": float(m[1]), "recall": float(m[2]), "f1": float(m[3]),
     "seconds": float(re.search(r"wall time.*: ([\d.]+) s", out)[1])}
out, s_mem = timed([sys.executable, os.path.join(root, "Benchmarks/peers/splink_febrl4.py"), febrl])
s = json.loads(out.strip().splitlines()[-1])
os.unlink(truth.name)

print(f"{'engine':10} {'precision':>9} {'recall':>7} {'F1':>7} {'seconds':>8} {'peak MiB':>9}")
print(f"{'qingting':10} {q['precision']:9.4f} {q['recall']:7.4f} {q['f1']:7.4f} {q['seconds']:8.2f} {q_mem:9.0f}")
print(f"{'splink':10} {s['precision']:9.4f} {s['recall']:7.4f} {s['f1']:7.4f} {s['seconds']:8.2f} {s_mem:9.0f}")
print(f"qingting is {s['seconds'] / q['seconds']:.1f}x faster; F1 difference {q['f1'] - s['f1']:+.4f}")
