"""What a well-behaved job gets: its stdin, files, output, exit status; and request validation."""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from sandbox import ExecutionRequest, open_sandbox
from sandbox.limits import SandboxSettings, validate_request
from sandbox.local_backend import UnsafeSubprocessSandbox
from tests.sandbox.conftest import TEST_SETTINGS, assert_healthy
from tests.sandbox.test_hostile import host_processes_with, run


def test_stdin_round_trip_large(sandbox):
    payload = "\n".join(str(i) for i in range(400_000)) + "\n"
    result = run(sandbox, "import sys\nprint(sum(int(x) for x in sys.stdin))", stdin=payload)
    assert (result.status, result.stdout) == ("ok", f"{sum(range(400_000))}\n")


def test_files_are_importable_next_to_main(sandbox):
    result = run(
        sandbox,
        "import solution\nfrom pkg.helpers import twice\nprint(twice(solution.answer()))",
        files={
            "solution.py": "def answer():\n    return 21\n",
            "pkg/helpers.py": "twice = lambda x: 2 * x\n",
        },
    )
    assert (result.status, result.stdout) == ("ok", "42\n"), result


def test_unicode_output_and_exit_codes(sandbox):
    code = "import sys\nprint('héllo ✓ 你好')\nsys.stderr.write('oops')\nsys.exit(3)"
    result = run(sandbox, code)
    assert result.status == "error"
    assert result.exit_code == 3
    assert result.stdout == "héllo ✓ 你好\n"
    assert result.stderr == "oops"


def test_uncaught_exception_is_an_error_with_traceback(sandbox):
    result = run(sandbox, "raise ValueError('bad')")
    assert result.status == "error"
    assert result.exit_code == 1
    assert "ValueError: bad" in result.stderr


def test_concurrent_jobs_get_their_own_answers(sandbox):
    def job(i: int) -> tuple[str, str]:
        result = run(sandbox, f"import time\ntime.sleep(0.05)\nprint({i} * {i})")
        return result.status, result.stdout

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(job, range(24)))
    assert answers == [("ok", f"{i * i}\n") for i in range(24)]


@pytest.mark.docker
def runner_of(pid: int) -> int:
    """The runner above a job's process. Between them are the job's init and the init's
    stand-in, forks of the runner that never exec (so their cmdline is the runner's too)."""
    found = None
    while pid > 1:
        with open(f"/proc/{pid}/stat", "rb") as f:
            pid = int(f.read().rsplit(b")", 1)[1].split()[1])
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            if b"runner.py" not in f.read():
                break
        found = pid
    assert found is not None, "no runner above the job"
    return found


def test_runner_killed_from_outside_gives_sandbox_error_then_recovers(docker_sandbox):
    marker = "rewardd-victim-job"
    outcome = {}

    def victim() -> None:
        # exec keeps the pid and the parents, and puts the marker in the cmdline.
        argv = f"[sys.executable, '-c', 'import time; time.sleep(20)', '{marker}']"
        code = f"import os, sys\nos.execv(sys.executable, {argv})"
        outcome["result"] = run(docker_sandbox, code, timeout_s=25)

    thread = threading.Thread(target=victim)
    thread.start()
    deadline = time.monotonic() + 10
    while not (pids := host_processes_with(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pids, "the victim job never started"
    os.kill(runner_of(pids[0]), signal.SIGKILL)
    thread.join(timeout=30)
    assert outcome["result"].status == "sandbox_error"
    assert_healthy(docker_sandbox)


@pytest.mark.docker
def test_problem_names_a_missing_image():
    from sandbox.docker_backend import DockerSandbox, docker_unavailable_reason

    if docker_unavailable_reason(TEST_SETTINGS.image) is not None:
        pytest.skip("no Docker here")
    settings = SandboxSettings(image="rewardd-no-such-image:never", pool_size=1, start_timeout_s=5)
    with DockerSandbox(settings) as broken:
        deadline = time.monotonic() + 20
        while broken.problem() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "rewardd-no-such-image:never" in (broken.problem() or "")
        result = broken.execute(ExecutionRequest(code="print(1)"))
        assert result.status == "sandbox_error"


@pytest.mark.docker
def test_auto_picks_docker_when_the_image_exists(docker_sandbox, monkeypatch):
    monkeypatch.setenv("REWARDD_SANDBOX_POOL", "1")
    chosen = open_sandbox("auto")
    try:
        assert chosen.name == "docker"
    finally:
        chosen.close()


def test_local_picks_bwrap(bwrap_sandbox):
    chosen = open_sandbox("local")
    assert chosen.name == "bwrap"
    chosen.close()


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError, match="unknown sandbox kind"):
        open_sandbox("vm")


def test_unsafe_subprocess_runs_and_times_out(tmp_path):
    unsafe = UnsafeSubprocessSandbox(SandboxSettings(pool_size=1))
    assert unsafe.name == "unsafe-subprocess"
    ok = unsafe.execute(ExecutionRequest(code="print(input()[::-1])", stdin="abc\n"))
    assert (ok.status, ok.stdout) == ("ok", "cba\n")
    slow = unsafe.execute(ExecutionRequest(code="while True: pass", timeout_s=0.5))
    assert slow.status == "timeout"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"language": "rust"}, "language"),
        ({"timeout_s": 0}, "timeout_s"),
        ({"timeout_s": 10_000}, "timeout_s"),
        ({"memory_mb": 1}, "memory_mb"),
        ({"memory_mb": 1 << 20}, "memory_mb"),
        ({"code": "x" * (2 << 20)}, "code"),
        ({"files": {"../escape.py": ""}}, "files"),
        ({"files": {"/etc/passwd": ""}}, "files"),
        ({"files": {"a/./b": ""}}, "files"),
        ({"files": {"main.py": ""}}, "files"),
        ({"files": {"a": "", "a/b": ""}}, "files"),
        ({"files": {f"f{i}": "" for i in range(100)}}, "files"),
        ({"code": "print('\ud800')"}, "code"),
        ({"stdin": "\udfff"}, "stdin"),
    ],
)
def test_bad_requests_raise_value_error_naming_the_field(changes, field):
    request = ExecutionRequest(**{"code": "print(1)", **changes})
    with pytest.raises(ValueError, match=field):
        validate_request(request, SandboxSettings())


def test_unknown_language_message_is_clear():
    with pytest.raises(ValueError, match="unsupported language 'rust'; supported: python"):
        validate_request(ExecutionRequest(code="fn main() {}", language="rust"), SandboxSettings())


def test_settings_from_env():
    environ = {"REWARDD_SANDBOX_POOL": "1", "REWARDD_SANDBOX_RUNTIME": "runsc"}
    settings = SandboxSettings.from_env(environ)
    assert (settings.pool_size, settings.runtime) == (1, "runsc")
    # Never more jobs at once than cores, whatever is asked.
    many = SandboxSettings.from_env({"REWARDD_SANDBOX_POOL": "10000"})
    assert many.pool_size == os.cpu_count()
    with pytest.raises(ValueError, match="REWARDD_SANDBOX_POOL"):
        SandboxSettings.from_env({"REWARDD_SANDBOX_POOL": "many"})
