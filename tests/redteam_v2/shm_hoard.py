# Wrong, and first fills the sandbox's memory with SysV shared memory that no process maps:
# none of it is any process's resident memory, and the segments outlive the process.
from tests.redteam_v2.sysv import (
    IPC_CREAT,
    IPC_PRIVATE,
    ctypes,
    give_away,
    libc,
)

SEGMENT = 4 << 20
TARGET = 1600 << 20


def hoard() -> int:
    held = 0
    while held < TARGET:
        ipc_id = libc.shmget(IPC_PRIVATE, SEGMENT, IPC_CREAT | 0o600)
        if ipc_id < 0:
            break
        address = libc.shmat(ipc_id, None, 0)
        if address in (None, ctypes.c_void_p(-1).value):
            break
        ctypes.memset(address, 1, SEGMENT)
        libc.shmdt(address)
        give_away(ipc_id)
        held += SEGMENT
    return held


input()
hoard()
print("wrong")
