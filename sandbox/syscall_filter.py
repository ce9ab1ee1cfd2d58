"""The syscall filter of every case process: one seccomp-BPF program, on every backend.

The zygote's fork of each case process (the solution's, the tester's, a checker's) installs it
in `become_case`, after the uid and the rlimits are set and before the role's program runs;
the case's children, threads and exec'd programs inherit it and cannot remove it. Docker's own
seccomp profile refuses some of the same calls; bubblewrap has none, so this filter is what
makes both backends give the same guarantees (docs/rewards-code.md, "Syscall filter").

A refused call fails with an errno, never a kill: honest code that probes for a feature
(glibc trying clone3, a library trying memfd_create) sees the feature missing and goes on, and
a killed case would read as the judge's failure. Everything not refused here is allowed (a
deny list: the image's honest programs need the rest), except numbers past the last one we
reviewed, which get ENOSYS as on an older kernel, so a new kernel's new calls stay refused
until someone reads them.

Stdlib only: the judge runs in the sandbox image's python and, on bubblewrap, the host's.
The program is built once, at import, for this interpreter's architecture (x86_64, aarch64);
on any other one `UNAVAILABLE` says why and `install` raises, so the case fails: cases never
run unfiltered.
"""

from __future__ import annotations

import ctypes
import errno
import os
import struct

# --- the kernel's constants (linux/filter.h, linux/seccomp.h, linux/audit.h, linux/sched.h) --

BPF_LD_W_ABS = 0x00 | 0x00 | 0x20  # BPF_LD | BPF_W | BPF_ABS: A = the 32-bit word at k
BPF_JEQ_K = 0x05 | 0x10 | 0x00  # BPF_JMP | BPF_JEQ | BPF_K: A == k ?
BPF_JGE_K = 0x05 | 0x30 | 0x00  # A >= k ? (unsigned)
BPF_JSET_K = 0x05 | 0x40 | 0x00  # A & k ?
BPF_RET_K = 0x06 | 0x00  # return k
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
BPF_MAXINSNS = 4096

# struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6].
# Both architectures are little-endian: an argument's low 32 bits come first.
OFFSET_NR = 0
OFFSET_ARCH = 4
OFFSET_ARG0_LOW = 16

AUDIT_ARCH_X86_64 = 0xC000003E  # EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE
AUDIT_ARCH_AARCH64 = 0xC00000B7  # EM_AARCH64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE

# clone()'s namespace flags. CLONE_NEWTIME (0x80) is not one of them: in clone()'s flags that
# bit belongs to the exit signal (CSIGNAL), and a new time namespace needs unshare or clone3,
# both refused whole.
CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_NEW_ANY = (
    CLONE_NEWNS
    | CLONE_NEWCGROUP
    | CLONE_NEWUTS
    | CLONE_NEWIPC
    | CLONE_NEWUSER
    | CLONE_NEWPID
    | CLONE_NEWNET
)

# setsockopt(SOL_SOCKET, ...) options that raise a socket's buffer past the system's default:
# SO_SNDBUF, SO_RCVBUF (up to net.core.wmem_max/rmem_max, 4 MiB here) and their FORCE forms.
SOL_SOCKET = 1
SOCKET_BUFFER_OPTIONS = (7, 8, 32, 33)

# getsockopt(SOL_SOCKET, SO_COOKIE) hands a socket the next number of one counter for the
# whole host kernel (not per namespace or cgroup), which nothing else here asks for: a case
# that asks for cookies until the counter reads its answer leaves it for a case in any other
# sandbox to read with one call (red team v4, HOLE 4). ENOPROTOOPT, as on a kernel without it.
SO_COOKIE = 57

# socket() and socketpair() may make Unix sockets only. The sandboxes have no network, but the
# loopback is up: TCP over it autotunes each connection's queues to megabytes with no
# setsockopt at all (120 connections held 440 MiB under a 128 MiB limit), and cgroup v1's
# memory counter, Docker's here, leaves TCP memory out. Honest programs use AF_UNIX
# (socketpair, asyncio's self-pipe, multiprocessing); netlink, packet and crypto sockets are
# kernel surfaces no case needs.
AF_UNIX = 1

