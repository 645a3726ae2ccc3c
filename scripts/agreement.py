#!/usr/bin/env python3
"""Agreement of the blind second annotation (Models/corpus/social/second-annotation.tsv) with the
corpus labels, the corpus taken as reference: sentiment accuracy and macro-F1, intent F1 per
intent and macro-F1, for the dev posts and the training posts apart.

    python3 scripts/agreement.py
"""
import glob
import os

social = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Models/corpus/social")
INTENTS = ["purchase", "service_order", "service_logistics", "service_product", "service_refund",
           "complaint", "churn", "recommend"]


def rows(path):
    for line in open(path, encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            yield line.rstrip("\n").split("\t")


def intents(field):
    return set() if field in ("none", "") else set(field.split(","))


def f1(gold, pred, label):
    tp = sum(label in g and label in p for g, p in zip(gold, pred))
    fp = sum(label not in g and label in p for g, p in zip(gold, pred))
    fn = sum(label in g and label not in p for g, p in zip(gold, pred))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


corpus = {}
for path in glob.glob(os.path.join(social, "train-*.tsv")) + glob.glob(os.path.join(social, "dev-*.tsv")):
    batch = os.path.basename(path)[:-4]
    for cols in rows(path):
        if len(cols) == 4:
            corpus[(batch, cols[3])] = (cols[0], intents(cols[1]))
second = [c for c in rows(os.path.join(social, "second-annotation.tsv")) if len(c) == 5]
for split in ("dev", "train"):
    pairs = [(corpus[(b, t)], (s, intents(i))) for b, s, i, _, t in second if b.startswith(split + "-")]
    gs, ps = [g[0] for g, _ in pairs], [p[0] for _, p in pairs]
    accuracy = sum(g == p for g, p in zip(gs, ps)) / len(pairs)
    sentiment = sum(f1([{g} for g in gs], [{p} for p in ps], c) for c in ("negative", "neutral", "positive")) / 3
    per = {i: f1([g[1] for g, _ in pairs], [p[1] for _, p in pairs], i) for i in INTENTS}
    print(f"{split}: {len(pairs)} posts; sentiment accuracy {accuracy:.3f}, macro-F1 {sentiment:.3f}; "
          f"intents macro-F1 {sum(per.values()) / len(per):.3f} (" + ", ".join(f"{k} {v:.2f}" for k, v in per.items()) + ")")
