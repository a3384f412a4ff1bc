#!/usr/bin/env python3
"""The benchmark's small clients, for what wrk and curl cannot do.

  clients.py mint --port P --admin-file F --count N --out FILE [--conns C]
  clients.py idle --port P --count N --pids PID[,PID...] [--token-file F]
  clients.py sse  --port P --events N --interval-ms M [--token-file F]

Each prints one line starting with its name in capitals (MINT, IDLE, SSE) for bench/run to read.
Tokens are read from files, never from the command line, so they stay out of `ps`.
Standard library only: Debian's python3 is enough.
"""

import argparse
import http.client
import json
import re
import socket
import statistics
import sys
import threading
import time


def read_token(path):
    if not path:
        return None
    with open(path, encoding="ascii") as f:
        return f.read().strip()


def request_bytes(port, path, token):
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def mint(args):
    """Mints --count tokens over --conns keep-alive connections; one token per line in --out."""
    admin = read_token(args.admin_file)
    headers = {"Authorization": f"Bearer {admin}", "Content-Type": "application/json"}
    tokens = []
    failures = []
    lock = threading.Lock()
    next_index = [0]

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        while True:
            with lock:
                if next_index[0] >= args.count or failures:
                    break
                i = next_index[0]
                next_index[0] += 1
            body = json.dumps({"name": f"bench-{i}", "scopes": ["lake:read", "lake:write"]})
            conn.request("POST", "/v1/tokens", body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            with lock:
                if resp.status != 201:
                    failures.append(f"POST /v1/tokens answered {resp.status}: {data[:200]!r}")
                    break
                tokens.append(json.loads(data)["token"])
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(args.conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    if failures:
        print(f"mint: {failures[0]}", file=sys.stderr)
        return 1
    with open(args.out, "w", encoding="ascii") as f:
        f.write("\n".join(tokens) + "\n")
    print(f"MINT {len(tokens)} {elapsed:.2f} {len(tokens) / elapsed:.0f}")
    return 0


def rss_kib(pids):
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def read_response(sock):
    """Reads one response with a Content-Length body; returns its status code."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the response head")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
    need = int(match.group(1)) if match else 0
    while len(rest) < need:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed inside the response body")
        rest += chunk
    return int(head.split(b" ", 2)[1])


def idle(args):
    """Opens --count connections, one request each, then holds them idle and measures RSS."""
    pids = [int(p) for p in args.pids.split(",")]
    token = read_token(args.token_file)
    req = request_bytes(args.port, "/v1/stats", token)
    # Let the daemon settle from whatever came before.
    time.sleep(0.5)
    before = rss_kib(pids)
    socks = []
    bad = 0
    batch = 500
    started = time.monotonic()
    for first in range(0, args.count, batch):
        group = []
        for _ in range(min(batch, args.count - first)):
            s = socket.create_connection(("127.0.0.1", args.port), timeout=30)
            s.sendall(req)
            group.append(s)
        for s in group:
            if read_response(s) != 200:
                bad += 1
        socks.extend(group)
    time.sleep(1.0)
    after = rss_kib(pids)
    # Still open? A daemon that dropped idle connections would make the number meaningless.
    alive = 0
    for s in socks:
        s.setblocking(False)
        try:
            alive += 1 if s.recv(1) != b"" else 0
        except BlockingIOError:
            alive += 1
    for s in socks:
        s.close()
    elapsed = time.monotonic() - started
    print(f"IDLE {len(socks)} {alive} {bad} {before} {after} {elapsed:.1f}")
    return 0


def sse(args):
    """Prints the median and p99 of receive time minus the lake's sent_at_us, event 0 left out."""
    token = read_token(args.token_file)
    path = f"/sse?events={args.events}&interval_ms={args.interval_ms}"
    sock = socket.create_connection(("127.0.0.1", args.port), timeout=30)
    sock.sendall(request_bytes(args.port, path, token))
    pattern = re.compile(rb'"i":(\d+),"sent_at_us":(\d+)')
    delays = []
    pending = b""
    seen = 0
    while seen < args.events:
        chunk = sock.recv(65536)
        now_us = time.clock_gettime_ns(time.CLOCK_REALTIME) // 1000
        if not chunk:
            break
        pending += chunk
        last_end = 0
        for m in pattern.finditer(pending):
            seen += 1
            last_end = m.end()
            if int(m.group(1)) > 0:
                delays.append(now_us - int(m.group(2)))
        pending = pending[last_end:]
    sock.close()
    if seen < args.events or not delays:
        print(f"sse: received {seen} of {args.events} events", file=sys.stderr)
        return 1
    delays.sort()
    p99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))]
    print(f"SSE {len(delays)} {statistics.median(delays):.0f} {p99}")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("mint")
    m.add_argument("--port", type=int, required=True)
    m.add_argument("--admin-file", required=True)
    m.add_argument("--count", type=int, required=True)
    m.add_argument("--out", required=True)
    m.add_argument("--conns", type=int, default=8)
    i = sub.add_parser("idle")
    i.add_argument("--port", type=int, required=True)
    i.add_argument("--count", type=int, required=True)
    i.add_argument("--pids", required=True)
    i.add_argument("--token-file")
    s = sub.add_parser("sse")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--events", type=int, required=True)
    s.add_argument("--interval-ms", type=int, required=True)
    s.add_argument("--token-file")
    args = parser.parse_args()
    return {"mint": mint, "idle": idle, "sse": sse}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
