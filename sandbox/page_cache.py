"""Cache every page of every file a case can read, before any case runs (HOLE 5).

The host's page cache is shared by every sandbox that reads the same files: on Docker, every
container of one image reads the same lower layers. Whether a page is cached is state that a
case can change and another sandbox's case can see (a read of an uncached page is slow and
counted as a major fault), so a right solution could leave its answer there for a wrong one
to read. The syscall filter refuses what drops pages again (sandbox/syscall_filter.py); what is
left is reading, which only ever caches a page. So each sandbox's runner reads every file a
case could read when it starts: every such page is cached before the first case, a case has
no uncached page left to cache, and what an earlier sandbox did to the cache cannot be told
apart from this one's own reads.

Not on bubblewrap: there cases see the host's /usr (gigabytes). docs/sandbox.md says what is
left there, and what is left on Docker (pages the kernel evicts under memory pressure).

Stdlib only: it runs in the sandbox image's python.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass

CHUNK = 1 << 20
WORLD_READABLE = stat.S_IROTH


@dataclass(frozen=True)
class Warmed:
    files: int
    bytes: int
    seconds: float


def readable_files(root: str) -> list[str]:
    """The regular files under root, on root's filesystem only (not /proc, a tmpfs or a
    bind-mounted file), that a process of no owner or group can read."""
    device = os.lstat(root).st_dev
    found = []
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if info.st_dev != device:
                continue
            if stat.S_ISDIR(info.st_mode):
                stack.append(entry.path)
            elif stat.S_ISREG(info.st_mode) and info.st_mode & WORLD_READABLE and info.st_size:
                found.append(entry.path)
    return found


def warm(roots: list[str]) -> Warmed:
    """Read each readable file under roots to its end (into one reused buffer)."""
    started = time.monotonic()
    buffer = bytearray(CHUNK)
    files = total = 0
    for root in roots:
        for path in readable_files(root):
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except OSError:
                continue
            try:
                while read := os.readv(fd, [buffer]):
                    total += read
                files += 1
            except OSError:
                pass
            finally:
                os.close(fd)
    return Warmed(files, total, time.monotonic() - started)
