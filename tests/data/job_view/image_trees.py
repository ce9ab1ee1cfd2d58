# How the image's trees are mounted for a job: for each, its filesystem type (statfs's magic:
# tmpfs is 0x01021994), whether it is read-only, and whether the same file under / and under
# the copy's own mount are one inode (they must be: the job sees the copy).
import ctypes
import json
import os

TREES = ("/usr", "/etc", "/var", "/opt")
libc = ctypes.CDLL(None, use_errno=True)


class StatFs(ctypes.Structure):
    _fields_ = [("f_type", ctypes.c_long), ("rest", ctypes.c_byte * 112)]


def fs_type(path: str) -> str:
    buffer = StatFs()
    if libc.statfs(path.encode(), ctypes.byref(buffer)) != 0:
        return "error"
    return hex(buffer.f_type & 0xFFFFFFFF)


def writable(path: str) -> bool:
    try:
        with open(os.path.join(path, ".probe"), "w"):
            return True
    except OSError:
        return False


print(
    json.dumps(
        {
            tree: {
                "type": fs_type(tree),
                "read_only": bool(os.statvfs(tree).f_flag & os.ST_RDONLY),
                "writable": writable(tree),
            }
            for tree in TREES
        },
        sort_keys=True,
    )
)
