"""The cases' syscall filter end to end: items graded by the judge on Docker and on bubblewrap
(root and rootless), as the service grades them.

Hostile: a case that tries every refused class (tests/syscall_filter_programs/probe_refused.py)
must see exactly what a filtered process sees on this host, on both backends (Docker's own
seccomp profile lets memfds, io_uring, ptrace, socket buffers and i386 calls through);
the tester and a checker are filtered as the solution is. The holes the filter closes on
bubblewrap (kernel keys, a private tmpfs in a user namespace of its own, memfd storage) are
tests/test_redteam_v2.py's; here they are played on rootless bubblewrap too. Honest: threads,
processes, a multiprocessing pool, asyncio, signals and numpy pass as under a plain python.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox import ExecutionRequest, syscall_filter
from tests.judge_support import grade_solution as grade
from tests.judge_support import open_judge_sandbox
from tests.test_redteam_judge import grade_one_uid
from tests.test_redteam_v2 import assert_scored, host_keys_invalidated, solution
from tests.test_syscall_filter import PAGE_CACHE_FILTERED, PROGRAMS, program_output

pytestmark = [
    pytest.mark.docker,
    pytest.mark.skipif(
        syscall_filter.ARCH != "x86_64", reason="the probe programs use x86_64's numbers"
    ),
]
__all__ = ["host_keys_invalidated"]  # a fixture, used by name below


def program(name: str) -> str:
    return (PROGRAMS / f"{name}.py").read_text()


@pytest.fixture(scope="module", params=["docker", "bwrap"])
def sandbox(request) -> Iterator[object]:
    box = open_judge_sandbox(request.param)
    yield box
    box.close()


def stdio_case(stdin: str, stdout: str, **extra: object) -> dict:
    return {"test_cases": [{"input": stdin, "output": stdout}], **extra}


def probe_reference() -> dict:
    """The probe's one case: the output of the probe under the filter on this host."""
    expected = program_output("probe_refused", "1\n", filtered=True)
    assert expected.count("EPERM") >= 40, expected  # what it proves, checked on the host
    return stdio_case("1\n", expected)


# --- hostile ---------------------------------------------------------------------------------


def test_every_refused_call_is_refused_in_a_case(sandbox):
    assert_scored(grade(sandbox, program("probe_refused"), probe_reference()), 1, 1)


def test_the_tester_is_filtered_too(sandbox):
    reference = {"tests": program("tester_probe")}
    assert_scored(grade(sandbox, "def add(a, b):\n    return a + b\n", reference), 2, 2)


def test_a_checker_is_filtered_too(sandbox):
    reference = {**stdio_case("2 3\n", "5\n"), "checker": program("checker_probe")}
    assert_scored(grade(sandbox, "print(sum(map(int, input().split())))\n", reference), 1, 1)


def test_socket_buffers_raised_for_storage_meet_the_case_memory_limit(sandbox):
    # Refused the larger buffers (bubblewrap: nothing else would see 600 MiB queued in
    # sockets), or caught by the container's memory counter (Docker): never a pass.
    reference = stdio_case("1\n", "2\n", memory_mb=128)
    assert_scored(grade(sandbox, program("socket_storage"), reference), 0, 1)


def test_a_plain_job_is_refused_the_same_calls(sandbox):
    # /v1/execute runs the same untrusted code as a case, beside the sandbox's other jobs.
    result = sandbox.execute(ExecutionRequest(code=program("probe_refused"), stdin="1\n"))
    assert (result.status, result.stderr) == ("ok", "")
    assert result.stdout == probe_reference()["test_cases"][0]["output"]


# A file of the image (the host's on bubblewrap) that no honest program reads.
UNREAD_FILE = "/usr/lib/python3.11/pydoc_data/topics.py"


def page_cache_lines(stdout: str) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in stdout.splitlines())


def test_a_case_cannot_drop_cached_pages_or_probe_for_them(sandbox):
    expected = "".join(f"{name} {answer}\n" for name, answer in PAGE_CACHE_FILTERED.items())
    reference = stdio_case(f"{UNREAD_FILE}\n", expected)
    assert_scored(grade(sandbox, program("page_cache_probe"), reference), 1, 1)


def test_a_plain_job_cannot_drop_cached_pages_or_probe_for_them(sandbox):
    request = ExecutionRequest(code=program("page_cache_probe"), stdin=f"{UNREAD_FILE}\n")
    result = sandbox.execute(request)
    assert (result.status, result.stderr) == ("ok", "")
    assert page_cache_lines(result.stdout) == PAGE_CACHE_FILTERED


def test_one_uid_every_refused_call_is_refused_in_a_case():
    # Rootless bubblewrap: judge, zygote and cases share one uid inside bwrap's own user
    # namespace, where a nested one would give a case every mount right.
    answer = grade_one_uid(program("probe_refused"), probe_reference())
    assert (answer["error"], answer["passed"], answer["total"]) == (None, 1, 1), answer


@pytest.mark.parametrize("name", ["userns_tmpfs", "memfd_storage", "socket_storage"])
def test_one_uid_unmapped_memory_meets_the_case_memory_limit(name):
    code = program(name) if (PROGRAMS / f"{name}.py").exists() else solution(name)
    answer = grade_one_uid(code, stdio_case("1\n", "2\n", memory_mb=128))
    assert (answer["error"], answer["passed"], answer["total"]) == (None, 0, 1), answer


def test_one_uid_kernel_keys_do_not_carry_state_between_jobs(host_keys_invalidated):
    reference = {"test_cases": [{"input": f"{i}\n", "output": "fresh\n"} for i in (1, 2)]}
    for _ in range(2):
        answer = grade_one_uid(solution("keyring_carry"), reference)
        assert (answer["error"], answer["passed"], answer["total"]) == (None, 2, 2), answer


# --- honest ----------------------------------------------------------------------------------


def test_honest_processes_threads_and_signals_pass(sandbox):
    expected = program_output("honest_processes", "10\n", filtered=False)
    reference = stdio_case("10\n", expected, timeout_s=10)
    assert_scored(grade(sandbox, program("honest_processes"), reference), 1, 1)


def test_honest_numpy_passes_in_the_sci_image():
    box = open_judge_sandbox("docker")
    try:
        reference = stdio_case("6\n", "True 15\n", image="sci", memory_mb=512)
        assert_scored(grade(box, program("honest_numpy"), reference), 1, 1)
    finally:
        box.close()
