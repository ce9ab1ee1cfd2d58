"""`reference.checker` in the sandbox, on Docker and on bubblewrap.

Honest checkers in testlib's calling convention (stdio and functional); hostile solutions
against a checker (a daemon aimed at its files, output that crashes it); hostile checkers
(spinning, sleeping, forking, eating memory, printing "ok" while failing, flooding): each
contained, its case failed, the other cases and the next item judged as usual.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import pytest

from tests.judge_support import grade_solution as grade
from tests.judge_support import open_judge_sandbox
from tests.test_code_checker import DESCENDING, SORT_REFERENCE

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module", params=["docker", "bwrap"])
def sandbox(request) -> Iterator[object]:
    box = open_judge_sandbox(request.param)
    yield box
    box.close()


def case_verdicts(score) -> list[bool]:
    assert score.error is None, score.error
    return [case["passed"] for case in score.details["cases"]]


def test_a_testlib_checker_accepts_every_valid_output(sandbox):
    ascending = "print(*sorted(map(int, input().split())))"
    assert case_verdicts(grade(sandbox, ascending, SORT_REFERENCE)) == [True, True]
    score = grade(sandbox, DESCENDING, SORT_REFERENCE)
    assert case_verdicts(score) == [True, True]
    assert "accepted" in score.details["cases"][0]["reason"]
    # Without the checker, the descending output is wrong: the checker is what accepted it.
    plain = {"test_cases": SORT_REFERENCE["test_cases"]}
    assert case_verdicts(grade(sandbox, DESCENDING, plain)) == [False, False]


def test_a_testlib_checker_rejects_wrong_output(sandbox):
    unsorted = "print(*map(int, input().split()))"
    score = grade(sandbox, unsorted, SORT_REFERENCE)
    assert case_verdicts(score) == [False, False]
    assert "not sorted" in score.details["cases"][0]["reason"]
    # A crash before any output: the checker never runs, the case fails.
    assert case_verdicts(grade(sandbox, "raise SystemExit(3)", SORT_REFERENCE)) == [False, False]


def test_a_functional_checker_reads_json(sandbox):
    # Any two indices whose values sum to the target.
    checker = textwrap.dedent(
        """
        import json, sys
        (values, target), got = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
        i, j = got
        sys.exit(0 if i != j and values[i] + values[j] == target else 1)
        """
    )
    reference = {
        "fn_name": "two_sum",
        "test_cases": [
            {"input": [[1, 2, 3, 4], 5], "output": [0, 3]},
            {"input": [[5, 5], 10], "output": [0, 1]},
        ],
        "checker": checker,
    }
    other_pair = """
        def two_sum(values, target):
            for i in reversed(range(len(values))):
                for j in range(i):
                    if values[i] + values[j] == target:
                        return (i, j)
    """
    assert case_verdicts(grade(sandbox, other_pair, reference)) == [True, True]
    same_index = "def two_sum(values, target):\n    return [0, 0]"
    assert case_verdicts(grade(sandbox, same_index, reference)) == [False, False]


# A solution's daemon, aimed at everything of the checker's it could reach: the checker's work
# dir next to its own (slot k's checker runs in case-k-tester), /tmp, /dev/shm. Were it alive
# when the checker runs, it would replace the output file with a valid answer.
TAMPERING_DAEMON = """
    import os, sys, time
    numbers = input().split()
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            here = os.getcwd()
            slot = os.path.basename(here).split("-")[1]
            mine = os.path.join(os.path.dirname(here), f"case-{slot}-tester")
            targets = [mine, "/tmp", "/dev/shm"]
            for _ in range(400):
                for target in targets:
                    try:
                        os.makedirs(target, exist_ok=True)
                        for name in ("output.txt", "answer.txt", "input.txt"):
                            path = os.path.join(target, name)
                            with open(path, "w") as f:
                                f.write(" ".join(sorted(numbers, key=int)))
                    except OSError:
                        pass
                time.sleep(0.01)
        os._exit(0)
    print("not a permutation")
