"""Red team, fourth round: a policy rewarded for passing plays against what outlives a job or
a case in a warm sandbox, what a case can see of the judge's processes and counters, how
values and outputs are compared, and what the judge's CPU figures charge.

Each test is one attack and asserts the secure outcome: a wrong solution earns 0 (a number,
never null), a limit holds, nothing of one job or case is there for the next. An attack that
gets through is marked xfail(strict=True) with the hole it uses (reported in
/tmp/rewardd-coord/redteam.md, this round's numbers) until its owner closes it.

The solutions are real programs in tests/redteam_v4/; `solution("cgroup_peak_leaker")` is
the code block sent: that file's text.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.judge_support import assert_scored, open_judge_sandbox, stdio_cases
from tests.judge_support import grade_solution as grade

pytestmark = pytest.mark.docker

SOLUTIONS = Path(__file__).resolve().parent / "redteam_v4"


def solution(name: str) -> str:
    return (SOLUTIONS / f"{name}.py").read_text()


@pytest.fixture(scope="module", params=["docker", "bwrap"])
def sandbox(request) -> Iterator[object]:
    box = open_judge_sandbox(request.param)
    box.kind = request.param
    yield box
    box.close()


def hole_on(request, kind: str, reason: str, strict: bool = True) -> None:
    """The attack gets through on one backend only: an xfail there (strict unless it gets
    through only most of the time: a timed channel)."""
    if request.node.callspec.params.get("sandbox") == kind:
        request.applymarker(pytest.mark.xfail(strict=strict, reason=reason))


def two_at_once() -> None:
    """The live-channel tests grade two items at the same time: a pool of one runs them one
    after the other, and the channel (and the test) would say nothing."""
    from sandbox.limits import SandboxSettings

    if SandboxSettings.from_env().pool_size < 2:
        pytest.skip("needs a pool of two sandboxes (REWARDD_SANDBOX_POOL >= 2, two cores)")


# --- state that outlives a job --------------------------------------------------------------


# HOLE 1 (redteam.md), closed in a17d957: each job's /sys/fs/cgroup is an empty tmpfs, and the
# judge sees the cgroup behind a dir its cases cannot enter.
@pytest.mark.parametrize("reader", ["cgroup_peak_reader", "cgroup_peak_seeker"])
def test_a_wrong_solution_cannot_read_an_answer_left_in_the_memory_high_water_mark(sandbox, reader):
    # Items of one GRPO group share a problem and, in turn, the warm sandboxes: the right
    # solution runs once per warm sandbox of the pool, then a wrong one that only reads:
    # /sys/fs/cgroup, or (the seeker) any cgroup mount its mount namespace lists, the
    # judge's own view included. The answer is π(100000) mod 64: 6 bits per sandbox.
    reference = stdio_cases(("100000\n", "56\n"))
    for _ in range(4):
        assert_scored(grade(sandbox, solution("cgroup_peak_leaker"), reference), 1, 1)
    for _ in range(2):
        assert_scored(grade(sandbox, solution(reader), reference), 0, 1)


def test_a_wrong_solution_cannot_read_an_answer_left_as_an_abstract_socket_name(sandbox):
    # Closed: the names live in the sandbox's network namespace, which outlives the job, but a
    # socket kept alive only in flight (a cycle of SCM_RIGHTS) is freed by the kernel's
    # garbage collector, and the child holding them dies with the case's uid.
    reference = stdio_cases(("100000\n", "56\n"))
    for _ in range(3):
        assert_scored(grade(sandbox, solution("abstract_socket_leaker"), reference), 1, 1)
    for _ in range(2):
        assert_scored(grade(sandbox, solution("abstract_socket_reader"), reference), 0, 1)


# HOLE 3 (redteam.md), closed in a17d957: /proc/vmstat and the other host-wide counters are
# masked in each job's /proc, and RLIMIT_MEMLOCK is 0.
def test_a_wrong_solution_cannot_read_an_answer_left_in_the_hosts_mlock_counter(sandbox):
    # Not the same sandbox, not even the same backend: the right solution runs in this one,
    # the wrong one in a fresh pool of the other kind. The whole answer (9592) crosses.
    reference = stdio_cases(("100000\n", "9592\n"))
    assert_scored(grade(sandbox, solution("mlock_counter_leaker"), reference), 1, 1)
    reader = open_judge_sandbox("bwrap" if sandbox.kind == "docker" else "docker")
    try:
        assert_scored(grade(reader, solution("mlock_counter_reader"), reference), 0, 1)
    finally:
        reader.close()


# HOLE 4 (redteam.md), closed in a17d957: the syscall filter refuses getsockopt(SO_COOKIE).
def test_a_wrong_solution_cannot_read_an_answer_left_in_the_hosts_socket_cookie_counter(sandbox):
    # As for the mlock counter: the reader runs in a fresh pool of the other backend.
    reference = stdio_cases(("100000\n", "9592\n"))
    assert_scored(grade(sandbox, solution("socket_cookie_leaker"), reference), 1, 1)
    reader = open_judge_sandbox("bwrap" if sandbox.kind == "docker" else "docker")
    try:
        assert_scored(grade(reader, solution("socket_cookie_reader"), reference), 0, 1)
    finally:
        reader.close()


@pytest.mark.parametrize("channel", ["flock", "inotify"])
def test_a_wrong_solution_cannot_read_an_answer_signalled_on_the_hosts_files(
    sandbox, request, channel
):
    # Two items of one group graded at once, in two sandboxes of the pool: the right one
    # prints, then signals its answer's bits on the standard library's files for 4 s and
    # exits 0 (sleeping costs no CPU): flock() on file i for bit i, or (inotify) opening
    # file i over and over, which another sandbox's inotify watch sees. The wrong one,
    # started 0.5 s later, reads them. Docker: each container's overlay has inodes of its
    # own, the reader sees nothing. Bubblewrap: the host's /usr, bound read-only, is the
    # same inodes in every sandbox.
    hole_on(
        request,
        "bwrap",
        "HOLE 6 (redteam.md): bubblewrap shows every sandbox the host's own /usr inodes: a "
        "flock() on them, or an open seen by an inotify watch, in one sandbox is seen from "
        "any other, a live channel",
    )
    two_at_once()
    reference = stdio_cases(("100000\n", "9592\n"))
    writer: list = []
    thread = threading.Thread(
        target=lambda: writer.append(grade(sandbox, solution(f"{channel}_leaker"), reference))
    )
    thread.start()
    try:
        time.sleep(0.5)
        reader = grade(sandbox, solution(f"{channel}_reader"), reference)
    finally:
        thread.join()
    assert_scored(writer[0], 1, 1)
    assert_scored(reader, 0, 1)


def test_a_wrong_solution_cannot_read_an_answer_signalled_by_futexes_on_a_shared_file(
    sandbox, request
):
    # As the test above, with FUTEX_WAKE on words of a read-only shared mapping of os.py
    # (the right one) and one FUTEX_WAIT thread per word (the wrong one): a shared mapping's
    # futex key is the file's inode. Docker: closed in 19edc24 (each container reads the
    # image from a tmpfs copy of its own; an overlay's lower layer was every container's).
    hole_on(
        request,
        "bwrap",
        "HOLE 8 (redteam.md): a futex on a read-only MAP_SHARED mapping of a host file is keyed "
        "by the host's inode, the same in every bubblewrap sandbox: FUTEX_WAKE in one wakes a "
        "waiter in another, a live channel",
    )
    two_at_once()
    reference = stdio_cases(("100000\n", "9592\n"))
    writer: list = []
    thread = threading.Thread(
        target=lambda: writer.append(grade(sandbox, solution("futex_leaker"), reference))
    )
    thread.start()
    try:
        time.sleep(0.5)
        reader = grade(sandbox, solution("futex_reader"), reference)
    finally:
        thread.join()
    assert_scored(writer[0], 1, 1)
    assert_scored(reader, 0, 1)


def test_a_wrong_solution_cannot_read_an_answer_left_in_the_dentry_cache(sandbox, request):
    # The right one looks up 8 missing names per set bit in the standard library's directory
    # (bubblewrap: the host's /usr; Docker before 19edc24: an image layer every container
    # shared, now a tmpfs copy of its own, which keeps no negative dentries); the wrong one,
    # in a fresh pool, times its first lookup of each name against fresh controls. The
    # input's second word names the channel, fresh for each run of the test.
    hole_on(
        request,
        "bwrap",
        "HOLE 9 (redteam.md): a lookup of a missing name in the host's /usr, which every "
        "bubblewrap sandbox shares, leaves a negative dentry; a later lookup from any sandbox "
        "is timed faster: an answer left in the dentry cache crosses sandboxes",
        strict=False,  # timed: it read the answer wrong once in a run of the judge suites
    )
    channel = secrets.token_hex(6)
    reference = stdio_cases((f"100000 {channel}\n", "9592\n"))
    assert_scored(grade(sandbox, solution("dcache_leaker"), reference), 1, 1)
    reader = open_judge_sandbox(sandbox.kind)
    try:
        assert_scored(grade(reader, solution("dcache_reader"), reference), 0, 1)
    finally:
        reader.close()


# --- what a case can see of the judge's processes ------------------------------------------


@pytest.mark.parametrize(
    "reference",
    [
        stdio_cases(("1\n", "rt-secret-5ea7c0de\n")),  # the judge holds the expected output
        {"tests": 'def test_secret():\n    assert secret() == "rt-secret-5ea7c0de"\n'},
    ],
    ids=["judge", "tester"],
)
def test_the_expected_answer_cannot_be_read_from_another_processs_memory(sandbox, reference):
    # Every /proc/<pid> of the job is listed (no hidepid), but the judge, the zygote and the
    # tester are not dumpable and of other uids: mem, environ and process_vm_readv refused.
    assert_scored(grade(sandbox, solution("memory_scan"), reference), 0, 1)


def test_a_case_that_lowers_its_priority_is_not_unjudged_as_starved(sandbox):
    # A wrong solution that would rather be null (unjudged) than 0: SCHED_IDLE, pinned to a
    # CPU the host keeps busy, so that it waits for a CPU nearly all the time while using
    # little. Held: the sandbox's CPU cgroup gets its share of that CPU whatever the
    # priority of its one runnable task (group scheduling), so the case runs out of CPU.
    reference = stdio_cases(("1\n", "2\n"), timeout_s=1)
    busy = subprocess.Popen([sys.executable, str(SOLUTIONS / "busy_cpu0.py"), "30"])
    try:
        assert_scored(grade(sandbox, solution("idle_priority_stall"), reference), 0, 1)
    finally:
        busy.kill()
        busy.wait()


# --- what the CPU figure charges (the efficiency component's input) -------------------------


PREFIX_SUM_TESTS = (
    "def test_prefix_sums():\n"
    "    got = prefix_sums(200000)\n"
    "    assert len(got) == 200000\n"
    "    assert got[1000] == 500500 and got[-1] == 199999 * 200000 // 2\n"
)


def assert_no_cheaper_than_honest(sandbox, cheaper: str) -> None:
    """Both right, same algorithm (itertools.accumulate, 200,000 ints returned): the other
    one's CPU figure within the efficiency component's dead band (1.25x) of the honest one's."""
    reference = {"tests": PREFIX_SUM_TESTS}
    honest = grade(sandbox, solution("prefix_sums_honest"), reference)
    other = grade(sandbox, solution(cheaper), reference)
    assert_scored(honest, 1, 1)
    assert_scored(other, 1, 1)
    honest_ms = honest.details["cases"][0]["cpu_ms"]
    other_ms = other.details["cases"][0]["cpu_ms"]
    assert other_ms * 1.25 >= honest_ms, (honest_ms, other_ms)


