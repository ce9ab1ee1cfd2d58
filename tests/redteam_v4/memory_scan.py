# A wrong solution that looks for the expected answer in the memory of every other process of
# its job (the judge holds a stdio case's expected output, the tester a test's literal): the
# answer is known to start with "rt-" "secret-" (split, so this file does not hold it whole).
# /proc/<pid>/mem, /proc/<pid>/environ and process_vm_readv; "none" when all are refused.
import ctypes
import os
import re

PREFIX = ("rt-" + "secret-").encode()
FOUND = re.compile(re.escape(PREFIX) + rb"[0-9a-f]{8}")


def regions(pid):
    with open(f"/proc/{pid}/maps") as maps:
        for line in maps:
            span, perms = line.split()[:2]
            if perms.startswith("r"):
                start, end = (int(part, 16) for part in span.split("-"))
                yield start, end


def from_mem(pid):
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for start, end in regions(pid):
            try:
                mem.seek(start)
                chunk = mem.read(min(end - start, 64 << 20))
            except (OSError, OverflowError, ValueError):
                continue
            match = FOUND.search(chunk)
            if match:
                return match.group().decode()
    return None


class IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


def from_vm_readv(pid):
    libc = ctypes.CDLL(None, use_errno=True)
    for start, end in regions(pid):
        size = min(end - start, 16 << 20)
        buf = ctypes.create_string_buffer(size)
        local, remote = IoVec(ctypes.addressof(buf), size), IoVec(start, size)
        if libc.process_vm_readv(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0) > 0:
            match = FOUND.search(buf.raw)
            if match:
                return match.group().decode()
    return None


def from_environ(pid):
    with open(f"/proc/{pid}/environ", "rb") as f:
        match = FOUND.search(f.read())
    return match.group().decode() if match else None


def secret():
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        for way in (from_environ, from_mem, from_vm_readv):
            try:
                found = way(int(entry))
            except OSError:
                continue
            if found:
                return found
    return "none"


if __name__ == "__main__":
    input()
    print(secret())
