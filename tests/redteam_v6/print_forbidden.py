# ruff: noqa: F821 -- the names under test are the solution's
# Reference tests: compute() must return its result and print nothing; the tests' patched
# print raises at the first print, as a test's side_effect does to forbid a call.
from unittest import mock


def test_returns_the_square():
    with mock.patch("builtins.print", side_effect=AssertionError("compute printed")):
        assert square(7) == 49


def test_prints_only_the_greeting():
    def strict_print(*args, **kwargs):
        assert args == ("Hello, Al!",), args

    with mock.patch("builtins.print", side_effect=strict_print):
        greet("Al")
