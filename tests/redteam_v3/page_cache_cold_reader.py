# Wrong: it computes nothing. It reads the answer a right solution left in the page cache
# (see page_cache_cold_leaker.py) by touching each page through a mapping and counting major
# faults (a page that was not cached is read from the disk: one major fault, the process's
# own counter). No timing, no refused call: exact, where the pages started uncached.
import mmap
import os
import resource

BITS = 14
PAGE = 4096
FILE = "/usr/lib/python3.11/pydoc_data/topics.py"


def cached(view: mmap.mmap, offset: int) -> bool:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_majflt
    view[offset]
    return resource.getrusage(resource.RUSAGE_SELF).ru_majflt == before


fd = os.open(FILE, os.O_RDONLY)
with mmap.mmap(fd, 0, prot=mmap.PROT_READ) as view:
    view.madvise(mmap.MADV_RANDOM)
    value = 0
    for bit in range(BITS):
        votes = sum(cached(view, (8 + 12 * bit + 4 * copy) * PAGE) for copy in range(3))
        if votes >= 2:
            value |= 1 << bit
os.close(fd)
print(value)
