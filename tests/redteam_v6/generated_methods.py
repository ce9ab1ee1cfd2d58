# ruff: noqa: F821 -- the names under test are the solution's
# Reference tests: a unittest class whose test methods are made in a loop (parametrized
# without pytest), run by unittest.main(), the module's only runner of them.
import unittest


class TestAdd(unittest.TestCase):
    pass


def make(a, b, want):
    def test(self):
        assert add(a, b) == want

    return test


for i, case in enumerate([(1, 2, 3), (2, 2, 4), (-5, 1, -4)]):
    setattr(TestAdd, f"test_{i}", make(*case))

unittest.main()
