"""The judge package on its own: snapshots, truth values, and its imports.

Snapshots (sandbox/judge/values.py) are what crosses between a solution's process and the
judge's: they must rebuild every plain value exactly, never run the solution's methods, and
refuse what cannot cross. The judge must import nothing once a case has run.
"""

from __future__ import annotations

import collections
import decimal
import fractions
import json
import os
import re
import secrets
import signal
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rewardd.rewards.code import build_payload, judge_request
from rewardd.rewards.code_cases import plan_cases
from sandbox import procutil
from sandbox.judge import compare, values, verdicts
from tests.unsafe_code_sandbox import UnsafeLocalSandbox

plain_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.binary(max_size=20)
    | st.fractions()
    | st.decimals(allow_nan=False)
)
plain_values = st.recursive(
    plain_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.dictionaries(st.text(max_size=5) | st.integers(), inner, max_size=4)
        | st.dictionaries(st.text(max_size=3), st.integers(), max_size=4).map(collections.Counter)
    ),
    max_leaves=20,
)


def roundtrip(value):
    # Through JSON text, as over a pipe.
    return values.decode(json.loads(json.dumps(values.encode(value))))


@settings(max_examples=300, deadline=None)
@given(plain_values)
def test_plain_values_rebuild_exactly(value):
    rebuilt = roundtrip(value)
    assert rebuilt == value
    assert type(rebuilt) is type(value)


def test_subclasses_cross_as_their_base_without_their_methods():
    class Liar(int):
        def __eq__(self, other):
            return True

        __hash__ = int.__hash__

    class Sneaky(dict):
        def items(self):
            return [("forged", 1)]

    class Counted(collections.Counter):
        pass

    assert type(roundtrip(Liar(3))) is int and roundtrip(Liar(3)) == 3
    assert roundtrip(Sneaky(a=1)) == {"a": 1}
    assert type(roundtrip(Counted("ab"))) is collections.Counter
    assert roundtrip(collections.OrderedDict(b=1, a=2)) == collections.OrderedDict(b=1, a=2)
    assert roundtrip(collections.deque([1, 2], maxlen=3)) == collections.deque([1, 2], maxlen=3)
    assert roundtrip(fractions.Fraction(1, 3)) == fractions.Fraction(1, 3)
    assert roundtrip(decimal.Decimal("1.10")).as_tuple() == decimal.Decimal("1.10").as_tuple()
    assert roundtrip(float("nan")) != roundtrip(float("nan"))  # nan stays nan


def test_what_cannot_cross_is_refused_or_a_handle():
    loop: list = [1]
    loop.append(loop)
    deep: list = []
    for _ in range(values.MAX_DEPTH + 5):
        deep = [deep]
    for bad in (loop, deep, object()):
        with pytest.raises(values.NotPlain):
            values.encode(bad)
    handles = []
    tree = values.encode([object()], lambda obj: handles.append(obj) or len(handles))
    assert tree[1][0][:3] == ["ref", 1, "object"]


def test_truth_is_trusted_only_where_python_decides_it():
    class NoBool:
        pass

    class AlwaysTrue:
        def __bool__(self):
            return True

    class Sized:
        def __len__(self):
            return 0

    assert values.trusted_truth(re.match("a", "a")) is True
    assert values.trusted_truth(NoBool()) is True
    assert values.trusted_truth(AlwaysTrue()) is None
    assert values.trusted_truth(Sized()) is None
    assert values.trusted_truth([]) is False


@pytest.mark.parametrize(
    "value",
    [
        list(range(-50, 50)),
        tuple(range(20)),
        [2**63 - 1, -(2**63)] * 5,  # the edges of the 64-bit form
        [2**70, -(2**90), 3] * 4,  # past it: joined hex
        [0.1, -0.0, float("inf"), -float("inf"), 5e-324] * 2,
        ["a", "", "\u00e9\ud7ff", "x" * 1000] * 3,
    ],
)
def test_a_big_list_of_one_scalar_type_crosses_packed_and_exact(value):
    tree = values.encode(value)
    assert tree[0][1:] in ("#q", "#i", "#d", "#s"), tree[0]
    back = roundtrip(value)
    assert back == value and type(back) is type(value)
    assert [type(item) for item in back] == [type(item) for item in value]
    assert [repr(item) for item in back] == [repr(item) for item in value]  # -0.0 stays -0.0


def test_what_is_not_one_exact_scalar_type_is_not_packed():
    class Int(int):
        pass

    for value in ([True] * 10, [1, 2.0] * 5, [Int(1)] * 10, [1] * 3, [[1]] * 10):
        assert values.encode(value)[0] in ("l", "t"), value
        assert roundtrip(value) == value
    nan = roundtrip([float("nan")] * 10)
    assert all(item != item for item in nan)


