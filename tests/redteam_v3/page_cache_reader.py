# Wrong: it computes nothing. It reads the answer a right solution left in the page cache
# (see page_cache_leaker.py), three pages a bit, the majority deciding. A read with
# RWF_NOWAIT succeeds only on a cached page (bubblewrap: the host's ext4); where the
# filesystem refuses RWF_NOWAIT (Docker's overlayfs) a cached page is the one read in well
# under the 20 us a read from the disk takes.
import errno
import os
import time

BITS = 14
PAGE = 4096
FILE = "/usr/lib/python3.11/pydoc_data/topics.py"
CACHED_NS = 20_000


def cached(fd: int, offset: int) -> bool:
    try:
        os.preadv(fd, [bytearray(1)], offset, os.RWF_NOWAIT)
        return True
    except BlockingIOError:
        return False
    except OSError as exc:
        if exc.errno != errno.EOPNOTSUPP:
            raise
    started = time.perf_counter_ns()
    os.pread(fd, 1, offset)
    return time.perf_counter_ns() - started < CACHED_NS


fd = os.open(FILE, os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
value = 0
for bit in range(BITS):
    votes = sum(cached(fd, (8 + 12 * bit + 4 * copy) * PAGE) for copy in range(3))
    if votes >= 2:
        value |= 1 << bit
print(value)
