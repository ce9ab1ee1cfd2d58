# ruff: noqa: F821 -- the names under test are the solution's
# Reference tests: one subtest per input, the undefined one skipped. In unittest a skip in a
# subTest skips that subtest only: the loop goes on and checks the others.
import unittest


class TestInverse(unittest.TestCase):
    def test_inverses(self):
        for x in [0, 1, 2, 4, -5]:
            with self.subTest(x=x):
                if x == 0:
                    self.skipTest("0 has no inverse")
                self.assertAlmostEqual(inverse(x) * x, 1.0)
