"""Attacks on the judge's own machinery, on Docker and on bubblewrap.

Each test plays one class of issue 15 against the real sandbox and asserts the score the
solution earned (a wrong solution: 0, never 1 and never null):
- modules planted on every writable path, for a lazy import of the judge to run;
- stdlib patched for the tests (math.isclose, asyncio.run), frame and heap walking for the
  test code or a nonce, forged answers written on every fd;
- the judge's machinery broken on a case (nested JSON, inodes used up, huge ints, deep
  values): that case fails, the item is still scored;
- processes left by one case, alive into the next.
Honest code gets full marks through the same machinery (tests/test_judge_fairness.py).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import pytest

from tests.judge_support import grade_solution as grade
from tests.judge_support import open_judge_sandbox

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module", params=["docker", "bwrap"])
def sandbox(request) -> Iterator[object]:
    box = open_judge_sandbox(request.param)
    yield box
    box.close()


def assert_earned(score, passed: int, total: int) -> None:
    assert score.error is None, score.error
    assert (score.details["passed"], score.details["total"]) == (passed, total), score.details


TESTS = {
    "tests": "def test_a():\n    assert add(1, 2) == 3\n\n"
    "def test_b():\n    assert add(2, 2) == 4\n\ndef test_c():\n    assert add(-5, 1) == -4\n"
}
FUNCTIONAL = {
    "fn_name": "add",
    "test_cases": [{"input": [1, 2], "output": 3}, {"input": [2, 2], "output": 4}],
}
STDIO = {"test_cases": [{"input": "1 2\n", "output": "3\n"}, {"input": "2 2\n", "output": "4\n"}]}
STYLES = {"tests": (TESTS, 3), "functional": (FUNCTIONAL, 2), "stdio": (STDIO, 2)}
WRONG = {
    "tests": "def add(a, b):\n    return 0",
    "functional": "def add(a, b):\n    return 0",
    "stdio": "print(0)",
}

# --- class 1: the judge's import path -------------------------------------------------------

# Written as <name>.py (and as packages) into every directory the solution can write. Were any
# imported by the judge or its tester, it would find the payload in memory and print a full
# pass under the judge's token.
PLANTED_MODULE = textwrap.dedent(
    """
    import gc, json, os, sys
    for obj in gc.get_objects():
        if isinstance(obj, dict) and "token" in obj and "cases" in obj:
            cases = [{"name": c.get("name"), "passed": True, "reason": "planted"}
                     for c in obj["cases"]]
            print(json.dumps({"rewardd_verdict": obj["token"], "cases": cases}), flush=True)
            os._exit(0)
    """
)
PLANT = textwrap.dedent(
    """
    import os, sys

    NAMES = ["shutil", "tempfile", "subprocess", "json", "selectors", "traceback", "unittest",
             "asyncio", "random", "signal", "contextlib", "copy", "inspect", "linecache",
             "tokenize", "codecs", "struct", "ctypes", "fractions", "decimal", "numbers",
             "collections", "math", "re", "string", "types", "typing", "weakref", "pickle",
             "heapq", "bisect", "functools", "itertools", "operator", "threading", "queue",
             "dataclasses", "enum", "abc", "io", "os", "time", "array", "resource", "fcntl",
             "errno", "site", "sitecustomize", "usercustomize", "encodings", "zipfile"]
    PLANTED = {PLANTED!r}

    def writable_dirs():
        found = {os.getcwd(), os.environ.get("TMPDIR", ""), os.environ.get("HOME", ""),
                 "/tmp", "/dev/shm", "/sandbox", "/judge", "/work", "/var/tmp"}
        found.update(p for p in sys.path if p)
        for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    for arg in f.read().split(b"\\0"):
                        path = arg.decode(errors="replace")
                        while path.startswith("/") and path != "/":
                            found.add(path)
                            path = os.path.dirname(path)
            except OSError:
                pass
        for top in ("/sandbox", "/judge", "/work", "/tmp"):
            for root, dirs, _ in os.walk(top):
                found.update(os.path.join(root, d) for d in dirs)
        return [d for d in found if d and os.path.isdir(d)]

    def plant():
        for directory in writable_dirs():
            for name in NAMES:
                for path in (os.path.join(directory, name + ".py"),
                             os.path.join(directory, name, "__init__.py")):
                    try:
                        os.makedirs(os.path.dirname(path), exist_ok=True)
                        with open(path, "w") as f:
                            f.write(PLANTED)
                    except OSError:
                        pass
            for rel in ("sandbox/__init__.py", "sandbox/procutil.py", "sandbox/syscall_filter.py",
                        "sandbox/judge/verdicts.py", "sandbox/judge/compare.py",
                        "sandbox/judge/tester.py", "sandbox/judge/values.py"):
                try:
                    path = os.path.join(directory, rel)
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with open(path, "w") as f:
                        f.write(PLANTED)
                except OSError:
                    pass

    plant()
    """
).replace("{PLANTED!r}", repr(PLANTED_MODULE))


@pytest.mark.parametrize("style", STYLES)
def test_modules_planted_on_every_writable_path_never_run(sandbox, style):
    reference, total = STYLES[style]
    score = grade(sandbox, PLANT + "\n" + WRONG[style], reference)
    assert_earned(score, 0, total)
    assert all(case["reason"] != "planted" for case in score.details["cases"])


# --- class 3: the test-code style -----------------------------------------------------------


def test_patching_the_stdlib_passes_no_float_or_async_test(sandbox):
    tests = textwrap.dedent(
        """
        import asyncio, math

        def test_close():
            assert math.isclose(half(1), 0.5)

        async def test_async():
            assert await async_half(1) == 0.5

        def test_close_after_a_call():
            value = half(3)
            assert math.isclose(value, 1.5) and math.isclose(half(5), 2.5)
        """
    )
    solution = """
        import asyncio, math, builtins

        # In one process with the tests, these would skip the async test's body and pass
        # every float check.
        math.isclose = lambda *args, **kwargs: True
        asyncio.run = lambda *args, **kwargs: None
        builtins.AssertionError = type("Swallowed", (Exception,), {})

        def half(x):
            math.isclose = lambda *args, **kwargs: True  # and again during the call
            return 0.0

        async def async_half(x):
            return 0.0
    """
    assert_earned(grade(sandbox, solution, {"tests": tests}), 0, 3)


def test_frames_and_heap_of_the_solution_hold_no_test_and_no_nonce(sandbox):
    # The expected answers are unusual numbers; the solution returns any int it can find
    # near it (caller frames, their constants and locals, every object on the heap) that
    # looks like one. Finding one would pass the case.
    tests = (
        "def test_a():\n    assert add(1, 2) == 987654\n\n"
        "def test_b():\n    assert add(2, 2) == 876543\n"
    )
    solution = """
        import gc, sys

        def candidates():
            frame = sys._getframe()
            while frame is not None:
                yield from frame.f_code.co_consts
                yield from frame.f_locals.values()
                yield from frame.f_globals.values()
                frame = frame.f_back
            for obj in gc.get_objects():
                if isinstance(obj, dict):
                    yield from obj.values()
                elif isinstance(obj, list | tuple):
                    yield from obj

        def add(a, b):
            found = sorted({c for c in candidates() if type(c) is int and 800000 < c < 999999})
            return found[0] if found else 0
    """
    assert_earned(grade(sandbox, solution, {"tests": tests}), 0, 2)


FORGE_EVERY_FD = """
    import json, os, struct

    def forge():
        frames = [{"passed": True, "reason": "test passed"}, {"value": ["i", "3"]},
                  {"names": {}}, {"value": True}]
        for fd in range(0, 64):
            for message in frames:
                body = json.dumps(message).encode()
                try:
                    os.write(fd, struct.pack(">I", len(body)) + body)
                except OSError:
                    pass
        for fd in os.listdir("/proc/self/fd"):
            try:
                os.read(int(fd), 1 << 16)  # drain whatever can be read
            except (OSError, ValueError):
                pass
