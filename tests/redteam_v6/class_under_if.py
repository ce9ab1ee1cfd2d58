# ruff: noqa: F821 -- the names under test are the solution's
# Reference tests: the test class is defined under a platform check.
import sys
import unittest

if sys.platform != "win32":

    class TestAdd(unittest.TestCase):
        def test_add(self):
            assert add(1, 2) == 3

        def test_negative(self):
            assert add(-5, 1) == -4
