# A wrong solution: it computes nothing; one thread per word waits (FUTEX_WAIT) on the same
# read-only shared mapping another sandbox's right solution wakes (see futex_leaker.py),
# and it prints the bits whose waiters were woken ("none" when nothing came).
import ctypes
import os
import threading
import time

BITS = 15
SYS_FUTEX = 202  # x86_64
FUTEX_WAIT = 0


class Timespec(ctypes.Structure):
    _fields_ = [("sec", ctypes.c_long), ("nsec", ctypes.c_long)]


libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                      ctypes.c_int, ctypes.c_long]  # fmt: skip
fd = os.open(os.path.realpath(os.__file__), os.O_RDONLY)
base = libc.mmap(None, 4096, 1, 1, fd, 0)  # PROT_READ, MAP_SHARED
woken: set[int] = set()


def wait(bit):
    word = base + 4 * bit
    value = ctypes.c_uint32.from_address(word).value
    timeout = Timespec(3, 0)
    while True:
        if libc.syscall(SYS_FUTEX, ctypes.c_void_p(word), FUTEX_WAIT, value,
                        ctypes.byref(timeout), None, 0) == 0:  # fmt: skip
            woken.add(bit)
            return
        if ctypes.get_errno() != 4:  # EINTR: again; ETIMEDOUT, EAGAIN: done
            return


for bit in range(BITS + 1):
    threading.Thread(target=wait, args=(bit,), daemon=True).start()
found = "none"
deadline = time.monotonic() + 3
while time.monotonic() < deadline:
    if BITS in woken:
        time.sleep(0.05)
        found = str(sum(1 << bit for bit in woken if bit < BITS))
        break
    time.sleep(0.01)
print(found, flush=True)
os._exit(0)
