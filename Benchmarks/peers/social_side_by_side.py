"""The social dev split, side by side: Qingting against the peers a user would otherwise pick.

Usage: python3 Benchmarks/peers/social_side_by_side.py [--qingting BIN] [--root DIR]
Reads DIR/corpora/social/{train,dev}.{sentiment,intent}.tsv (scripts/social-splits.sh writes them
from Models/corpus/social/) and prints one Markdown table per task:

- Qingting: `qingting analyze` with the shipped models, on the dev posts;
- fastText trained on the same social training split (jieba tokens; intents one-vs-all);
- TF-IDF logistic regression on character 1-3-grams, trained on the same split;
- SnowNLP's shipped sentiment model (>0.6 positive, <0.4 negative, else neutral);
- the cnsenti lexicon (more positive than negative words: positive; fewer: negative; else neutral).

Sentiment: accuracy and macro-F1 over the three classes. Intents: F1 per intent and macro-F1
over the eight. SnowNLP and cnsenti have no intents. No peer sees the dev split before it is
scored. Needs: pip install fasttext-wheel jieba scikit-learn snownlp cnsenti
"""
import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile

INTENTS = ["purchase", "service_order", "service_logistics", "service_product", "service_refund",
           "complaint", "churn", "recommend"]
SENTIMENTS = ["negative", "neutral", "positive"]


def read_sentiment(path):
    rows = [line.rstrip("\n").split("\t", 1) for line in open(path, encoding="utf-8") if line.strip()]
    return [text for _, text in rows], [label for label, _ in rows]


def read_intent(path):
    texts, labels = [], []
    for line in open(path, encoding="utf-8"):
        if not line.strip():
            continue
        intents, _category, text = line.rstrip("\n").split("\t", 2)
        texts.append(text)
        labels.append(set() if intents == "none" else set(intents.split(",")))
    return texts, labels


def f1(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def sentiment_scores(gold, predicted):
    accuracy = sum(g == p for g, p in zip(gold, predicted)) / len(gold)
    per = [f1(sum(g == c and p == c for g, p in zip(gold, predicted)),
              sum(g != c and p == c for g, p in zip(gold, predicted)),
              sum(g == c and p != c for g, p in zip(gold, predicted))) for c in SENTIMENTS]
    return accuracy, sum(per) / len(per)


def intent_scores(gold, predicted):
    per = [f1(sum(l in g and l in p for g, p in zip(gold, predicted)),
              sum(l not in g and l in p for g, p in zip(gold, predicted)),
              sum(l in g and l not in p for g, p in zip(gold, predicted))) for l in INTENTS]
    return per, sum(per) / len(per)


def qingting(binary, root, texts):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for i, text in enumerate(texts):
            f.write(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n")
        path = f.name
    out = subprocess.run([binary, "analyze", "--input", "jsonl", "--file", path], cwd=root,
                         capture_output=True, text=True, check=True).stdout
    os.unlink(path)
    lines = [json.loads(line) for line in out.splitlines()]
    return [d["sentiment"] for d in lines], [{i["label"] for i in d.get("intents", [])} for d in lines]


def jieba_tokens():
    import jieba
    jieba.setLogLevel(logging.WARNING)
    return lambda text: " ".join(w for w in jieba.cut(text) if not w.isspace())


def fasttext_models(train_s, train_i, dev_texts):
    import fasttext
    tok = jieba_tokens()
    out = {}
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "s.txt")
        with open(path, "w", encoding="utf-8") as f:
            for text, label in zip(*train_s):
                f.write(f"__label__{label} {tok(text)}\n")
        model = fasttext.train_supervised(path, epoch=25, lr=0.5, wordNgrams=2, verbose=0)
        out["sentiment"] = [model.f.predict(tok(t) + "\n", 1, 0.0, "strict")[0][1].replace("__label__", "") for t in dev_texts]
        path = os.path.join(d, "i.txt")
        with open(path, "w", encoding="utf-8") as f:
            for text, labels in zip(*train_i):
                tags = " ".join(f"__label__{l}" for l in sorted(labels)) or "__label__none"
                f.write(f"{tags} {tok(text)}\n")
        model = fasttext.train_supervised(path, epoch=25, lr=0.5, wordNgrams=2, loss="ova", verbose=0)
        predicted = []
        for t in dev_texts:
            pairs = model.f.predict(tok(t) + "\n", -1, 0.5, "strict")
            predicted.append({label.replace("__label__", "") for _, label in pairs} - {"none"})
        out["intents"] = predicted
    return out


def tfidf_models(train_s, train_i, dev_texts):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.preprocessing import MultiLabelBinarizer
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True)
    x = vec.fit_transform(train_s[0])
    sentiment = LogisticRegression(max_iter=2000, C=4).fit(x, train_s[1]).predict(vec.transform(dev_texts))
    vec_i = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True)
    mlb = MultiLabelBinarizer(classes=INTENTS)
    y = mlb.fit_transform(train_i[1])
    model = OneVsRestClassifier(LogisticRegression(max_iter=2000, C=4)).fit(vec_i.fit_transform(train_i[0]), y)
    predicted = [set(labels) for labels in mlb.inverse_transform(model.predict(vec_i.transform(dev_texts)))]
    return {"sentiment": list(sentiment), "intents": predicted}


