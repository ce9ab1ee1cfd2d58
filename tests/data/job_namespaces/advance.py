# Advances every counter counters.py reads, as a job leaving an answer there would: 300 files
# in /tmp and in /dev/shm, 300 SysV segments, 20 processes.
import ctypes
import subprocess

libc = ctypes.CDLL(None)
for i in range(300):
    open(f"/tmp/a{i}", "w").close()
    open(f"/dev/shm/a{i}", "w").close()
    libc.shmget(0, 4096, 0o1600)
for _ in range(20):
    subprocess.run(["true"], check=True)
