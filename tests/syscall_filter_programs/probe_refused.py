# Tries each class of call the cases' syscall filter refuses, with arguments the kernel would
# answer otherwise (a real fd, 0, or an errno other than EPERM for an unprivileged process),
# and prints one line per call: its name and what it got ("EPERM", "ENOSYS", "ok N", ...).
# x86_64 numbers (the test skips elsewhere).
import ctypes
import errno
import mmap
import os
import socket

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
CLONE_THREAD = 0x00010000
NAMESPACE_FLAGS = {
    "newns": 0x00020000,
    "newcgroup": 0x02000000,
    "newuts": 0x04000000,
    "newipc": 0x08000000,
    "newuser": 0x10000000,
    "newpid": 0x20000000,
    "newnet": 0x40000000,
}
ADDR_NO_RANDOMIZE = 0x0040000


def outcome(result: int) -> str:
    if result == -1:
        return errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
    return f"ok {result}"


def argument(value):
    return ctypes.c_long(value) if isinstance(value, int) else value  # bytes, None, buffers


def call(number: int, *args) -> str:
    return outcome(libc.syscall(ctypes.c_long(number), *map(argument, args)))


def own_memory_read() -> str:
    # process_vm_readv of 8 bytes of our own memory: allowed to any process, unfiltered.
    source = ctypes.create_string_buffer(b"rewardd!", 8)
    target = ctypes.create_string_buffer(8)
    local = (ctypes.c_void_p * 2)(ctypes.addressof(target), 8)
    remote = (ctypes.c_void_p * 2)(ctypes.addressof(source), 8)
    return call(310, os.getpid(), ctypes.addressof(local), 1, ctypes.addressof(remote), 1, 0)


def i386_getpid() -> str:
    # `mov eax, 20 (i386 getpid); int 0x80; ret`: a call through the 32-bit entry, whose
    # numbers are another table's; returns the pid, or minus an errno.
    code = b"\xb8\x14\x00\x00\x00\xcd\x80\xc3"
    page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    page.write(code)
    address = ctypes.addressof(ctypes.c_char.from_buffer(page))
    result = ctypes.CFUNCTYPE(ctypes.c_int)(address)()
    return f"ok {int(result == os.getpid())}" if result >= 0 else errno.errorcode[-result]


params = ctypes.create_string_buffer(120)  # struct io_uring_params, zeroed
pidfd = os.pidfd_open(os.getpid())
pair = socket.socketpair()
big = ctypes.c_int(1 << 24)  # SO_SNDBUF of 16 MiB (the kernel caps it at wmem_max)
probes = {
    "add_key": lambda: call(248, b"rewardd-no-such-type", b"x", None, 0, -4),
    "request_key": lambda: call(249, b"rewardd-no-such-type", b"x", None, 0),
    "keyctl": lambda: call(250, 9999),
    **{
        f"clone_{name}": lambda flag=flag: call(56, flag | CLONE_THREAD, 0, 0, 0, 0)
        for name, flag in NAMESPACE_FLAGS.items()
    },
    "clone3": lambda: call(435, None, 0),
    "setns": lambda: call(308, -1, 0),
    "open_tree": lambda: call(428, -100, b"/rewardd-no-such-dir", 0),
    "mount_setattr": lambda: call(442, -1, b"", 0, None, 0),
    "memfd_create": lambda: call(319, b"storage", 0),
    "memfd_secret": lambda: call(447, 0),
    "io_uring_setup": lambda: call(425, 1, params),
    "bpf": lambda: call(321, 9999, None, 0),
    "perf_event_open": lambda: call(298, None, 0, -1, -1, 0),
    "ptrace": lambda: call(101, 2, 0x7FFFFFF0, 0, 0),  # PEEKDATA of a pid no one has
    "process_vm_readv": own_memory_read,
    "kcmp": lambda: call(312, os.getpid(), os.getpid(), 0, 0, 0),  # KCMP_FILE 0 vs 0
    "pidfd_getfd": lambda: call(438, pidfd, 0, 0),
    "personality": lambda: call(135, ADDR_NO_RANDOMIZE),
    "setsockopt_sndbuf": lambda: call(
        54, pair[0].fileno(), socket.SOL_SOCKET, 7, ctypes.byref(big), 4
    ),
    "x32_getpid": lambda: call(0x40000000 | 39),
    "i386_getpid": i386_getpid,
    "unshare_all": lambda: call(272, -1),
    "unshare_newuser": lambda: call(272, NAMESPACE_FLAGS["newuser"] | NAMESPACE_FLAGS["newns"]),
}
# Refused as well, though an unprivileged process gets EPERM from the kernel anyway: root (the
# unit test's unfiltered control run) gets another answer for each (nothing exists to act on).
NOWHERE = b"/rewardd-no-such-dir"
privileged = {
    "mount": lambda: call(165, None, NOWHERE, b"tmpfs", 0, None),
    "umount2": lambda: call(166, NOWHERE, 0),
    "pivot_root": lambda: call(155, NOWHERE, NOWHERE),
    "chroot": lambda: call(161, NOWHERE),
    "fsopen": lambda: call(430, b"rewardd-no-such-fs", 0),
    "fsconfig": lambda: call(431, -1, 0, None, None, 0),
    "fsmount": lambda: call(432, -1, 0, 0),
    "fspick": lambda: call(433, -100, NOWHERE, 0),
    "move_mount": lambda: call(429, -1, b"", -1, b"", 0),
    "open_tree_attr": lambda: call(467, -100, NOWHERE, 0, None, 0),
    "syslog": lambda: call(103, 10, None, 0),  # SYSLOG_ACTION_SIZE_BUFFER
    "userfaultfd": lambda: call(323, 0x7FFFFFFF),
    "io_uring_enter": lambda: call(426, -1, 0, 0, 0, None, 0),
    "io_uring_register": lambda: call(427, -1, 0, None, 0),
    "process_vm_writev": lambda: call(311, -1, None, 0, None, 0, 0),
    "process_madvise": lambda: call(440, pidfd, None, 0, 0, 0),
    "kexec_load": lambda: call(246, 0, 0, None, 0xFFFF0000),
    "kexec_file_load": lambda: call(320, -1, -1, 0, None, 0xFFFF),
    "init_module": lambda: call(175, None, 0, b""),
    "finit_module": lambda: call(313, -1, b"", 0),
    "delete_module": lambda: call(176, b"rewardd_no_such_module", 0),
    "open_by_handle_at": lambda: call(304, -1, None, 0),
}
input()
for name, probe in {**privileged, **probes}.items():
    print(name, probe())
