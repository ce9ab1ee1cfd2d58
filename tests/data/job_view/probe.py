# What a job (a plain one, or a judge's case) sees of state other sandboxes or jobs share:
# the host's counters in /proc, the sandbox's cgroup (here and wherever a judge was shown it),
# locked memory, the host's socket cookies. Prints one JSON object, keys sorted.
import ctypes
import errno
import json
import os
import socket

HOST_COUNTERS = (
    "/proc/vmstat",
    "/proc/stat",
    "/proc/zoneinfo",
    "/proc/timer_list",
    "/proc/sys/fs/file-nr",
    "/proc/sys/fs/dentry-state",
)
SO_COOKIE = 57


def shown(path: str) -> object:
    """ "nothing" for an empty or absent file (this kernel may not have it), else its size."""
    try:
        with open(path, "rb") as f:
            return len(f.read()) or "nothing"
    except FileNotFoundError:
        return "nothing"
    except OSError as exc:
        return errno.errorcode[exc.errno]


def cgroup_counters_in_reach() -> list[str]:
    """Every cgroup counter file this process can read, here or under the judge's root."""
    found = []
    for top in ("/sys/fs/cgroup", "/judge"):
        for directory, _, names in os.walk(top):
            found += [
                os.path.join(directory, name)
                for name in names
                if name.startswith(("memory.", "cpuacct.", "cpu."))
                and os.access(os.path.join(directory, name), os.R_OK)
            ]
    return sorted(found)


def mlock() -> str:
    libc = ctypes.CDLL(None, use_errno=True)
    buffer = ctypes.create_string_buffer(4096)
    if libc.mlock(buffer, ctypes.c_size_t(4096)) == 0:
        return "locked"
    return errno.errorcode[ctypes.get_errno()]


def cookie() -> str:
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        try:
            s.getsockopt(socket.SOL_SOCKET, SO_COOKIE, 8)
            return "read"
        except OSError as exc:
            return errno.errorcode[exc.errno]


print(
    json.dumps(
        {
            "host_counters": {path: shown(path) for path in HOST_COUNTERS},
            "cgroup_counters": cgroup_counters_in_reach(),
            "mlock": mlock(),
            "socket_cookie": cookie(),
            "meminfo_readable": shown("/proc/meminfo") != "nothing",
        },
        sort_keys=True,
    )
)