def snownlp_sentiment(texts):
    from snownlp import SnowNLP
    out = []
    for t in texts:
        s = SnowNLP(t).sentiments if t.strip() else 0.5
        out.append("positive" if s > 0.6 else "negative" if s < 0.4 else "neutral")
    return out


def cnsenti_sentiment(texts):
    from cnsenti import Sentiment
    senti = Sentiment()
    out = []
    for t in texts:
        c = senti.sentiment_count(t)
        out.append("positive" if c["pos"] > c["neg"] else "negative" if c["neg"] > c["pos"] else "neutral")
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(here)))
    ap.add_argument("--qingting", default=None, help="the qingting binary (default: ROOT/.build/release/qingting)")
    args = ap.parse_args()
    root = args.root
    social = os.path.join(root, "corpora", "social")
    train_s = read_sentiment(os.path.join(social, "train.sentiment.tsv"))
    dev_texts, dev_s = read_sentiment(os.path.join(social, "dev.sentiment.tsv"))
    train_i = read_intent(os.path.join(social, "train.intent.tsv"))
    tune_i = read_intent(os.path.join(social, "tune.intent.tsv"))
    train_i = (train_i[0] + tune_i[0], train_i[1] + tune_i[1])  # peers train on every training post
    dev_texts_i, dev_i = read_intent(os.path.join(social, "dev.intent.tsv"))
    assert dev_texts_i == dev_texts, "dev.sentiment.tsv and dev.intent.tsv must list the same posts"

    rows = {}
    binary = args.qingting or os.path.join(root, ".build", "release", "qingting")
    rows["Qingting (shipped models)"] = dict(zip(("sentiment", "intents"), qingting(binary, root, dev_texts)))
    for name, build in [("fastText (social train, jieba)", fasttext_models), ("TF-IDF LR (social train, char 1-3)", tfidf_models)]:
        try:
            rows[name] = build(train_s, train_i, dev_texts)
        except ImportError as e:
            print(f"{name} did not run: {e}", file=sys.stderr)
    for name, run in [("SnowNLP (shipped)", snownlp_sentiment), ("cnsenti (lexicon)", cnsenti_sentiment)]:
        try:
            rows[name] = {"sentiment": run(dev_texts)}
        except ImportError as e:
            print(f"{name} did not run: {e}", file=sys.stderr)

    print(f"social dev split: {len(dev_texts)} posts; training split {len(train_s[0])} posts\n")
    print("| sentiment | accuracy | macro-F1 |\n|---|---|---|")
    for name, r in rows.items():
        accuracy, macro = sentiment_scores(dev_s, r["sentiment"])
        print(f"| {name} | {accuracy:.4f} | {macro:.4f} |")
    print("\n| intents | " + " | ".join(INTENTS) + " | macro-F1 |\n|---|" + "---|" * (len(INTENTS) + 1))
    for name, r in rows.items():
        if "intents" not in r:
            continue
        per, macro = intent_scores(dev_i, r["intents"])
        print(f"| {name} | " + " | ".join(f"{x:.3f}" for x in per) + f" | {macro:.4f} |")


if __name__ == "__main__":
    main()
