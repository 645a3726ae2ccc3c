#!/usr/bin/env python3
"""Mixed-platform payloads for the ingest benchmark, from a `qingting link generate` world.

Usage: python3 Benchmarks/ingest/generate.py WORLD_DIR OUT_DIR [--events N] [--seed S] [--now MS] [--span-days D]

Reads WORLD_DIR/{customers,identities,truth}.jsonl and writes:
- OUT_DIR/crm.jsonl: the customers in the default import schema, each with `identities`, the
  accounts of theirs that they bound explicitly (a third of their identities, by the truth);
- OUT_DIR/payloads.jsonl: N payloads, one a line, each in its platform's documented shape (the
  shapes of Tests/QingtingIngestTests/Fixtures): Weibo comments, WeChat XML text messages, Douyin
  comment webhooks (content as JSON inside JSON), Kuaishou, Xiaohongshu, Zhihu and Bilibili
  comments, X posts, Facebook feed comments, Instagram comment webhooks. Authors are the world's
  identities, drawn with a heavy tail (some write often); texts are the project's own social
  posts (Models/corpus); times fall in the 10 minutes before --now (with --span-days D, in the D days
  before it, for the report benchmark); 2% of the lines repeat an
  earlier payload (a platform's retry).
Same seed, same files.
"""
import argparse
import json
import os
import random
import sys

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def texts():
    out = []
    corpus = os.path.join(root, "Models/corpus")
    for name in sorted(os.listdir(corpus)):
        if not name.endswith(".tsv"):
            continue
        for line in open(os.path.join(corpus, name), encoding="utf-8"):
            if line.startswith("#") or not line.strip():
                continue
            text = line.rstrip("\n").split("\t")[-1].strip()
            if text:
                out.append(text)
    return out


def weibo_time(ms):
    import time
    t = time.gmtime(ms / 1000 + 8 * 3600)
    return time.strftime("%a %b %d %H:%M:%S +0800 %Y", t)


def iso(ms):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + ".%03dZ" % (ms % 1000)