# personality() values that only change what uname() says (the ones Docker's profile allows
# too), and 0xffffffff, which only reads the current persona.
HARMLESS_PERSONAS = (0x0, 0x8, 0x20000, 0x20008, 0xFFFFFFFF)  # PER_LINUX, PER_LINUX32, UNAME26

# The host's page cache holds the image's files (and on bubblewrap the host's) for every
# sandbox at once: which pages are cached is state one case can set and a case in another
# sandbox can read (HOLE 5: a right solution dropped or read chosen pages, a wrong one read its
# answer back). Filling the cache cannot be refused (every read does), so the runner caches
# every page a case can read before any case runs (runner.warm_page_cache), and the filter
# refuses what takes pages out again or reports on them without a read:
# - fadvise(DONTNEED or NOREUSE) and madvise(MADV_COLD or MADV_PAGEOUT) on a file succeed and
#   do nothing (advice the kernel may ignore anyway, so honest code is not told no);
# - preadv2 and pwritev2 with RWF_NOWAIT fail with EOPNOTSUPP, as on a filesystem without it
#   (a read that fails on an uncached page is a probe of the cache);
# - cachestat (a file's cache state in one call) gets ENOSYS, as on an older kernel.
POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE = 4, 5
MADV_COLD, MADV_PAGEOUT = 20, 21
RWF_NOWAIT = 0x8

# Numbers from 468 up are calls this table has not reviewed (all architectures share their
# numbers from 403 up): ENOSYS, as on an older kernel, which glibc and Python fall back from.
# On x86_64 the same comparison refuses the x32 ABI (nr | 0x40000000: another table, whose
# numbers would slip past every check below) and negative numbers (compared unsigned).
FIRST_UNREVIEWED = 468

# --- what every case process is refused, and why ------------------------------------------
# Each call is refused whole with EPERM; clone, clone3, personality, setsockopt, socket and
# socketpair have rules of their own below. Calls that need a capability the case never holds
# are listed when a leaked capability would make them an escape.

REFUSED = (
    # State outside every case: kernel keys live in the kernel, keyed by uid, and outlive the
    # case and the job (a key left open to all is an answer channel; HOLE 6). The kernel log
    # keeps what a case made the kernel print (a segfault's address): another channel.
    "add_key",
    "request_key",
    "keyctl",
    "syslog",
    # Namespaces and mounts: a user namespace of its own gives a case mount rights, and a
    # tmpfs there is memory no process and no cgroup is charged for (HOLE 9); other
    # namespaces or mounts would change what the judge's cleanup and meters see.
    "unshare",
    "setns",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "open_tree",
    "open_tree_attr",
    "move_mount",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    # Memory no process maps: a memfd's pages, written with pwrite and never mapped, are no
    # process's resident memory, so the per-case meter misses them (HOLE 10); secret memory
    # is not even in the page cache.
    "memfd_create",
    "memfd_secret",
    # Work the filter never sees: io_uring performs reads, writes, opens and more in the
    # kernel's own threads, without a syscall this filter could check; a BPF program runs in
    # the kernel; userfaultfd stalls the kernel mid-copy (the usual tool of kernel races).
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "bpf",
    "userfaultfd",
    # Other processes: reading or steering another process (of the case or, where one uid is
    # shared, of the judge), counting its events (perf counters are also a side channel and
    # a large kernel surface), taking its fds or comparing its kernel objects.
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "process_madvise",
    "pidfd_getfd",
    "kcmp",
    "perf_event_open",
    # Changing the kernel, or opening files by handle past every mount (Docker's 2014
    # escape): they need capabilities a case never holds, refused in case one leaks.
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "open_by_handle_at",
)