"""


def test_a_solutions_daemon_cannot_touch_the_checkers_files(sandbox):
    score = grade(sandbox, TAMPERING_DAEMON, SORT_REFERENCE)
    assert case_verdicts(score) == [False, False]
    for case in score.details["cases"]:
        # Either the honest checker read the honest (wrong) output, or a dir the daemon made
        # in advance kept the checker from starting: a fail either way, never a pass.
        assert "not a permutation" in case["reason"] or "could not" in case["reason"], case
    # And the next item in the same sandbox is judged as usual.
    assert case_verdicts(grade(sandbox, DESCENDING, SORT_REFERENCE)) == [True, True]


def test_output_that_crashes_the_checker_fails_its_case_only(sandbox):
    # The first case's output is not numbers: the checker's int() raises.
    solution = """
        line = input()
        print("x y z" if line.startswith("3") else " ".join(sorted(line.split(), key=int)))
    """
    score = grade(sandbox, solution, SORT_REFERENCE)
    assert case_verdicts(score) == [False, True]
    assert "rejected" in score.details["cases"][0]["reason"]


# A checker that misbehaves as its case's input says; "good" checks honestly.
HOSTILE_CHECKER = textwrap.dedent(
    """
    import os, sys, time
    kind = open(sys.argv[1]).read().strip()
    if kind == "spin":
        while True:
            pass
    if kind == "sleep":
        time.sleep(600)
    if kind == "fork":
        for _ in range(200):
            try:
                if os.fork() == 0:
                    os.setsid()
                    while True:
                        pass
            except OSError:
                break
        sys.exit(0 if open(sys.argv[2]).read().strip() == "never" else 1)
    if kind == "memory":
        hoard = [bytearray(1 << 24) for _ in range(10_000)]
    if kind == "ok-but-fails":
        print("ok")
        sys.exit(1)
    if kind == "flood":
        while True:
            sys.stdout.write("ok " * 10_000)
    sys.exit(0 if open(sys.argv[2]).read() == open(sys.argv[3]).read() else 1)
    """
)
KINDS = ["spin", "sleep", "fork", "memory", "ok-but-fails", "flood", "good"]


def test_hostile_checkers_fail_their_cases_and_are_contained(sandbox):
    reference = {
        "test_cases": [{"input": f"{kind}\n", "output": f"{kind}\n"} for kind in KINDS],
        "checker": HOSTILE_CHECKER,
        "timeout_s": 1,
    }
    echo = "print(input())"
    score = grade(sandbox, echo, reference)
    assert case_verdicts(score) == [False] * (len(KINDS) - 1) + [True], score.details
    reasons = dict(zip(KINDS, (case["reason"] for case in score.details["cases"]), strict=True))
    assert "CPU" in reasons["spin"], reasons
    assert "timed out" in reasons["sleep"], reasons
    assert "rejected" in reasons["ok-but-fails"], reasons
    assert "flooded" in reasons["flood"], reasons
    # Nothing of those checkers is left: the next item runs alone, and passes.
    honest = {"test_cases": [{"input": "good\n", "output": "good\n"}], "checker": HOSTILE_CHECKER}
    assert case_verdicts(grade(sandbox, echo, honest)) == [True]


def test_one_uid_checkers_are_as_contained():
    # Rootless bubblewrap: the judge, the cases and the checker share one uid, so the
    # solution's daemon could write wherever the checker will; it is dead before the checker
    # starts, and the checker's directory cannot be made for it in advance.
    from tests.test_redteam_judge import grade_one_uid

    assert grade_one_uid(DESCENDING, SORT_REFERENCE)["passed"] == 2
    tampered = grade_one_uid(TAMPERING_DAEMON, SORT_REFERENCE)
    assert (tampered["error"], tampered["passed"]) == (None, 0), tampered
    reference = {
        "test_cases": [{"input": f"{kind}\n", "output": f"{kind}\n"} for kind in KINDS],
        "checker": HOSTILE_CHECKER,
        "timeout_s": 1,
    }
    hostile = grade_one_uid("print(input())", reference)
    assert (hostile["error"], hostile["passed"], hostile["total"]) == (None, 1, len(KINDS))
