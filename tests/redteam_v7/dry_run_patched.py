# Tests: the first case patches subprocess.run (the patch is on when the test first calls
# the solution), only to make sure a dry run runs nothing. The other cases check
# add.
import unittest
from unittest import mock

from solution import add


class AddTest(unittest.TestCase):
    def test_a_dry_run_runs_nothing(self):
        with mock.patch("subprocess.run") as run:
            self.assertEqual(add(0, 0), 0)
        run.assert_not_called()

    def test_b_small(self):
        self.assertEqual(add(2, 3), 5)

    def test_c_negative(self):
        self.assertEqual(add(-4, 1), -3)

    def test_d_large(self):
        self.assertEqual(add(10**6, 1), 1000001)
