"""Separate principals: a judge job's cases cannot reach the judge, and cleanup cannot be stopped.

A judge job (ExecutionRequest.judge) runs tests/sandbox/fake_judge.py, which uses the
runner's interface the way the real judge does (docs/sandbox.md, "Judge jobs"), against every
backend that can give a judge its own uid: Docker, and bwrap run as root.
"""

from __future__ import annotations

import dataclasses
import json
import os
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import ExecutionRequest, ExecutionResult, Sandbox
from sandbox.docker_backend import DockerSandbox
from sandbox.local_backend import BwrapSandbox
from sandbox.runner import JUDGE_ENTRY
from tests.sandbox.conftest import TEST_SETTINGS, assert_healthy
from tests.sandbox.test_docker_pool import our_containers
from tests.sandbox.test_hostile import run

HERE = Path(__file__).resolve().parent
SANDBOX_DIR = HERE.parent.parent / "sandbox"


@pytest.fixture(autouse=True)
def _needs_root_for_bwrap(request):
    if "bwrap" in request.node.name and os.geteuid() != 0:
        pytest.skip("bwrap gives a judge separate principals only when run as root")


def judge_files() -> dict[str, str]:
    return {
        JUDGE_ENTRY: (HERE / "fake_judge.py").read_text(),
        "sandbox/procutil.py": (SANDBOX_DIR / "procutil.py").read_text(),
    }


def run_case(sandbox: Sandbox, case_code: str) -> tuple[dict, ExecutionResult]:
    """Run case_code as the one case of a fake judge; the judge's report and the result."""
    result = sandbox.execute(
        ExecutionRequest(
            code="",
            stdin=textwrap.dedent(case_code),
            files=judge_files(),
            judge=True,
            timeout_s=10,
        )
    )
    assert result.status == "ok", result
    lines = result.stdout.splitlines()
    return json.loads(lines[-1]), result


ATTACK = """
import ctypes, os, resource, signal
judge = int(os.environ["JUDGE_PID"])
scratch, files = os.environ["JUDGE_SCRATCH"], os.environ["JUDGE_FILES"]
libc = ctypes.CDLL(None, use_errno=True)

def attempt(name, action):
    try:
        action()
        print("DID", name, flush=True)
    except OSError as exc:
        print("denied", name, type(exc).__name__, flush=True)

def ptrace_attach():
    if libc.ptrace(16, judge, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "ptrace")

attempt("write the judge's scratch", lambda: open(scratch + "/marker", "w").write("pwned"))
attempt("create in the judge's scratch", lambda: open(scratch + "/new", "w"))
attempt("list the judge's scratch", lambda: os.listdir(scratch))
attempt("write the judge's files", lambda: open(files + "/sandbox/procutil.py", "a").write("#"))
attempt("plant a module", lambda: open(files + "/sandbox/judge/shutil.py", "w"))
attempt("plant a module at the top", lambda: open(files + "/shutil.py", "w"))
attempt("write /judge", lambda: open("/judge/x", "w"))
for sig in (signal.SIGSTOP, signal.SIGTERM, signal.SIGUSR1, signal.SIGKILL):
    attempt("signal " + sig.name, lambda: os.kill(judge, sig))
attempt("signal the judge's group", lambda: os.killpg(os.getpgid(judge), signal.SIGSTOP))
attempt("prlimit", lambda: resource.prlimit(judge, resource.RLIMIT_CPU, (1, 1)))
attempt("ptrace", ptrace_attach)
attempt("read the judge's memory", lambda: open(f"/proc/{judge}/mem", "rb").read(1))
attempt("read the judge's environ", lambda: open(f"/proc/{judge}/environ", "rb").read())
try:
    os.kill(-1, signal.SIGSTOP)  # whatever it can reach
except OSError:
    pass
# Fill every place the case can write: its dir's tmpfs (bytes, then inodes), /tmp, /dev/shm.
for place in (".", "/tmp", "/dev/shm"):
    n = 0
    try:
        while True:
            with open(f"{place}/fill-{os.getpid()}-{n}", "wb") as f:
                f.write(b"x" * (4 << 20))
            n += 1
    except OSError:
        pass
try:
    for n in range(10_000):
        open(f"inode-{n}", "w").close()
except OSError:
    pass
print("case done", flush=True)
"""


