#!/usr/bin/env python3
"""The social preset side by side with Splink on the project's own generator, default and --hard.

Generates 10,000 customers (seed 7) of each world with `qingting link generate`, runs
`qingting eval link` and Benchmarks/peers/splink_social.py on the same files, and prints one
Markdown table (identity-level precision, recall, F1, seconds). Needs `pip install splink duckdb`
and a release build (`swift build -c release`). Usage: compare-social.py [CUSTOMERS] [SEED].
"""
import json, os, re, subprocess, sys, tempfile

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
binary = os.path.join(root, ".build/release/qingting")
customers = sys.argv[1] if len(sys.argv) > 1 else "10000"
seed = sys.argv[2] if len(sys.argv) > 2 else "7"
rows = []
for world in ("default", "hard"):
    folder = tempfile.mkdtemp(prefix=f"qingting-social-{world}-")
    subprocess.run([binary, "link", "generate", "--customers", customers, "--seed", seed, "-o", folder]
                   + (["--hard"] if world == "hard" else []), check=True, capture_output=True)
    out = subprocess.run([binary, "eval", "link", "--quiet", "--customers", f"{folder}/customers.jsonl",
                          "--identities", f"{folder}/identities.jsonl", "--truth", f"{folder}/truth.jsonl"],
                         check=True, capture_output=True, text=True).stdout
    m = re.search(r"overall:\s+precision ([\d.]+)\s+recall ([\d.]+)\s+F1 ([\d.]+)", out)
    secs = float(re.search(r"wall time.*: ([\d.]+) s", out)[1])
    rows.append((world, "Qingting", float(m[1]), float(m[2]), float(m[3]), secs))
    s = json.loads(subprocess.run([sys.executable, os.path.join(root, "Benchmarks/peers/splink_social.py"), folder],
                                  check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    rows.append((world, "Splink", s["precision"], s["recall"], s["f1"], s["seconds"]))
print(f"| world ({customers} customers, seed {seed}) | engine | precision | recall | F1 | seconds |")
print("|---|---|---|---|---|---|")
for w, e, p, r, f, t in rows:
    print(f"| {w} | {e} | {p:.4f} | {r:.4f} | {'**%.4f**' % f if e == 'Qingting' else '%.4f' % f} | {t:.1f} |")
