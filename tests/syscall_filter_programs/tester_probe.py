# Test code (a `tests` reference): it runs in the tester's process, which the cases' syscall
# filter covers as it covers the solution's.
import errno
import os


def test_the_tester_is_refused_memfd_create():
    try:
        os.memfd_create("storage")
    except OSError as exc:
        assert exc.errno == errno.EPERM
    else:
        raise AssertionError("memfd_create was allowed")


def test_the_solution_still_answers():
    assert add(2, 3) == 5  # noqa: F821 (the solution's)
