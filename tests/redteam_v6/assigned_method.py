# ruff: noqa: F821 -- the names under test are the solution's
# Reference tests: a test method bound by assignment in the class body.
import unittest


def check_small(self):
    self.assertEqual(add(1, 2), 3)


class TestAdd(unittest.TestCase):
    test_small = check_small

    def test_zero(self):
        self.assertEqual(add(0, 0), 0)
