"""Honest code passes as plain Python would pass it, on Docker and on bubblewrap.

What a correct solution returns in ordinary Python (a Counter for a dict, a re.Match for a
truth value, a Fraction for a float, a tuple where == says equal, a generator, an instance
of its own class) is compared as Python compares it, without the solution's own __eq__; a
solution's function named like a builtin is the one the tests call; the tests see what the
solution's module defines and imports, and arguments it changes in place.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.test_judge_hostile import assert_earned, grade, sandbox  # noqa: F401

pytestmark = pytest.mark.docker


def assert_right_and_wrong(box, solution: str, tests: str, wrong: str, scores) -> None:
    """The solution template (its `{wrong}` left out, then filled with `wrong`) earns
    scores[0], then scores[1], of scores[2] cases."""
    right_passed, wrong_passed, total = scores
    assert_earned(grade(box, solution.format(wrong=""), {"tests": tests}), right_passed, total)
    assert_earned(grade(box, solution.format(wrong=wrong), {"tests": tests}), wrong_passed, total)


@pytest.mark.parametrize(
    ("solution", "tests"),
    [
        pytest.param(
            "from collections import Counter\ndef count(s):\n    return Counter(s)",
            "assert count('aab') == {'a': 2, 'b': 1}\nassert count('') == {}",
            id="Counter vs dict",
        ),
        pytest.param(
            "import re\ndef starts(s):\n    return re.match('ab', s)",
            "assert starts('abc')\nassert not starts('xbc')\nassert starts('abz') is not None",
            id="re.Match truthiness",
        ),
        pytest.param(
            "class Box:\n    pass\ndef make():\n    return Box()",
            "assert make()\nassert make() is not None",
            id="object without __bool__",
        ),
        pytest.param(
            "from fractions import Fraction\ndef half():\n    return Fraction(1, 2)",
            "assert half() == 0.5\nassert half() == Fraction(1, 2)\n"
            "assert isinstance(half(), Fraction)",
            id="Fraction",
        ),
        pytest.param(
            "def pair():\n    return (1, 2)\ndef items():\n    return [1, 2]",
            "assert pair() == (1, 2)\nassert list(pair()) == items()\n"
            "assert tuple(items()) == pair()",
            id="tuples and lists where == says equal",
        ),
        pytest.param(
            "def sum(xs):\n    total = 0\n    for x in xs:\n        total += 2 * x\n"
            "    return total",
            "assert sum([1, 2]) == 6",
            id="def sum under test",
        ),
        pytest.param(
            "def sort_in_place(xs):\n    xs.sort()",
            "xs = [3, 1, 2]\nsort_in_place(xs)\nassert xs == [1, 2, 3]",
            id="argument changed in place",
        ),
        pytest.param(
            "class Solution:\n    def twoSum(self, nums, target):\n"
            "        seen = {}\n        for i, n in enumerate(nums):\n"
            "            if target - n in seen:\n                return [seen[target - n], i]\n"
            "            seen[n] = i",
            "assert Solution().twoSum([2, 7, 11], 9) == [0, 1]",
            id="LeetCode class",
        ),
        pytest.param(
            "def evens(n):\n    yield from range(0, n, 2)",
            "assert list(evens(5)) == [0, 2, 4]\nassert sum(evens(5)) == 6",
            id="generator",
        ),
        pytest.param(
            "import math\nMOD = 10**9 + 7\ndef area(r):\n    return math.pi * r * r",
            "assert abs(area(1) - math.pi) < 1e-9\nassert MOD == 1000000007",
            id="names the solution imports and defines",
        ),
        pytest.param(
            "from decimal import Decimal\nfrom collections import OrderedDict, deque\n"
            "def values():\n"
            "    return Decimal('1.5'), OrderedDict(a=1), deque([1, 2]), {1, 2}, b'x'",
            "d, o, q, s, b = values()\nassert d == Decimal('1.5') and o == {'a': 1}\n"
            "assert list(q) == [1, 2] and s == {1, 2} and b == b'x'",
            id="other stdlib values",
        ),
    ],
)
def test_honest_results_compare_as_python_compares_them(sandbox, solution, tests):  # noqa: F811
    total = sum(1 for line in tests.splitlines() if line.startswith("assert"))
    assert_earned(grade(sandbox, solution, {"tests": tests}), total, total)


def test_exceptions_reach_the_tests_as_their_builtin_kind(sandbox):  # noqa: F811
    solution = """
        class Negative(ValueError):
            pass

        def root(x):
            if x < 0:
                raise Negative("no root")
            return x ** 0.5
    """
    tests = textwrap.dedent(
        """
        import unittest

        class TestRoot(unittest.TestCase):
            def test_value(self):
                self.assertAlmostEqual(root(4), 2.0)

            def test_raises(self):
                with self.assertRaises(ValueError):
                    root(-1)
        """
    )
    assert_earned(grade(sandbox, solution, {"tests": tests}), 2, 2)


def test_async_tests_await_the_solutions_coroutines(sandbox):  # noqa: F811
    solution = "import asyncio\nasync def double(x):\n    await asyncio.sleep(0)\n    return 2 * x"
    tests = "import asyncio\n\nasync def test_double():\n    assert await double(2) == 4\n"
    assert_earned(grade(sandbox, solution, {"tests": tests}), 1, 1)


def test_threads_prints_and_imports_of_the_solution_are_its_own_business(sandbox):  # noqa: F811
    solution = """
        import threading, time, sys

        threading.Thread(target=lambda: time.sleep(10), daemon=True).start()
        print("loading", file=sys.stderr)

        def add(a, b):
            print("adding", a, b)
            return a + b
    """
    tests = "from solution import add\n\ndef test_add():\n    assert add(1, 2) == 3\n"
    assert_earned(grade(sandbox, solution, {"tests": tests}), 1, 1)


def test_functional_values_compare_as_json(sandbox):  # noqa: F811
    solution = """
        from collections import Counter
        from fractions import Fraction

        def f(n):
            return [Counter("aab"), (1, 2), Fraction(1, 2), {1: "x"}, 3.0000000001, 5][n]
    """
    expected = [{"a": 2, "b": 1}, [1, 2], 0.5, {"1": "x"}, 3.0, 5]
    reference = {
        "fn_name": "f",
        "test_cases": [{"input": [n], "output": e} for n, e in enumerate(expected)],
    }
    assert_earned(grade(sandbox, solution, reference), 6, 6)


# --- unittest's runner semantics, and what the tests capture ----------------------------------

UNITTEST_TESTS = textwrap.dedent(
    """
    import unittest

    class TestAdd(unittest.TestCase):
        def test_add(self):
            self.assertEqual(add(4, 5), 9)

        @unittest.skip("not yet")
        def test_later(self):
            self.assertEqual(add(1, 1), 3)

        def test_skipped_inside(self):
            self.skipTest("needs a network")

        @unittest.expectedFailure
        def test_known_bug(self):
            self.assertEqual(add(0.1, 0.2), 0.3)

    @unittest.skip("a whole class")
    class TestSkipped(unittest.TestCase):
        def test_wrong(self):
            self.assertEqual(add(1, 1), 3)

    unittest.main()
    """
)


def test_unittest_tests_score_as_unittest_runs_them(sandbox):  # noqa: F811
    # As `python tests.py` exits 0 for these: an unguarded unittest.main() is no failure,
    # a skipped test passes, and an expected failure that fails passes.
    assert_earned(
        grade(sandbox, "def add(a, b):\n    return a + b\n", {"tests": UNITTEST_TESTS}), 5, 5
    )
    # A solution for which the expected failure passes is an unexpected success: that test
    # fails (unittest's exit status is 1), and so does a wrong add on test_add.
    exact = textwrap.dedent(
        """
        from fractions import Fraction

        def add(a, b):
            if isinstance(a, float):  # exact decimal sums: 0.1 + 0.2 == 0.3
                return float(Fraction(str(a)) + Fraction(str(b)))
            return a + b + (a == 4)  # wrong on add(4, 5)
        """
    )
    score = grade(sandbox, exact, {"tests": UNITTEST_TESTS})
    assert_earned(score, 3, 5)
    reasons = {case["name"]: case["reason"] for case in score.details["cases"]}
    assert "unexpected success" in reasons["TestAdd.test_known_bug"]
    assert "skipped" in reasons["TestAdd.test_later"]


def test_an_expected_failure_is_never_the_judges_own(sandbox):  # noqa: F811
    # The failure a test expects must be the test's: a solution that exits, or answers with an
    # object whose truth only its own __bool__ decides, fails the case, expected or not.
    tests = textwrap.dedent(
        """
        import unittest

        class TestKnownBug(unittest.TestCase):
            @unittest.expectedFailure
            def test_exact(self):
                self.assertTrue(close_enough(0.1 + 0.2, 0.3))
        """
    )
    for solution in (
        "import os\n\ndef close_enough(a, b):\n    os._exit(0)\n",
        "class Maybe:\n    def __bool__(self):\n        return False\n\n"
        "def close_enough(a, b):\n    return Maybe()\n",
    ):
        assert_earned(grade(sandbox, solution, {"tests": tests}), 0, 1)
    honest = "def close_enough(a, b):\n    return a == b\n"
    assert_earned(grade(sandbox, honest, {"tests": tests}), 1, 1)


def test_an_expected_failure_covers_the_test_method_only(sandbox):  # noqa: F811
    # As in unittest: a failing setUp, setUpClass or tearDown is an error of the test, not the
    # failure it expects. A solution whose class cannot even be made fails the case.
    tests = textwrap.dedent(
        """
        import unittest

        class TestCounter(unittest.TestCase):
            def setUp(self):
                self.counter = Counter()

            def tearDown(self):
                self.counter.close()

            @unittest.expectedFailure
            def test_negative_steps_are_a_known_bug(self):
                self.counter.step(-1)
                self.assertEqual(self.counter.value, -1)
        """
    )
    honest = (
        "class Counter:\n    def __init__(self):\n        self.value = 0\n"
        "    def step(self, n):\n        self.value += max(n, 0)\n"
        "    def close(self):\n        pass\n"
    )
    assert_earned(grade(sandbox, honest, {"tests": tests}), 1, 1)
    broken_setup = "class Counter:\n    def __init__(self):\n        raise RuntimeError('no')\n"
    assert_earned(grade(sandbox, broken_setup, {"tests": tests}), 0, 1)
    broken_teardown = honest.replace("        pass\n", "        raise RuntimeError('no')\n")
    assert_earned(grade(sandbox, broken_teardown, {"tests": tests}), 0, 1)


FIXTURE_TESTS = textwrap.dedent(
    """
    import unittest

    LOG = []

    def setUpModule():
        LOG.append("module")

    def tearDownModule():
        assert closed_cleanly(), "the pool leaked at module teardown"

    class TestPool(unittest.TestCase):
        @classmethod
        def setUpClass(cls):
            cls.pool = open_pool()

        @classmethod
        def tearDownClass(cls):
            assert cls.pool.size() == 0, "connections left at class teardown"

        def setUp(self):
            self.addCleanup(self.check_released)

        def check_released(self):
            assert self.pool.size() == 0, "connection not released"

        def test_borrow(self):
            assert LOG == ["module"]
            with_connection(self.pool)

    class TestPytestStyle:
        def setup_method(self, method):
            self.pool = open_pool()

        def teardown_method(self, method):
            assert self.pool.size() == 0

        def test_borrow(self):
            with_connection(self.pool)

    def setup_function(function):
        LOG.append(function.__name__)

    def test_function_fixture():
        assert LOG[-1] == "test_function_fixture"
    """
)
POOL = """
_open = []