@pytest.mark.parametrize(
    "tree", [["l#q", "abc"], ["l#q", 5], ["l#d", "00" * 7], ["l#i", "zz"], ["l#s", [1]]]
)
def test_malformed_packed_snapshots_are_errors(tree):
    with pytest.raises((ValueError, TypeError)):
        values.decode(tree)


def test_a_signalling_nan_is_refused_when_rebuilt_not_left_to_raise_in_a_comparison():
    # Decimal("sNaN") == 2 raises InvalidOperation, which would read as the judge's failure.
    assert values.decode(values.encode(decimal.Decimal("NaN"))).is_nan()
    with pytest.raises(ValueError, match="signalling NaN"):
        values.decode(values.encode(decimal.Decimal("sNaN")))


@pytest.mark.parametrize("tree", [["zz"], ["i", 5], ["l", "x"], ["d", [[1]]], "raw", 3])
def test_malformed_snapshots_are_errors(tree):
    with pytest.raises((ValueError, TypeError, IndexError)):
        values.decode(tree)


@pytest.mark.parametrize(
    "reference",
    [
        {"tests": "import unittest, asyncio, math\n\ndef test_a():\n    assert add(1, 2) == 3\n"},
        {"fn_name": "add", "test_cases": [{"input": [1, 2], "output": 3}]},
        {"test_cases": [{"input": "1 2\n", "output": "3\n"}]},
    ],
)
def test_the_judge_imports_nothing_once_it_has_its_payload(reference):
    plan = plan_cases(reference)
    token = secrets.token_hex(8)
    solution = (
        "import sys\ndef add(a, b):\n    return a + b\nif __name__ == '__main__':\n    print(3)"
    )
    payload = build_payload(plan, solution, token, 256)
    result = UnsafeLocalSandbox().execute(judge_request(payload))
    verdict = next(
        json.loads(line)
        for line in result.stdout.splitlines()
        if line.startswith('{"rewardd_verdict"')
    )
    assert [case["passed"] for case in verdict["cases"]] == [True]
    assert verdict["late_imports"] == []
    assert verdict["internal_errors"] == []


# --- a job that runs out after a case passed its own limit -----------------------------------


def _job_output(token: str, lines: list[dict]) -> str:
    return "".join(json.dumps(line) + "\n" for line in lines)


def test_a_job_budget_spent_after_a_case_passed_its_limit_still_scores_zero():
    # The judge said case 2 passed its own limit, then the sandbox's backstop stopped the job
    # before the verdict: the solution's processes spent the job's time. Scored 0, not null.
    from rewardd.rewards.code import score_job
    from sandbox import ExecutionResult

    plan = plan_cases(
        {"fn_name": "f", "test_cases": [{"input": [1], "output": 1}, {"input": [2], "output": 2}]}
    )
    token = secrets.token_hex(8)
    started = {"rewardd_started": token, "hardening": {"separate_uids": True}}
    over = {
        "rewardd_case": token,
        "index": 1,
        "limit": True,
        "result": {"name": "case 2", "passed": False, "reason": "its processes together ran out"},
    }
    forged = {**over, "rewardd_case": "not-the-token", "index": 0}
    for status in ("timeout", "memory_limit", "error"):
        result = ExecutionResult(
            status, None, _job_output(token, [started, forged, over]), "", 1.0, False
        )
        score = score_job(result, token, plan)
        assert score.error is None and score.value == 0.0, (status, score)
        cases = score.details["cases"]
        assert [c["passed"] for c in cases] == [False, False]
        assert "ran out" in cases[1]["reason"] and "not judged" in cases[0]["reason"]
    # Without such a line a backstop under separate uids is still no verdict (load).
    result = ExecutionResult("timeout", None, _job_output(token, [started]), "", 1.0, False)
    assert score_job(result, token, plan).error.code == "timeout"


