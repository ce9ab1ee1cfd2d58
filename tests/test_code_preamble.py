"""`reference.preamble`: code run before the solution, in its module, in every style.

It runs in the solution's own process only (never in the judge or the tester), compiled
apart from the solution: the solution's line numbers and file name stay its own, and neither
text changes how the other parses.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rewardd.rewards.code_cases import BadReference, plan_cases
from tests.judge_support import grade_solution as grade
from tests.judge_support import open_judge_sandbox

TYPING = "from typing import *\nimport collections"


@pytest.mark.parametrize(("preamble", "message"), [(42, "string"), ("def (:", "does not parse")])
def test_a_preamble_that_cannot_run_is_a_bad_reference(preamble, message):
    reference = {"test_cases": [{"input": "", "output": ""}], "preamble": preamble}
    with pytest.raises(BadReference, match=message):
        plan_cases(reference)


@pytest.fixture(scope="module", params=["docker", "bwrap"])
def sandbox(request) -> Iterator[object]:
    box = open_judge_sandbox(request.param)
    yield box
    box.close()


def passed(score) -> list[bool]:
    assert score.error is None, score.error
    return [case["passed"] for case in score.details["cases"]]


USES_LIST = """
    def total(values: List[int]) -> int:
        return sum(collections.Counter(values).elements())