class Pool:
    def __init__(self):
        self.held = []
        _open.append(self)
    def size(self):
        return len(self.held)

def open_pool():
    return Pool()

def with_connection(pool):
    pool.held.append(1)
    {release}

def closed_cleanly():
    return all(not p.held for p in _open)
"""


def test_fixtures_run_in_their_turn_and_their_checks_count(sandbox):  # noqa: F811
    # setUpModule, setUpClass, setUp and their pytest counterparts run before the test; a
    # failing cleanup (addCleanup), tearDown, tearDownClass or tearDownModule fails it, as it
    # fails unittest's run: there the checks may be.
    honest = POOL.format(release="pool.held.pop()")
    assert_earned(grade(sandbox, honest, {"tests": FIXTURE_TESTS}), 3, 3)
    leaks = POOL.format(release="pass")
    assert_earned(grade(sandbox, leaks, {"tests": FIXTURE_TESTS}), 1, 3)


PRINT_TESTS = textwrap.dedent(
    """
    import contextlib
    import io
    import sys
    from unittest import mock

    def test_prints_the_table():
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            show_table(2)
        assert buffer.getvalue() == "1 2\\n2 4\\n"

    def test_warns_on_stderr():
        with mock.patch("sys.stderr", new_callable=io.StringIO) as err:
            show_table(-1)
        assert err.getvalue() == "negative\\n"

    def test_prints_before_it_raises():
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            try:
                show_table(None)
            except TypeError:
                pass
        assert buffer.getvalue() == "start\\n"
    """
)
SHOW_TABLE = """
import sys

