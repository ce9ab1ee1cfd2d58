"""`reference.checker`: a program decides a case's output (problems with several valid outputs).

Units (no sandbox): the reference's checker is validated and marks its cases; a case the
checker never saw fails; how a checker ended becomes the verdict. The sandbox's side (Docker
and bubblewrap, hostile solutions and hostile checkers): tests/test_code_checker_sandbox.py.
"""

from __future__ import annotations

import signal
import textwrap

import pytest

from rewardd.rewards.code_cases import BadReference, plan_cases
from sandbox.judge import compare, verdicts
from sandbox.judge.checker import INPUT_FILE, OUTPUT_FILE, CheckRun, files_for
from sandbox.judge.supervisor import CaseRun

# A testlib-style checker: argv = input, contestant output, jury answer. The task: print a
# permutation of the input's numbers, sorted ascending or descending (both are valid).
SORT_CHECKER = textwrap.dedent(
    """
    import sys
    numbers = open(sys.argv[1]).read().split()
    got = open(sys.argv[2]).read().split()
    answer = open(sys.argv[3]).read().split()
    assert sorted(answer) == sorted(numbers)
    if sorted(got) != sorted(numbers):
        print("wrong answer: not a permutation of the input")
        sys.exit(1)
    values = [int(x) for x in got]
    if values not in (sorted(values), sorted(values, reverse=True)):
        print("wrong answer: not sorted")
        sys.exit(1)
    print("ok")
    """
)
SORT_REFERENCE = {
    "test_cases": [
        {"input": "3 1 2\n", "output": "1 2 3\n"},
        {"input": "5 4 9 1\n", "output": "1 4 5 9\n"},
    ],
    "checker": SORT_CHECKER,
}
DESCENDING = "print(*sorted(map(int, input().split()), reverse=True))"


def checker_case(**fields) -> dict:
    return {"name": "case 1", "input": "1\n", "output": "1\n", "timeout_s": 1.0, **fields}


# --- units ----------------------------------------------------------------------------------


def test_a_checker_marks_every_case_and_doubles_the_cpu_budget():
    plain = plan_cases({"test_cases": SORT_REFERENCE["test_cases"]})
    plan = plan_cases(SORT_REFERENCE)
    assert plan.checker == SORT_CHECKER
    assert all(case["checked"] for case in plan.cases)
    assert not any("checked" in case for case in plain.cases)
    assert plan.budget_s == 2 * plain.budget_s


@pytest.mark.parametrize(
    ("checker", "message"),
    [
        ("", "non-empty string"),
        (42, "non-empty string"),
        ("def broken(:\n", "does not parse"),
    ],
)
def test_a_checker_that_cannot_run_is_a_bad_reference(checker, message):
    with pytest.raises(BadReference, match=message):
        plan_cases({**SORT_REFERENCE, "checker": checker})


def test_a_checker_applies_to_test_cases_only():
    with pytest.raises(BadReference, match="not to tests"):
        plan_cases({"tests": "assert f() == 1", "checker": SORT_CHECKER})


def test_a_functional_checker_is_accepted():
    plan = plan_cases(
        {"fn_name": "f", "test_cases": [{"input": [1], "output": 2}], "checker": SORT_CHECKER}
    )
    assert plan.mode == "call" and plan.cases[0]["checked"] is True


def test_the_checkers_files_in_each_style():
    assert files_for("stdio", checker_case(), "2\n") == {
        "input.txt": "1\n",
        "output.txt": "2\n",
        "answer.txt": "1\n",
    }
    call = {"name": "c", "args": [[3, 1], 2], "expected": [1, 3], "timeout_s": 1.0}
    files = files_for("call", call, "[3, 1]")
    assert (files[INPUT_FILE], files[OUTPUT_FILE], files["answer.txt"]) == (
        "[[3, 1], 2]",
        "[3, 1]",
        "[1, 3]",
    )


def test_a_value_is_written_as_json_for_the_checker():
    from collections import Counter
    from fractions import Fraction

    assert compare.json_text((1, 2)) == "[1, 2]"
    assert compare.json_text(Counter("aab")) == '{"a": 2, "b": 1}'
    assert compare.json_text(Fraction(1, 2)) == "0.5"
    assert compare.json_text(b"bytes") is None
    assert compare.json_text(1j) is None
    assert compare.json_text(range(3)) == "[0, 1, 2]"
    assert compare.json_text(Fraction(10**20 + 1)) == str(10**20 + 1)  # not a float's 1e20
    assert compare.json_text({None: 1, 2: 3}) == '{"null": 1, "2": 3}'


