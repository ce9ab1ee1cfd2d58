# Prints what a job can read of the kernel counters a warm sandbox's jobs share unless each
# job has namespaces of its own: its pid, the inode number a new file gets in /tmp and in
# /dev/shm, the id of a new SysV shared-memory segment; then how many capabilities it holds.
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)


def new_inode(directory: str) -> int:
    path = os.path.join(directory, "probe")
    with open(path, "w"):
        pass
    return os.stat(path).st_ino


segment = libc.shmget(0, 4096, 0o1600)  # IPC_PRIVATE, IPC_CREAT | 0600
with open("/proc/self/status") as f:
    effective = next(line.split()[1] for line in f if line.startswith("CapEff:"))
print(os.getpid(), new_inode("/tmp"), new_inode("/dev/shm"), segment, int(effective, 16))
