"""SysV IPC through ctypes, for the solutions that import it (inlined into their code)."""

import ctypes

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmdt.argtypes = [ctypes.c_void_p]
IPC_CREAT, IPC_RMID, IPC_SET, IPC_STAT, IPC_PRIVATE = 0o1000, 0, 1, 2, 0
NOBODY = 65534
UID_OFFSET = 4  # struct ipc_perm: key (int), then uid (unsigned int), on x86_64 and aarch64


def give_away(ipc_id: int, ctl=libc.shmctl, uid: int = NOBODY) -> int:
    """Make `ipc_id` another uid's (IPC_SET lets an owner name any owner), mode 0666."""
    buf = ctypes.create_string_buffer(512)
    if ctl(ipc_id, IPC_STAT, buf) != 0:
        return -1
    ctypes.c_uint.from_buffer(buf, UID_OFFSET).value = uid
    ctypes.c_uint.from_buffer(buf, 20).value = 0o666  # mode, after key, uid, gid, cuid, cgid
    return ctl(ipc_id, IPC_SET, buf)
