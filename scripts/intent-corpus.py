#!/usr/bin/env python3
"""Writes the project's intent corpus: Models/corpus/intent-train.tsv and intent-dev.tsv.

Lines are `intents<TAB>category<TAB>text` (intents: none, or keys joined by ','; category: the
product category the post names, or '-'). The posts are composed from the hand-written sentence
templates of scripts/intent_templates.py: a core sentence for each intent (or none), sometimes two
intents' sentences joined, sometimes a no-intent sentence for context, in the voice of a platform
(openers and closers), with emoji and Traditional characters now and then.

The development split is built from templates the training split never uses (every fifth
template of each pool, and of the openers' and no-intent pools), so it measures new phrasing, not
new nouns. A third split, intent-tune.tsv, from yet other templates, is what `train intent`
chooses the epoch and each label's threshold on: thresholds chosen on posts of the training
templates come out far too low for new phrasing. Posts too close to one already written (character-trigram Jaccard >= 0.5 among posts
of the same templates) are dropped, and one combination of templates gives at most 10 posts
(3 in the development split). Deterministic: `python3 scripts/intent-corpus.py` rewrites
the same files.
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from intent_templates import (CORE, MULTI, OPENERS, CLOSERS, EMOJI, PRODUCTS, SHOPS, COMPETITORS,  # noqa: E402
                              COURIERS, DAYS, TIMES, TRADITIONAL)

ORDER = ["purchase", "service_order", "service_logistics", "service_product", "service_refund",
         "complaint", "churn", "recommend"]
# Pairs of intents one post may join (two sentences): each with the joiners that read naturally.
PAIRS = [("service_logistics", "complaint"), ("service_refund", "complaint"), ("service_product", "service_refund"),
         ("service_product", "complaint"), ("churn", "complaint"), ("churn", "recommend"), ("purchase", "churn"),
         ("service_order", "service_refund"), ("service_logistics", "service_refund"), ("complaint", "service_order"),
         ("recommend", "purchase"), ("service_product", "churn")]
# Words in the templates themselves that name a category (when no product slot does).
FIXED_CATEGORIES = [("外卖", "外卖"), ("酒店", "酒店"), ("车厘子", "水果"), ("水果", "水果"), ("跑鞋", "鞋"),
                    ("机票", "机票"), ("宽带", "宽带"), ("信用卡", "银行卡"), ("这本书", "书籍"), ("游戏", "游戏"),
                    ("网速", "宽带")]


def split(pool, part):
    """A split's templates: every fifth template (index % 5 == 2) is dev's, the one two after it
    (index % 5 == 4) tune's, the other three fifths train's."""
    owner = {2: "dev", 4: "tune"}
    return [t for i, t in enumerate(pool) if owner.get(i % 5, "train") == part]


class Writer:
    def __init__(self, rng, part):
        self.rng = rng
        # At most this many posts from one combination of templates.
        self.cap = 10 if part == "train" else 3
        self.part = part
        self.core = {k: split(v, part) for k, v in CORE.items()}
        self.multi = {k: split(v, part) for k, v in MULTI.items()}
        self.openers = split(OPENERS, part) + [""] * 8
        self.closers = split(CLOSERS, part) + [""] * 8
        self.grams = {}
        self.posts = []
        self.texts = set()

    def fill(self, template, slots):
        rng = self.rng
        for key, kind in (("{Pe}", "e"), ("{Pc}", "c"), ("{Pa}", "a"), ("{P}", None)):
            if key in template:
                if "product" not in slots or (kind and slots["product"][2] != kind):
                    choices = [p for p in PRODUCTS if kind is None or p[2] == kind]
                    slots["product"] = rng.choice(choices)
                template = template.replace(key, slots["product"][0])
        if "{P2}" in template:
            first = slots["product"]
            same = [p for p in PRODUCTS if p[1] == first[1] and p[0] != first[0]] or \
                   [p for p in PRODUCTS if p[2] == first[2] and p[0] != first[0]]
            template = template.replace("{P2}", rng.choice(same)[0])
        for key, pool in (("{S}", SHOPS), ("{R}", COMPETITORS), ("{C}", COURIERS), ("{N}", DAYS), ("{T}", TIMES),
                          ("{E}", EMOJI)):
            while key in template:
                template = template.replace(key, rng.choice(pool), 1)
        while "{O}" in template:
            template = template.replace("{O}", str(rng.randrange(10**11, 10**12)), 1)
        return template

    def sentence(self, labels, slots):
        pool = self.multi[labels] if labels in self.multi and labels not in self.core else self.core[labels]
        index = self.rng.randrange(len(pool))
        return (labels, index), self.fill(pool[index], slots)

    def compose(self, parts, slots):
        """Joins sentences with the platform's voice around them."""
        rng = self.rng
        text = ""
        for i, part in enumerate(parts):
            if i > 0:
                text += rng.choice(["，", "。", "！", " ", "。。", "～", "\n"]).replace("\n", " ")
            text += part
        text = self.fill(rng.choice(self.openers), slots) + text + self.fill(rng.choice(self.closers), slots)
        if rng.random() < 0.07:
            text = "".join(TRADITIONAL.get(c, c) for c in text)
        return text.strip()

    def accept(self, key, labels, text, slots):
        if text in self.texts or "\t" in text:
            return False
        grams = {text[i:i + 3] for i in range(len(text) - 2)}
        seen = self.grams.setdefault(key, [])
        if len(seen) >= self.cap or len(set(key)) < len(key):
            return False
        for other in seen:
            if len(grams & other) / max(1, len(grams | other)) >= 0.5:
                return False
        seen.append(grams)
        self.texts.add(text)
        category = slots["product"][1] if "product" in slots else "-"
        if category == "-":
            for word, name in FIXED_CATEGORIES:
                if word in text:
                    category = name
                    break
        names = sorted(set(labels), key=ORDER.index)
        self.posts.append((",".join(names) if names else "none", category, text))
        return True

    def post(self, labels_list, context):
        """One post from the sentences of the given label sets, with a no-intent context sentence."""
        slots = {}
        keys, parts, labels = [], [], []
        for labels_ in labels_list:
            key, part = self.sentence(labels_, slots)
            keys.append(key)
            parts.append(part)
            labels += list(labels_)
        if context:
            key, part = self.sentence((), slots)
            keys.append(key)
            if self.rng.random() < 0.5:
                parts.insert(0, part)
            else:
                parts.append(part)
        return self.accept(tuple(keys), labels, self.compose(parts, slots), slots)

    def produce(self, target, make):
        written, attempts = 0, 0
        while written < target and attempts < target * 40:
            attempts += 1
            if make():
                written += 1
        return written