@pytest.mark.parametrize(
    "backend", [pytest.param("docker", marks=pytest.mark.docker), pytest.param("bwrap")]
)
def test_a_case_cannot_touch_the_judge(backend, request):
    sandbox = request.getfixturevalue(f"{backend}_sandbox")
    report, result = run_case(sandbox, ATTACK)
    case_lines = result.stdout.splitlines()[:-1]
    assert "case done" in case_lines, result
    did = [line for line in case_lines if line.startswith("DID")]
    assert did == [], did
    assert len([line for line in case_lines if line.startswith("denied")]) == 16
    assert report["judge_state"] in ("S", "R"), report  # not stopped, not killed
    judge = report["judge"]
    assert judge is not None, report
    assert judge["marker"] == "intact"
    assert judge["scratch"] == ["after-case", "marker"]
    assert judge["signals"] == []
    assert judge["can_write_scratch"], "a case filled the judge's scratch space"
    assert judge["rlimit_cpu"] == [11, 12]  # the 10 s budget plus the stop margin
    assert report["survivors"] == 0
    assert_healthy(sandbox)


FORK_CHAIN = """
import os, time
if os.fork() == 0:
    os.setsid()
    while True:  # each link forks the next and exits: no pid lives long enough to be killed
        if os.fork():
            os._exit(0)
print("chain started", flush=True)
"""


@pytest.mark.parametrize(
    "backend", [pytest.param("docker", marks=pytest.mark.docker), pytest.param("bwrap")]
)
def test_a_fork_chain_dies_with_its_case(backend, request):
    sandbox = request.getfixturevalue(f"{backend}_sandbox")
    report, result = run_case(sandbox, FORK_CHAIN)
    assert "chain started" in result.stdout
    assert report["case_exit"] == 0
    # One kill_uid of the case's uid ends the whole chain: nothing lives into the next case.
    assert report["survivors"] == 0, report
    assert report["judge"]["signals"] == []
    assert_healthy(sandbox)


STOP_EVERYTHING = """
import os, signal
parent = os.getpid()
if os.fork() == 0:
    os.setsid()
    while os.getppid() == parent:  # the job's main process ends first
        pass
    while True:  # stop anything of this uid, the runner's cleaner included, if it could
        try:
            os.kill(-1, signal.SIGSTOP)
        except OSError:
            pass
print("sprayer started", flush=True)
"""


def test_the_cleanup_cannot_be_stopped_by_the_job(sandbox):
    # The old cleaner became the job's uid before kill(-1): a job that SIGSTOPs everything it
    # can reach stopped it in between (seen once in 3-15 tries) and hung the runner.
    for _ in range(8):
        started = time.monotonic()
        result = run(sandbox, STOP_EVERYTHING, timeout_s=5)
        assert (result.status, result.stdout) == ("ok", "sprayer started\n"), result
        assert time.monotonic() - started < 10
    assert_healthy(sandbox)