def payload(platform, n, ident, text, ms, rng):
    uid, nick = ident["uid"], ident.get("nickname") or ""
    eid = str(7_000_000_000_000_000_000 + n)  # above 2^53, as the platforms' ids are
    city = ident.get("city") or ""
    if platform == "weibo":
        user = {"id": 1, "idstr": uid, "screen_name": nick}
        if city:
            user["location"] = city
        return json.dumps({"comments": [{"created_at": weibo_time(ms), "idstr": eid, "text": text, "user": user,
                                         "status": {"idstr": "4607741009594608"}}]}, ensure_ascii=False)
    if platform == "wechat":
        return ("<xml><ToUserName><![CDATA[gh_3a1b2c3d4e5f]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"
                "<CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content>"
                "<MsgId>%s</MsgId></xml>") % (uid, ms // 1000, text, eid)
    if platform == "douyin":
        content = {"comment_id": "@" + eid, "comment_user_id": uid, "content": text, "create_time": ms // 1000,
                   "digg_count": rng.randint(0, 50), "reply_comment_total": 0, "reply_to_comment_id": "",
                   "reply_to_item_id": "@8hxdhauTCMppanGnM4ltGM780mDqPP"}
        return json.dumps({"event": "item_comment_reply", "client_key": "awx1234567890abc", "from_user_id": uid,
                           "to_user_id": "aaa-7ae0", "content": json.dumps(content, ensure_ascii=False)}, ensure_ascii=False)
    if platform == "kuaishou":
        return json.dumps({"data": {"visionCommentList": {"commentCount": 1, "pcursor": "no_more", "rootComments": [
            {"commentId": eid, "authorId": uid, "authorName": nick, "content": text, "timestamp": ms,
             "likedCount": "3", "status": "0", "subCommentCount": 0, "subComments": []}]}}}, ensure_ascii=False)
    if platform == "xiaohongshu":
        return json.dumps({"code": 0, "success": True, "msg": "成功", "data": {"comments": [
            {"id": "%024x" % n, "note_id": "659f0e1d2c3b4a5968778695", "content": text,
             "user_info": {"user_id": uid, "nickname": nick}, "create_time": ms, "like_count": "2",
             "ip_location": city or "上海", "sub_comment_count": "0", "sub_comments": []}]}}, ensure_ascii=False)
    if platform == "zhihu":
        return json.dumps({"comment_id": eid, "parent_comment_id": "", "content": text, "publish_time": ms // 1000,
                           "ip_location": city or "北京", "like_count": 1, "content_id": "3344556677",
                           "content_type": "answer", "user_id": uid, "user_nickname": nick}, ensure_ascii=False)
    if platform == "bilibili":
        return json.dumps({"code": 0, "message": "0", "data": {"replies": [
            {"rpid": int(eid), "oid": 455017605, "type": 1, "mid": uid, "root": 0, "parent": 0, "ctime": ms // 1000,
             "rpid_str": eid, "like": 1, "member": {"mid": uid, "uname": nick},
             "content": {"message": text}}]}}, ensure_ascii=False)
    if platform == "x":
        return json.dumps({"data": [{"id": eid, "text": text, "author_id": uid, "created_at": iso(ms),
                                     "conversation_id": eid, "public_metrics": {"like_count": 1}}],
                           "includes": {"users": [{"id": uid, "name": nick, "username": "u" + uid}]}},
                          ensure_ascii=False)
    if platform == "facebook":
        return json.dumps({"object": "page", "entry": [{"id": "107", "time": ms // 1000, "changes": [{"field": "feed", "value": {
            "from": {"id": uid, "name": nick}, "item": "comment", "verb": "add", "post_id": "107_1",
            "comment_id": "107_1_" + eid, "parent_id": "107_1", "created_time": ms // 1000, "message": text}}]}]},
            ensure_ascii=False)
    # instagram
    return json.dumps({"object": "instagram", "entry": [{"id": "1784", "time": ms // 1000, "changes": [{"field": "comments", "value": {
        "from": {"id": uid, "username": nick or "u" + uid}, "media": {"id": "1799", "media_product_type": "FEED"},
        "id": eid, "text": text}}]}]}, ensure_ascii=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("world")
    ap.add_argument("out")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--now", type=int, default=1_767_225_600_000)
    ap.add_argument("--span-days", type=int, default=0)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    identities = [json.loads(l) for l in open(os.path.join(a.world, "identities.jsonl"), encoding="utf-8")]
    truth = {}
    for l in open(os.path.join(a.world, "truth.jsonl"), encoding="utf-8"):
        t = json.loads(l)
        truth[(t["platform"], str(t["uid"]))] = t.get("customer")
    bound = {}
    for ident in identities:
        c = truth.get((ident["platform"], str(ident["uid"])))
        if c and rng.random() < 1 / 3:
            bound.setdefault(c, []).append({"platform": ident["platform"], "uid": str(ident["uid"])})
    with open(os.path.join(a.out, "crm.jsonl"), "w", encoding="utf-8") as f:
        for l in open(os.path.join(a.world, "customers.jsonl"), encoding="utf-8"):
            c = json.loads(l)
            c["identities"] = bound.get(c["id"], [])
            c["updated_at"] = a.now - 86_400_000
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    known = {"weibo", "wechat", "douyin", "kuaishou", "xiaohongshu", "zhihu", "bilibili", "x", "facebook", "instagram"}
    identities = [i for i in identities if i["platform"] in known]
    for i in identities:
        i["uid"] = str(i["uid"])
    posts = texts()
    written = []
    with open(os.path.join(a.out, "payloads.jsonl"), "w", encoding="utf-8") as f:
        for n in range(a.events):
            if written and rng.random() < 0.02:
                line = written[rng.randrange(len(written))]
            else:
                # A heavy tail: a few authors write a lot.
                ident = identities[min(len(identities) - 1, int(rng.paretovariate(1.2) * 7) % len(identities))
                                   if rng.random() < 0.3 else rng.randrange(len(identities))]
                ms = a.now - rng.randrange(a.span_days * 86_400_000 if a.span_days else 600_000)
                line = payload(ident["platform"], n, ident, rng.choice(posts).replace("]]>", ""), ms, rng)
                if len(written) < 100_000:
                    written.append(line)
                elif rng.random() < 0.01:
                    written[rng.randrange(len(written))] = line
            f.write(line + "\n")
    print(json.dumps({"payloads": a.events, "customers_bound": len(bound), "posts": len(posts)}))


if __name__ == "__main__":
    sys.exit(main())
