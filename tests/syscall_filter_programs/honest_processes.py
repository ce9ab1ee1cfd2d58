# Honest code under the cases' syscall filter: threads, fork, vfork and exec (subprocess),
# posix_spawn, a multiprocessing pool, asyncio with a subprocess, signals, timers, a ctypes
# callback (libffi closures), and the probes honest libraries make (personality's query,
# clone without a namespace flag). Prints one line per feature; the input is a number n.
import asyncio
import ctypes
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor


def square(x: int) -> int:
    return x * x


def threads(n: int) -> int:
    with ThreadPoolExecutor(4) as pool:
        total = sum(pool.map(square, range(n)))
    worker = threading.Thread(target=time.sleep, args=(0.01,))
    worker.start()
    worker.join()
    return total


def forked(n: int) -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(n % 7)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def spawned(n: int) -> int:
    pid = os.posix_spawn(sys.executable, [sys.executable, "-c", f"raise SystemExit({n % 5})"], {})
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def executed(n: int) -> str:
    done = subprocess.run(
        [sys.executable, "-c", "print(sum(map(int, input().split())))"],
        input=f"{n} {n}",
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def pool(n: int) -> int:
    with multiprocessing.get_context("fork").Pool(2) as workers:
        return sum(workers.map(abs, range(-n, 0)))


async def together(n: int) -> str:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "print(6 * 7)", stdout=asyncio.subprocess.PIPE
    )
    out, _ = await child.communicate()
    waits = await asyncio.gather(*[asyncio.sleep(0.001, result=i) for i in range(n)])
    return f"{out.decode().strip()} {sum(waits)}"


def signals() -> str:
    got: list[int] = []
    signal.signal(signal.SIGUSR1, lambda signum, frame: got.append(signum))
    signal.signal(signal.SIGALRM, lambda signum, frame: got.append(signum))
    os.kill(os.getpid(), signal.SIGUSR1)
    signal.setitimer(signal.ITIMER_REAL, 0.01)
    deadline = time.monotonic() + 5
    while len(got) < 2 and time.monotonic() < deadline:
        time.sleep(0.005)
    return " ".join(signal.Signals(s).name for s in got)


def callback(n: int) -> list[int]:
    values = (ctypes.c_int * n)(*range(n, 0, -1))
    compare = ctypes.CFUNCTYPE(
        ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int)
    )
    libc = ctypes.CDLL(None)
    libc.qsort(values, n, ctypes.sizeof(ctypes.c_int), compare(lambda a, b: a[0] - b[0]))
    return list(values)


def probes() -> str:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.personality.argtypes = [ctypes.c_ulong]  # as C passes it: Docker's profile reads 64 bits
    persona = libc.personality(0xFFFFFFFF)  # the query
    # clone(CLONE_THREAD) without CLONE_SIGHAND: the kernel's own EINVAL, not the filter's.
    libc.syscall.restype = ctypes.c_long
    plain = libc.syscall(ctypes.c_long(56), ctypes.c_long(0x00010000), 0, 0, 0, 0)
    einval = os.strerror(ctypes.get_errno())
    # Socket options other than the buffer sizes: SO_PASSCRED on a unix socket pair.
    left, right = socket.socketpair()
    left.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    passcred = left.getsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED)
    left.close()
    right.close()
    return f"{persona} {plain} {einval} {passcred}"


n = int(input())
print("threads", threads(n))
print("fork", forked(n))
print("posix_spawn", spawned(n))
print("subprocess", executed(n))
print("pool", pool(n))
print("asyncio", asyncio.run(together(n)))
print("signals", signals())
print("callback", callback(5))
print("time", time.process_time() > 0, time.perf_counter() > 0)
print("probes", probes())
