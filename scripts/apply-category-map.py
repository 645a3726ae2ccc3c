#!/usr/bin/env python3
"""Rewrites the category column of the social corpus to the lexicon's category names.

Reads Models/corpus/social/category-map.tsv (label<TAB>category[<TAB>note]) and rewrites column 3
of every line of Models/corpus/social/{train,dev}-*.tsv in place (`#` lines and the other columns
untouched). A label the map does not know is reported (file:line: label) and left as it is; the
exit status is 1 then. A category the map names that Lexicons/categories.tsv does not list is
reported too. Every category maps to itself, so a second run changes nothing.

    python3 scripts/apply-category-map.py [--check]   # --check: report only, write nothing
"""
import glob
import os
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
social = os.path.join(root, "Models/corpus/social")
check = "--check" in sys.argv[1:]


def rows(path):
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                yield n, line.split("\t")


mapping = {}
problems = 0
for n, cols in rows(os.path.join(social, "category-map.tsv")):
    if len(cols) < 2 or cols[0] in mapping:
        print(f"category-map.tsv:{n}: {'a repeated label' if len(cols) >= 2 else 'fewer than 2 columns'}", file=sys.stderr)
        problems += 1
        continue
    mapping[cols[0]] = cols[1]
categories = {c for c in mapping.values() if c != "-"}
for c in categories:
    mapping.setdefault(c, c)
    if mapping[c] != c:
        print(f"category-map.tsv: category {c} is also a label mapped to {mapping[c]}", file=sys.stderr)
        problems += 1
mapping["-"] = "-"

lexicon = set()
for _, cols in rows(os.path.join(root, "Lexicons/categories.tsv")):
    if len(cols) >= 2:
        lexicon.update(c.strip() for c in cols[1].split("|"))
for c in sorted(categories - lexicon):
    print(f"category-map.tsv: {c} is not a category of Lexicons/categories.tsv", file=sys.stderr)

unmapped = {}
changed = 0
for path in sorted(glob.glob(os.path.join(social, "train-*.tsv")) + glob.glob(os.path.join(social, "dev-*.tsv"))):
    out = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for n, line in enumerate(lines, 1):
        cols = line.split("\t")
        if line.startswith("#") or len(cols) != 4:
            out.append(line)
            continue
        label = cols[2]
        if label not in mapping:
            unmapped.setdefault(label, []).append(f"{os.path.basename(path)}:{n}")
        elif mapping[label] != label:
            cols[2] = mapping[label]
            changed += 1
        out.append("\t".join(cols))
    if not check:
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(out))

for label, places in sorted(unmapped.items()):
    print(f"{places[0]}: unmapped label {label} ({len(places)} posts)", file=sys.stderr)
print(f"{'would change' if check else 'changed'} {changed} labels; {len(categories)} categories; "
      f"{len(unmapped)} unmapped labels", file=sys.stderr)
sys.exit(1 if unmapped or problems else 0)
