# Tests: a mock of subprocess.check_output whose side effect is the real function counts the
# solution's runs of Python (one per snippet) and lets them run. The first test calls the
# solution plainly.
import subprocess
import unittest
from unittest import mock

from solution import python_says


class PythonSaysTest(unittest.TestCase):
    def check(self, code, expected):
        with mock.patch("subprocess.check_output", side_effect=subprocess.check_output) as counted:
            self.assertEqual(python_says(code), expected)
        counted.assert_called_once()

    def test_a_nothing(self):
        self.assertEqual(python_says("pass"), "")

    def test_product(self):
        self.check("print(6 * 7)", "42")

    def test_text(self):
        self.check("print('hi ' * 2)", "hi hi")

    def test_sum(self):
        self.check("print(sum(range(5)))", "10")