def test_a_swapped_in_encoder_buys_no_cheaper_cpu_figure(sandbox):
    # HOLE 2 (redteam.md), its first variant closed in 8b8450b: a big list of one exact
    # scalar type crosses packed at C speed. Before, replacing sandbox.judge.values.encode
    # and sandbox.judge.case.send in the solution's own process sent the same snapshot for
    # a quarter of the CPU (honest 421 ms vs 114 ms: efficiency 0.34 vs 1.0 in a group).
    assert_no_cheaper_than_honest(sandbox, "prefix_sums_own_encoder")


@pytest.mark.xfail(
    strict=True,
    reason="HOLE 2 (redteam.md), the wrapper variant: a list returned inside an object of the "
    "solution's own class crosses as a handle and is never snapshotted, so it costs nothing "
    "to send where a plain list pays the judge's encoder",
)
def test_a_list_wrapped_in_an_object_of_its_own_buys_no_cheaper_cpu_figure(sandbox):
    # The tests' len() and two indexings are three small requests to the solution's process.
    # Measured through the efficiency component (Docker, a group of two): honest 406 ms vs
    # wrapper 14 ms, efficiency 0.045 vs 1.0; after 8b8450b's packed lists, cpu_ms 86-88 vs
    # 18-21 (Docker): still 4.5x, an honest efficiency of 0.28.
    assert_no_cheaper_than_honest(sandbox, "prefix_sums_wrapper")


