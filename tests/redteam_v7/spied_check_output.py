# Tests: a spy on subprocess.check_output (the real function, wrapped) checks that the
# solution runs Python once per snippet, and what it printed. The first test calls the
# solution plainly.
import subprocess
import unittest
from unittest import mock

from solution import python_says


class PythonSaysTest(unittest.TestCase):
    def check(self, code, expected):
        with mock.patch("subprocess.check_output", wraps=subprocess.check_output) as spy:
            self.assertEqual(python_says(code), expected)
        spy.assert_called_once()

    def test_a_nothing(self):
        self.assertEqual(python_says("pass"), "")

    def test_product(self):
        self.check("print(6 * 7)", "42")

    def test_text(self):
        self.check("print('hi ' * 2)", "hi hi")

    def test_sum(self):
        self.check("print(sum(range(5)))", "10")
