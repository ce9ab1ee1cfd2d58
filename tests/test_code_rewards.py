"""Code rewards: extraction, format, lint, case planning, verdict reading and the judge.

The pure parts need nothing. The judge's own logic runs with benign solutions on a plain
subprocess (tests/unsafe_code_sandbox.py) and, when Docker is up, in the real sandbox too.
The hostile solutions are in test_code_antihack.py (Docker only).
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rewardd.rewards.code import (
    code_format,
    extract_code,
    fenced_blocks,
    lint,
    run_cases,
    score_job,
)
from rewardd.rewards.code_cases import BadReference, plan_cases
from rewardd.rewards.types import GradingInput
from sandbox import ExecutionResult
from sandbox.judge.compare import json_equal, same_lines
from sandbox.local_backend import UnavailableSandbox
from tests.judge_support import open_docker_sandbox
from tests.unsafe_code_sandbox import UnsafeLocalSandbox


def answer(code: str, tag: str = "python") -> str:
    return f"<think>plan</think>\n<answer>\n```{tag}\n{code}\n```\n</answer>"


def code_item(completion: str, reference: dict) -> GradingInput:
    return GradingInput(completion=completion, task="code", reference=reference)


# --- extract_code ----------------------------------------------------------------------------


def test_extract_takes_the_last_block_of_the_answer():
    completion = (
        "<think>```python\nthinking = 1\n```</think><answer>first\n```python\na = 1\n```\n"
        "then\n```python\nb = 2\n```\n</answer>"
    )
    assert extract_code(completion) == "b = 2"


def test_extract_prefers_blocks_tagged_with_the_language():
    completion = "<answer>```python\nx = 1\n```\nOutput:\n```text\n1\n```</answer>"
    assert extract_code(completion) == "x = 1"
    assert extract_code(completion, "text") == "1"


def test_extract_falls_back_to_the_last_block_of_any_tag():
    assert extract_code("```\nprint(1)\n```\n```js\nx\n```") == "x"
    assert extract_code("```py\nprint(1)\n```") == "print(1)"


def test_extract_reads_the_whole_completion_without_an_answer_block():
    assert extract_code("Here:\n```python\nprint(2)\n```\nDone.") == "print(2)"


def test_extract_finds_nothing_in_an_answer_without_code():
    assert extract_code("```python\nx = 1\n```<answer>42</answer>") is None
    assert extract_code("no code at all") is None
    assert extract_code("```python\n   \n```") is None


def test_extract_ignores_an_unclosed_fence():
    assert extract_code("```python\ndef f():\n    return 1") is None
    assert extract_code("```python\na = 1\n```\n```python\nb = (") == "a = 1"


def test_extract_handles_longer_and_tilde_fences():
    completion = "````python\ns = '''\n```\n'''\n````"
    assert extract_code(completion) == "s = '''\n```\n'''"
    assert extract_code("~~~python\nx = 3\n~~~") == "x = 3"
    assert fenced_blocks("  ```Python  \ny\n  ```") == [("python", "y")]


def _naive_fenced_blocks(text: str) -> list[tuple[str, str]]:
    """The old regex scan, quadratic on hostile lines but plainly right: the oracle."""
    opener = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})[ \t]*(?P<tag>[^\s`{]*)[^`\n]*$")
    blocks, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        opening = opener.match(lines[i])
        if not opening:
            i += 1
            continue
        fence = opening["fence"]
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        for j in range(i + 1, len(lines)):
            if closing.match(lines[j]):
                blocks.append((opening["tag"].lower(), "\n".join(lines[i + 1 : j])))
                i = j + 1
                break
        else:
            break
    return blocks


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="`~ \t{\na-Z\x0b\r", max_size=120))
def test_fence_scan_agrees_with_the_naive_regex_scan(text):
    assert fenced_blocks(text) == _naive_fenced_blocks(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["```", "````", "~~~", "```py", " ```python {x}", "~~~ a`b", "x", ""]),
        max_size=12,
    )
)
def test_fence_scan_agrees_on_realistic_lines(lines):
    text = "\n".join(lines)
    assert fenced_blocks(text) == _naive_fenced_blocks(text)


def test_fence_scan_is_linear_on_a_hostile_line():
    # A fence line and a megabyte of non-space text ending in a backtick: the old regex
    # backtracked over every split of it (30 kB took about 6 s); this returns at once.
    assert fenced_blocks("```" + "a" * (1 << 20) + "`") == []
    assert extract_code("```" + "x" * 30_000 + "`\n```python\nok = 1\n```") == "ok = 1"
    # What lies past the scan cap (the API's 1 MiB completion limit) is not read.
    assert extract_code("x" * (1 << 20) + "\n```python\nlate = 1\n```") is None


# --- code_format -----------------------------------------------------------------------------


def test_code_format_wants_a_block_of_the_reference_language_in_the_answer():
    assert code_format(code_item(answer("x = 1"), {})).value == 1.0
    assert code_format(code_item(answer("x = 1", "py"), {})).value == 1.0
    assert code_format(code_item(answer("int x;", "cpp"), {"language": "cpp"})).value == 1.0
    assert code_format(code_item(answer("int x;", "cpp"), {})).value == 0.0
    assert code_format(code_item(answer("x = 1", ""), {})).value == 0.0


def test_code_format_needs_the_answer_block():
    score = code_format(code_item("```python\nx = 1\n```", {}))
    assert score.value == 0.0
    assert "<answer>" in score.reason
    assert code_format(code_item("<answer>x = 1</answer>", {})).value == 0.0


# --- lint ------------------------------------------------------------------------------------


def test_lint_gives_clean_code_full_marks():
    score = lint(code_item(answer("def add(a, b):\n    return a + b"), {}))
    assert score.value == 1.0
    assert score.details["violations"] == 0


def test_lint_takes_a_tenth_per_violation():
    code = "import os\nimport sys\n\ndef f(x):\n    return x == None"
    score = lint(code_item(answer(code), {}))
    assert score.details["violations"] == 3  # F401 twice, E711
    assert score.value == pytest.approx(0.7)


def test_lint_floors_at_zero():
    code = "\n".join(f"import m{i}" for i in range(15))
    assert lint(code_item(answer(code), {})).value == 0.0


def test_lint_gives_zero_to_code_that_does_not_parse():
    score = lint(code_item(answer("def f(:\n    pass"), {}))
    assert score.value == 0.0
    assert score.details["parses"] is False


def test_lint_is_not_fooled_by_noqa_comments():
    code = "# ruff: noqa\nimport os  # noqa\nimport sys  # noqa: F401"
    assert lint(code_item(answer(code), {})).details["violations"] == 2


def test_lint_is_not_applicable_without_python_code():
    assert lint(code_item("<answer>no code</answer>", {})).value is None
    assert lint(code_item(answer("int x;", "cpp"), {"language": "cpp"})).value is None


def test_lint_ignores_user_config(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.ruff.lint]\nignore = ["F401"]\n')
    monkeypatch.chdir(tmp_path)
    assert lint(code_item(answer("import os"), {})).details["violations"] == 1


# --- planning the cases ----------------------------------------------------------------------


def test_test_functions_and_test_methods_are_cases():
    tests = textwrap.dedent(
        """
        import unittest

        def helper():
            return 1

        def test_one():
            assert helper() == 1

        async def test_async():
            assert True

        class TestThing(unittest.TestCase):
            def setUp(self):
                self.x = 1

            def test_method(self):
                self.assertEqual(self.x, 1)

        class Helper:
            def test_not_a_case(self):
                pass
        """
    )
    plan = plan_cases({"tests": tests})
    assert plan.mode == "test"
    assert [c["name"] for c in plan.cases] == ["test_one", "test_async", "TestThing.test_method"]
    assert [c["is_async"] for c in plan.cases] == [False, True, False]
    assert len(plan.sources) == 1


def test_top_level_asserts_are_cases_with_the_code_above_them():
    plan = plan_cases({"tests": "x = 2\nassert f(x) == 4\ny = 3\nassert f(y) == 9\n"})
    assert [c["name"] for c in plan.cases] == ["assert on line 2", "assert on line 4"]
    second = plan.sources[plan.cases[1]["source"]]
    assert "x = 2" in second and "y = 3" in second and "f(x)" not in second


def test_humaneval_style_checks_are_one_case():
    tests = "def check(candidate):\n    assert candidate(1) == 2\n\ncheck(inc)\n"
    plan = plan_cases({"tests": tests})
    assert [c["name"] for c in plan.cases] == ["the tests"]


def test_stdio_and_functional_cases():
    stdio = plan_cases({"test_cases": [{"input": "1\n", "output": "2\n", "timeout_s": 99}]})
    assert stdio.mode == "stdio"
    assert stdio.cases[0]["timeout_s"] == 30.0  # clamped
    functional = plan_cases(
        {"fn_name": "f", "timeout_s": 2, "test_cases": [{"input": "[1, [2]]", "output": "[3]"}]}
    )
    assert functional.mode == "call"
    assert functional.cases[0]["args"] == [1, [2]]
    assert functional.cases[0]["expected"] == [3]
    assert functional.cases[0]["timeout_s"] == 2.0
    text = plan_cases({"fn_name": "f", "test_cases": [{"input": [], "output": "hello"}]})
    assert text.cases[0]["expected"] == "hello"  # not JSON: the plain string value
    # fn_name next to test code (dataset metadata) does not turn the tests into calls.
    assert plan_cases({"fn_name": "f", "tests": "assert f() == 1"}).mode == "test"


@pytest.mark.parametrize(
    "reference",
    [
        {},
        {"tests": ""},
        {"tests": "def test_x(:\n"},
        {"tests": "x = 1\n"},
        {"tests": "def test_x(tmp_path):\n    assert tmp_path\n"},
        {"test_cases": []},
        {"test_cases": [{"input": "1"}]},
        {"test_cases": [{"input": 1, "output": 2}]},
        {"fn_name": "f", "test_cases": [{"input": "5", "output": "5"}]},
        {"fn_name": "f"},
        {"fn_name": "not an identifier", "test_cases": [{"input": [], "output": 1}]},
        {"tests": "assert True", "language": "cpp"},
        {"tests": "assert True", "timeout_s": "fast"},
    ],
)
def test_unusable_references_are_bad(reference):
    with pytest.raises(BadReference):
        plan_cases(reference)


def test_test_code_is_sent_as_written():
    # It runs in the judge's tester, where the solution never ran: nothing to rewrite, and
    # the line numbers in failures are the reference's own.
    tests = "def test_a():\n    assert f(1) == 2 and not g()\n"
    assert plan_cases({"tests": tests}).sources == [tests]


# --- comparing outputs -----------------------------------------------------------------------


def test_stdout_is_compared_line_by_line_ignoring_trailing_white_space():
    assert same_lines("1 2  \n3\n\n", "1 2\n3")
    assert same_lines("a\r\nb\r\n", "a\nb\n")
    assert not same_lines("1  2\n", "1 2\n")
    assert not same_lines("1\n2\n", "1\n")
    assert not same_lines(" 1\n", "1\n")


def test_return_values_are_compared_as_json_with_a_float_tolerance():
    assert json_equal([0.1 + 0.2, {"a": 1}], [0.3, {"a": 1}])
    assert json_equal(1e12 + 0.5, 1e12)  # relative tolerance for large values
    assert json_equal(3.0, 3)  # equal, exactly
    assert not json_equal(1.01, 1)
    assert not json_equal(True, 1)
    assert not json_equal(1, True)
    assert not json_equal([1, 2], [1, 2, 3])
    assert not json_equal({"a": 1}, {"a": 1, "b": 2})
    assert not json_equal("1", 1)
    assert json_equal(None, None)


def test_an_integer_expected_value_is_matched_exactly():
    assert not json_equal(1e12, 1000000123456)  # within 1e-6 relative, but not equal
    assert not json_equal(1.0000004, 1)
    assert json_equal(1000000123456, 1000000123456)
    assert not json_equal(1000000123457, 1000000123456)
    assert json_equal(10**30, 10**30)


def test_numbers_of_any_size_compare_without_overflow():
    assert not json_equal(10**400, 1.5)
    assert not json_equal(10**400, 1e308)
    assert not json_equal(-(10**400), float("-inf"))
    assert json_equal(float("inf"), float("inf"))
    assert not json_equal(float("nan"), float("nan"))


def test_values_python_calls_equal_are_equal_as_json():
    from collections import Counter, OrderedDict
    from fractions import Fraction

    assert json_equal(Counter("aab"), {"a": 2, "b": 1})
    assert json_equal(OrderedDict(b=1, a=2), {"a": 2, "b": 1})
    assert json_equal((1, [2, (3,)]), [1, [2, [3]]])  # tuples as lists
    assert json_equal(Fraction(1, 2), 0.5)
    assert json_equal({1: "a", None: "b"}, {"1": "a", "null": "b"})  # keys as JSON writes them
    assert not json_equal({1: "a", "1": "b"}, {"1": "b"})  # two keys JSON would merge
    assert not json_equal({1, 2}, [1, 2])  # a set is not a JSON list


# --- reading the judge's job -----------------------------------------------------------------


PLAN = plan_cases({"test_cases": [{"input": "", "output": "1"}, {"input": "", "output": "2"}]})


def job(stdout: str, status: str = "ok", exit_code: int | None = 0) -> ExecutionResult:
    return ExecutionResult(status, exit_code, stdout, "", 10.0, False)


def line(**fields) -> str:
    return json.dumps(fields) + "\n"


def test_a_verdict_with_our_token_is_the_score():
    cases = [
        {"name": "case 1", "passed": True, "reason": "ok"},
        {"name": "case 2", "passed": False, "reason": "no"},
    ]
    out = line(rewardd_started="t") + line(rewardd_verdict="t", cases=cases)
    score = score_job(job(out), "t", PLAN)
    assert score.value == 0.5
    assert (score.details["passed"], score.details["total"]) == (1, 2)


def test_a_verdict_without_our_token_is_ignored():
    forged = line(rewardd_verdict="guess", cases=[{"passed": True}] * 2)
    score = score_job(job(line(rewardd_started="t") + forged, "error", -9), "t", PLAN)
    assert score.value == 0.0
    assert "killed" in score.reason
    assert all(not case["passed"] for case in score.details["cases"])


def test_a_judge_stopped_at_the_time_limit_fails_every_case():
    score = score_job(job(line(rewardd_started="t"), "timeout", None), "t", PLAN)
    assert score.value == 0.0
    assert "time limit" in score.reason


def test_a_judge_that_never_started_is_a_sandbox_error():
    score = score_job(job("", "error", 127), "t", PLAN)
    assert score.value is None
    assert score.error.code == "sandbox_error"


def test_a_sandbox_failure_is_never_a_score():
    score = score_job(job(line(rewardd_started="t"), "sandbox_error", None), "t", PLAN)
    assert score.value is None
    assert score.error.code == "sandbox_error"


def test_a_judge_failure_is_an_internal_error():
    out = line(rewardd_started="t") + line(rewardd_internal_error="t", message="boom")
    score = score_job(job(out), "t", PLAN)
    assert score.value is None
    assert score.error.code == "internal"


def test_a_judge_failure_on_a_case_fails_that_case_and_is_reported(caplog):
    cases = [
        {"name": "case 1", "passed": True, "reason": "ok"},
        {"name": "case 2", "passed": False, "reason": "the judge failed on this case (X)"},
    ]
    verdict = line(rewardd_verdict="t", cases=cases, internal_errors=["case 2: X"])
    with caplog.at_level("ERROR", logger="rewardd.rewards.code"):
        score = score_job(job(line(rewardd_started="t") + verdict), "t", PLAN)
    assert score.value == 0.5 and score.error is None
    assert score.details["judge_errors"] == ["case 2: X"]
    assert "case 2: X" in caplog.text and PLAN.digest in caplog.text


def test_a_case_the_backstop_stopped_while_computing_leaves_the_item_unjudged():
    cases = [
        {"name": "case 1", "passed": True, "reason": "ok"},
        {"name": "case 2", "passed": False, "reason": "backstop", "timeout": True},
    ]
    out = line(rewardd_started="t") + line(rewardd_verdict="t", cases=cases)
    score = score_job(job(out), "t", PLAN)
    assert score.value is None
    assert score.error.code == "timeout"


def test_a_judge_under_its_own_uid_stopped_by_the_backstop_is_a_timeout():
    started = line(rewardd_started="t", hardening={"separate_uids": True})
    score = score_job(job(started, "timeout", None), "t", PLAN)
    assert score.value is None
    assert score.error.code == "timeout"


def test_a_verdict_for_other_cases_is_rejected():
    out = line(rewardd_verdict="t", cases=[{"name": "x", "passed": True}])
    assert score_job(job(out), "t", PLAN).error.code == "sandbox_error"


def test_run_cases_reports_bad_references_and_missing_code_without_the_sandbox():
    down = UnavailableSandbox("no sandbox here")
    bad = run_cases(code_item(answer("x = 1"), {"tests": "x = 1"}), down)
    assert bad.value is None
    assert bad.error.code == "bad_reference"
    no_code = run_cases(code_item("<answer>I don't know</answer>", {"tests": "assert f()"}), down)
    assert no_code.value == 0.0
    assert no_code.details["total"] == 1


def test_run_cases_never_invents_a_score_when_the_sandbox_is_down():
    score = run_cases(
        code_item(answer("x = 1"), {"tests": "assert x == 1"}), UnavailableSandbox("down")
    )
    assert score.value is None
    assert score.error.code == "sandbox_error"


# --- the judge, with benign solutions --------------------------------------------------------


@pytest.fixture(
    scope="module", params=["unsafe-local", pytest.param("docker", marks=pytest.mark.docker)]
)
def sandbox(request) -> Iterator[object]:
    box = UnsafeLocalSandbox() if request.param == "unsafe-local" else open_docker_sandbox()
    yield box
    box.close()


def grade(sandbox, code: str, reference: dict):
    return run_cases(code_item(answer(textwrap.dedent(code).strip()), reference), sandbox)


def passed_of(score) -> tuple[int, int]:
    assert score.error is None, score.error
    return score.details["passed"], score.details["total"]


def test_judge_runs_test_functions(sandbox):
    tests = "def test_a():\n    assert inc(1) == 2\n\ndef test_b():\n    assert inc(2) == 4\n"
    score = grade(sandbox, "def inc(x):\n    return x + 1", {"tests": tests})
    assert passed_of(score) == (1, 2)
    assert score.value == 0.5
    failed = score.details["cases"][1]
    assert failed["name"] == "test_b" and "AssertionError" in failed["reason"]


def test_judge_runs_top_level_asserts_and_humaneval_checks(sandbox):
    tests = "assert inc(1) == 2\nassert inc(5) == 7\nassert inc(-1) == 0\n"
    assert passed_of(grade(sandbox, "def inc(x):\n    return x + 1", {"tests": tests})) == (2, 3)
    humaneval = "def check(candidate):\n    assert candidate(1) == 2\n\ncheck(inc)\n"
    score = grade(sandbox, "def inc(x):\n    return x + 1", {"tests": humaneval})
    assert passed_of(score) == (1, 1)


def test_judge_runs_unittest_and_async_tests_and_imports_from_solution(sandbox):
    tests = textwrap.dedent(
        """
        import unittest
        from solution import inc

        class TestInc(unittest.TestCase):
            def setUp(self):
                self.base = 1

            def test_up(self):
                self.assertEqual(inc(self.base), 2)
                self.assertAlmostEqual(inc(0.1), 1.1)
                self.assertIn(inc(1), [1, 2])

            def test_raises(self):
                with self.assertRaises(TypeError):
                    inc("a")

            def test_wrong(self):
                self.assertTrue(inc(1) == 3)

        async def test_async():
            assert inc(1) == 2
        """
    )
    score = grade(sandbox, "def inc(x):\n    return x + 1", {"tests": tests})
    verdicts = {case["name"]: case["passed"] for case in score.details["cases"]}
    assert verdicts == {
        "TestInc.test_up": True,
        "TestInc.test_raises": True,
        "TestInc.test_wrong": False,
        "test_async": True,
    }


def test_judge_compares_common_builtin_results_strictly_but_fairly(sandbox):
    tests = textwrap.dedent(
        """
        from collections import Counter

        def test_types():
            assert type(group([1])) == dict and group([]) in [{}, None]

        def test_defaultdict():
            assert group([1, 1, 2]) == {1: [1, 1], 2: [2]}
            assert list(group([3]).keys()) == [3] and group([3]).keys() == {3}

        def test_range():
            assert len(group([5])[5]) in range(1, 3)

        def test_counter_is_not_plain():
            assert Counter(group([1])) == Counter({1: 1})
        """
    )
    code = """
        from collections import defaultdict

        def group(items):
            out = defaultdict(list)
            for item in items:
                out[item].append(item)
            return out
    """
    score = grade(sandbox, code, {"tests": tests})
    verdicts = {case["name"]: case["passed"] for case in score.details["cases"]}
    assert verdicts == {
        "test_types": False,  # type(defaultdict) is not dict: an honest failure
        "test_defaultdict": True,
        "test_range": True,
        "test_counter_is_not_plain": False,  # Counter.__eq__ is Python code, patchable
    }


def test_judge_runs_stdio_cases(sandbox):
    reference = {
        "test_cases": [
            {"input": "3\n1 2 3\n", "output": "6\n"},
            {"input": "2\n5 5", "output": "10   \n\n"},
            {"input": "1\n7\n", "output": "8\n"},
        ]
    }
    code = "input()\nprint(sum(map(int, input().split())))"
    assert passed_of(grade(sandbox, code, reference)) == (2, 3)


def test_judge_handles_large_input_and_output(sandbox):
    numbers = " ".join(str(i) for i in range(200_000))
    reference = {"test_cases": [{"input": numbers + "\n", "output": numbers + "\n"}]}
    code = "import sys\nsys.stdout.write(sys.stdin.read())"
    assert passed_of(grade(sandbox, code, reference)) == (1, 1)


def test_judge_runs_functional_cases(sandbox):
    reference = {
        "fn_name": "divide",
        "test_cases": [
            {"input": "[1, 3]", "output": "0.3333333"},
            {"input": [[1, 2], 2], "output": [0.5, 1.0]},
            {"input": [{"a": 4}, 2], "output": {"a": 2}},
            {"input": [9, 3], "output": 4},
        ],
    }
    code = """
        def divide(x, y):
            if isinstance(x, list):
                return tuple(v / y for v in x)
            if isinstance(x, dict):
                return {k: v // y for k, v in x.items()}
            return x / y
    """
    assert passed_of(grade(sandbox, code, reference)) == (3, 4)


def test_judge_calls_methods_of_a_solution_class(sandbox):
    reference = {"fn_name": "twoSum", "test_cases": [{"input": [[2, 7, 11], 9], "output": [0, 1]}]}
    code = """
        class Solution:
            def twoSum(self, nums, target):
                seen = {}
                for i, n in enumerate(nums):
                    if target - n in seen:
                        return [seen[target - n], i]
                    seen[n] = i
    """
    assert passed_of(grade(sandbox, code, reference)) == (1, 1)


def test_judge_fails_only_the_case_that_runs_too_long(sandbox):
    reference = {
        "fn_name": "f",
        "timeout_s": 1.5,
        "test_cases": [{"input": [1], "output": 1}, {"input": [0], "output": 0}],
    }
    code = "def f(x):\n    while not x:\n        pass\n    return x"
    score = grade(sandbox, code, reference)
    assert passed_of(score) == (1, 2)
    assert "ran out of CPU time" in score.details["cases"][1]["reason"]


def test_judge_fails_crashes_memory_hogs_and_floods(sandbox):
    reference = {
        "fn_name": "f",
        "test_cases": [{"input": [n], "output": n} for n in range(4)],
    }
    code = """
        import sys

        def f(n):
            if n == 1:
                raise ValueError("boom")
            if n == 2:
                return len(bytearray(4 << 30))
            if n == 3:
                while True:
                    sys.stdout.write("x" * 65536)
            return n
    """
    score = grade(sandbox, code, reference)
    assert passed_of(score) == (1, 4)
    reasons = [case["reason"] for case in score.details["cases"]]
    assert "ValueError: boom" in reasons[1]
    assert "MemoryError" in reasons[2]
    assert "flooded" in reasons[3]


def test_judge_reports_a_solution_that_does_not_load(sandbox):
    score = grade(sandbox, "def inc(x):\n    return x +", {"tests": "assert inc(1) == 2"})
    assert passed_of(score) == (0, 1)
    assert "SyntaxError" in score.details["cases"][0]["reason"]


def test_a_top_level_test_runner_call_is_dropped_and_line_numbers_kept():
    # `unittest.main()` at the top level would run the tests again, under unittest, and end
    # the module's run with a SystemExit; pytest's main likewise. Other calls stay.
    tests = (
        "import unittest as ut\nfrom pytest import main as run\n\n"
        "class T(ut.TestCase):\n    def test_a(self):\n        self.assertEqual(f(), 1)\n"
        "ut.main(\n    verbosity=2)\nrun()\nprint(f())\n"
    )
    source = plan_cases({"tests": tests}).sources[0]
    assert "ut.main" not in source and "run()" not in source and "print(f())" in source
    assert source.splitlines()[5] == tests.splitlines()[5]  # the failing line's number holds
    assert len(source.splitlines()) == len(tests.splitlines())
    script = "assert f() == 1\nunittest.main()\nif __name__ == '__main__':\n    main()\n"
    plan = plan_cases({"tests": script})
    # The guard's main() is the tests' own (no runner imported as main): it runs.
    assert [case["name"] for case in plan.cases][-1] == "the code after the last assert"
    assert "unittest.main" not in plan.sources[-1] and "main()" in plan.sources[-1]
    # Imported only to run itself: the import goes with the call (no image has pytest).
    for tests in (
        "import pytest\n\ndef test_a():\n    assert f() == 1\n\n"
        "if __name__ == '__main__':\n    pytest.main([__file__])\n",
        "import pytest\nassert f() == 1\npytest.main()\n",
    ):
        plan = plan_cases({"tests": tests})
        assert all("import pytest" not in source for source in plan.sources), plan.sources


@pytest.mark.parametrize(
    ("reference", "refused"),
    [
        ({"tests": "import numpy as np\ndef test_a():\n    assert f() == 1\n"}, "numpy"),
        (
            {
                "tests": "import pytest\ndef test_a():\n    with pytest.raises(ValueError):\n"
                "        f(-1)\n"
            },
            "pytest",
        ),
        ({"tests": "from main import f\nassert f() == 1\n"}, "main"),
        ({"tests": "import numpy.linalg\nassert f() == 1\n", "image": "sci"}, None),
        ({"tests": "from solution import f\nimport math, collections.abc\nassert f()\n"}, None),
        (
            {
                "tests": "try:\n    import numpy\nexcept ImportError:\n    numpy = None\n"
                "assert f()\n"
            },
            None,
        ),
        ({"tests": "def test_a():\n    import numpy\n    assert f()\n"}, None),
        (
            {"tests": "assert f() == 1\n", "preamble": "import sortedcontainers\n"},
            "sortedcontainers",
        ),
        (
            {"test_cases": [{"input": "1\n", "output": "1\n"}], "checker": "import numpy\n"},
            "numpy",
        ),
    ],
)
def test_tests_importing_what_their_image_lacks_are_a_bad_reference(reference, refused):
    # Every case would fail for every solution: a correct one would read 0.
    if refused is None:
        assert plan_cases(reference).cases
        return
    with pytest.raises(BadReference, match=rf"import {refused}, which the default sandbox image"):
        plan_cases(reference)
    if refused in ("numpy", "sortedcontainers"):
        with pytest.raises(BadReference, match=re.escape("set reference.image to 'sci'")):
            plan_cases(reference)


def test_a_test_class_has_every_method_unittests_loader_finds():
    # Its own, bound by assignment, inherited from a mixin or from a base TestCase (which a
    # subclass runs again with its own attributes), through an alias of TestCase.
    tests = textwrap.dedent(
        """
        import unittest

        Base = unittest.TestCase

        class SumChecks:
            def test_small(self):
                assert self.func([1, 2]) == 3

        class TestSum(SumChecks, Base):
            func = staticmethod(sum)

            def test_empty(self):
                assert self.func([]) == 0

            test_alias = test_empty

        class TestTotal(TestSum):
            func = staticmethod(total)
        """
    )
    names = [case["name"] for case in plan_cases({"tests": tests}).cases]
    assert sorted(names) == sorted(
        f"{cls}.{m}"
        for cls in ("TestSum", "TestTotal")
        for m in ("test_small", "test_empty", "test_alias")
    )
