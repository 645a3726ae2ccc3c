#!/usr/bin/env python3
"""The webhook receiver under load: CONNECTIONS keep-alive HTTP/1.1 clients POST distinct signed
Facebook feed changes (one comment each, X-Hub-Signature-256 with APP_SECRET) to
http://HOST:PORT/webhook/facebook, one request in flight per connection; each is answered 200
only after its commit (so this measures requests/s with the group commit, not a queue).

Usage: python3 Benchmarks/ingest/webhook_load.py PORT REQUESTS CONNECTIONS [APP_SECRET]
(start `qingting serve --store FILE --http PORT --webhook-secrets FILE` first, the file holding
`facebook<TAB>app_secret<TAB>APP_SECRET`, default meta_app_secret).
Prints {"connections","requests","ok","other","seconds","requests_per_second","p50_ms","p99_ms"}.
"""
import hashlib, hmac, http.client, json, sys, threading, time

port, requests, conns = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
secret = (sys.argv[4] if len(sys.argv) > 4 else "meta_app_secret").encode()
run = int(time.time() * 1000)  # distinct comment ids per run, so every request stores one event

def body(i):
    change = {"field": "feed", "value": {
        "from": {"id": "9%015d" % (i % 50000), "name": "Load Client"},
        "post": {"id": "448242228374517_122131676912594941"},
        "message": "快递三天了还没发货，客服也不回复",
        "post_id": "448242228374517_122131676912594941",
        "comment_id": "122131676912594941_%d%08d" % (run, i),
        "created_time": int(time.time()) - 60, "item": "comment", "verb": "add",
        "parent_id": "448242228374517_122131676912594941"}}
    return json.dumps({"object": "page", "entry": [{"id": "448242228374517", "time": int(time.time()),
                                                     "changes": [change]}]}, ensure_ascii=False).encode()

latencies, counts, lock = [], {"ok": 0, "other": 0}, threading.Lock()

def client(k):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    mine, ok, other = [], 0, 0
    for i in range(k, requests, conns):
        b = body(i)
        sig = "sha256=" + hmac.new(secret, b, hashlib.sha256).hexdigest()
        t = time.perf_counter()
        c.request("POST", "/webhook/facebook", body=b, headers={"X-Hub-Signature-256": sig})
        r = c.getresponse(); r.read()
        mine.append(time.perf_counter() - t)
        if r.status == 200: ok += 1
        else: other += 1
    with lock:
        latencies.extend(mine); counts["ok"] += ok; counts["other"] += other

start = time.time()
threads = [threading.Thread(target=client, args=(k,)) for k in range(conns)]
[t.start() for t in threads]; [t.join() for t in threads]
seconds = time.time() - start
latencies.sort()
pick = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 2)
print(json.dumps({"connections": conns, "requests": requests, **counts, "seconds": round(seconds, 2),
                  "requests_per_second": round(requests / seconds), "p50_ms": pick(0.5), "p99_ms": pick(0.99)}))
