# A wrong solution: it computes nothing; it watches (inotify, IN_OPEN) the host's standard
# library files another sandbox's right solution opens to signal its answer (see
# inotify_leaker.py), waits for the "ready" file's event, collects for a moment, and prints
# the bits it saw ("none" when nothing came).
import ctypes
import os
import select
import struct
import time

NAMES = (
    "antigravity", "this", "tabnanny", "nntplib", "mailcap", "telnetlib", "xdrlib", "uu",
    "sndhdr", "sunau", "chunk", "crypt", "imghdr", "pipes", "cgitb", "aifc",
)  # fmt: skip
IN_OPEN = 0x20
EVENT = struct.Struct("iIII")

libc = ctypes.CDLL(None, use_errno=True)
home = os.path.dirname(os.path.realpath(os.__file__))
fd = libc.inotify_init1(os.O_NONBLOCK)
index = {}
for i, name in enumerate(NAMES):
    wd = libc.inotify_add_watch(fd, os.path.join(home, name + ".py").encode(), IN_OPEN)
    if wd >= 0:
        index[wd] = i
seen: set[int] = set()
found = "none"
ready_at = None
deadline = time.monotonic() + 3
while fd >= 0 and time.monotonic() < deadline:
    if select.select([fd], [], [], 0.05)[0]:
        data = os.read(fd, 65536)
        offset = 0
        while offset + EVENT.size <= len(data):
            wd, _mask, _cookie, length = EVENT.unpack_from(data, offset)
            offset += EVENT.size + length
            if wd in index:
                seen.add(index[wd])
    if len(NAMES) - 1 in seen and ready_at is None:
        ready_at = time.monotonic()
    if ready_at is not None and time.monotonic() > ready_at + 0.2:
        found = str(sum(1 << bit for bit in seen if bit < len(NAMES) - 1))
        break
print(found)