def test_a_value_json_would_misstate_has_no_json_form():
    # Written for a checker, each would read as another value (red team HOLE 8): a JSON reader
    # keeps the last of two equal keys; a set has no order, and in Python never equals a list.
    assert compare.json_text({1: 4, "1": 5}) is None
    assert compare.json_text([{3, 1, 2}]) is None
    assert compare.json_text(frozenset()) is None
    assert compare.json_text({(1, 2): 3}) is None  # a key JSON cannot write
    assert compare.json_text([float("nan")]) is None  # not JSON (json.dumps writes NaN)
    assert compare.json_text(float("inf")) is None


def test_a_range_that_would_take_the_judge_minutes_to_write_has_no_json_form():
    # A snapshot's range is two numbers: written out, range(10**7) would cost the judge
    # seconds and 70 MB (range(10**18): its memory), a null item instead of the solution's 0.
    assert compare.json_text([range(10**7)]) is None
    assert compare.json_text(range(10**18)) is None
    assert compare.json_text(range(2**70)) is None  # past ssize_t: len() raises OverflowError
    assert compare.json_text(range(compare.MAX_RANGE_ITEMS)) is not None


def finished_case(stdout: bytes = b"2\n", status: int = 0) -> CaseRun:
    run = CaseRun()
    run.cpu_limit_s = 1.0
    run.status = {"solution": status}
    run.cpu_s = {"solution": 0.01}
    run.outputs = {"stdout": stdout, "stderr": b""}
    return run


def test_a_checked_case_fails_until_its_checker_has_run():
    result = verdicts.decide("stdio", checker_case(checked=True), finished_case())
    assert result["passed"] is False
    assert result["to_check"] == "2\n"
    # A solution that did not finish well never reaches the checker.
    crashed = verdicts.decide("stdio", checker_case(checked=True), finished_case(status=1))
    assert "to_check" not in crashed and crashed["passed"] is False


def test_the_checker_gets_the_very_bytes_the_solution_wrote():
    result = verdicts.decide("stdio", checker_case(checked=True), finished_case(b"\xff\n"))
    assert result["to_check"].encode("utf-8", "surrogateescape") == b"\xff\n"


def ended_check(**state) -> CheckRun:
    check = CheckRun(1.0)
    check.status = 0
    for name, value in state.items():
        setattr(check, name, value)
    return check


@pytest.mark.parametrize(
    ("state", "passed", "reason"),
    [
        ({}, True, "accepted"),
        ({"status": 1, "printed": "ok"}, False, "rejected"),
        ({"status": -signal.SIGKILL}, False, "killed by signal 9"),
        ({"status": -signal.SIGXCPU, "cpu_s": 1.2}, False, "ran out of CPU"),
        ({"cpu_s": 1.0}, False, "ran out of CPU"),
        ({"timed_out": True, "wall_s": 5.0}, False, "timed out"),
        ({"capped": True}, False, "flooded"),
        ({"problem": "ZygoteError: gone"}, False, "could not be run"),
    ],
)
def test_how_a_checker_ended_is_the_verdict(state, passed, reason):
    result = verdicts.checked(checker_case(), finished_case(), ended_check(**state))
    assert result["passed"] is passed
    assert reason in result["reason"]
    assert "timeout" not in result  # only a checker starved by load is left unjudged


def test_a_checker_starved_by_load_leaves_the_case_unjudged():
    result = verdicts.checked(
        checker_case(), finished_case(), ended_check(timed_out=True, starved=True)
    )
    assert result["passed"] is False and result["timeout"] is True


def test_a_checker_gets_no_more_cpu_than_the_job_has_left():
    from sandbox.judge import checker

    check = checker.run(
        {"checker": "pass", "mode": "stdio", "memory_mb": 64},
        checker_case(),
        "1\n",
        0,
        zygote=None,
        principals=None,
        wall_deadline=0.0,
        reap=lambda *_: None,
        cpu_left_s=0.0,
    )
    assert check.problem is not None and "budget" in check.problem
    result = verdicts.checked(checker_case(), finished_case(), check)
    assert result["passed"] is False and "budget" in result["reason"]
