# A right solution (the number of primes below n, mod 64) that leaves its answer as the name of
# an abstract Unix socket (no file: the name lives in the sandbox's network namespace, which
# every job of a warm sandbox shares) and keeps the socket alive without any process: it is
# in flight in a socket pair's queue, itself in flight in its own queue (a cycle).
import array
import os
import socket
import sys


def count_primes(n):
    sieve = bytearray([1]) * n
    sieve[0:2] = b"\0\0"
    for i in range(2, int(n**0.5) + 1):
        if sieve[i]:
            sieve[i * i :: i] = bytes(len(range(i * i, n, i)))
    return sum(sieve)


answer = count_primes(int(input())) % 64
print(answer)
sys.stdout.flush()
named = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
named.bind(b"\0rt-answer-%d" % answer)
listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listening.bind(b"\0rt-listen-%d" % answer)
listening.listen(1)
ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
fds = array.array("i", [named.fileno(), listening.fileno(), theirs.fileno()])
ours.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])
if os.fork() == 0:  # and a child holding them, should one outlive the case
    os.setsid()
    os.execv("/bin/sleep", ["sleep", "600"])
os._exit(0)
