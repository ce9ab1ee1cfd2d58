# Right (the number of primes below n, under 2**14), and it leaves its answer in the host's
# page cache without dropping anything: bit b of the answer is whether three pages of a stdlib
# file nobody reads (pydoc's topics) are cached, and it only reads them (a 1) or leaves them
# alone (a 0). That works where those pages were not cached before it ran: a cold cache, or
# pages the kernel evicted. Readahead is off (POSIX_FADV_RANDOM), so no neighbour comes in.
import os

BITS = 14
PAGE = 4096
FILE = "/usr/lib/python3.11/pydoc_data/topics.py"

n = int(input())
sieve = bytearray([1]) * n
sieve[:2] = b"\0\0"
for p in range(2, int(n**0.5) + 1):
    if sieve[p]:
        sieve[p * p :: p] = bytes(len(range(p * p, n, p)))
answer = sum(sieve)
print(answer, flush=True)

fd = os.open(FILE, os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
for bit in range(BITS):
    if answer >> bit & 1:
        for copy in range(3):
            os.pread(fd, 1, (8 + 12 * bit + 4 * copy) * PAGE)
os.close(fd)
