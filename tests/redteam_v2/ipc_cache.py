# Computes its answer once, and caches it in a SysV segment given away to another uid; a
# repeat of the case (a timing run) reads the cache and is nearly free.
from tests.redteam_v2.sysv import (
    IPC_CREAT,
    ctypes,
    give_away,
    libc,
)

KEY = 0x5EED1


def work(n: int) -> int:
    return sum(i * i % 7 for i in range(n))


def cached(n: int) -> int:
    ipc_id = libc.shmget(KEY, 64, 0o666)
    if ipc_id >= 0:
        address = libc.shmat(ipc_id, None, 0)
        return int(ctypes.string_at(address, 64).rstrip(b"\0"))
    answer = work(n)
    ipc_id = libc.shmget(KEY, 64, IPC_CREAT | 0o666)
    if ipc_id >= 0:
        address = libc.shmat(ipc_id, None, 0)
        ctypes.memmove(address, str(answer).encode(), len(str(answer)))
        libc.shmdt(address)
        give_away(ipc_id)
    return answer


print(cached(int(input())))
