"""Each job of a warm sandbox gets pid, mount and IPC namespaces of its own (sandbox/runner.py,
enter_fresh_namespaces): what one job does to the kernel's counters (the pid counter, a
tmpfs's next inode number, SysV ids) is not there for the next one to read. Red team v3's
HOLE 2 used them to carry a right answer from one item to a wrong one in a later job
(tests/test_redteam_v3.py grades that end to end); this checks the counters themselves.
"""

from __future__ import annotations

from pathlib import Path

from sandbox import ExecutionRequest
from sandbox.runner import JUDGE_ENTRY, RUNNER_ONLY_CAPABILITIES

DATA = Path(__file__).resolve().parent.parent / "data" / "job_namespaces"
PROBE = (DATA / "counters.py").read_text(encoding="utf-8")
ADVANCE = (DATA / "advance.py").read_text(encoding="utf-8")


def counters(sandbox) -> list[int]:
    result = sandbox.execute(ExecutionRequest(code=PROBE))
    assert result.status == "ok", result
    return [int(field) for field in result.stdout.split()]


def test_a_job_starts_from_the_same_counters_whatever_the_last_one_did(sandbox):
    first = counters(sandbox)
    advanced = sandbox.execute(ExecutionRequest(code=ADVANCE))
    assert advanced.status == "ok", advanced
    assert counters(sandbox) == first
    pid, *_, capabilities = first
    assert pid == 2  # pid 1 of its namespace only reaps; the job is an ordinary process
    assert capabilities == 0  # the runner's CAP_SYS_ADMIN made the namespaces, no job has it


def test_a_job_dies_of_its_own_signals_as_an_ordinary_process(sandbox):
    # As pid 1 of its namespace it would ignore every signal it has no handler for.
    code = "import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\nprint('survived')"
    result = sandbox.execute(ExecutionRequest(code=code))
    assert (result.status, result.exit_code, result.stdout) == ("error", -15, ""), result


def test_a_job_cannot_change_kernel_settings(sandbox):
    code = (DATA / "kernel_setting.py").read_text(encoding="utf-8")
    result = sandbox.execute(ExecutionRequest(code=code))
    assert result.status == "ok", result
    assert result.stdout.strip() in ("PermissionError", "OSError"), result  # never "written"


def test_a_judge_started_as_root_keeps_none_of_the_runners_own_capabilities(sandbox):
    entry = (DATA / "judge_capabilities.py").read_text(encoding="utf-8")
    request = ExecutionRequest(code="", files={JUDGE_ENTRY: entry}, judge=True)
    result = sandbox.execute(request)
    assert result.status == "ok", result
    effective, bounding = (int(field, 16) for field in result.stdout.split())
    for number in RUNNER_ONLY_CAPABILITIES.values():
        assert not effective & (1 << number) and not bounding & (1 << number), result.stdout
    assert effective & (1 << 7)  # CAP_SETUID: what the judge needs to give cases their uids