"""


@pytest.mark.parametrize("when", ["loading", "calling"])
@pytest.mark.parametrize("style", ["tests", "functional"])
def test_answers_forged_on_every_fd_pass_nothing(sandbox, style, when):
    reference, total = STYLES[style]
    body = (
        "forge()\ndef add(a, b):\n    return 0"
        if when == "loading"
        else ("def add(a, b):\n    forge()\n    return 0")
    )
    score = grade(sandbox, textwrap.dedent(FORGE_EVERY_FD) + body, reference)
    assert_earned(score, 0, total)


# --- class 4: the judge's machinery broken on a case fails the case -------------------------


@pytest.mark.parametrize("style", ["tests", "functional"])
def test_nested_json_on_the_result_pipe_fails_the_case(sandbox, style):
    reference, total = STYLES[style]
    solution = """
        import os, struct

        def add(a, b):
            body = b"[" * 200000 + b"]" * 200000
            os.write(4, struct.pack(">I", len(body)) + body)
            os._exit(0)
    """
    assert_earned(grade(sandbox, solution, reference), 0, total)


@pytest.mark.parametrize("style", ["tests", "functional", "stdio"])
def test_using_up_the_inodes_fails_only_what_was_wrong(sandbox, style):
    # Every case fills every writable place with empty files first. The judge's own scratch
    # is out of reach, and each case's files are gone before the next one: the right
    # answers still pass, the wrong one still fails, and the item is scored.
    reference, total = STYLES[style]
    fill = textwrap.dedent(
        """
        import os
        for place in (os.getcwd(), "/tmp", "/dev/shm", os.environ.get("TMPDIR", ".")):
            for i in range(20000):
                try:
                    open(os.path.join(place, f"f{os.getpid()}-{i}"), "w").close()
                except OSError:
                    break
        """
    )
    right = {
        "tests": "def add(a, b):\n    return a + b if (a, b) != (2, 2) else 5",
        "functional": "def add(a, b):\n    return a + b if (a, b) != (2, 2) else 5",
        "stdio": "a, b = map(int, input().split())\nprint(a + b if (a, b) != (2, 2) else 5)",
    }
    score = grade(sandbox, fill + right[style], reference)
    assert_earned(score, total - 1, total)


def test_huge_values_fail_their_case_and_nothing_else(sandbox):
    reference = {
        "fn_name": "f",
        "test_cases": [
            {"input": [0], "output": 1.5},  # a 10**400 int against a float
            {"input": [1], "output": 1.5},  # a list nested 100000 deep
            {"input": [2], "output": [1]},  # a list that contains itself
            {"input": [3], "output": 1000000123456},  # 1e12 is not that int
            {"input": [4], "output": 7},
        ],
    }
    solution = """
        def f(n):
            if n == 0:
                return 10**400
            if n == 1:
                deep = []
                for _ in range(100000):
                    deep = [deep]
                return deep
            if n == 2:
                loop = [1]
                loop.append(loop)
                return loop
            if n == 3:
                return 1e12
            return 7
    """
    score = grade(sandbox, solution, reference)
    assert_earned(score, 1, 5)
    assert score.details["cases"][4]["passed"]


# --- classes 6 and 7: nothing of one case survives into the next -----------------------------


def test_a_fork_chain_of_one_case_is_gone_before_the_next(sandbox):
    # Case 1 leaves a chain whose every link forks the next and exits (no group, no parent
    # to kill). Cases 2 and 3 pass only when no process of another case's uid is alive.
    tests = "".join(
        f"def test_{n}():\n    assert add({n}, {n}) == {2 * n}\n\n"
        if n > 1
        else "def test_1():\n    assert add(1, 2) == 3\n\n"
        for n in (1, 2, 3)
    )
    solution = """
        import os, time

        def uid_of(pid):
            with open(f"/proc/{pid}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
            state = fields["State"].split()[0]
            return None if state == "Z" else int(fields["Uid"].split()[0])

        def others():
            # A process of an earlier case's solution: slot k's solution runs as the uid
            # block's first + 2k, so those are this uid less an even number (the job's
            # tester, the judge and root are not).
            mine = os.getuid()
            alive = []
            for entry in [p for p in os.listdir("/proc") if p.isdigit()]:
                try:
                    uid = uid_of(entry)
                except (OSError, KeyError, ValueError):
                    continue
                if uid is not None and uid < mine and (mine - uid) % 2 == 0:
                    alive.append(entry)
            return alive

        def chain():
            if os.fork() == 0:
                os.setsid()
                while True:
                    try:
                        if os.fork():
                            os._exit(0)
                    except OSError:
                        time.sleep(0.001)

        def add(a, b):
            if (a, b) == (1, 2):
                chain()
                time.sleep(0.2)
                return 3
            time.sleep(0.3)
            return a + b if not others() else 0
    """
    score = grade(sandbox, solution, {"tests": tests})
    assert score.error is None, score.error
    assert [c["passed"] for c in score.details["cases"]][1:] == [True, True], score.details


def test_catching_sigxcpu_buys_no_time(sandbox):
    # The right answer is printed first; then the program spins past its CPU limit and,
    # warned by SIGXCPU, exits 0. The case used more CPU than it had: it fails.
    reference = {"timeout_s": 1, "test_cases": [{"input": "", "output": "42\n"}]}
    solution = """
        import signal, sys

        signal.signal(signal.SIGXCPU, lambda *args: sys.exit(0))
        print(42, flush=True)
        while True:
            pass
    """
    score = grade(sandbox, solution, reference)
    assert_earned(score, 0, 1)
    assert "CPU time" in score.details["cases"][0]["reason"]


def test_the_end_of_the_solutions_process_fails_a_test_that_catches_it(sandbox):
    # A test that takes any exception for the refusal it checks (`except Exception`,
    # `assertRaises(Exception)`): a solution that kills its own process, or raises
    # SystemExit, ends a plain run there. The tests' catch does not turn that into a pass.
    tests = """
import unittest

class TestValidation(unittest.TestCase):
    def test_rejects_negative(self):
        with self.assertRaises(Exception):
            parse_age(-1)

def test_rejects_text():
    try:
        parse_age("old")
    except Exception:
        return
    raise AssertionError("accepted text")
"""
    for solution in (
        "import os\ndef parse_age(value):\n    os._exit(0)\n",
        "import os, signal\ndef parse_age(value):\n    os.kill(os.getpid(), signal.SIGKILL)\n",
        "def parse_age(value):\n    raise SystemExit(0)\n",
    ):
        assert_earned(grade(sandbox, solution, {"tests": tests}), 0, 2)
    honest = "def parse_age(value):\n    if not isinstance(value, int) or value < 0:\n"
    honest += "        raise ValueError(value)\n    return value\n"
    assert_earned(grade(sandbox, honest, {"tests": tests}), 2, 2)