def show_table(n):
    if n is None:
        print("start")
        raise TypeError("no n")
    if n < 0:
        print("negative", file=sys.stderr)
        return
    for i in range(1, n + 1):
        print(i, {wrong}i * n)
"""


def test_what_the_solution_prints_reaches_the_tests_redirected_streams(sandbox):  # noqa: F811
    assert_right_and_wrong(sandbox, SHOW_TABLE, PRINT_TESTS, "1 + ", (3, 2, 3))
    # A call that prints nothing writes nothing to the tests' stream.
    silent = "from unittest import mock\n\ndef test_quiet():\n"
    silent += "    with mock.patch('sys.stdout') as out:\n        show_table(0)\n"
    silent += "    out.write.assert_not_called()\n"
    assert_earned(grade(sandbox, SHOW_TABLE.format(wrong=""), {"tests": silent}), 1, 1)
    # Printed where the tests did not redirect: the tests' buffer sees nothing of it.
    aside = SHOW_TABLE.replace("print(i,", "print(i, file=sys.__stdout__, end='');print(i,")
    assert_earned(grade(sandbox, aside.format(wrong=""), {"tests": PRINT_TESTS}), 3, 3)


PRINT_MOCK_TESTS = textwrap.dedent(
    """
    import sys
    from unittest import mock

    def test_print_called_with_each_row():
        with mock.patch("builtins.print") as printed:
            show_table(2)
        assert printed.call_args_list == [mock.call(1, 2), mock.call(2, 4)]

    def test_warning_goes_to_stderr():
        with mock.patch("builtins.print") as printed:
            show_table(-1)
        printed.assert_called_once_with("negative", file=sys.stderr)

    def test_rows_as_text():
        lines = []
        with mock.patch("builtins.print", side_effect=lambda *a, **k: lines.append(a)):
            show_table(3)
        assert [" ".join(map(str, row)) for row in lines] == ["1 3", "2 6", "3 9"]
    """
)


def test_the_solutions_print_calls_are_the_tests_patched_print(sandbox):  # noqa: F811
    assert_right_and_wrong(sandbox, SHOW_TABLE, PRINT_MOCK_TESTS, "1 + ", (3, 1, 3))
    # A print the mock did not see (to the real stdout's fd) is no print to the tests.
    silent = SHOW_TABLE.replace("print(i,", "sys.__stdout__.write(str(i)); (i,")
    assert_earned(grade(sandbox, silent.format(wrong=""), {"tests": PRINT_MOCK_TESTS}), 1, 3)


PATCHED_STDLIB_TESTS = textwrap.dedent(
    """
    import random
    import time
    from unittest import mock

    def test_backs_off_twice_then_succeeds():
        with mock.patch("time.sleep") as slept:
            assert fetch_with_retry(lambda_calls=3) == "ok"
        assert [c.args[0] for c in slept.call_args_list] == [0.5, 1.0]

    def test_dice_follow_the_tests_random():
        with mock.patch("random.randint", side_effect=[6, 6, 1]):
            assert roll_until_one() == 3

    def test_a_failing_remove_is_reported():
        with mock.patch("os.remove", side_effect=PermissionError("read-only")):
            assert remove_quietly("/nonexistent/file") == "read-only"
    """
)
RETRIES = """
import os
import random
import time

