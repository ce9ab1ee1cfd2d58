"""The cases' syscall filter (sandbox/syscall_filter.py) on its own.

Its program is read by a small BPF interpreter below, for every architecture it is built for;
then it is installed in child processes of this host (x86_64), which run the same programs as
the sandbox tests (tests/syscall_filter_programs/): every refused call gets its errno, where
an unfiltered run gets another answer, and honest code prints what it prints unfiltered.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox import syscall_filter as sf

PROGRAMS = Path(__file__).resolve().parent / "syscall_filter_programs"
ARCHES = sorted(sf.NUMBERS)
AUDIT_ARCH_I386, AUDIT_ARCH_ARM = 0x40000003, 0x40000028
SIGCHLD = 17
# glibc's thread flags (pthread_create), fork's and posix_spawn's (vfork-like): all honest.
THREAD_FLAGS = 0x3D0F00  # VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID
FORK_FLAGS = 0x01200000 | SIGCHLD  # CHILD_SETTID | CHILD_CLEARTID
SPAWN_FLAGS = 0x4100 | SIGCHLD  # VM | VFORK
NOT_SUPPORTED = errno.errorcode[errno.EOPNOTSUPP]  # "ENOTSUP" (the same number on Linux)
COMMON_CALLS = {  # read, write, openat, mmap, futex, exit_group
    "x86_64": (0, 1, 257, 9, 202, 231),
    "aarch64": (63, 64, 56, 222, 98, 94),
}


# --- the program, read by an interpreter ------------------------------------------------------


def run_bpf(program: bytes, nr: int, arch: int, *args: int) -> int:
    """What the kernel would return for one call: the subset of classic BPF the filter uses."""
    data = struct.pack("=IIQ6Q", nr & 0xFFFFFFFF, arch, 0, *args, *[0] * (6 - len(args)))
    instructions = [struct.unpack_from("=HBBI", program, i) for i in range(0, len(program), 8)]
    accumulator, pc = 0, 0
    while True:
        code, jt, jf, k = instructions[pc]
        pc += 1
        if code == sf.BPF_LD_W_ABS:
            (accumulator,) = struct.unpack_from("=I", data, k)
        elif code == sf.BPF_RET_K:
            return k
        elif code in (sf.BPF_JEQ_K, sf.BPF_JGE_K, sf.BPF_JSET_K):
            taken = {
                sf.BPF_JEQ_K: accumulator == k,
                sf.BPF_JGE_K: accumulator >= k,
                sf.BPF_JSET_K: bool(accumulator & k),
            }[code]
            pc += jt if taken else jf
        else:
            raise AssertionError(f"an instruction the interpreter does not know: {code:#x}")


def verdict(arch: str, nr: int, *args: int, audit_arch: int | None = None) -> str:
    result = run_bpf(sf.build_program(arch), nr, audit_arch or sf.AUDIT_ARCH[arch], *args)
    if result == sf.SECCOMP_RET_ALLOW:
        return "allow"
    assert result & 0xFFFF0000 == sf.SECCOMP_RET_ERRNO, hex(result)
    if result == sf.SECCOMP_RET_ERRNO:
        return "returns 0"  # without making the call
    return errno.errorcode[result & 0xFFFF]


@pytest.mark.parametrize("arch", ARCHES)
def test_every_refused_call_gets_eperm(arch):
    numbers = sf.NUMBERS[arch]
    assert {name: verdict(arch, numbers[name]) for name in sf.REFUSED} == dict.fromkeys(
        sf.REFUSED, "EPERM"
    )


@pytest.mark.parametrize("arch", ARCHES)
def test_ordinary_calls_pass(arch):
    assert [verdict(arch, nr) for nr in COMMON_CALLS[arch]] == ["allow"] * 6


@pytest.mark.parametrize("arch", ARCHES)
def test_clone_is_refused_only_with_a_namespace_flag(arch):
    clone = sf.NUMBERS[arch]["clone"]
    for flags in (THREAD_FLAGS, FORK_FLAGS, SPAWN_FLAGS, SIGCHLD):
        assert verdict(arch, clone, flags) == "allow", hex(flags)
    for name in ("NEWNS", "NEWCGROUP", "NEWUTS", "NEWIPC", "NEWUSER", "NEWPID", "NEWNET"):
        flag = getattr(sf, f"CLONE_{name}")
        assert verdict(arch, clone, flag | SIGCHLD) == "EPERM", name
        assert verdict(arch, clone, flag | THREAD_FLAGS) == "EPERM", name
    # Only the flags' low 32 bits mean anything to clone(): high bits set change nothing.
    assert verdict(arch, clone, (0xFFFFFFFF << 32) | FORK_FLAGS) == "allow"


@pytest.mark.parametrize("arch", ARCHES)
def test_clone3_gets_enosys_so_glibc_falls_back_to_clone(arch):
    assert verdict(arch, sf.NUMBERS[arch]["clone3"]) == "ENOSYS"


@pytest.mark.parametrize("arch", ARCHES)
def test_unreviewed_numbers_get_enosys(arch):
    assert verdict(arch, sf.FIRST_UNREVIEWED) == "ENOSYS"
    assert verdict(arch, 0x7FFFFFFF) == "ENOSYS"
    assert verdict(arch, -1 & 0xFFFFFFFF) == "ENOSYS"
    assert verdict(arch, sf.FIRST_UNREVIEWED - 1) == "EPERM"  # open_tree_attr, the last one


def test_x32_calls_are_refused():
    # x32's numbers are x86_64's | 0x40000000, on the same audit arch: getpid, memfd_create.
    assert verdict("x86_64", 0x40000000 | 39) == "ENOSYS"
    assert verdict("x86_64", 0x40000000 | 319) == "ENOSYS"


@pytest.mark.parametrize("arch", ARCHES)
def test_another_architectures_calls_are_all_refused(arch):
    for foreign in {*sf.AUDIT_ARCH.values(), AUDIT_ARCH_I386, AUDIT_ARCH_ARM} - {
        sf.AUDIT_ARCH[arch]
    }:
        for nr in (*COMMON_CALLS[arch], 20):  # 20: getpid on i386
            assert verdict(arch, nr, audit_arch=foreign) == "EPERM", (hex(foreign), nr)


@pytest.mark.parametrize("arch", ARCHES)
def test_personality_may_only_be_read_or_change_uname(arch):
    personality = sf.NUMBERS[arch]["personality"]
    for persona in (0, 0x8, 0xFFFFFFFF):
        assert verdict(arch, personality, persona) == "allow", hex(persona)
    # ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, MMAP_PAGE_ZERO, ADDR_COMPAT_LAYOUT
    for persona in (0x0040000, 0x0400000, 0x0100000, 0x0200000):
        assert verdict(arch, personality, persona) == "EPERM", hex(persona)


@pytest.mark.parametrize("arch", ARCHES)
def test_socket_buffers_may_not_be_raised(arch):
    setsockopt = sf.NUMBERS[arch]["setsockopt"]
    sol_socket, ipproto_tcp = 1, 6
    for option in (7, 8, 32, 33):  # SO_SNDBUF, SO_RCVBUF, SO_SNDBUFFORCE, SO_RCVBUFFORCE
        assert verdict(arch, setsockopt, 3, sol_socket, option) == "EPERM", option
    for level, option in ((sol_socket, 2), (sol_socket, 16), (ipproto_tcp, 7), (ipproto_tcp, 8)):
        # SO_REUSEADDR, SO_PASSCRED; TCP options that share the buffers' numbers
        assert verdict(arch, setsockopt, 3, level, option) == "allow", (level, option)


@pytest.mark.parametrize("arch", ARCHES)
def test_a_sockets_host_wide_cookie_may_not_be_read(arch):
    getsockopt = sf.NUMBERS[arch]["getsockopt"]
    sol_socket, ipproto_tcp, so_cookie = 1, 6, 57
    assert verdict(arch, getsockopt, 3, sol_socket, so_cookie) == "ENOPROTOOPT"
    assert verdict(arch, getsockopt, 3, (1 << 32) | sol_socket, so_cookie) == "ENOPROTOOPT"
    # SO_TYPE, SO_ERROR, SO_PEERCRED, SO_RCVBUF; a TCP option with the cookie's number
    for level, option in ((sol_socket, 3), (sol_socket, 4), (sol_socket, 17), (sol_socket, 8)):
        assert verdict(arch, getsockopt, 3, level, option) == "allow", option
    assert verdict(arch, getsockopt, 3, ipproto_tcp, so_cookie) == "allow"


@pytest.mark.parametrize("arch", ARCHES)
def test_only_unix_sockets_may_be_made(arch):
    af_unix, af_inet, af_inet6, af_netlink, af_packet, af_alg = 1, 2, 10, 16, 17, 38
    for call in ("socket", "socketpair"):
        nr = sf.NUMBERS[arch][call]
        assert verdict(arch, nr, af_unix, 1, 0) == "allow", call
        # the kernel reads an int: high bits set above AF_UNIX do not make it another family
        assert verdict(arch, nr, (1 << 32) | af_unix, 1, 0) == "allow", call
        for domain in (af_inet, af_inet6, af_netlink, af_packet, af_alg, 0):
            assert verdict(arch, nr, domain, 1, 0) == "EPERM", (call, domain)


@pytest.mark.parametrize("arch", ARCHES)
def test_pages_cannot_be_dropped_from_the_page_cache_or_probed_there(arch):
    # HOLE 5: which pages of the image's files are cached is seen by every sandbox.
    numbers = sf.NUMBERS[arch]
    dontneed, noreuse, willneed, sequential = 4, 5, 3, 2
    for advice in (dontneed, noreuse):
        assert verdict(arch, numbers["fadvise64"], 3, 0, 0, advice) == "returns 0", advice
    for advice in (willneed, sequential, 0):
        assert verdict(arch, numbers["fadvise64"], 3, 0, 0, advice) == "allow", advice
    madv_dontneed, madv_cold, madv_pageout, madv_willneed = 4, 20, 21, 3
    for advice in (madv_cold, madv_pageout):
        assert verdict(arch, numbers["madvise"], 1 << 20, 4096, advice) == "returns 0"
    for advice in (madv_dontneed, madv_willneed):  # a mapping's own pages: no cache dropped
        assert verdict(arch, numbers["madvise"], 1 << 20, 4096, advice) == "allow"
    rwf_hipri, rwf_nowait, rwf_append = 0x1, 0x8, 0x10
    for call in ("preadv2", "pwritev2"):
        for flags in (rwf_nowait, rwf_nowait | rwf_hipri, (1 << 32) | rwf_nowait):
            assert verdict(arch, numbers[call], 3, 0, 1, 0, 0, flags) == NOT_SUPPORTED, flags
        for flags in (0, rwf_hipri, rwf_append):
            assert verdict(arch, numbers[call], 3, 0, 1, 0, 0, flags) == "allow", flags
    assert verdict(arch, numbers["cachestat"], 3, 0, 0, 0) == "ENOSYS"


@pytest.mark.parametrize("arch", ARCHES)
def test_the_table_is_whole_and_unambiguous(arch):
    numbers = sf.NUMBERS[arch]
    ruled = {"clone", "clone3", "personality", "setsockopt", "getsockopt", "socket", "socketpair"}
    ruled |= {"fadvise64", "madvise", "preadv2", "pwritev2", "cachestat"}
    assert set(sf.REFUSED) | ruled == set(numbers)
    assert len(set(numbers.values())) == len(numbers)
    assert max(numbers.values()) < sf.FIRST_UNREVIEWED


HEADERS = {
    "x86_64": Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h"),
    "aarch64": Path("/usr/include/asm-generic/unistd.h"),
}


@pytest.mark.parametrize("arch", ARCHES)
def test_the_table_matches_the_kernel_headers(arch):
    header = HEADERS[arch]
    if not header.exists():
        pytest.skip(f"no {header} (linux-libc-dev)")
    defined = {
        name: int(number)
        for name, number in re.findall(r"#define __NR(?:3264)?_(\w+)\s+(\d+)", header.read_text())
    }
    known = {name: nr for name, nr in sf.NUMBERS[arch].items() if name in defined}
    assert known == {name: defined[name] for name in known}
    assert len(known) >= len(sf.NUMBERS[arch]) - 3  # older headers lack the newest calls


def test_a_jump_past_255_instructions_is_an_error_not_a_wrong_program():
    code = [(sf.BPF_JEQ_K, "far", None, 1), *[(sf.BPF_RET_K, 0, 0, 0)] * 256, "far"]
    code.append((sf.BPF_RET_K, 0, 0, sf.SECCOMP_RET_ALLOW))
    with pytest.raises(ValueError, match="out of range"):
        sf.assemble(code)


def test_a_block_entered_by_running_on_is_an_error():
    code = [(sf.BPF_JEQ_K, "allow", None, 1), "refuse", (sf.BPF_RET_K, 0, 0, 1)]
    with pytest.raises(ValueError, match="runs on into it"):
        sf.assemble([*code, "allow", (sf.BPF_RET_K, 0, 0, sf.SECCOMP_RET_ALLOW)])


def test_an_unknown_architecture_has_no_filter_and_install_refuses(monkeypatch):
    monkeypatch.setattr(
        sf.os, "uname", lambda: os.uname_result(("Linux", "h", "6", "1", "riscv64"))
    )
    assert sf.this_arch() is None
    monkeypatch.setattr(sf, "UNAVAILABLE", "no syscall filter for this architecture (riscv64)")
    with pytest.raises(sf.FilterError, match="riscv64"):
        sf.install()


# --- installed, on this host ------------------------------------------------------------------

needs_x86_64 = pytest.mark.skipif(
    sf.ARCH != "x86_64", reason="the probe programs use x86_64's numbers"
)


def program_output(name: str, stdin: str, filtered: bool) -> str:
    """The program's stdout, run by this interpreter with the filter installed or not."""
    done = subprocess.run(
        [sys.executable, "-I", str(PROGRAMS / f"{name}.py")],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=sf.install if filtered else None,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def probe_results(filtered: bool) -> dict[str, str]:
    lines = program_output("probe_refused", "1\n", filtered).splitlines()
    return dict(line.split(" ", 1) for line in lines)


@needs_x86_64
def test_each_refused_call_gets_its_errno_where_unfiltered_it_would_not():
    filtered, unfiltered = probe_results(True), probe_results(False)
    assert set(filtered) == set(unfiltered)
    expected = {name: "EPERM" for name in filtered} | {"clone3": "ENOSYS", "x32_getpid": "ENOSYS"}
    assert filtered == expected
    # The probes' arguments are harmless, yet each gets another answer unfiltered (so the
    # EPERM above is the filter's); as root even the privileged ones do. x32 has no entry on
    # most kernels (ENOSYS either way).
    if os.geteuid() == 0:
        same = {name for name in filtered if filtered[name] == unfiltered[name]}
        assert same <= {"x32_getpid"}, unfiltered
    assert unfiltered["memfd_create"].startswith("ok"), unfiltered
    assert unfiltered["unshare_newuser"] == "ok 0", unfiltered


@needs_x86_64
def test_honest_code_prints_the_same_filtered_and_unfiltered():
    filtered = program_output("honest_processes", "10\n", True)
    assert filtered == program_output("honest_processes", "10\n", False)
    assert "pool 55\n" in filtered and "asyncio 42 45\n" in filtered, filtered


@needs_x86_64
def test_a_filtered_process_cannot_drop_cached_pages_or_probe_for_them(tmp_path):
    # The file is this process's own, on the host's disk: mincore says whether a drop worked.
    filtered = dict(
        line.split(" ", 1)
        for line in program_output("page_cache_probe", f"{tmp_path}\n", True).splitlines()
    )
    unfiltered = dict(
        line.split(" ", 1)
        for line in program_output("page_cache_probe", f"{tmp_path}\n", False).splitlines()
    )
    assert filtered == {**PAGE_CACHE_FILTERED, "after_fadvise": "cached", "after_madvise": "cached"}
    # Unfiltered the same calls do what the filter stops: the drop takes the page out, and the
    # probes answer.
    assert unfiltered["after_fadvise"] == "dropped"
    assert unfiltered["preadv2_nowait"] == unfiltered["cachestat"] == "ok"
    assert unfiltered["preadv2_plain"] == filtered["preadv2_plain"]


# What page_cache_probe.py prints under the filter on any file (the residency lines only
# where the file is its own).
PAGE_CACHE_FILTERED = {
    "fadvise_dontneed": "ok",
    "madvise_pageout": "ok",
    "preadv2_nowait": NOT_SUPPORTED,
    "preadv2_plain": "ok",
    "cachestat": "ENOSYS",
}


def test_an_unprivileged_process_installs_it_too():
    # A case's process has dropped to its uid: no CAP_SYS_ADMIN, so no_new_privs must come
    # first. memfd_create answers whether the filter is there.
    if os.geteuid() != 0:
        pytest.skip("needs root to drop to another uid")
    libc = ctypes.CDLL(None, use_errno=True)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setresuid(65534, 65534, 65534)
            sf.install()
            no_new_privs = libc.prctl(39, 0, 0, 0, 0)  # PR_GET_NO_NEW_PRIVS
            try:
                os.memfd_create("probe")
                answer = "allowed"
            except OSError as exc:
                answer = errno.errorcode[exc.errno]
            os.write(write_end, f"{no_new_privs} {answer}".encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    _, status = os.waitpid(pid, 0)
    answer = os.read(read_end, 100).decode()
    os.close(read_end)
    assert (os.waitstatus_to_exitcode(status), answer) == (0, "1 EPERM")
