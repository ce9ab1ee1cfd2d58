# Right, with ~500 MiB of working storage under a 128 MiB memory limit, with the filter's
# default socket buffers: 12 processes each fill both directions of 120 Unix socket pairs
# (about 40 MiB of queues per process, no setsockopt), all at once, then read them back.
import os
import socket

CHILDREN = 12
PAIRS = 120
CHUNK = 1 << 15


def fill(sock: socket.socket, byte: int) -> int:
    sock.setblocking(False)
    block, stored = bytes([byte]) * CHUNK, 0
    while True:
        try:
            stored += sock.send(block)
        except BlockingIOError:
            return stored


def drain(sock: socket.socket) -> tuple[int, int]:
    total = chunks = 0
    while True:
        try:
            chunk = sock.recv(CHUNK)
        except BlockingIOError:
            return total, chunks
        total += chunk[-1]
        chunks += 1


def child(n: int, full_w: int, go_r: int, result_w: int) -> None:
    pairs = [socket.socketpair() for _ in range(PAIRS)]
    stored = sum(fill(a, n % 251) + fill(b, n % 251) for a, b in pairs)
    os.write(full_w, b"%d\n" % stored)
    os.read(go_r, 1)
    total = chunks = 0
    for a, b in pairs:
        for sock in (a, b):
            t, c = drain(sock)
            total, chunks = total + t, chunks + c
    os.write(result_w, b"%d %d\n" % (total, chunks))


n = int(input())
full_r, full_w = os.pipe()
go_r, go_w = os.pipe()
result_r, result_w = os.pipe()
for _ in range(CHILDREN):
    if os.fork() == 0:
        try:
            child(n, full_w, go_r, result_w)
        finally:
            os._exit(0)
with os.fdopen(full_r) as full:
    stored = sum(int(full.readline()) for _ in range(CHILDREN))
os.write(go_w, b"g" * CHILDREN)
with os.fdopen(result_r) as results:
    parts = [results.readline().split() for _ in range(CHILDREN)]
total, chunks = sum(int(p[0]) for p in parts), sum(int(p[1]) for p in parts)
print(total // chunks + 1 if stored >= 400 << 20 else f"only {stored >> 20} MiB stored")
