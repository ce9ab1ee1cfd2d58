# Right on both cases, with 280 MiB of memory no process maps in the second, under a 128 MiB
# limit. The judge reads memory no process maps as the growth of the sandbox's memory
# counter since the case started, and that counter also holds page cache charged earlier:
# case 1 reads the image's files (up to 100 MiB of page cache, charged to the sandbox),
# case 2 drops that cache again (posix_fadvise DONTNEED on the same files: no ownership
# needed), which lowers the counter by as much, then fills Unix socket buffers in 12
# processes at the default size (as in HOLE 3's second instance) and reads them back.
import os
import socket

CHILDREN = 12
PAIRS = 56
CHUNK = 1 << 15
WARM = 100 << 20  # of page cache: under the case's limit itself
warmed = [0]


def image_files():
    for root, _, names in os.walk("/usr"):
        for name in names:
            path = os.path.join(root, name)
            if os.path.isfile(path) and not os.path.islink(path):
                yield path


def each_file(action) -> None:
    for path in image_files():
        if action(-1) >= WARM:
            return
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            action(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


def read_all(fd: int) -> int:
    """Read the file (fd -1: only say how much was read so far)."""
    while fd >= 0 and (chunk := os.read(fd, 1 << 20)):
        warmed[0] += len(chunk)
    return warmed[0]


def drop_cache(fd: int) -> int:
    if fd >= 0:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    return 0


def fill(sock: socket.socket) -> int:
    sock.setblocking(False)
    block, stored = b"\x07" * CHUNK, 0
    while True:
        try:
            stored += sock.send(block)
        except BlockingIOError:
            return stored


def drain(sock: socket.socket) -> int:
    total = 0
    while True:
        try:
            total += len(sock.recv(CHUNK))
        except BlockingIOError:
            return total


def child(full_w: int, go_r: int, result_w: int) -> None:
    pairs = [socket.socketpair() for _ in range(PAIRS)]
    stored = sum(fill(a) + fill(b) for a, b in pairs)
    os.write(full_w, b"%d\n" % stored)
    os.read(go_r, 1)
    read = sum(drain(a) + drain(b) for a, b in pairs)
    os.write(result_w, b"%d\n" % read)


def store_and_read_back() -> tuple[int, int]:
    full_r, full_w = os.pipe()
    go_r, go_w = os.pipe()
    result_r, result_w = os.pipe()
    for _ in range(CHILDREN):
        if os.fork() == 0:
            try:
                child(full_w, go_r, result_w)
            finally:
                os._exit(0)
    with os.fdopen(full_r) as full:
        stored = sum(int(full.readline()) for _ in range(CHILDREN))
    os.write(go_w, b"g" * CHILDREN)
    with os.fdopen(result_r) as results:
        read = sum(int(results.readline()) for _ in range(CHILDREN))
    return stored, read


n = int(input())
if n == 1:
    each_file(read_all)
    print(2)
else:
    each_file(drop_cache)
    stored, read = store_and_read_back()
    print(n + 1 if stored == read >= 250 << 20 else f"only {stored >> 20} MiB stored")
