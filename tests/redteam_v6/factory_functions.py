# ruff: noqa: F821 -- the names under test are the solution's
# Reference tests: pytest-style test functions made by a factory (pytest collects every
# function bound to a test_* name).


def make_test(a, b, want):
    def check():
        assert add(a, b) == want

    return check


test_small = make_test(1, 2, 3)
test_negative = make_test(-5, 1, -4)
