# ruff: noqa: F821 -- the names under test are the solution's
# Reference tests: checks shared through a mixin, which unittest runs as TestAdd's.
import unittest


class AddChecks:
    def test_small(self):
        self.assertEqual(add(1, 2), 3)

    def test_negative(self):
        self.assertEqual(add(-5, 1), -4)


class TestAdd(AddChecks, unittest.TestCase):
    def test_zero(self):
        self.assertEqual(add(0, 0), 0)
