# ruff: noqa: F821 -- the names under test are the solution's
# Reference tests: a test class reused by a subclass that swaps in the function under test;
# unittest runs test_total once for each class.
import unittest


class TestSum(unittest.TestCase):
    func = staticmethod(sum)

    def test_total(self):
        self.assertEqual(self.func([1, 2, 3]), 6)


class TestAdd(TestSum):
    func = staticmethod(lambda xs: add(add(xs[0], xs[1]), xs[2]))
