"""Times jieba's precise mode (HMM on, its default) over a corpus, one line at a time.

Prints one JSON object: {"peer": "jieba", "bytes": N, "seconds": S, "tokens": T}.
Usage: python3 jieba_segment.py CORPUS [--raw]   (--raw: the file is plain text, not word/POS gold)
"""
import json
import logging
import sys
import time

import jieba

jieba.setLogLevel(logging.WARNING)
jieba.initialize()


def lines_of(path, raw):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if raw:
                yield line
            else:
                yield "".join(w.rsplit("/", 1)[0] for w in line.split())


def main():
    path = sys.argv[1]
    raw = "--raw" in sys.argv
    lines = list(lines_of(path, raw))
    size = sum(len(l.encode("utf-8")) for l in lines)
    start = time.perf_counter()
    tokens = 0
    for line in lines:
        tokens += sum(1 for _ in jieba.cut(line))
    seconds = time.perf_counter() - start
    print(json.dumps({"peer": "jieba", "bytes": size, "seconds": seconds, "tokens": tokens}))


if __name__ == "__main__":
    main()