# The numbers of the calls above (and of the four with rules), per architecture: x86_64's own
# table (arch/x86/entry/syscalls/syscall_64.tbl), aarch64's the generic one
# (include/uapi/asm-generic/unistd.h). Numbers from 403 up are the same everywhere.
SHARED_NUMBERS = {
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
    "clone3": 435,
    "pidfd_getfd": 438,
    "process_madvise": 440,
    "mount_setattr": 442,
    "memfd_secret": 447,
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "cachestat": 451,
    "open_tree_attr": 467,
}
NUMBERS = {
    "x86_64": {
        **SHARED_NUMBERS,
        "add_key": 248,
        "request_key": 249,
        "keyctl": 250,
        "syslog": 103,
        "unshare": 272,
        "setns": 308,
        "clone": 56,
        "mount": 165,
        "umount2": 166,
        "pivot_root": 155,
        "chroot": 161,
        "memfd_create": 319,
        "bpf": 321,
        "userfaultfd": 323,
        "ptrace": 101,
        "process_vm_readv": 310,
        "process_vm_writev": 311,
        "kcmp": 312,
        "perf_event_open": 298,
        "kexec_load": 246,
        "kexec_file_load": 320,
        "init_module": 175,
        "finit_module": 313,
        "delete_module": 176,
        "open_by_handle_at": 304,
        "personality": 135,
        "setsockopt": 54,
        "getsockopt": 55,
        "socket": 41,
        "socketpair": 53,
        "fadvise64": 221,
        "madvise": 28,
        "preadv2": 327,
        "pwritev2": 328,
    },
    "aarch64": {
        **SHARED_NUMBERS,
        "add_key": 217,
        "request_key": 218,
        "keyctl": 219,
        "syslog": 116,
        "unshare": 97,
        "setns": 268,
        "clone": 220,
        "mount": 40,
        "umount2": 39,
        "pivot_root": 41,
        "chroot": 51,
        "memfd_create": 279,
        "bpf": 280,
        "userfaultfd": 282,
        "ptrace": 117,
        "process_vm_readv": 270,
        "process_vm_writev": 271,
        "kcmp": 272,
        "perf_event_open": 241,
        "kexec_load": 104,
        "kexec_file_load": 294,
        "init_module": 105,
        "finit_module": 273,
        "delete_module": 106,
        "open_by_handle_at": 265,
        "personality": 92,
        "setsockopt": 208,
        "getsockopt": 209,
        "socket": 198,
        "socketpair": 199,
        "fadvise64": 223,
        "madvise": 233,
        "preadv2": 286,
        "pwritev2": 287,
    },
}
AUDIT_ARCH = {"x86_64": AUDIT_ARCH_X86_64, "aarch64": AUDIT_ARCH_AARCH64}


# --- the program --------------------------------------------------------------------------


