# What a process can do to the page cache of a file, and learn from it (HOLE 5's calls).
# stdin: a path to probe, or a directory to write a file of its own in (then it also says
# whether each drop took the pages out, which only the file's owner can see: mincore).
# One line per probe: its name, then "ok", an errno's name, or for the residency lines
# "cached" / "dropped".
import ctypes
import errno
import mmap
import os

PAGES = 8
PAGE = mmap.PAGESIZE
SYS_CACHESTAT = 451  # x86_64 and aarch64
RWF_NOWAIT = getattr(os, "RWF_NOWAIT", 0x8)
MADV_PAGEOUT = getattr(mmap, "MADV_PAGEOUT", 21)
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [
    ctypes.c_void_p,
    ctypes.c_size_t,
    ctypes.c_int,
    ctypes.c_int,
    ctypes.c_int,
    ctypes.c_long,
]


def answer(call) -> str:
    try:
        call()
        return "ok"
    except OSError as exc:
        return errno.errorcode.get(exc.errno, str(exc.errno))


def cachestat(fd: int) -> None:
    # struct cachestat_range {u64 off, len}; struct cachestat: five u64 counters.
    span, stat = (ctypes.c_uint64 * 2)(0, PAGES * PAGE), (ctypes.c_uint64 * 5)()
    if libc.syscall(SYS_CACHESTAT, fd, ctypes.byref(span), ctypes.byref(stat), 0) != 0:
        raise OSError(ctypes.get_errno(), "cachestat")


def resident(fd: int) -> str:
    """Whether the file's first page is cached, as mincore tells the file's owner."""
    address = libc.mmap(None, ctypes.c_size_t(PAGE), mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
    if address in (None, ctypes.c_void_p(-1).value):
        return errno.errorcode[ctypes.get_errno()]
    try:
        vector = (ctypes.c_ubyte * 1)()
        if libc.mincore(ctypes.c_void_p(address), ctypes.c_size_t(PAGE), vector) != 0:
            return errno.errorcode[ctypes.get_errno()]
        return "cached" if vector[0] & 1 else "dropped"
    finally:
        libc.munmap(ctypes.c_void_p(address), ctypes.c_size_t(PAGE))


def warm(fd: int) -> None:
    os.pread(fd, PAGES * PAGE, 0)


target = input().strip()
own = os.path.isdir(target)
path = os.path.join(target, "probe.bin") if own else target
if own:
    with open(path, "wb") as f:
        f.write(os.urandom(PAGES * PAGE))
        f.flush()
        os.fsync(f.fileno())
fd = os.open(path, os.O_RDONLY)
warm(fd)
print("fadvise_dontneed", answer(lambda: os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)))
if own:
    print("after_fadvise", resident(fd))
warm(fd)
with mmap.mmap(fd, PAGES * PAGE, prot=mmap.PROT_READ) as mapped:
    print("madvise_pageout", answer(lambda: mapped.madvise(MADV_PAGEOUT)))
if own:
    print("after_madvise", resident(fd))
warm(fd)
print("preadv2_nowait", answer(lambda: os.preadv(fd, [bytearray(PAGE)], 0, RWF_NOWAIT)))
print("preadv2_plain", answer(lambda: os.preadv(fd, [bytearray(PAGE)], 0, os.RWF_HIPRI)))
print("cachestat", answer(lambda: cachestat(fd)))
os.close(fd)
