#!/usr/bin/env python3
"""Splink (DuckDB backend) on the social preset's data: customers.jsonl × identities.jsonl.

The comparisons Splink can express over the same inputs, normalized the same way Qingting's
preset normalizes them (Splink has no pinyin, masked-phone or city-alias logic, so the columns are
prepared here): nickname against name (Jaro-Winkler, term frequencies), phone (exact full number,
then the key of each mask style: 138****1234, 1381234****, ****1234), e-mail, city, gender.
Link only, customers against identities; each identity takes its best customer at match
probability >= 0.5. Prints one JSON line with identity-level precision, recall and F1 against
truth.jsonl (as `qingting eval link` counts them) and the seconds of training + prediction.
Needs `pip install splink duckdb`. Usage: splink_social.py DIR (with the three files).
"""
import json, re, sys, time
import pandas as pd
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
import splink.comparison_library as cl
import splink.comparison_level_library as cll

folder = sys.argv[1]


def phone_parts(raw):
    if not raw:
        return None, None, None, None
    s = re.sub(r"[\s\-()]", "", str(raw)).replace("x", "*").replace("X", "*")
    if s.startswith("+86"):
        s = s[3:]
    if len(s) == 8 and s.startswith("****"):
        s = "*******" + s[4:]
    if len(s) != 11 or not s[0] in "1*":
        return None, None, None, None
    full = s if "*" not in s else None
    k34 = s[:3] + "|" + s[7:] if "*" not in s[:3] + s[7:] else None
    p7 = s[:7] if "*" not in s[:7] and ("*" in s[7:] or full) else None
    t4 = s[7:] if "*" not in s[7:] and ("*" in s[:3] or full) else None
    return full, k34, p7, t4


def frame(path, key):
    rows = []
    for line in open(path, encoding="utf-8"):
        o = json.loads(line)
        full, k34, p7, t4 = phone_parts(o.get("phone"))
        rows.append({
            "uid": o["id"] if key == "customer" else o["platform"] + ":" + o["uid"],
            "name": (o.get("name") if key == "customer" else o.get("nickname")) or None,
            "phone_full": full, "phone_34": k34, "phone_p7": p7, "phone_t4": t4,
            "phone_any": full or k34 or p7 or t4,
            "email": (o.get("email") or "").strip().lower() or None,
            "city": re.sub(r"市$", "", (o.get("city") or "").strip()) or None,
            "gender": o.get("gender") or None,
        })
    return pd.DataFrame(rows)


customers, identities = frame(f"{folder}/customers.jsonl", "customer"), frame(f"{folder}/identities.jsonl", "identity")
start = time.perf_counter()
phone = cl.CustomComparison(output_column_name="phone", comparison_levels=[
    cll.NullLevel("phone_any"),
    cll.ExactMatchLevel("phone_full"),
    cll.ExactMatchLevel("phone_34"),
    cll.ExactMatchLevel("phone_p7"),
    cll.ExactMatchLevel("phone_t4"),
    cll.ElseLevel(),
])
settings = SettingsCreator(
    unique_id_column_name="uid",
    link_type="link_only",
    blocking_rules_to_generate_predictions=[
        block_on("phone_34"), block_on("phone_p7"), block_on("phone_t4"), block_on("email"),
        block_on("name"), block_on("name", "city"),
    ],
    comparisons=[
        cl.JaroWinklerAtThresholds("name", [0.92, 0.8]).configure(term_frequency_adjustments=True),
        phone,
        cl.ExactMatch("email"),
        cl.ExactMatch("city"),
        cl.ExactMatch("gender"),
    ],
)
db = DuckDBAPI()
if hasattr(db, "register"):  # Splink >= 4.0.x with registered tables
    linker = Linker([db.register(customers), db.register(identities)], settings)
else:
    linker = Linker([customers, identities], settings, db)
linker.training.estimate_probability_two_random_records_match([block_on("phone_full"), block_on("email")], recall=0.7)
linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone_34"), estimate_without_term_frequencies=True)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("name"), estimate_without_term_frequencies=True)
pred = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
seconds = time.perf_counter() - start

best = {}
for l, r, p in zip(pred["uid_l"], pred["uid_r"], pred["match_probability"]):
    c, i = (l, r) if ":" in r else (r, l)
    if i not in best or p > best[i][1]:
        best[i] = (c, p)
truth = {}
for line in open(f"{folder}/truth.jsonl", encoding="utf-8"):
    t = json.loads(line)
    truth[t["platform"] + ":" + t["uid"]] = t.get("customer")
linked = sum(1 for c in truth.values() if c)
correct = sum(1 for i, (c, _) in best.items() if truth.get(i) == c)
p = correct / len(best) if best else 0.0
r = correct / linked if linked else 0.0
f1 = 2 * p * r / (p + r) if p + r else 0.0
print(json.dumps({"peer": "splink", "linked": len(best), "correct": correct, "precision": round(p, 4),
                  "recall": round(r, 4), "f1": round(f1, 4), "seconds": round(seconds, 2)}))
