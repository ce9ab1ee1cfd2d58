# Right, with 300 MiB of working storage under a 128 MiB memory limit: 20,000 SysV message
# queues holding two 8,000-byte messages each (a message's and a queue's default limits),
# read back with msgrcv.
from typing import ClassVar

from tests.redteam_v2.sysv import IPC_CREAT, IPC_PRIVATE, IPC_RMID, ctypes, libc

QUEUES = 20_000
PAYLOAD = 8000  # under MSGMAX (8192); two of them under MSGMNB (16384)
IPC_NOWAIT = 0o4000


class Message(ctypes.Structure):
    _fields_: ClassVar = [("mtype", ctypes.c_long), ("mtext", ctypes.c_char * PAYLOAD)]


n = int(input())
message = Message(1, bytes([n % 251]) * PAYLOAD)
queues = []
for _ in range(QUEUES):
    queue = libc.msgget(IPC_PRIVATE, IPC_CREAT | 0o600)
    sent = [libc.msgsnd(queue, ctypes.byref(message), PAYLOAD, IPC_NOWAIT) for _ in range(2)]
    if queue < 0 or sent != [0, 0]:
        break
    queues.append(queue)
total = 0
for queue in queues:
    received = Message()
    libc.msgrcv(queue, ctypes.byref(received), PAYLOAD, 0, IPC_NOWAIT)
    total += received.mtext[0]
    libc.msgctl(queue, IPC_RMID, None)
print(total // QUEUES + 1 if len(queues) == QUEUES else f"only {len(queues)} queues")
