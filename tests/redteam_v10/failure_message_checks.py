import unittest

from solution import make_label


def test_upper():
    assert make_label("ab") == "AB"


def test_message_of_a_failure():
    x = make_label("ab")
    assert x == "XY", x


def test_after():
    assert make_label("cd") == "CD"


class TestIt(unittest.TestCase):
    def test_unittest_message(self):
        self.assertEqual(make_label("ab"), "XY", make_label("ab"))

    def test_fine(self):
        self.assertEqual(make_label("ab"), "AB")
