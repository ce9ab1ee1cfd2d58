# ruff: noqa: F821 -- the names under test are the solution's
# Reference tests: a Matrix has no truth value and no `in` (both must raise TypeError, as
# numpy's arrays do), checked with assertRaises.
import unittest


class TestMatrix(unittest.TestCase):
    def test_truth_is_ambiguous(self):
        with self.assertRaises(TypeError):
            bool(Matrix([[1, 0], [0, 1]]))

    def test_no_membership(self):
        with self.assertRaises(TypeError):
            1 in Matrix([[1, 0], [0, 1]])  # noqa: B015

    def test_size(self):
        self.assertEqual(len(Matrix([[1, 0], [0, 1]])), 4)