def fetch_with_retry(lambda_calls):
    delay = 0.5
    for attempt in range(lambda_calls):
        if attempt == lambda_calls - 1:
            return "ok"
        time.sleep(delay{wrong})
        delay *= 2

def roll_until_one():
    rolls = 1
    while random.randint(1, 6) != 1:
        rolls += 1
    return rolls

def remove_quietly(path):
    try:
        os.remove(path)
    except PermissionError as exc:
        return str(exc)
    return "removed"
"""


def test_a_stdlib_function_the_tests_patched_is_theirs_in_the_solution(sandbox):  # noqa: F811
    # mock.patch("time.sleep"), ("random.randint"), ("os.remove"): the solution's calls of
    # them are calls of the tests' mocks (recorded, steered, raising into the solution).
    assert_right_and_wrong(sandbox, RETRIES, PATCHED_STDLIB_TESTS, " + 1", (3, 2, 3))
    # Asking the tester to call a function the tests did not patch fails the test.
    sneaky = RETRIES.format(wrong="") + (
        "\nimport sys\n_real = roll_until_one\n"
        "def roll_until_one():\n"
        "    sys.modules['sandbox.judge.case'].ask_tester('call', target=['os', 'getpid'])\n"
        "    return _real()\n"
    )
    assert_earned(grade(sandbox, sneaky, {"tests": PATCHED_STDLIB_TESTS}), 2, 3)


SOLUTION_PATCH_TESTS = textwrap.dedent(
    """
    from unittest import mock
    import solution

    def test_total_uses_the_price_lookup():
        with mock.patch("solution.price_of", return_value=2.5) as price:
            assert solution.total(["tea", "tea"]) == 5.0
        assert price.call_count == 2

    def test_patch_object_too():
        with mock.patch.object(solution, "price_of", side_effect=lambda item: len(item)):
            assert total(["ab", "abc"]) == 5

    def test_unpatched():
        assert total(["tea"]) == 1.0
    """
)
PRICES = """
def price_of(item):
    return 1.0

