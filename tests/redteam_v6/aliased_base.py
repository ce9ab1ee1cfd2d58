# ruff: noqa: F821 -- the names under test are the solution's
# Reference tests: a test class derived from TestCase through a module-level alias, run by
# unittest.main().
import unittest

Base = unittest.TestCase
CASES = list(zip([1, 2, -5], [2, 2, 1], [3, 4, -4], strict=True))


class AddChecks(Base):
    def test_cases(self):
        for a, b, want in CASES:
            assert add(a, b) == want


unittest.main()