def test_a_case_that_keeps_the_judge_busy_reading_its_output_scores_0_not_null(sandbox):
    # One byte at a time on stderr from a child, while the solution's process sleeps: the
    # judge's pump does a wakeup, a select and a read per byte, several times the child's
    # cost per write. Held: the judge's work past 30 ms per case comes off the job's CPU
    # budget, each case still ends at its backstop, and the item is a number (measured: the
    # second case stops when the budget is spent, on both backends).
    reference = stdio_cases(("1\n", "2\n"), ("2\n", "3\n"), timeout_s=1)
    assert_scored(grade(sandbox, solution("stderr_drip"), reference), 0, 2)


# --- how returned values are compared -------------------------------------------------------

LYING_CASES = [
    (0, 0),
    (1, 1.0),
    (2, [1, 2]),
    (3, "ab"),
    (4, 3),
    (5, [1]),
    (6, {"a": 1}),
    (7, [[]]),
    (8, 0.5),
    (9, 2),
    (10, [1, 2]),
    (11, [1, 2]),
    (12, 5),
    (13, 5),
    (14, 5),
    (99, 7),  # the control: right
]


def test_values_whose_methods_type_or_snapshot_lie_fail_their_cases(sandbox):
    # bool for int, subclasses with an always-true __eq__ or a lying __iter__ / items(), a
    # generator, a cycle, NaN, a signalling NaN (the judge's own comparison raises: the case
    # fails, the item is still a number), a set or range for a list, and snapshots forged on
    # the result pipe (a handle, a stdlib object, a 36-million-bit int).
    reference = {
        "fn_name": "f",
        "test_cases": [{"input": [k], "output": expected} for k, expected in LYING_CASES],
    }
    score = grade(sandbox, solution("lying_values"), reference)
    assert_scored(score, 1, len(LYING_CASES))
    assert score.details["cases"][-1]["passed"] is True, score.details