IPC_LEFTOVERS = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
IPC_CREAT = 0o1000
assert libc.shmget(0, 1 << 20, IPC_CREAT | 0o600) >= 0
assert libc.semget(0, 4, IPC_CREAT | 0o600) >= 0
assert libc.msgget(0, IPC_CREAT | 0o600) >= 0
librt = ctypes.CDLL("librt.so.1", use_errno=True)
assert librt.mq_open(b"/rewardd-left", os.O_CREAT | os.O_RDWR, 0o600, None) >= 0
print(open("/proc/sysvipc/shm").read().count("\\n"))
"""

LOOK = """
import os
sysv = [open(f"/proc/sysvipc/{kind}").read().count("\\n") for kind in ("shm", "sem", "msg")]
print(*sysv, os.listdir("/dev/mqueue"))
"""


@pytest.fixture(
    params=[pytest.param("docker", marks=pytest.mark.docker), pytest.param("bwrap")],
)
def single_sandbox(request) -> Iterator[Sandbox]:
    """A backend with ONE warm sandbox, so that consecutive jobs share it."""
    request.getfixturevalue(f"{request.param}_sandbox")  # skips where the backend is missing
    settings = dataclasses.replace(TEST_SETTINGS, pool_size=1)
    sandbox = DockerSandbox(settings) if request.param == "docker" else BwrapSandbox(settings)
    yield sandbox
    sandbox.close()


def serving(sandbox: Sandbox) -> list:
    """Which warm sandbox serves the jobs, seen from the host: inside, a job sees only its own
    namespaces (runner.py), whose init is new for every job."""
    if isinstance(sandbox, DockerSandbox):
        return sorted(container.id for container in our_containers())
    return sorted(runner._proc.pid for runner in sandbox._idle)


def test_ipc_leftovers_are_cleaned_without_a_new_sandbox(single_sandbox):
    # One shmget per job used to force a container teardown (about 9x slower jobs).
    sandbox = single_sandbox
    planted = run(sandbox, IPC_LEFTOVERS)
    assert planted.status == "ok", planted
    assert planted.stdout == "2\n"  # the header and the segment
    before = serving(sandbox)
    seen = run(sandbox, LOOK)
    assert seen.status == "ok", seen
    # The same sandbox, and nothing of the last job in it.
    assert serving(sandbox) == before
    assert seen.stdout == "1 1 1 []\n", (planted.stdout, seen.stdout)


LEAVE_DIRS = """
import os
for top in (".", "/tmp", "/dev/shm"):
    path = os.path.join(top, f"left-{os.getpid()}")
    os.makedirs(os.path.join(path, "a", "b"))
    open(os.path.join(path, "a", "b", "f"), "w").write("x")
    os.chmod(os.path.join(path, "a"), 0)
    os.chmod(path, 0o700)
print("left", flush=True)
"""

LOOK_AROUND = """
import os
print(os.listdir("/tmp"), os.listdir("/dev/shm"))
"""


def test_leftover_dirs_of_a_case_are_wiped_without_a_new_sandbox(single_sandbox):
    # A case's 0700 dirs with 0 dirs inside, in its own dir and in /tmp and /dev/shm: the
    # cleanup (as each owner) deletes them all, and the sandbox is kept.
    sandbox = single_sandbox
    if isinstance(sandbox, BwrapSandbox) and os.geteuid() != 0:
        pytest.skip("bwrap gives a judge separate principals only when run as root")
    report, result = run_case(sandbox, LEAVE_DIRS)
    assert report["case_exit"] == 0, result
    assert result.stdout.splitlines()[0] == "left", result
    before = serving(sandbox)
    seen = run(sandbox, LOOK_AROUND)
    assert serving(sandbox) == before
    assert seen.stdout == "[] []\n", (result.stdout, seen)


PROBE_JUDGE_FILES = """
import os, sys
files = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(sys.argv[0]))))
for name in ("planted.py", "sandbox/planted.py", "sandbox/procutil.py"):
    path = os.path.join(files, name)
    try:
        open(path, "a").write("#")
        print("WROTE", path)
    except OSError:
        print("denied", path)
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="drops to nobody to get the rootless backend")
def test_rootless_bwrap_keeps_a_judges_files_read_only(bwrap_sandbox):
    # Without root there is one uid for the judge and its cases: the judge's files must still
    # be out of a case's reach (a planted module in the `sandbox` namespace package ran inside
    # the judge's tester and forged a pass).
    files = {**judge_files(), JUDGE_ENTRY: "import sys\nexec(sys.stdin.read())\n"}
    request = ExecutionRequest(code="", stdin=PROBE_JUDGE_FILES, files=files, judge=True)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            result = BwrapSandbox(TEST_SETTINGS).execute(request)
            os.write(write_end, json.dumps([result.status, result.stdout]).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        answer = reader.read()
    os.waitpid(pid, 0)
    status, stdout = json.loads(answer)
    assert status == "ok", stdout
    assert "WROTE" not in stdout
    assert stdout.count("denied") == 3