def build_program(arch: str) -> bytes:
    """The filter for `arch` ("x86_64" or "aarch64"), as packed struct sock_filter."""
    numbers = NUMBERS[arch]
    code: list[tuple] = [
        # A call made through another architecture's entry (int 0x80 on x86_64, AArch32)
        # carries that table's numbers: refuse every one.
        (BPF_LD_W_ABS, 0, 0, OFFSET_ARCH),
        (BPF_JEQ_K, None, "refuse", AUDIT_ARCH[arch]),
        (BPF_LD_W_ABS, 0, 0, OFFSET_NR),
        (BPF_JGE_K, "unreviewed", None, FIRST_UNREVIEWED),
        # glibc tries clone3 first for threads and posix_spawn, and falls back to clone on
        # ENOSYS, whose flags we can read (clone3's are behind a pointer).
        *dispatch(
            sorted(
                [(numbers[name], "refuse") for name in REFUSED]
                + [(numbers["clone"], "clone"), (numbers["clone3"], "unreviewed")]
                + [(numbers["personality"], "personality"), (numbers["setsockopt"], "setsockopt")]
                + [(numbers["getsockopt"], "getsockopt")]
                + [(numbers["socket"], "socket"), (numbers["socketpair"], "socket")]
                + [(numbers["fadvise64"], "fadvise"), (numbers["madvise"], "madvise")]
                + [(numbers["preadv2"], "rw_flags"), (numbers["pwritev2"], "rw_flags")]
                + [(numbers["cachestat"], "unreviewed")]
            ),
            otherwise="allow",
        ),
        # Threads, fork and vfork pass; a new namespace of any kind does not.
        "clone",
        (BPF_LD_W_ABS, 0, 0, OFFSET_ARG0_LOW),  # the kernel reads clone's flags' low 32 bits
        (BPF_JSET_K, "refuse", "allow", CLONE_NEW_ANY),
        # ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, MMAP_PAGE_ZERO and the rest undo ASLR or NX for
        # the programs the case executes next: exploit aids, never needed by honest code.
        "personality",
        (BPF_LD_W_ABS, 0, 0, OFFSET_ARG0_LOW),
        *[(BPF_JEQ_K, "allow", None, persona) for persona in HARMLESS_PERSONAS[:-1]],
        (BPF_JEQ_K, "allow", "refuse", HARMLESS_PERSONAS[-1]),
        # Data queued in a socket is no process's memory either: with buffers raised to 8 MiB,
        # the 126 socket pairs a case's fds allow held 988 MiB under a 128 MiB limit on
        # bubblewrap; at the default size they hold 28 MiB.
        "setsockopt",
        (BPF_LD_W_ABS, 0, 0, OFFSET_ARG0_LOW + 8),  # level
        (BPF_JEQ_K, None, "allow", SOL_SOCKET),
        (BPF_LD_W_ABS, 0, 0, OFFSET_ARG0_LOW + 16),  # optname
        *[(BPF_JEQ_K, "refuse", None, option) for option in SOCKET_BUFFER_OPTIONS[:-1]],
        (BPF_JEQ_K, "refuse", "allow", SOCKET_BUFFER_OPTIONS[-1]),
        "getsockopt",
        (BPF_LD_W_ABS, 0, 0, OFFSET_ARG0_LOW + 8),  # level
        (BPF_JEQ_K, None, "allow", SOL_SOCKET),
        (BPF_LD_W_ABS, 0, 0, OFFSET_ARG0_LOW + 16),  # optname
        (BPF_JEQ_K, "no_such_option", "allow", SO_COOKIE),
        # The domain is an int: the kernel reads the argument's low 32 bits.
        "socket",
        (BPF_LD_W_ABS, 0, 0, OFFSET_ARG0_LOW),
        (BPF_JEQ_K, "allow", "refuse", AF_UNIX),
        # fadvise64(fd, offset, len, advice) on both (aarch64's is fadvise64_64, same order).
        "fadvise",
        (BPF_LD_W_ABS, 0, 0, OFFSET_ARG0_LOW + 24),
        (BPF_JEQ_K, "do_nothing", None, POSIX_FADV_DONTNEED),
        (BPF_JEQ_K, "do_nothing", "allow", POSIX_FADV_NOREUSE),
        # madvise(addr, len, advice)
        "madvise",
        (BPF_LD_W_ABS, 0, 0, OFFSET_ARG0_LOW + 16),
        (BPF_JEQ_K, "do_nothing", None, MADV_COLD),
        (BPF_JEQ_K, "do_nothing", "allow", MADV_PAGEOUT),
        # preadv2 / pwritev2(fd, iov, iovcnt, pos_l, pos_h, flags): flags is an int.
        "rw_flags",
        (BPF_LD_W_ABS, 0, 0, OFFSET_ARG0_LOW + 40),
        (BPF_JSET_K, "unsupported", "allow", RWF_NOWAIT),
        "do_nothing",
        (BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | 0),  # the call returns 0, and was never made
        "no_such_option",
        (BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.ENOPROTOOPT),
        "unsupported",
        (BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.EOPNOTSUPP),
        "refuse",
        (BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.EPERM),
        "unreviewed",
        (BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.ENOSYS),
        "allow",
        (BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
    ]
    return assemble(code)


def dispatch(cases: list[tuple[int, str]], otherwise: str) -> list:
    """A binary search on A (the call's number) through sorted (number, label) cases: a jump
    to the label of A's case, else to `otherwise`. About 7 comparisons for any call instead of
    one per case: the kernel runs the filter once per call number when it is installed (to
    cache the verdicts that depend on the number only), so this is most of what installing
    it costs."""
    if len(cases) <= 3:
        *first, (last, label) = cases
        return [
            *[(BPF_JEQ_K, to, None, nr) for nr, to in first],
            (BPF_JEQ_K, label, otherwise, last),
        ]
    middle = len(cases) // 2
    upper = f"calls from {cases[middle][0]}"
    return [
        (BPF_JGE_K, upper, None, cases[middle][0]),
        *dispatch(cases[:middle], otherwise),
        upper,
        *dispatch(cases[middle:], otherwise),
    ]


def assemble(code: list) -> bytes:
    """Instructions (code, jt, jf, k) and label strings to sock_filter bytes. A jump's jt or jf
    is a label, or None for the next instruction (BPF jumps only forward, at most 255)."""
    labels: dict[str, int] = {}
    instructions: list[tuple] = []
    for entry in code:
        if isinstance(entry, str):
            # A labelled block is entered by its jumps only: the one above must not run on
            # into it (a missed case would take the next block's verdict).
            if instructions and falls_through(instructions[-1]):
                raise ValueError(f"the instruction before {entry!r} runs on into it")
            labels[entry] = len(instructions)
        else:
            instructions.append(entry)
    if len(instructions) > BPF_MAXINSNS:
        raise ValueError("a seccomp program of more than 4096 instructions")

    def offset(target: object, index: int) -> int:
        if target is None or isinstance(target, int):
            return target or 0
        distance = labels[str(target)] - index - 1
        if not 0 <= distance <= 255:
            raise ValueError(f"jump to {target!r} out of range ({distance})")
        return distance

    return b"".join(
        struct.pack("=HBBI", op, offset(jt, i), offset(jf, i), k)
        for i, (op, jt, jf, k) in enumerate(instructions)
    )


def falls_through(instruction: tuple) -> bool:
    op, jt, jf, _ = instruction
    return op != BPF_RET_K and (op == BPF_LD_W_ABS or jt is None or jf is None)


def this_arch() -> str | None:
    """The architecture whose syscall table this interpreter's calls use, or None."""
    machine = os.uname().machine
    # The pointer size tells a 64-bit interpreter from a 32-bit one (i386, x32, AArch32) on a
    # 64-bit kernel: those use another table, which we have not built.
    if machine in NUMBERS and struct.calcsize("P") == 8:
        return machine
    return None


ARCH = this_arch()
UNAVAILABLE = (
    None
    if ARCH is not None
    else (
        f"no syscall filter for this architecture ({os.uname().machine}, "
        f"{struct.calcsize('P') * 8}-bit python): cases do not run unfiltered"
    )
)
PROGRAM = build_program(ARCH) if ARCH is not None else b""


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


# Built once, in the zygote: installing it in a fork only copies it into the kernel.
_program_buffer = ctypes.create_string_buffer(PROGRAM, len(PROGRAM) or 1)
_fprog = SockFprog(len(PROGRAM) // 8, ctypes.cast(_program_buffer, ctypes.c_void_p))
_libc = ctypes.CDLL(None, use_errno=True)
# prctl is variadic: each argument passed as a full unsigned long (the kernel checks that the
# unused ones are 0, and a 32-bit int leaves a register's upper half undefined).
_prctl = _libc.prctl
_prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
_prctl.restype = ctypes.c_int


class FilterError(OSError):
    """The filter could not be installed: the process must not go on to run a case."""


def install() -> None:
    """Install the filter in this process (and everything it will start); raises FilterError.

    no_new_privs first: it lets a process without CAP_SYS_ADMIN install a filter, and no exec
    of a setuid program can then gain what the filter was meant to keep out."""
    if UNAVAILABLE is not None:
        raise FilterError(errno.ENOSYS, UNAVAILABLE)
    if _prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        code = ctypes.get_errno()
        raise FilterError(code, f"PR_SET_NO_NEW_PRIVS: {os.strerror(code)}")
    if _prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(_fprog), 0, 0) != 0:
        code = ctypes.get_errno()
        raise FilterError(code, f"PR_SET_SECCOMP: {os.strerror(code)}")