def test_the_judges_work_on_one_result_meets_a_cpu_deadline():
    # Red team HOLE 3 (fraction_list): each Fraction under the cap on its parts, 240 of them:
    # the judge's rebuild is stopped at its deadline, not run to the end on the job's budget.
    import time

    from sandbox.judge import supervisor

    def part() -> str:
        return "f" + os.urandom(values.MAX_FRACTION_HEX // 2).hex()[1:]

    costly = ["l", [["Fraction", part(), part()] for _ in range(240)]]
    started = time.process_time()
    with pytest.raises(supervisor.JudgeWorkTooCostly), supervisor.judge_cpu_deadline(0.1):
        values.decode(costly)
    assert time.process_time() - started < 0.6
    with supervisor.judge_cpu_deadline(0.1):  # cheap work is untouched, and nothing fires later
        assert values.decode(["l", [["i", "2a"]]]) == [42]
    assert sum(i * i for i in range(2_000_000)) > 0


@pytest.mark.skipif(os.geteuid() != 0, reason="acting as another uid needs root")
def test_a_wipe_past_its_entry_budget_stops_before_deleting_anything():
    # Red team HOLE 11: what a case leaves is deleted with the judge's CPU, so it is bounded.
    import shutil
    import tempfile
    from pathlib import Path

    from sandbox import procutil

    uid = procutil.KILLER_UID - 9  # a uid nothing here runs as
    # Traversable by that uid, as /dev/shm is (pytest's tmp_path sits in a 0700 dir).
    tmp_path = Path(tempfile.mkdtemp(prefix="rewardd-wipe-budget-"))
    os.chmod(tmp_path, 0o1777)
    for i in range(6):
        (tmp_path / f"f{i}").write_text("x")
        os.chown(tmp_path / f"f{i}", uid, uid)
    pid = os.fork()
    if pid == 0:  # acting_as changes the whole process's credentials
        try:
            os.setgroups([])
            try:
                procutil.wipe_owned(uid, (str(tmp_path),), procutil.EntryBudget(5))
                os._exit(3)
            except procutil.TooMuchLeft:
                pass
            if len(os.listdir(tmp_path)) != 6:
                os._exit(4)
            left = procutil.wipe_owned(uid, (str(tmp_path),), procutil.EntryBudget(6))
            os._exit(1 if left or os.listdir(tmp_path) else 0)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    shutil.rmtree(tmp_path)
    assert os.waitstatus_to_exitcode(status) == 0


def lines_compared(text: str) -> list[str]:
    """What stdio cases compare, by its definition: lines split at "\n" (a "\r\n" counted as
    one), each rstrip()ped, trailing empty ones dropped."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


line_texts = st.text(
    alphabet=st.sampled_from(
        ["a", "b", " ", "\t", "\r", "\n", "\x0b", "\x85", "\u2028", "\u3000", "\xa0", "é"]
    ),
    max_size=40,
)


@settings(max_examples=500, deadline=None)
@given(line_texts, line_texts)
def test_same_lines_is_lines_compared_as_their_definition_says(got, expected):
    assert compare.same_lines(got, expected) == (lines_compared(got) == lines_compared(expected))


def test_a_huge_output_of_short_lines_is_compared_without_a_list_of_its_lines():
    # 16 million newlines: a list of its lines would be ~1 GiB of str objects in the judge.
    text = "\n" * (16 << 20)
    tracemalloc.start()
    try:
        assert compare.same_lines(text, "")
        assert not compare.same_lines(text + "x", "")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20, peak


def _reap_strays_outcomes() -> tuple[str | None, str | None, str | None]:
    """reap_strays with no stray, with a stray it may not kill, and after that stray is gone,
    in a process whose only children are the ones made here."""
    from sandbox.judge import supervisor
    from sandbox.judge.zygote_client import Principals

    principals = Principals(
        {"REWARDD_JUDGE_UID": "0", "REWARDD_CASE_UIDS": "60000:2", "REWARDD_CASE_ROOT": "/tmp"}
    )
    assert principals.separate
    supervisor.REAP_ROUNDS = 3
    before = supervisor.reap_strays(None, principals)
    ready_r, ready_w = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.setuid(65534)
            os.write(ready_w, b"x")
            signal.pause()
        finally:
            os._exit(0)
    os.read(ready_r, 1)  # another uid by now: while root, it is taken for the zygote's spare
    try:
        during = supervisor.reap_strays(None, principals)
    finally:
        os.kill(child, 9)
        os.waitpid(child, 0)
    return before, during, supervisor.reap_strays(None, principals)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run a child as another uid")
def test_reap_strays_reports_a_process_it_could_not_reap():
    """With separate uids the judge only reaps (the zygote kills a case's uid): a stray still
    there after the last round is reported, for end_case to fail the case, never ignored."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a fresh process: the test runner's own children are not its strays
        os.close(read)
        try:
            outcome = json.dumps(_reap_strays_outcomes())
        except BaseException as exc:
            outcome = json.dumps(repr(exc))
        os.write(write, outcome.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        outcome = json.loads(pipe.read())
    os.waitpid(pid, 0)
    before, during, after = outcome
    assert before is None and after is None, outcome
    assert during is not None and "1 processes still there" in during, outcome


def test_a_result_pipe_decides_only_with_exactly_one_frame():
    # A frame written ahead of the tester's own (by a process that got its verdict fd) is
    # no verdict, and neither is the pair; a whole single frame is.
    forged = procutil.encode_frame({"passed": True, "fit": True})
    real = procutil.encode_frame({"passed": False, "reason": "1 != 2"})
    assert verdicts.parse_frame(real) == {"passed": False, "reason": "1 != 2"}
    assert verdicts.parse_frame(forged + real) is None
    assert verdicts.parse_frame(real[:-1]) is None
    assert verdicts.parse_frame(real + b"x") is None
