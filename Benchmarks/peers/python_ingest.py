#!/usr/bin/env python3
"""The ingest pipeline a user would otherwise write in Python, for the side-by-side benchmark.

Usage: python3 Benchmarks/peers/python_ingest.py PAYLOADS CRM STORE [--limit N] [--batch 1024]

For each payload line: the platform told from its shape, parsed with json or xml.etree, the
event id, author, time and text taken out (the same documented shapes the generator writes),
deduplicated on (platform, event_id) by SQLite's UNIQUE constraint, the text segmented with jieba
and scored with SnowNLP's shipped sentiment model, the author resolved through the explicit
bindings of the CRM export (a dict; no probabilistic matching), and the row inserted with
sqlite3, committing every --batch payloads (WAL, synchronous=FULL, as Qingting's default).
Prints one JSON object: payloads, stored, duplicates, linked, seconds, events_per_second.
Needs: pip install jieba snownlp
"""
import argparse
import json
import sqlite3
import sys
import time
import xml.etree.ElementTree as ET

import jieba
from snownlp import SnowNLP

jieba.setLogLevel(60)


def parse(line):
    """(platform, event_id, uid, ms, text) of a payload, or None."""
    if line.startswith("<"):
        x = ET.fromstring(line)
        return ("wechat", x.findtext("MsgId"), x.findtext("FromUserName"), int(x.findtext("CreateTime")) * 1000,
                x.findtext("Content"))
    p = json.loads(line)
    if "comments" in p:
        c = p["comments"][0]
        t = time.strptime(c["created_at"], "%a %b %d %H:%M:%S %z %Y")
        return ("weibo", c["idstr"], c["user"]["idstr"], int(time.mktime(t)) * 1000, c.get("text"))
    if p.get("event") == "item_comment_reply":
        c = json.loads(p["content"])
        return ("douyin", c["comment_id"], c["comment_user_id"], c["create_time"] * 1000, c["content"])
    if "data" in p and isinstance(p["data"], dict) and "visionCommentList" in p["data"]:
        c = p["data"]["visionCommentList"]["rootComments"][0]
        return ("kuaishou", c["commentId"], c["authorId"], c["timestamp"], c["content"])
    if "data" in p and isinstance(p["data"], dict) and "comments" in p["data"]:
        c = p["data"]["comments"][0]
        return ("xiaohongshu", c["id"], c["user_info"]["user_id"], c["create_time"], c["content"])
    if "data" in p and isinstance(p["data"], dict) and "replies" in p["data"]:
        c = p["data"]["replies"][0]
        return ("bilibili", c["rpid_str"], str(c["member"]["mid"]), c["ctime"] * 1000, c["content"]["message"])
    if "comment_id" in p and "content_type" in p:
        return ("zhihu", p["comment_id"], p["user_id"], p["publish_time"] * 1000, p["content"])
    if "data" in p and isinstance(p["data"], list):
        c = p["data"][0]
        t = time.strptime(c["created_at"][:19], "%Y-%m-%dT%H:%M:%S")
        return ("x", c["id"], c["author_id"], int(time.mktime(t)) * 1000, c["text"])
    if p.get("object") == "page":
        v = p["entry"][0]["changes"][0]["value"]
        return ("facebook", v["comment_id"], v["from"]["id"], v["created_time"] * 1000, v.get("message"))
    if p.get("object") == "instagram":
        e = p["entry"][0]
        v = e["changes"][0]["value"]
        return ("instagram", v["id"], v["from"]["id"], e["time"] * 1000, v.get("text"))
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("payloads")
    ap.add_argument("crm")
    ap.add_argument("store")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--batch", type=int, default=1024)
    a = ap.parse_args()
    start = time.time()
    bindings = {}
    for line in open(a.crm, encoding="utf-8"):
        c = json.loads(line)
        for b in c.get("identities") or []:
            bindings[(b["platform"], b["uid"])] = c["id"]
    db = sqlite3.connect(a.store)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("""CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, platform TEXT, event_id TEXT,
                  author TEXT, customer TEXT, text TEXT, occurred_at INTEGER, committed_at INTEGER, sentiment REAL,
                  words TEXT, raw TEXT, UNIQUE (platform, event_id))""")
    stored = duplicates = linked = n = 0
    for line in open(a.payloads, encoding="utf-8"):
        if a.limit and n >= a.limit:
            break
        n += 1
        e = parse(line.rstrip("\n"))
        if e is None:
            continue
        platform, eid, uid, ms, text = e
        words = jieba.lcut(text) if text else []
        score = SnowNLP(text).sentiments if text else None
        customer = bindings.get((platform, uid))
        cur = db.execute("INSERT OR IGNORE INTO events (platform, event_id, author, customer, text, occurred_at, committed_at,"
                         " sentiment, words, raw) VALUES (?,?,?,?,?,?,?,?,?,?)",
                         (platform, eid, uid, customer, text, ms, int(time.time() * 1000), score, " ".join(words), line))
        if cur.rowcount:
            stored += 1
            linked += customer is not None
        else:
            duplicates += 1
        if n % a.batch == 0:
            db.commit()
    db.commit()
    seconds = time.time() - start
    print(json.dumps({"payloads": n, "stored": stored, "duplicates": duplicates, "linked": linked,
                      "seconds": round(seconds, 3), "events_per_second": round(n / seconds, 1)}))


if __name__ == "__main__":
    sys.exit(main())
