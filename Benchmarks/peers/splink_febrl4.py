#!/usr/bin/env python3
"""Splink (DuckDB backend) on FEBRL4: the peer side of `peer-compare link`.

Reads corpora/febrl/dataset4a.csv and dataset4b.csv, trains a Splink model the way Splink's own
FEBRL4 example does (u by random sampling, m by EM in two sessions, the prior from deterministic
rules), predicts over the same blocking rules, and prints one JSON line: pairs scored, true
positives, false positives, false negatives, precision, recall, F1 at match probability 0.5, and
the seconds of training + scoring (data loading excluded). Truth: rec-N-org matches rec-N-dup-K.
Needs `pip install splink duckdb`.
"""
import json, sys, time
import pandas as pd
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
import splink.comparison_library as cl

folder = sys.argv[1] if len(sys.argv) > 1 else "corpora/febrl"
threshold = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5


def load(path):
    df = pd.read_csv(path, dtype=str, skipinitialspace=True).rename(columns=lambda c: c.strip())
    for c in df.columns:
        df[c] = df[c].str.strip()
    return df


a, b = load(f"{folder}/dataset4a.csv"), load(f"{folder}/dataset4b.csv")
start = time.perf_counter()
blocking = [
    block_on("given_name", "surname"),
    "l.given_name = r.surname and l.surname = r.given_name",
    block_on("date_of_birth"),
    block_on("soc_sec_id"),
    block_on("state", "address_1"),
    block_on("street_number", "address_1"),
    block_on("postcode"),
]
settings = SettingsCreator(
    unique_id_column_name="rec_id",
    link_type="link_only",
    blocking_rules_to_generate_predictions=blocking,
    comparisons=[
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d",
                                 invalid_dates_as_null=True),
        cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
    ],
)
db_api = DuckDBAPI()
linker = Linker([db_api.register(a), db_api.register(b)], settings)
linker.training.estimate_probability_two_random_records_match(
    [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")], recall=0.8)
linker.training.estimate_u_using_random_sampling(max_pairs=1e7)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"),
                                                                   estimate_without_term_frequencies=True)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"),
                                                                   estimate_without_term_frequencies=True)
pred = linker.inference.predict(threshold_match_probability=threshold).as_pandas_dataframe()
seconds = time.perf_counter() - start


def entity(rec):
    return "-".join(rec.split("-")[:2])


found = {(l, r) for l, r in zip(pred["rec_id_l"], pred["rec_id_r"])}
tp = sum(1 for l, r in found if entity(l) == entity(r))
fp = len(found) - tp
truth = len(set(map(entity, a["rec_id"])) & set(map(entity, b["rec_id"])))
fn = truth - tp
p = tp / (tp + fp) if tp + fp else 0.0
r = tp / (tp + fn) if tp + fn else 0.0
f1 = 2 * p * r / (p + r) if p + r else 0.0
print(json.dumps({"peer": "splink", "links": len(found), "tp": tp, "fp": fp, "fn": fn,
                  "precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4),
                  "seconds": round(seconds, 2)}))
