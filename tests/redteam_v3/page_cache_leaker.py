# Right (the number of primes below n, under 2**14), and it leaves its answer in the host's
# page cache, which every sandbox sharing the image's (or the host's) files shares: bit b of
# the answer is whether three pages of a stdlib file nobody reads (pydoc's topics) are
# cached (the reader takes the majority of the three). It reads a byte of each page
# for a 1 and drops the page (posix_fadvise DONTNEED) for a 0; readahead is off
# (POSIX_FADV_RANDOM) so that no neighbour comes in with it.
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
    for copy in range(3):
        offset = (8 + 12 * bit + 4 * copy) * PAGE
        if answer >> bit & 1:
            os.pread(fd, 1, offset)
        else:
            os.posix_fadvise(fd, offset, PAGE, os.POSIX_FADV_DONTNEED)
os.close(fd)
