#!/usr/bin/env python3
"""Objective news sentences for the neutral sentiment class, from People's Daily 199801.

Usage: scripts/pku-neutral.py [CORPORA_DIR] [COUNT]
Reads CORPORA_DIR/199801.txt (scripts/fetch-corpora.sh), takes only the segmentation training
lines (0-based line index % 10 != 9, the same lines `qingting train segment` learns from), strips
the word/tag annotation, cuts sentences at 。！？；, keeps those of 8–60 characters, and writes a
deterministic sample of COUNT (default 3000) to CORPORA_DIR/sentiment/pku-neutral.tsv as
`neutral<TAB>text`. Nothing from the corpus is committed.
"""
import os
import random
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "corpora"
count = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
source = os.path.join(root, "199801.txt")
target = os.path.join(root, "sentiment", "pku-neutral.tsv")

sentences = []
seen = set()
with open(source, encoding="utf-8") as f:
    for index, line in enumerate(f):
        if index % 10 == 9:
            continue
        words = [w.rsplit("/", 1)[0].lstrip("[") for w in line.split()]
        text = "".join(re.sub(r"\]\w*$", "", w) for w in words)
        for sentence in re.split(r"(?<=[。！？；])", text):
            sentence = sentence.strip()
            if 8 <= len(sentence) <= 60 and sentence not in seen:
                seen.add(sentence)
                sentences.append(sentence)

random.Random(42).shuffle(sentences)
os.makedirs(os.path.dirname(target), exist_ok=True)
with open(target, "w", encoding="utf-8") as out:
    for sentence in sentences[:count]:
        out.write("neutral\t" + sentence + "\n")
print(f"{min(count, len(sentences))} of {len(sentences)} sentences -> {target}")