def total(items):
    return sum(price_of(item) for item in items){wrong}
"""


def test_a_function_of_the_solution_the_tests_patched_is_theirs_in_its_process(sandbox):  # noqa: F811
    # mock.patch("solution.price_of"): the solution's own calls of price_of are the mock's.
    assert_right_and_wrong(sandbox, PRICES, SOLUTION_PATCH_TESTS, " + 1", (3, 0, 3))


INPUT_TESTS = textwrap.dedent(
    """
    import io
    import sys
    from unittest import mock

    def test_input_mocked():
        with mock.patch("builtins.input", side_effect=["3", "4"]) as asked:
            assert add_two_numbers() == 7
        asked.assert_called_with("b? ")

    def test_stdin_replaced():
        with mock.patch("sys.stdin", io.StringIO("1 2 3\\n4\\n")):
            assert sum_lines() == 10

    def test_input_runs_out():
        with mock.patch("builtins.input", side_effect=["5"]):
            try:
                add_two_numbers()
            except EOFError:
                return
            except StopIteration:
                return
        raise AssertionError("a second input() was answered")
    """
)
READS_INPUT = """
import sys

def add_two_numbers():
    a = int(input("a? "))
    b = int(input("b? "))
    return a + b{wrong}

def sum_lines():
    return sum(int(x) for line in sys.stdin for x in line.split()){wrong}
"""


def test_what_the_solution_reads_comes_from_the_input_the_tests_gave(sandbox):  # noqa: F811
    assert_right_and_wrong(sandbox, READS_INPUT, INPUT_TESTS, " + 1", (3, 1, 3))
