"""Every file a case can read made this sandbox's own, or at least cached, before any case
runs (red team v3 HOLE 5, v4 HOLEs 8 and 9).

    own_copy(roots, staging, mount)   a private copy of the image's trees on a tmpfs, bound
                                      over them (Docker: the runner holds CAP_SYS_ADMIN)
    warm(roots)                       else: read every such file once, so all is cached

The host's page cache is shared by every sandbox that reads the same files: on Docker, every
container of one image reads the same lower layers. Whether a page is cached is state that a
case can change and another sandbox's case can see (a read of an uncached page is slow and
counted as a major fault), so a right solution could leave its answer there for a wrong one
to read. The syscall filter refuses what drops pages again (sandbox/syscall_filter.py); what is
left is reading, which only ever caches a page. So each sandbox's runner reads every file a
case could read when it starts: every such page is cached before the first case, a case has
no uncached page left to cache, and what an earlier sandbox did to the cache cannot be told
apart from this one's own reads.

Reading leaves what the kernel keeps of a shared file shared: pages it evicts under memory
pressure carry a bit again; a futex on a shared mapping of a file is keyed by the file's
inode, the same in every container of the image (a live channel between two cases graded at
once: v4 HOLE 8); a lookup of a missing name leaves a negative dentry in the image layer's
directory, which a later lookup from any container finds faster (v4 HOLE 9). A private copy
on a tmpfs has inodes of its own, pages the kernel never evicts, and keeps no negative
dentries, so the runner copies the image's trees when it can (about 150 MiB and half a
second per container of the default image), and only reads them where it cannot.

Not on bubblewrap: there cases see the host's /usr (gigabytes). docs/sandbox.md says what is
left there.

Stdlib only: it runs in the sandbox image's python.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass

CHUNK = 1 << 20
WORLD_READABLE = stat.S_IROTH
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC = 0x1, 0x2, 0x4, 0x20, 0x1000, 0x4000
# runner._mount: (source, target, fstype, flags, data); raises OSError.
Mount = Callable[..., None]


@dataclass(frozen=True)
class Warmed:
    files: int
    bytes: int
    seconds: float
    copied: bool = False


def own_copy(roots: list[str], staging: str, mount: Mount) -> Warmed:
    """Copy each root's tree to a fresh tmpfs on `staging`, make that read-only, and bind
    each copy over its root: every process started after this reads the copies."""
    started = time.monotonic()
    mount("tmpfs", staging, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755")
    files = total = 0
    try:
        for root in roots:
            copied, size = copy_tree(root, staging + root)
            files, total = files + copied, total + size
    finally:  # never a writable place left to jobs, even half copied
        mount("none", staging, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    for root in roots:
        mount(staging + root, root, None, MS_BIND | MS_REC)
    return Warmed(files, total, time.monotonic() - started, copied=True)


def copy_tree(source: str, target: str) -> tuple[int, int]:
    """Directories, symlinks and the files a process of no owner or group can read, with
    their modes and owners; (files, bytes) copied. A file the copier cannot read no case
    can either: left out. Directories on other filesystems are left out; files bound in from
    elsewhere (Docker's /etc/hosts) are copied."""
    device = os.lstat(source).st_dev
    files = total = 0
    finish: list[tuple[str, os.stat_result]] = []
    stack = [(source, target)]
    while stack:
        here, there = stack.pop()
        info = os.lstat(here)
        os.mkdir(there, 0o700)  # writable by the copier until its entries are in
        finish.append((there, info))
        try:
            entries = list(os.scandir(here))
        except OSError:
            continue
        for entry in entries:
            to = os.path.join(there, entry.name)
            try:
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(st.st_mode):
                    if st.st_dev == device:
                        stack.append((entry.path, to))
                elif stat.S_ISLNK(st.st_mode):
                    os.symlink(os.readlink(entry.path), to)
                    os.lchown(to, st.st_uid, st.st_gid)
                    keep_times(to, st)
                elif stat.S_ISREG(st.st_mode) and st.st_mode & WORLD_READABLE:
                    total += copy_file(entry.path, to, st)
                    files += 1
            except OSError:
                continue
    # Deepest first, so a 0555 dir is filled by then; the mode before the owner: without
    # CAP_FOWNER only the owner may chmod.
    for there, info in reversed(finish):
        os.chmod(there, stat.S_IMODE(info.st_mode))
        os.chown(there, info.st_uid, info.st_gid)
        keep_times(there, info)
    return files, total


def keep_times(path: str, info: os.stat_result) -> None:
    """The original's times on its copy. Python trusts a .pyc only when the source's mtime
    is the one it records: copies with new mtimes made every interpreter in the sandbox
    compile its stdlib again at each start (read-only, so never cached), 3-4 ms of CPU more
    per start and 45 % of a plain job's throughput."""
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns), follow_symlinks=False)


def copy_file(source: str, target: str, info: os.stat_result) -> int:
    src = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        dst = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            copied = 0
            while sent := os.sendfile(dst, src, None, CHUNK):
                copied += sent
            os.fchmod(dst, stat.S_IMODE(info.st_mode))
            os.fchown(dst, info.st_uid, info.st_gid)
            os.utime(dst, ns=(info.st_atime_ns, info.st_mtime_ns))
            return copied
        finally:
            os.close(dst)
    finally:
        os.close(src)


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
