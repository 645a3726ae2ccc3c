#!/usr/bin/env python3
"""Hostile-client probe of a running `qingting serve` (the checks of issue 14), standard library only.

    qingting serve --socket /tmp/q/q.sock --read-timeout 2 &
    scripts/probe-server.py /tmp/q/q.sock [--big FILE] [--fuzz N]

Prints one line per check: a 16 MiB text.analyze answered while another connection keeps being
answered (latencies), a batch over the cap, queued bytes over the cap, a stalled half line timed
out, and N fuzzed messages (mutated requests, random bytes) with the server still answering.
Exits 1 when a check fails. Sends only to the given Unix socket on this machine.
"""
import json, os, random, socket, sys, threading, time

def connect(path, timeout=60):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    s.connect(path)
    return s

def read_line(s):
    chunks = []
    while True:
        c = s.recv(1 << 20)
        if not c:
            return b"".join(chunks) or None
        chunks.append(c)
        if c.endswith(b"\n"):
            return b"".join(chunks)

def request(i, method, params):
    return (json.dumps({"jsonrpc": "2.0", "id": i, "method": method, "params": params}, ensure_ascii=False) + "\n").encode()

failures = []
def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)

def big_request(path, text):
    latencies, stop = [], threading.Event()
    def ping():
        s = connect(path)
        while not stop.is_set():
            t = time.time()
            s.sendall(request(1, "text.analyze", {"text": "物流太慢了"}))
            read_line(s)
            latencies.append(time.time() - t)
            time.sleep(0.01)
    pinger = threading.Thread(target=ping)
    pinger.start()
    time.sleep(0.3)
    s = connect(path, timeout=120)
    t = time.time()
    s.sendall(request(7, "text.analyze", {"text": text}))
    answer = read_line(s) or b""
    took = time.time() - t
    stop.set()
    pinger.join()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)] if latencies else 0
    check(b'"result"' in answer and took < 20,
          "%d-byte text.analyze answered in %.2f s (%d bytes back)" % (len(text.encode()), took, len(answer)))
    check(p99 < 0.05 and latencies[-1] < 0.2,
          "meanwhile %d small requests: p50 %.1f ms, p99 %.1f ms, max %.1f ms"
          % (len(latencies), 1000 * latencies[len(latencies) // 2], 1000 * p99, 1000 * latencies[-1]))

def batch_cap(path):
    s = connect(path)
    one = {"jsonrpc": "2.0", "id": 1, "method": "rpc.discover"}
    s.sendall((json.dumps([one] * 100000) + "\n").encode())
    answer = read_line(s) or b""
    check(b"-32003" in answer and len(answer) < 1000, "batch of 100,000 rpc.discover: %s" % answer[:100].decode())

def queue_cap(path):
    s = connect(path)
    line = request(1, "text.analyze", {"text": "差评" * 2_600_000})  # 15.6 MB
    def send_all():
        try:
            for _ in range(40):
                s.sendall(line)
        except OSError:
            pass  # closed by the check below
    sender = threading.Thread(target=send_all)
    sender.daemon = True
    sender.start()
    time.sleep(3)
    t = connect(path)
    t.sendall(request(2, "engine.info", {}))
    info = json.loads(read_line(t))["result"]
    s.close()
    check(info["errors"].get("-32002", 0) > 0, "40 unread 15.6 MB lines: %d answered -32002" % info["errors"].get("-32002", 0))

def stall(path):
    s = connect(path)
    s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"text.an')
    t = time.time()
    answer = read_line(s) or b""
    check(b"read_timeout" in answer, "half a line, then silence: closed after %.1f s with %s" % (time.time() - t, answer[:90].decode()))

def fuzz(path, n):
    rng = random.Random(14)
    seeds = [request(1, "text.analyze", {"text": "物流太慢了😡", "id": 5}), request(2, "text.segment", {"text": "客服"}),
             b'[{"jsonrpc":"2.0","id":1,"method":"engine.info"},{"jsonrpc":"2.0","method":"x"}]\n',
             request(3, "identity.resolve", {"identity": {"uid": "1"}}), request(4, "model.reload", {"userdict": "/etc/passwd"})]
    s = connect(path)
    sent = answered = 0
    for i in range(n):
        line = bytearray(rng.choice(seeds)[:-1])
        for _ in range(rng.randint(0, 6)):
            op = rng.randrange(4)
            pos = rng.randrange(len(line) + 1)
            if op == 0 and line: del line[pos % len(line)]
            elif op == 1: line.insert(pos, rng.randrange(256))
            elif op == 2: line[pos:pos] = rng.choice([b"{", b"[", b'"', b"\\u", b"\\ud800", b"null", b"1e999", b"-", b"\x00", b"\xff"])
            else: line[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        line = bytes(line).replace(b"\n", b" ") + b"\n"
        s.sendall(line)
        sent += 1
        if i % 50 == 49:
            s.sendall(request(99, "engine.info", {}))
            while True:
                got = read_line(s)
                if got is None:
                    s = connect(path)
                    break
                if b'"id":99,' in got and b'"result"' in got:
                    answered += 1
                    break
    t = connect(path)
    t.sendall(request(1, "engine.info", {}))
    alive = b'"result"' in (read_line(t) or b"")
    check(alive, "%d fuzzed messages: server alive, %d of %d checkpoints answered" % (sent, answered, n // 50))

def main():
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    path = args[0]
    opts = dict(zip(args[1::2], args[2::2]))
    if "--big" in opts:
        text = open(opts["--big"], encoding="utf-8").read().strip()
    else:
        rng = random.Random(1)
        words = ["物流太慢了", "客服态度很好", "这款口红绝了", "请问什么时候发货", "用了一周就坏了", "性价比很高", "贵但值"]
        text = "。".join(rng.choice(words) for _ in range(16 * 2**20 // 16))
    big_request(path, text)
    batch_cap(path)
    stall(path)
    queue_cap(path)
    fuzz(path, int(opts.get("--fuzz", "20000")))
    return 1 if failures else 0

if __name__ == "__main__":
    sys.exit(main())
