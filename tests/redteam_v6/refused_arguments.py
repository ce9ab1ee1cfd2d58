# ruff: noqa: F821 -- the names under test are the solution's
# Reference tests: to_fahrenheit must refuse what is not an int or a float, checked with
# objects of the tests' own (which the judge cannot pass to the solution's process).
import unittest


class Celsius:
    """A number-like that to_fahrenheit must refuse."""

    def __float__(self):
        return 1.0


class TestToFahrenheit(unittest.TestCase):
    def test_boiling(self):
        self.assertEqual(to_fahrenheit(100), 212)

    def test_refuses_number_likes(self):
        with self.assertRaises(TypeError):
            to_fahrenheit(Celsius())

    def test_refuses_plain_objects(self):
        self.assertRaises(TypeError, to_fahrenheit, object())