"""


@pytest.mark.docker
def test_the_preamble_runs_before_a_functional_solution(sandbox):
    reference = {"fn_name": "total", "test_cases": [{"input": [[1, 2, 2]], "output": 5}]}
    assert passed(grade(sandbox, USES_LIST, {**reference, "preamble": TYPING})) == [True]
    # Without it the same solution cannot load: the preamble is what made List defined.
    score = grade(sandbox, USES_LIST, reference)
    assert passed(score) == [False]
    assert "NameError" in score.details["cases"][0]["reason"]


@pytest.mark.docker
def test_the_preamble_runs_before_a_stdio_solution(sandbox):
    solution = """
        def parse(line: str) -> List[int]:
            return [int(x) for x in line.split()]
        print(sum(parse(input())))
    """
    reference = {"test_cases": [{"input": "1 2 3\n", "output": "6\n"}], "preamble": TYPING}
    assert passed(grade(sandbox, solution, reference)) == [True]
    assert passed(grade(sandbox, solution, {**reference, "preamble": None})) == [False]


@pytest.mark.docker
def test_the_preamble_runs_before_a_solution_under_test_code(sandbox):
    reference = {
        "tests": "def test_total():\n    assert total([1, 2, 2]) == 5\n",
        "preamble": TYPING,
    }
    assert passed(grade(sandbox, USES_LIST, reference)) == [True]


@pytest.mark.docker
def test_the_solution_keeps_its_own_line_numbers_and_file_name(sandbox):
    # Line 1 of the solution is line 1, whatever the preamble's length; the preamble's own
    # code is preamble.py; a `from __future__` line still comes first in the solution.
    solution = """
        from __future__ import annotations
        import sys

        def where() -> list:
            frame = sys._getframe()
            return [frame.f_code.co_filename, frame.f_lineno, helper.__code__.co_filename]
    """
    preamble = "import os\n\n\ndef helper():\n    return 1\n"
    reference = {
        "fn_name": "where",
        "test_cases": [{"input": [], "output": ["solution.py", 6, "preamble.py"]}],
        "preamble": preamble,
    }
    assert passed(grade(sandbox, solution, reference)) == [True]


@pytest.mark.docker
def test_the_preamble_runs_in_the_solutions_process_only(sandbox):
    # A preamble (or a solution) that patches builtins changes its own process: the test code
    # runs in the tester, which neither ever ran in, so `all` there is still all.
    reference = {
        "tests": "def test_ones():\n    assert all(x == 1 for x in ones())\n",
        "preamble": "import builtins\nbuiltins.all = lambda *args: True\n",
    }
    assert passed(grade(sandbox, "def ones():\n    return [1, 2]", reference)) == [False]
    assert passed(grade(sandbox, "def ones():\n    return [1, 1]", reference)) == [True]


# HumanEval/38's shape: the prompt (the preamble) defines the helper the tests use to make
# their input, and a stub of the function under test.
CYCLIC_PREAMBLE = '''
def encode_cyclic(s: str):
    groups = [s[(3 * i):min((3 * i + 3), len(s))] for i in range((len(s) + 2) // 3)]
    groups = [(group[1:] + group[0]) if len(group) == 3 else group for group in groups]
    return "".join(groups)


def decode_cyclic(s: str):
    """takes as input string encoded with encode_cyclic function. Returns decoded string."""
'''
CYCLIC_TESTS = {
    "tests": "def check(candidate):\n"
    "    for text in ('abcdef', 'hello world', 'xy'):\n"
    "        assert candidate(encode_cyclic(text)) == text\n\n"
    "check(decode_cyclic)\n",
    "preamble": CYCLIC_PREAMBLE,
}


@pytest.mark.docker
def test_a_solution_cannot_redefine_the_preambles_helpers(sandbox):
    # Identity for both: with its own encode_cyclic, the wrong decode would pass the tests.
    changes_the_question = """
        def encode_cyclic(s):
            return s

        def decode_cyclic(s):
            return s
    """
    assert passed(grade(sandbox, changes_the_question, CYCLIC_TESTS)) == [False]
    # The function under test, a stub in the preamble, is the solution's.
    honest = """
        def decode_cyclic(s):
            return encode_cyclic(encode_cyclic(s))
    """
    assert passed(grade(sandbox, honest, CYCLIC_TESTS)) == [True]


@pytest.mark.docker
def test_the_function_under_test_is_always_the_solutions(sandbox):
    # A preamble that defines fn_name in full does not answer for a wrong solution.
    reference = {
        "fn_name": "double",
        "test_cases": [{"input": [2], "output": 4}],
        "preamble": "def double(x):\n    return 2 * x\n",
    }
    assert passed(grade(sandbox, "def double(x):\n    return x", reference)) == [False]


@pytest.mark.docker
def test_the_tests_use_the_references_own_helper_whatever_the_solution_changes(sandbox):
    # The helper runs in the tester, from the preamble's source (red team HOLE 5): a `pow` of
    # the solution's that the helper would look up in the module it shares with the solution,
    # or the helper's code replaced in the solution's process, no longer turns it into the
    # identity, for which the identity passes.
    reference = {
        "tests": "def test_root():\n    for x in (3, 5):\n        assert root(square(x)) == x\n",
        "preamble": "def square(x):\n    return pow(x, 2)\n\n\ndef root(y):\n    pass\n",
    }
    shadows_pow = "def pow(a, b):\n    return a\n\n\ndef root(y):\n    return y\n"
    patches_code = "square.__code__ = (lambda x: x).__code__\n\n\ndef root(y):\n    return y\n"
    honest = "def root(y):\n    return round(y**0.5)\n"
    assert passed(grade(sandbox, shadows_pow, reference)) == [False]
    assert passed(grade(sandbox, patches_code, reference)) == [False]
    assert passed(grade(sandbox, honest, reference)) == [True]


@pytest.mark.docker
def test_the_references_helper_calls_the_solutions_function_and_takes_its_classes(sandbox):
    # In the tests, the preamble's stubs (the functions the solution writes) and its classes
    # (the types the solution's functions take) are the solution's, also inside its helpers.
    preamble = (
        "class Box:\n    def __init__(self, value):\n        self.value = value\n\n\n"
        "def unbox(box):\n    pass\n\n\n"
        "def unbox_all(values):\n    return [unbox(Box(v)) for v in values]\n"
    )
    reference = {
        "tests": "def test_unbox():\n"
        "    assert unbox_all([1, 2]) == [1, 2]\n"
        "    assert unbox(Box(3)) == 3\n",
        "preamble": preamble,
    }
    assert passed(grade(sandbox, "def unbox(box):\n    return box.value\n", reference)) == [True]
    assert passed(grade(sandbox, "def unbox(box):\n    return 1\n", reference)) == [False]


@pytest.mark.docker
def test_an_import_of_the_solutions_after_the_preambles_is_the_one_the_tests_see(sandbox):
    # As in Python: the preamble's `from typing import *` binds typing's Counter, the
    # solution's `from collections import Counter` then binds the class the tests mean.
    reference = {
        "tests": "def test_counts():\n    assert type(counts('aab')) is Counter\n",
        "preamble": TYPING,
    }
    solution = "from collections import Counter\n\n\ndef counts(s):\n    return Counter(s)\n"
    assert passed(grade(sandbox, solution, reference)) == [True]
