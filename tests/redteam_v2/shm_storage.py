# Right, with 600 MiB of working storage under a 128 MiB memory limit: SysV segments of
# 4 MiB, each mapped only while it is written or read, so at most one of them is ever in
# the process's address space or resident memory.
from tests.redteam_v2.sysv import IPC_CREAT, IPC_PRIVATE, IPC_RMID, ctypes, libc

SEGMENT = 4 << 20
SEGMENTS = 150


def mapped(ipc_id: int):
    return libc.shmat(ipc_id, None, 0)


n = int(input())
segments = [libc.shmget(IPC_PRIVATE, SEGMENT, IPC_CREAT | 0o600) for _ in range(SEGMENTS)]
assert min(segments) >= 0, "no segment"
for ipc_id in segments:
    address = mapped(ipc_id)
    ctypes.memset(address, n % 251, SEGMENT)
    libc.shmdt(address)
total = 0
for ipc_id in segments:
    address = mapped(ipc_id)
    total += ctypes.string_at(address + SEGMENT - 1, 1)[0]
    libc.shmdt(address)
    libc.shmctl(ipc_id, IPC_RMID, None)
print(total // SEGMENTS + 1)
