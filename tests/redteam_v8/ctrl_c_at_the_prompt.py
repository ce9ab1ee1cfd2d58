# Tests: Ctrl-C at the prompt (the tests' input raises KeyboardInterrupt) must not be swallowed.
import unittest
from unittest import mock

from solution import ask_name


class AskNameTests(unittest.TestCase):
    def test_name(self):
        with mock.patch("builtins.input", return_value="Al"):
            self.assertEqual(ask_name(), "Al")

    def test_ctrl_c_is_not_swallowed(self):
        with (
            mock.patch("builtins.input", side_effect=KeyboardInterrupt),
            self.assertRaises(KeyboardInterrupt),
        ):
            ask_name()