def build(seed, part, single, multi_templates, pairs, none_count):
    rng = random.Random(seed)
    w = Writer(rng, part)
    for intent in ORDER:
        w.produce(single, lambda: w.post([(intent,)], context=rng.random() < 0.2))
    for labels in MULTI:
        if not w.multi[labels]:
            continue
        w.produce(multi_templates, lambda: w.post([labels], context=rng.random() < 0.2))
    for _ in range(pairs):
        a, b = rng.choice(PAIRS)
        w.post([(a,), (b,)] if rng.random() < 0.6 else [(b,), (a,)], context=False)
    w.produce(none_count // 2, lambda: w.post([()], context=False))
    w.produce(none_count - none_count // 2, lambda: w.post([()], context=True))
    rng.shuffle(w.posts)
    return w.posts


def write(path, posts, title):
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"# {title}\n# Written by scripts/intent-corpus.py from scripts/intent_templates.py; "
                "lines: intents<TAB>category<TAB>text.\n")
        for labels, category, text in posts:
            f.write(f"{labels}\t{category}\t{text}\n")


def summary(name, posts):
    counts = {k: 0 for k in ORDER}
    for labels, _, _ in posts:
        for k in labels.split(","):
            if k in counts:
                counts[k] += 1
    none = sum(1 for p in posts if p[0] == "none")
    multi = sum(1 for p in posts if "," in p[0])
    named = sum(1 for p in posts if p[1] != "-")
    print(f"{name}: {len(posts)} posts; none {none} ({none / len(posts):.1%}), two or more {multi} "
          f"({multi / len(posts):.1%}), naming a category {named}; " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    train = build(seed=42, part="train", single=290, multi_templates=14, pairs=480, none_count=800)
    tune = build(seed=11, part="tune", single=50, multi_templates=5, pairs=90, none_count=200)
    dev = build(seed=7, part="dev", single=62, multi_templates=5, pairs=100, none_count=230)
    texts = {p[2] for p in train}
    tune = [p for p in tune if p[2] not in texts]
    texts |= {p[2] for p in tune}
    dev = [p for p in dev if p[2] not in texts]
    write(os.path.join(root, "Models/corpus/intent-train.tsv"), train, "Intent corpus, training split")
    write(os.path.join(root, "Models/corpus/intent-tune.tsv"), tune,
          "Intent corpus, validation split for epochs and thresholds (templates neither train nor dev uses)")
    write(os.path.join(root, "Models/corpus/intent-dev.tsv"), dev,
          "Intent corpus, development split (templates training never sees)")
    summary("train", train)
    summary("tune", tune)
    summary("dev", dev)


if __name__ == "__main__":
    main()
