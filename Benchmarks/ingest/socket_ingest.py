#!/usr/bin/env python3
"""event.ingest over the socket: CONNECTIONS clients, each sending its share of PAYLOADS in calls
of PER payloads, one call in flight per connection, each answered after its commit.

Usage: python3 Benchmarks/ingest/socket_ingest.py SOCKET PAYLOADS PER CONNECTIONS
(start `qingting serve --store FILE --socket SOCKET` first; PAYLOADS as generate.py writes them).
Prints {"connections","payloads_per_request","events","seconds","events_per_second"}.
"""
import json, socket, sys, time, threading
sock_path, payloads, per, conns = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
lines = [l.rstrip("\n") for l in open(payloads, encoding="utf-8")]
total = [0]
lock = threading.Lock()
def client(k):
    s = socket.socket(socket.AF_UNIX); s.connect(sock_path); f = s.makefile("rwb")
    mine = lines[k::conns]; rid = 0; n = 0
    for i in range(0, len(mine), per):
        chunk = mine[i:i + per]
        items = [json.dumps(l, ensure_ascii=False) if l.startswith("<") else l for l in chunk]
        rid += 1
        f.write(('{"jsonrpc":"2.0","id":%d,"method":"event.ingest","params":{"payloads":[%s]}}\n' % (rid, ",".join(items))).encode()); f.flush()
        n += len(json.loads(f.readline())["result"]["results"])
    with lock: total[0] += n
t = time.time()
ts = [threading.Thread(target=client, args=(k,)) for k in range(conns)]
[x.start() for x in ts]; [x.join() for x in ts]
dt = time.time() - t
print(json.dumps({"connections": conns, "payloads_per_request": per, "events": total[0], "seconds": round(dt, 2), "events_per_second": round(total[0] / dt)}))
