# Each case looks for the IPC objects an earlier case left, then leaves its own, given away to
# another uid (so a cleanup that removes "the case uid's objects" misses them). Prints
# "fresh" when nothing of an earlier case is there, else what it found.
from tests.redteam_v2.sysv import (
    IPC_CREAT,
    give_away,
    libc,
)

KEY = 0x5EED0


def found_and_leave() -> list[str]:
    found = []
    for kind, get, ctl, args in (
        ("shm", libc.shmget, libc.shmctl, (4096,)),
        ("sem", libc.semget, libc.semctl, (1,)),
        ("msg", libc.msgget, libc.msgctl, ()),
    ):
        ipc_id = get(KEY, *args, 0o666)
        if ipc_id >= 0:
            found.append(kind)
            continue
        ipc_id = get(KEY, *args, IPC_CREAT | 0o666)
        if ipc_id >= 0:
            give_away(ipc_id, ctl)
    return found


input()
stale = found_and_leave()
print("fresh" if not stale else "stale: " + ",".join(stale))
