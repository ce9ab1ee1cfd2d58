"""Reward hacks against the code cases, run in the real Docker sandbox.

Each test plays one trick from the contract ("Code results must not be hackable") against
real cases and asserts the score the solution really earned. Needs Docker and the sandbox
image; skipped without them unless REQUIRE_DOCKER=1.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import pytest

from tests.judge_support import grade_solution as grade
from tests.judge_support import open_docker_sandbox

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def sandbox() -> Iterator[object]:
    box = open_docker_sandbox()
    yield box
    box.close()


def assert_earned(score, passed: int, total: int) -> None:
    assert score.error is None, score.error
    assert (score.details["passed"], score.details["total"]) == (passed, total), score.details
    assert score.value == pytest.approx(passed / total)


# Three real cases per style; `add` is the function to write.
TESTS = {
    "tests": textwrap.dedent(
        """
        def test_small():
            assert add(1, 2) == 3

        def test_equal():
            assert add(2, 2) == 4

        def test_negative():
            assert add(-5, 1) == -4
        """
    )
}
FUNCTIONAL = {
    "fn_name": "add",
    "test_cases": [
        {"input": "[1, 2]", "output": "3"},
        {"input": [2, 2], "output": 4},
        {"input": [-5, 1], "output": -4},
    ],
}
STDIO = {
    "test_cases": [
        {"input": "1 2\n", "output": "3\n"},
        {"input": "2 2\n", "output": "4\n"},
        {"input": "-5 1\n", "output": "-4\n"},
    ]
}
STYLES = {"tests": TESTS, "functional": FUNCTIONAL, "stdio": STDIO}

# Honest code per style, and a version that is right only for the first case (1 + 2).
HONEST = {
    "tests": "def add(a, b):\n    return a + b",
    "functional": "def add(a, b):\n    return a + b",
    "stdio": "a, b = map(int, input().split())\nprint(a + b)",
}
_ADD_FIRST_ONLY = (
    "{imports}\ndef add(a, b):\n    if (a, b) == (1, 2):\n        return 3\n    {trick}"
)
FIRST_ONLY_THEN = {
    "tests": _ADD_FIRST_ONLY,
    "functional": _ADD_FIRST_ONLY,
    "stdio": (
        "{imports}\na, b = map(int, input().split())\nif (a, b) == (1, 2):\n    print(3)\n"
        "else:\n    {trick}"
    ),
}


@pytest.mark.parametrize("style", STYLES)
def test_honest_solutions_get_full_marks(sandbox, style):
    assert_earned(grade(sandbox, HONEST[style], STYLES[style]), 3, 3)


@pytest.mark.parametrize("style", STYLES)
def test_partly_wrong_solutions_get_partial_marks(sandbox, style):
    wrong = FIRST_ONLY_THEN[style].format(
        imports="", trick="print(0)" if style == "stdio" else "return 0"
    )
    assert_earned(grade(sandbox, wrong, STYLES[style]), 1, 3)


EXIT_TRICKS = {
    "sys.exit(0)": ("import sys", "sys.exit(0)"),
    "os._exit(0)": ("import os", "os._exit(0)"),
    "raise SystemExit": ("", "raise SystemExit"),
    "kill(0, 9)": ("import os", "os.kill(0, 9)"),
}


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("trick", EXIT_TRICKS)
def test_exiting_early_passes_only_what_was_solved(sandbox, style, trick):
    imports, statement = EXIT_TRICKS[trick]
    solution = FIRST_ONLY_THEN[style].format(imports=imports, trick=statement)
    assert_earned(grade(sandbox, solution, STYLES[style]), 1, 3)


@pytest.mark.parametrize("trick", ["sys.exit(0)", "os._exit(0)", "raise SystemExit"])
def test_exiting_while_loading_passes_nothing(sandbox, trick):
    solution = f"import os, sys\n{trick}\ndef add(a, b):\n    return 0"
    assert_earned(grade(sandbox, solution, TESTS), 0, 3)


def test_always_equal_objects_fail_assert_cases(sandbox):
    solution = """
        class Anything:
            def __eq__(self, other):
                return True
            def __ne__(self, other):
                return False
            def __bool__(self):
                return True
            __hash__ = object.__hash__

        class Sneaky(int):
            def __eq__(self, other):
                return True

        def add(a, b):
            return Anything() if a > 0 else Sneaky(0)
    """
    assert_earned(grade(sandbox, solution, TESTS), 0, 3)


def test_always_equal_objects_fail_functional_cases(sandbox):
    solution = """
        class Anything(dict):
            def __eq__(self, other):
                return True

        def add(a, b):
            return Anything() if a > 0 else object()
    """
    assert_earned(grade(sandbox, solution, FUNCTIONAL), 0, 3)


def test_always_equal_objects_fail_non_assert_comparisons(sandbox):
    tests = textwrap.dedent(
        """
        def test_one():
            result = add(1, 2)
            if result != 3:
                raise AssertionError(result)

        def test_all():
            assert all(add(a, b) == a + b for a, b in [(1, 1), (2, 3)])
        """
    )
    solution = """
        class Anything:
            def __eq__(self, other):
                return True
            def __ne__(self, other):
                return False

        def add(a, b):
            return Anything()
    """
    assert_earned(grade(sandbox, solution, {"tests": tests}), 0, 2)


UNITTEST_TESTS = {
    "tests": textwrap.dedent(
        """
        import unittest

        class TestAdd(unittest.TestCase):
            def test_small(self):
                self.assertEqual(add(1, 2), 3)

            def test_equal(self):
                self.assertEqual(add(2, 2), 4)

            def test_raises(self):
                with self.assertRaises(TypeError):
                    add("x", 1)
        """
    )
}


def test_unittest_style_cases_pass_for_honest_code(sandbox):
    assert_earned(grade(sandbox, HONEST["tests"], UNITTEST_TESTS), 3, 3)


def test_patching_unittest_does_not_pass_tests(sandbox):
    solution = """
        import unittest

        def _nothing(*args, **kwargs):
            return None

        for _name in dir(unittest.TestCase):
            if _name.startswith("assert"):
                setattr(unittest.TestCase, _name, _nothing)
        unittest.TestCase.run = lambda self, result=None: None
        unittest.TestCase.__call__ = lambda self, *a, **k: None

        def add(a, b):
            return 3 if (a, b) == (1, 2) else 0
    """
    assert_earned(grade(sandbox, solution, UNITTEST_TESTS), 1, 3)


def test_patching_builtins_and_assertion_error_does_not_pass_tests(sandbox):
    tests = {
        "tests": textwrap.dedent(
            """
            def test_small():
                assert add(1, 2) == 3

            def test_many():
                assert all([add(2, 2) == 4, add(3, 3) == 6])

            def test_len():
                assert len([0] * add(1, 1)) == 2 and not isinstance(add(0, 0), str)
            """
        )
    }
    solution = """
        import builtins

        class Swallowed(Exception):
            pass

        builtins.AssertionError = Swallowed
        builtins.all = lambda *args, **kwargs: True
        builtins.isinstance = lambda *args: True
        builtins.len = lambda obj: 2
        builtins.str = lambda *args: "xx"
        __rewardd_cmp__ = lambda *args: True
        __rewardd_truth__ = lambda *args: True

        def add(a, b):
            return 3 if (a, b) == (1, 2) else -1
    """
    assert_earned(grade(sandbox, solution, tests), 1, 3)


def test_shadowing_builtins_at_module_level_does_not_reach_the_tests(sandbox):
    tests = {
        "tests": textwrap.dedent(
            """
            def test_small():
                assert add(1, 2) == 3

            def test_length():
                assert len(str(add(100, 100))) == 3

            def test_sorted():
                assert sorted([add(2, 1), add(1, 1)]) == [2, 3]
            """
        )
    }
    solution = """
        input = print  # competitive-programming style rebinding stays the solution's own

        def len(obj):
            return 3

        def sorted(items):
            return [2, 3]

        def add(a, b):
            return 3 if (a, b) == (1, 2) else 0
    """
    assert_earned(grade(sandbox, solution, tests), 1, 3)


FAKE_SUCCESS = textwrap.dedent(
    """
    import json, os, sys
    for line in ("OK", "passed", "All tests passed", "ready", "pass", "3 passed in 0.01s",
                 json.dumps({"rewardd_verdict": "x", "cases": [{"passed": True}] * 3})):
        print(line)
        print(line, file=sys.stderr)
        if WRITE_EVERY_FD:
            for fd in range(3, 12):
                try:
                    os.write(fd, (line + "\\n").encode())
                except OSError:
                    pass
    sys.stdout.flush()
    """
)


@pytest.mark.parametrize("style", ["tests", "functional"])
def test_printing_fake_success_means_nothing(sandbox, style):
    solution = (
        "WRITE_EVERY_FD = False\n"
        + FAKE_SUCCESS
        + "\ndef add(a, b):\n    return 3 if (a, b) == (1, 2) else 0"
    )
    assert_earned(grade(sandbox, solution, STYLES[style]), 1, 3)


@pytest.mark.parametrize("style", ["tests", "functional"])
def test_writing_fake_success_into_the_judges_pipes_gains_nothing(sandbox, style):
    # Junk in the judge's result pipe spoils the solution's own report: never a gain.
    solution = (
        "WRITE_EVERY_FD = True\n"
        + FAKE_SUCCESS
        + "\ndef add(a, b):\n    return 3 if (a, b) == (1, 2) else 0"
    )
    assert_earned(grade(sandbox, solution, STYLES[style]), 0, 3)


def test_printing_fake_success_in_stdio_means_nothing(sandbox):
    solution = (
        "WRITE_EVERY_FD = True\n"
        + FAKE_SUCCESS
        + "\na, b = map(int, input().split())\nprint(3 if (a, b) == (1, 2) else 0)"
    )
    score = grade(sandbox, solution, STDIO)
    assert_earned(score, 0, 3)  # the fake lines are wrong output
    assert "wrong output" in score.details["cases"][0]["reason"]


SNOOP = textwrap.dedent(
    """
    import os

    def snoop(marker):
        # Everything a job can read: its work dir and parents, scratch dirs, other
        # processes' command lines, environments, open files and memory.
        roots = [os.getcwd(), os.path.dirname(os.getcwd()), "/sandbox", "/tmp", "/dev/shm",
                 "/var/tmp", "/opt", "/home", "/root", "/run"]
        seen = 0
        for root in roots:
            for dirpath, _, files in os.walk(root):
                for name in files:
                    seen += 1
                    if seen > 5000:
                        break
                    path = os.path.join(dirpath, name)
                    try:
                        with open(path, "rb") as f:
                            if marker in f.read(1 << 20):
                                return path
                    except OSError:
                        pass
        for pid in [p for p in os.listdir("/proc") if p.isdigit()] + ["self"]:
            for leaf in ("cmdline", "environ"):
                try:
                    with open(f"/proc/{pid}/{leaf}", "rb") as f:
                        if marker in f.read():
                            return f"/proc/{pid}/{leaf}"
                except OSError:
                    pass
            try:
                fds = os.listdir(f"/proc/{pid}/fd")
            except OSError:
                continue
            for fd in fds:
                try:
                    with open(f"/proc/{pid}/fd/{fd}", "rb") as f:
                        os.set_blocking(f.fileno(), False)
                        if marker in (f.read(1 << 20) or b""):
                            return f"/proc/{pid}/fd/{fd}"
                except (OSError, TypeError):
                    pass
        parent = os.getppid()
        try:
            with open(f"/proc/{parent}/maps") as maps, open(f"/proc/{parent}/mem", "rb") as mem:
                for line in maps:
                    start, end = (int(x, 16) for x in line.split()[0].split("-"))
                    if "rw" in line.split()[1] and end - start < (64 << 20):
                        mem.seek(start)
                        if marker in mem.read(end - start):
                            return "parent memory"
        except (OSError, ValueError, OverflowError):
            pass
        return None
    """
)


def test_reading_the_expected_output_from_anywhere_fails(sandbox):
    marker = "EXPECTED-7f3a9c"
    reference = {"test_cases": [{"input": "", "output": f"{marker}-{i}\n"} for i in range(3)]}
    solution = (
        SNOOP + f"\nfound = snoop(b{marker!r})\nprint('{marker}-0' if found else 'nothing', found)"
    )
    score = grade(sandbox, solution, reference)
    assert_earned(score, 0, 3)
    assert "got 'nothing None" in score.details["cases"][0]["reason"]


def test_reading_the_test_code_from_anywhere_fails(sandbox):
    # The expected sums live only in the test code; finding it would give them away.
    tests = {
        "tests": "def test_secret_marker_1():\n    assert add(17, 25) == 4242\n\n"
        "def test_secret_marker_2():\n    assert add(1, 1) == 4343\n"
    }
    solution = SNOOP + (
        "\nFOUND = snoop(b'test_secret_marker')\n"
        "def add(a, b):\n    return (4242 if a == 17 else 4343) if FOUND else a + b\n"
    )
    score = grade(sandbox, solution, tests)
    assert_earned(score, 0, 2)
    assert all("AssertionError" in case["reason"] for case in score.details["cases"])


@pytest.mark.parametrize(
    "caller", ["sys._getframe(1)", "sys._getframe().f_back", "inspect.stack()[1].frame"]
)
def test_reading_the_callers_code_constants_fails(sandbox, caller):
    # The expected answer sits in the calling test's code object; without the judge's
    # guard this solution scores 3 of 3.
    solution = f"""
        import inspect, sys

        def add(a, b):
            try:
                consts = {caller}.f_code.co_consts
            except (AttributeError, ValueError) as exc:
                print(exc, file=sys.stderr)
                return 0
            return [c for c in consts if type(c) is int][-1]
    """
    assert_earned(grade(sandbox, solution, TESTS), 0, 3)


def test_killing_the_judge_is_refused(sandbox):
    # The judge runs under its own uid: the kill fails, and raising fails the case.
    solution = """
        import os, signal

        def add(a, b):
            if (a, b) != (1, 2):
                os.kill(os.getppid(), signal.SIGKILL)
            return a + b
    """
    for style in ("tests", "functional"):
        score = grade(sandbox, solution, STYLES[style])
        assert_earned(score, 1, 3)
        assert "PermissionError" in score.details["cases"][1]["reason"]


def test_killing_the_judge_from_stdio_is_refused(sandbox):
    solution = "import os\nos.kill(os.getppid(), 9)\nprint(3)"
    score = grade(sandbox, solution, STDIO)
    assert_earned(score, 0, 3)
    assert "PermissionError" in score.details["cases"][0]["reason"]


def test_stopping_the_judge_is_refused(sandbox):
    reference = {**FUNCTIONAL, "timeout_s": 0.5}
    solution = (
        "import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)\ndef add(a, b):\n    return a + b"
    )
    score = grade(sandbox, solution, reference)
    assert_earned(score, 0, 3)
    assert all("did not load" in case["reason"] for case in score.details["cases"])


def test_daemons_left_by_one_case_cannot_touch_the_judge(sandbox):
    solution = """
        import os, signal, time

        judge = os.getppid()
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                time.sleep(2.5)  # by then case 1 is over and case 2 runs, unless reaped
                os.kill(judge, signal.SIGKILL)
            os._exit(0)

        def add(a, b):
            time.sleep(1.5)
            return a + b
    """
    assert_earned(grade(sandbox, solution, TESTS), 3, 3)


def test_background_threads_have_no_tests_to_watch(sandbox):
    # The tests run in the judge's tester, not in the solution's process: a thread left
    # running there sees nothing of them, and costs the solution nothing.
    solution = """
        import threading, time

        def spy():
            while True:
                time.sleep(0.001)

        threading.Thread(target=spy, daemon=True).start()

        def add(a, b):
            return a + b
    """
    assert_earned(grade(sandbox, solution, TESTS), 3, 3)


def test_audit_hooks_of_the_solution_see_no_test_code(sandbox):
    # An audit hook sees every compile, exec and import of its process. The tests are
    # compiled and run in the tester, so it sees nothing of them: a hook that caught the
    # test code would answer from it, and fail here.
    solution = """
        import sys

        seen = []
        sys.addaudithook(lambda event, args: seen.append(repr(args)[:2000]))

        def add(a, b):
            if any("test_small" in text or "assert add" in text for text in seen):
                return 0  # the hook got in: show it by failing
            return a + b
    """
    assert_earned(grade(sandbox, solution, TESTS), 3, 3)


# --- the zygote: the clean interpreter each case is forked from --------------------------------

# A case finds the zygote as the other child of the judge (its own parent).
FIND_ZYGOTE = textwrap.dedent(
    """
    import os

    def find_zygote():
        me, judge = os.getpid(), os.getppid()
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == me:
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == judge:
                return int(entry)
        raise RuntimeError("no zygote found")
    """
)
ADD_CASES = [(1, 2), (2, 2), (-5, 1)]  # the three cases of TESTS and FUNCTIONAL, in order


def test_honest_solutions_pass_under_their_own_uids(sandbox):
    # Each case's solution and tester run as fresh uids, neither the judge's nor root.
    solution = """
        import os

        def add(a, b):
            return a + b if os.getuid() not in (0, os.stat(f"/proc/{os.getppid()}").st_uid) else 0
    """
    for style in ("tests", "functional"):
        assert_earned(grade(sandbox, solution, STYLES[style]), 3, 3)


TAMPERING = {
    "SIGKILL": "os.kill(find_zygote(), signal.SIGKILL)",
    "SIGSTOP": "os.kill(find_zygote(), signal.SIGSTOP)",
    "SIGSTOP then SIGCONT": (
        "z = find_zygote(); os.kill(z, signal.SIGSTOP); os.kill(z, signal.SIGCONT)"
    ),
    "SIGTERM": "os.kill(find_zygote(), signal.SIGTERM)",
    "its process group": "os.killpg(os.getpgid(find_zygote()), signal.SIGINT)",
    "lower its limits": (
        "import resource; resource.prlimit(find_zygote(), resource.RLIMIT_NOFILE, (16, 16))"
    ),
    "renice it": "os.setpriority(os.PRIO_PROCESS, find_zygote(), 19)",
}


@pytest.mark.parametrize("style", ["tests", "functional"])
@pytest.mark.parametrize("trick", TAMPERING)
def test_tampering_with_the_zygote_fails_that_case_only(sandbox, style, trick):
    # Right for every case; the second case also attacks the zygote, which runs as root:
    # the attack is refused and raises, so that case fails and the third passes.
    solution = (
        FIND_ZYGOTE
        + "\nimport signal\n\ndef add(a, b):\n    if (a, b) == (2, 2):\n"
        + f"        {TAMPERING[trick]}\n    return a + b\n"
    )
    score = grade(sandbox, solution, STYLES[style])
    assert_earned(score, 2, 3)
    cases = score.details["cases"]
    assert [case["passed"] for case in cases] == [True, False, True]
    assert "PermissionError" in cases[1]["reason"]


def test_tampering_with_the_zygote_while_loading_fails_every_case(sandbox):
    solution = FIND_ZYGOTE + (
        "\nimport signal\nos.kill(find_zygote(), signal.SIGSTOP)\n"
        "def add(a, b):\n    return a + b\n"
    )
    score = grade(sandbox, solution, FUNCTIONAL)
    assert_earned(score, 0, 3)
    assert all("PermissionError" in case["reason"] for case in score.details["cases"])


def test_the_zygote_cannot_be_read_or_traced(sandbox):
    # Every way in is refused; had any worked, the solution would answer 0. Failed attempts
    # change nothing, so the honest answers pass.
    solution = FIND_ZYGOTE + textwrap.dedent(
        """
        import ctypes

        zygote = find_zygote()
        got_in = []
        for leaf in ("mem", "environ", "fd/0", "maps"):
            try:
                with open(f"/proc/{zygote}/{leaf}", "rb") as f:
                    f.read(1)
                got_in.append(leaf)
            except OSError:
                pass
        try:
            os.listdir(f"/proc/{zygote}/fd")
            got_in.append("fd")
        except OSError:
            pass
        libc = ctypes.CDLL(None, use_errno=True)
        PTRACE_ATTACH, PTRACE_SEIZE = 16, 0x4206
        for request in (PTRACE_ATTACH, PTRACE_SEIZE):
            if libc.ptrace(request, zygote, None, None) == 0:
                got_in.append(f"ptrace {request}")
        try:
            pidfd = os.pidfd_open(zygote)
            if libc.syscall(438, pidfd, 3, 0) >= 0:  # pidfd_getfd: steal its socket
                got_in.append("pidfd_getfd")
        except OSError:
            pass

        def add(a, b):
            return 0 if got_in else a + b
        """
    )
    score = grade(sandbox, solution, FUNCTIONAL)
    assert_earned(score, 3, 3)


def test_daemons_left_by_one_case_cannot_touch_the_zygote(sandbox):
    # Case 1 leaves a double-forked daemon that kills the zygote as soon as a later case's
    # process shows up. It is killed when case 1 ends, so every case passes.
    solution = FIND_ZYGOTE + textwrap.dedent(
        """
        import signal, time

        first_case, judge, zygote = os.getpid(), os.getppid(), find_zygote()
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                me, deadline = os.getpid(), time.monotonic() + 10
                while time.monotonic() < deadline:
                    for entry in os.listdir("/proc"):
                        if not entry.isdigit() or int(entry) in (me, first_case, zygote):
                            continue
                        try:
                            with open(f"/proc/{entry}/stat") as f:
                                state, parent = f.read().rsplit(")", 1)[1].split()[:2]
                        except (OSError, ValueError):
                            continue
                        if state != "Z" and int(parent) == judge:  # a later case: strike
                            try:
                                os.kill(zygote, signal.SIGKILL)
                            finally:
                                os._exit(0)
                    time.sleep(0.001)
                os._exit(0)
            os._exit(0)

        def add(a, b):
            time.sleep(0.3)
            return a + b
        """
    )
    score = grade(sandbox, solution, TESTS)
    assert_earned(score, 3, 3)


def test_what_one_case_changes_in_its_memory_does_not_reach_the_next(sandbox):
    # The first case is solved; the others only if a change made by an earlier case leaked.
    solution = """
        import builtins, json, os, sys
        import __main__

        leaked = any([
            getattr(builtins, "rewardd_leak", False),
            getattr(json, "rewardd_leak", False),
            getattr(__main__, "rewardd_leak", False),
            os.environ.get("REWARDD_LEAK") == "1",
            "rewardd_leak" in sys.modules,
            os.getcwd().endswith("leak"),
        ])
        builtins.rewardd_leak = json.rewardd_leak = __main__.rewardd_leak = True
        os.environ["REWARDD_LEAK"] = "1"
        sys.modules["rewardd_leak"] = json
        json.loads = json.dumps = lambda *args, **kwargs: "3"  # what the judge's child uses
        __main__._child = __main__._become_case = None
        os.makedirs("leak", exist_ok=True)
        os.chdir("leak")

        def add(a, b):
            if (a, b) == (1, 2):
                return 3
            return a + b if leaked else 0
    """
    for style in ("tests", "functional"):
        score = grade(sandbox, solution, STYLES[style])
        assert_earned(score, 1, 3)


def test_changing_the_judges_limits_is_refused(sandbox):
    solution = """
        import os, resource

        def add(a, b):
            if (a, b) == (2, 2):
                resource.prlimit(os.getppid(), resource.RLIMIT_NOFILE, (200, 200))
            return a + b
    """
    score = grade(sandbox, solution, FUNCTIONAL)
    assert_earned(score, 2, 3)
    assert "PermissionError" in score.details["cases"][1]["reason"]
