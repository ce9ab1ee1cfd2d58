"""Red team of issue 15: a policy rewarded for passing plays against the rebuilt code judge.

Each test is one attack, on Docker and on bubblewrap, and asserts what an honest judge must
answer: the wrong solution earns 0 for what it did not solve (a number, never null), an
honest failing item is scored, not left `internal` or `timeout`. An attack that gets
through is marked xfail(strict=True) with the hole it uses until the hole is closed.
"""

from __future__ import annotations

import os
import subprocess
import textwrap
from collections.abc import Iterator

import pytest

from tests.judge_support import assert_scored, open_judge_sandbox
from tests.judge_support import grade_solution as grade
from tests.load import busy_loops

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module", params=["docker", "bwrap"])
def sandbox(request) -> Iterator[object]:
    box = open_judge_sandbox(request.param)
    yield box
    box.close()


def ref_add(style: str, timeout_s: float | None = None) -> dict:
    """`add` in each style: two cases, (1, 2) -> 3 and (2, 2) -> 4."""
    if style == "tests":
        reference: dict = {
            "tests": "def test_a():\n    assert add(1, 2) == 3\n\n"
            "def test_b():\n    assert add(2, 2) == 4\n"
        }
    elif style == "functional":
        reference = {
            "fn_name": "add",
            "test_cases": [{"input": [1, 2], "output": 3}, {"input": [2, 2], "output": 4}],
        }
    else:
        reference = {
            "test_cases": [{"input": "1 2\n", "output": "3\n"}, {"input": "2 2\n", "output": "4\n"}]
        }
    if timeout_s is not None:
        reference["timeout_s"] = timeout_s
    return reference


def add_solution(style: str, otherwise: str, imports: str = "") -> str:
    """Right for (1, 2) only; `otherwise` runs for the second case."""
    body = textwrap.indent(textwrap.dedent(otherwise).strip("\n"), "    ")
    if style == "stdio":
        head = "a, b = map(int, input().split())\nif (a, b) == (1, 2):\n    print(3)\nelse:"
        return f"{imports}\n{head}\n{body}\n"
    return f"{imports}\ndef add(a, b):\n    if (a, b) == (1, 2):\n        return 3\n{body}\n"


STYLES = ["tests", "functional", "stdio"]

# --- escaping the negative advantage: an honest failure must be a number -------------------


@pytest.mark.parametrize("style", STYLES)
def test_burning_then_sleeping_is_not_an_unjudged_timeout(sandbox, style):
    # 0.6 s of CPU under a 1 s limit, then idle until the backstop (3 x 1 + 2 s) falls.
    otherwise = """
        import time
        end = time.process_time() + 0.6
        while time.process_time() < end:
            pass
        time.sleep(60)
    """
    score = grade(sandbox, add_solution(style, otherwise), ref_add(style, timeout_s=1))
    assert_scored(score, 1, 2)


def test_sleeping_through_many_cases_is_scored_not_unjudged(sandbox):
    reference = {
        "timeout_s": 0.2,
        "test_cases": [{"input": f"{i} 1\n", "output": f"{i + 1}\n"} for i in range(12)],
    }
    solution = (
        "import time\na, b = map(int, input().split())\n"
        "if a == 0:\n    print(1)\nelse:\n    time.sleep(60)\n"
    )
    assert_scored(grade(sandbox, solution, reference), 1, 12)


# --- time: a case's limit is the CPU time of all its processes ----------------------------

# Needs ~1.5 s of CPU for the second case under a 1 s limit: it must fail that case. The work
# runs in a child that the solution never reaps (its rusage then reaches nobody's wait4).
FORKED_WORK = """
    import os, time
    r, w = os.pipe()
    if os.fork() == 0:
        end = time.process_time() + 1.5
        while time.process_time() < end:
            pass
        os.write(w, b"4")
        os._exit(0)
    os.close(w)
    answer = b""
    while True:
        chunk = os.read(r, 16)
        if not chunk:
            break
        answer += chunk
    {finish}
"""


@pytest.mark.parametrize("style", ["functional", "stdio"])
def test_work_in_an_unreaped_child_counts_against_the_limit(sandbox, style):
    finish = "print(int(answer))" if style == "stdio" else "return int(answer)"
    otherwise = FORKED_WORK.format(finish=finish)
    score = grade(sandbox, add_solution(style, otherwise), ref_add(style, timeout_s=1))
    assert_scored(score, 1, 2)


# --- what the tests check with: names of the solution in the tests' scope -----------------

RAISES_TESTS = {
    "tests": textwrap.dedent(
        """
        def test_rejects_negative():
            try:
                root(-1)
            except ValueError:
                return
            raise AssertionError("no ValueError")

        def test_four():
            assert root(4) == 2
        """
    )
}


def test_shadowing_an_exception_class_passes_no_raises_test(sandbox):
    solution = """
        ValueError = Exception

        def root(x):
            if x < 0:
                return 1 // 0
            return int(x ** 0.5)
    """
    assert_scored(grade(sandbox, solution, RAISES_TESTS), 1, 2)


def test_shadowing_checker_builtins_passes_nothing(sandbox):
    tests = {
        "tests": "def test_a():\n    assert all([add(1, 2) == 3])\n\n"
        "def test_b():\n    assert isinstance(add(2, 2), int) and add(2, 2) == 4\n"
    }
    solution = """
        all = lambda *a, **k: True
        isinstance = lambda *a, **k: True
        def add(a, b):
            return 3 if (a, b) == (1, 2) else "4"
    """
    assert_scored(grade(sandbox, solution, tests), 1, 2)


# --- values that break a comparison in the judge ------------------------------------------


@pytest.mark.parametrize("style", ["functional", "tests"])
def test_a_signalling_nan_decimal_fails_its_case(sandbox, style):
    otherwise = "import decimal\nreturn decimal.Decimal('sNaN')"
    assert_scored(grade(sandbox, add_solution(style, otherwise), ref_add(style)), 1, 2)


def test_forged_snapshots_on_the_result_pipe_fail_their_case(sandbox):
    # The solution's process holds the result pipe: a hand-made frame with a Fraction of
    # denominator 0 (ZeroDivisionError on decoding), a float from a number, a dict keyed by
    # a list, must each fail the case, and the item is still scored.
    reference = {
        "fn_name": "add",
        "test_cases": [{"input": [1, 2], "output": 3}]
        + [{"input": [2, i], "output": 2 + i} for i in range(4)],
    }
    otherwise = """
        import json, os, struct
        forged = [["Fraction", "1", "0"], ["f", 5], ["d", [[["l", []], ["i", "1"]]]],
                  ["i", "-" * 50]][b]
        body = json.dumps({"value": forged}).encode()
        os.write(4, struct.pack(">I", len(body)) + body)
        os._exit(0)
    """
    assert_scored(grade(sandbox, add_solution("functional", otherwise), reference), 1, 5)


def test_a_float_near_a_big_int_is_not_that_int(sandbox):
    reference = {"fn_name": "f", "test_cases": [{"input": [], "output": 1000000123456}]}
    assert_scored(grade(sandbox, "def f():\n    return 1e12", reference), 0, 1)


def test_a_fake_module_the_tests_use_unimported_passes_nothing(sandbox):
    # MBPP-style tests that lean on the solution's `import math`.
    tests = {
        "tests": "def test_a():\n    assert math.isclose(area(1), 3.14159, rel_tol=1e-3)\n\n"
        "def test_b():\n    assert math.isclose(area(2), 12.566, rel_tol=1e-3)\n"
    }
    solution = """
        class math:
            isclose = staticmethod(lambda *a, **k: True)

        def area(r):
            return 3.14159 if r == 1 else 0.0
    """
    assert_scored(grade(sandbox, solution, tests), 1, 2)


def test_a_patched_real_math_module_passes_nothing(sandbox):
    tests = {
        "tests": "def test_a():\n    assert math.isclose(area(1), 3.14159, rel_tol=1e-3)\n\n"
        "def test_b():\n    assert math.isclose(area(2), 12.566, rel_tol=1e-3)\n"
    }
    solution = """
        import math
        math.isclose = lambda *a, **k: True

        def area(r):
            return 3.14159 if r == 1 else 0.0
    """
    assert_scored(grade(sandbox, solution, tests), 1, 2)


# --- one job affecting a later one ---------------------------------------------------------

PLANT_EVERYWHERE = """
import os
planted = []
for root, dirs, _files in os.walk("/", topdown=True):
    dirs[:] = [d for d in dirs if os.path.join(root, d) not in ("/proc", "/sys")]
    if os.access(root, os.W_OK | os.X_OK):
        try:
            path = os.path.join(root, ".redteam-mark")
            with open(path, "w") as f:
                f.write("x")
            planted.append(path)
        except OSError:
            pass
print(len(planted))
"""
FIND_MARKS = """
import os
found = []
for root, dirs, files in os.walk("/", topdown=True):
    dirs[:] = [d for d in dirs if os.path.join(root, d) not in ("/proc", "/sys")]
    if ".redteam-mark" in files:
        found.append(os.path.join(root, ".redteam-mark"))
print(found)
"""


def test_files_of_one_execute_job_are_gone_for_the_next(sandbox):
    from sandbox import ExecutionRequest

    first = sandbox.execute(ExecutionRequest(code=PLANT_EVERYWHERE, timeout_s=10))
    assert first.status == "ok", first
    assert int(first.stdout.strip()) > 0  # it could write somewhere (its work dir at least)
    for _ in range(3):  # whichever warm sandbox the next jobs land in
        later = sandbox.execute(ExecutionRequest(code=FIND_MARKS, timeout_s=10))
        assert later.status == "ok", later
        assert later.stdout.strip() == "[]", later.stdout


# --- forging "load": a case that lets itself starve ----------------------------------------


@pytest.fixture
def busy_host() -> Iterator[None]:
    """One busy loop per core next to the sandbox: the load a training host always has."""
    with busy_loops():
        yield


def test_choosing_sched_idle_does_not_turn_a_failure_into_no_verdict(sandbox, busy_host):
    # SCHED_IDLE (no privilege needed) runs only when nothing else wants the CPU: on a busy
    # host the case waits on the run queue, which extends its backstop to the ceiling, as if
    # load had starved an honest case. It is the solution's choice, so the case must fail.
    otherwise = """
        import os
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        while True:
            pass
    """
    score = grade(sandbox, add_solution("functional", otherwise), ref_add("functional", 0.5))
    assert_scored(score, 1, 2)


@pytest.fixture
def four_busy_loops() -> Iterator[None]:
    """Four busy loops beside the sandbox: the hole below showed only on a loaded host."""
    with busy_loops(4):
        yield


def test_exhausting_the_jobs_memory_with_many_processes_is_scored(sandbox, four_busy_loops):
    # Every process of a case may use the case's memory; many of them together exceed the
    # job's. The judge watches all of the case's processes together (their resident memory
    # and CPU time): the case fails as soon as they pass its limits, and the item is scored,
    # never null (on bwrap, with no cgroup, this once spent the job's whole CPU budget).
    otherwise = """
        import os, time
        for _ in range(24):
            if os.fork() == 0:
                try:
                    block = bytearray(200 * 1024 * 1024)
                    for i in range(0, len(block), 4096):
                        block[i] = 1
                except MemoryError:
                    pass
                time.sleep(30)
                os._exit(0)
        time.sleep(30)
    """
    score = grade(sandbox, add_solution("functional", otherwise), ref_add("functional", 2))
    assert_scored(score, 1, 2)
    assert (
        "memory" in score.details["cases"][1]["reason"]
        or "CPU" in (score.details["cases"][1]["reason"])
    )


BURN = """
    end = time.process_time() + 1.8
    while time.process_time() < end:
        pass
"""
# Twenty processes each burning 1.8 s: each under its own RLIMIT_CPU (2 s at a 1 s limit),
# all together 36 s, far past the job's whole CPU budget (2 cases x 1 s + 5 s), which they
# spend before the case's wall-clock backstop (3 x 1 s + 2 s) unless the case is cut.
SPREAD_WORK = {
    "children that sleep after": f"""
        for _ in range(20):
            if os.fork() == 0:
{textwrap.indent(textwrap.dedent(BURN), " " * 16)}
                time.sleep(30)
                os._exit(0)
        time.sleep(30)
    """,
    "orphans in their own sessions": f"""
        for _ in range(20):
            if os.fork() == 0:
                if os.fork() == 0:
                    os.setsid()
{textwrap.indent(textwrap.dedent(BURN), " " * 20)}
                    time.sleep(30)
                os._exit(0)
            os.wait()
        time.sleep(30)
    """,
    "a chain, each forking the next": f"""
        for _ in range(20):
            if os.fork() != 0:
                break
{textwrap.indent(textwrap.dedent(BURN), " " * 8)}
        time.sleep(30)
    """,
    "children reaped unseen (SIGCHLD ignored)": f"""
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
        for _ in range(20):
            if os.fork() == 0:
{textwrap.indent(textwrap.dedent(BURN), " " * 16)}
                os._exit(0)
        time.sleep(30)
    """,
}


@pytest.mark.parametrize("pattern", list(SPREAD_WORK))
def test_cpu_spread_over_many_processes_fails_the_case_not_the_item(
    sandbox, four_busy_loops, pattern
):
    # The case's limit is the CPU of all its processes together, children, orphans and
    # process chains included: passing it fails the case at once (0), before the job's own
    # budget, which would leave the item null, can run out.
    imports = "import os, signal, time"
    solution = add_solution("functional", SPREAD_WORK[pattern], imports)
    score = grade(sandbox, solution, ref_add("functional", 1))
    assert_scored(score, 1, 2)
    assert "CPU" in score.details["cases"][1]["reason"], score.details


# --- exceptions crossing from the solution to the tests -------------------------------------

TYPE_ERROR_TESTS = {
    "tests": textwrap.dedent(
        """
        def test_rejects_text():
            try:
                double("a")
            except TypeError:
                return
            raise AssertionError("no TypeError")

        def test_two():
            assert double(2) == 4
        """
    )
}


@pytest.mark.parametrize(
    "raising",
    [
        "raise UnicodeDecodeError('utf-8', b'x', 0, 1, 'bad')",
        "raise ExceptionGroup('many', [KeyError(1)])",
        "raise OSError(2, 'gone')",
    ],
)
def test_an_exception_the_tests_cannot_rebuild_is_not_the_one_they_expect(sandbox, raising):
    # The tester rebuilds a builtin exception as kind(message); for classes whose constructor
    # wants other arguments that call raises TypeError, which a raises-TypeError test takes.
    solution = f"def double(x):\n    if x == 'a':\n        {raising}\n    return 0\n"
    assert_scored(grade(sandbox, solution, TYPE_ERROR_TESTS), 0, 2)


# --- through the real service ---------------------------------------------------------------


@pytest.fixture(scope="module", params=["docker", "local"])
def service(request, tmp_path_factory) -> Iterator[object]:
    import httpx

    from tests.conftest import running_service

    box = open_judge_sandbox(request.param)  # skips as the others do
    box.close()
    log = tmp_path_factory.mktemp(f"redteam-{request.param}") / "serve.log"
    with (
        running_service(log, REWARDD_SANDBOX=request.param, REWARDD_POOL_SIZE="2") as url,
        httpx.Client(base_url=url, timeout=300) as client,
    ):
        yield client


def test_execute_cannot_ask_for_a_judge_start(service):
    # The judge's privileged start (root with CAP_SETUID, a uid block) is for rewardd's own
    # judge jobs only; a body naming `judge` and shipping sandbox/judge/__main__.py runs as an
    # ordinary job.
    probe = "import os\nprint('uid', os.getuid(), os.environ.get('REWARDD_JUDGE_UID'))\n"
    response = service.post(
        "/v1/execute",
        json={
            "code": probe,
            "judge": True,
            "files": {
                "sandbox/judge/__main__.py": "import os\nprint('JUDGE-START', os.getuid())\n"
            },
        },
    )
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        body = response.json()
        assert "JUDGE-START" not in body["stdout"], body
        assert body["stdout"].split()[:1] == ["uid"], body
        assert body["stdout"].split()[1] != "0" and body["stdout"].split()[2] == "None", body


def test_rewards_score_the_idling_and_the_shadowing_tricks(service):
    def item(name: str, solution: str, reference: dict) -> dict:
        code = textwrap.dedent(solution).strip("\n")
        completion = f"<think>ok</think>\n<answer>\n```python\n{code}\n```\n</answer>"
        return {"id": name, "completion": completion, "reference": reference}

    idle = "import time\nend = time.process_time() + 0.6\nwhile time.process_time() < end:\n"
    idle += "    pass\ntime.sleep(60)"
    items = [
        item("burn-then-sleep", add_solution("functional", idle), ref_add("functional", 1)),
        item(
            "value-error",
            "ValueError = Exception\n\ndef root(x):\n    if x < 0:\n        return 1 // 0\n"
            "    return int(x ** 0.5)",
            RAISES_TESTS,
        ),
    ]
    response = service.post("/v1/rewards", json={"recipe": "code", "items": items})
    assert response.status_code == 200, response.text
    for result in response.json()["results"]:
        assert result["components"]["code"] == 0.5, result


# --- stdlib objects in the tests' scope that equal anything ---------------------------------

ZERO_ARG_TESTS = {
    "tests": "def test_answer():\n    assert answer() == 42\n\n"
    "def test_constant():\n    assert LIMIT == 10\n"
}


def test_an_always_equal_stdlib_class_is_not_the_function_under_test(sandbox):
    # unittest.mock._ANY() == anything: imported under the function's name it crosses as a
    # stdlib name, which the tester takes from its own unittest.mock.
    solution = "from unittest.mock import _ANY as answer\nLIMIT = 9\n"
    assert_scored(grade(sandbox, solution, ZERO_ARG_TESTS), 0, 2)


def test_a_forged_names_frame_binding_mock_any_passes_nothing(sandbox):
    # The solution's process sends the tester its top-level names itself: a hand-made frame
    # can bind any name to any attribute of any module (unittest.mock.ANY is an instance).
    solution = """
        import json, os, struct
        names = {"answer": ["stdlib", "unittest.mock", "_ANY"],
                 "LIMIT": ["stdlib", "unittest.mock", "ANY"]}
        body = json.dumps({"names": names}).encode()
        os.write(4, struct.pack(">I", len(body)) + body)
        import time
        time.sleep(30)
    """
    assert_scored(grade(sandbox, solution, ZERO_ARG_TESTS), 0, 2)


LEAVE_BEHIND = """
import ctypes, os, time
libc = ctypes.CDLL(None, use_errno=True)
IPC_CREAT, IPC_PRIVATE = 0o1000, 0
shm = libc.shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0o666)
sem = libc.semget(IPC_PRIVATE, 1, IPC_CREAT | 0o666)
msg = libc.msgget(IPC_PRIVATE, IPC_CREAT | 0o666)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.closerange(0, 1024)
        time.sleep(120)
    os._exit(0)
print(shm, sem, msg)
"""
LOOK_AROUND = """
import os
mine = os.getpid()
others = []
for pid in os.listdir("/proc"):
    if pid.isdigit() and int(pid) not in (mine, os.getppid()):
        try:
            if os.stat(f"/proc/{pid}").st_uid != 0:
                others.append(pid)
        except OSError:
            pass
ipc = []
for kind in ("shm", "sem", "msg"):
    with open(f"/proc/sysvipc/{kind}") as f:
        ipc += [kind] * (len(f.read().splitlines()) - 1)
print(others, ipc)
"""


def test_processes_and_ipc_of_one_execute_job_are_gone_for_the_next(sandbox):
    from sandbox import ExecutionRequest

    first = sandbox.execute(ExecutionRequest(code=LEAVE_BEHIND, timeout_s=10))
    assert first.status == "ok", first
    assert all(int(n) >= 0 for n in first.stdout.split()), first.stdout
    for _ in range(3):
        later = sandbox.execute(ExecutionRequest(code=LOOK_AROUND, timeout_s=10))
        assert later.status == "ok", later
        assert later.stdout.strip() == "[] []", later.stdout


# The same work one generation further down: an unreaped child A waits for its own child B,
# which does the work, so B's CPU sits in A's "waited-for children" times, not in A's own.
GRANDCHILD_WORK = """
    import os, time
    r, w = os.pipe()
    if os.fork() == 0:
        inner_r, inner_w = os.pipe()
        if os.fork() == 0:
            end = time.process_time() + 1.5
            while time.process_time() < end:
                pass
            os.write(inner_w, b"4")
            os._exit(0)
        os.close(inner_w)
        result = os.read(inner_r, 16)
        os.wait()  # B reaped before the answer goes out: no zombie B to be seen
        os.write(w, result)
        time.sleep(30)
        os._exit(0)
    os.close(w)
    answer = os.read(r, 16)
    {finish}
"""


@pytest.mark.parametrize("style", ["functional", "stdio"])
def test_work_in_a_waited_grandchild_counts_against_the_limit(sandbox, style):
    finish = "print(int(answer))" if style == "stdio" else "return int(answer)"
    otherwise = GRANDCHILD_WORK.format(finish=finish)
    score = grade(sandbox, add_solution(style, otherwise), ref_add(style, timeout_s=1))
    assert_scored(score, 1, 2)


PLANTED_VERDICT = (
    "import json, os, struct\n"
    'body = json.dumps({"passed": True, "reason": "planted"}).encode()\n'
    'os.write(4, struct.pack(">I", len(body)) + body)\n'
    "os._exit(0)\n"
)


PLANTED_IN_PACKAGE = f"""
        import json, os, struct, time
        PLANTED = {PLANTED_VERDICT!r}
        for top in {{"/work", "/judge", "/sandbox", os.getcwd(), os.environ.get("HOME", "")}}:
            for root, dirs, _ in os.walk(top):
                for d in ["", *dirs]:
                    try:
                        with open(os.path.join(root, d, "sandbox", "rt_evil.py"), "w") as f:
                            f.write(PLANTED)
                    except OSError:
                        pass
                    try:
                        with open(os.path.join(root, d, "rt_evil.py"), "w") as f:
                            f.write(PLANTED)
                    except OSError:
                        pass
        names = {{"answer": ["stdlib", "sandbox.rt_evil", "x"],
                  "LIMIT": ["stdlib", "sandbox.judge.rt_evil", "x"]}}
        body = json.dumps({{"names": names}}).encode()
        os.write(4, struct.pack(">I", len(body)) + body)
        time.sleep(30)
    """


def test_a_module_planted_in_the_judges_package_never_runs_in_the_tester(sandbox):
    # `sandbox` is a namespace package in the judge; a names frame naming "sandbox.<x>" as a
    # stdlib origin makes the tester import it, from wherever the package's path lets it.
    solution = PLANTED_IN_PACKAGE
    assert_scored(grade(sandbox, solution, ZERO_ARG_TESTS), 0, 2)


def grade_one_uid(solution: str, reference: dict) -> dict:
    """Grade on rootless bubblewrap, as `nobody` (judge and cases then share one uid)."""
    import json
    import shutil
    from pathlib import Path

    python = shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin")
    if os.geteuid() != 0 or shutil.which("runuser") is None or python is None:
        pytest.skip("needs root, runuser and a system python3 to start an unprivileged grader")
    root = Path(__file__).resolve().parent.parent
    code = textwrap.dedent(solution).strip("\n")
    item = {
        "completion": f"<think>ok</think>\n<answer>\n```python\n{code}\n```\n</answer>",
        "reference": reference,
    }
    done = subprocess.run(
        ["runuser", "-u", "nobody", "--", "env", "HOME=/tmp", f"PYTHONPATH={root}",
         python, "-P", str(root / "tests" / "redteam_one_uid.py")],
        input=json.dumps(item), capture_output=True, text=True, timeout=300, cwd="/tmp",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    if "problem" in answer:
        if os.environ.get("REQUIRE_BWRAP") == "1":
            pytest.fail(f"rootless bubblewrap unusable: {answer['problem']}")
        pytest.skip(f"rootless bubblewrap unusable: {answer['problem']}")
    return answer


def test_one_uid_a_module_planted_in_the_judges_package_never_runs_in_the_tester():
    solution = PLANTED_IN_PACKAGE
    answer = grade_one_uid(solution, ZERO_ARG_TESTS)
    assert (answer["error"], answer["passed"], answer["total"]) == (None, 0, 2), answer


# --- one case's processes alive in the next --------------------------------------------------

# Case 1 answers, then leaves a chain that forks and exits faster than a kill loop sees it
# (a new session each time, named "rtchain"). Case 2 answers right only if it finds the chain.
FORK_CHAIN = """
import ctypes, os, sys, time
a, b = map(int, input().split())
if (a, b) == (1, 2):
    print(3, flush=True)
    if os.fork() == 0:
        libc = ctypes.CDLL(None)
        os.closerange(0, 1024)
        for _ in range(10 ** 6):
            try:
                os.setsid()
            except OSError:
                pass
            libc.prctl(15, b"rtchain", 0, 0, 0)
            if os.fork() != 0:
                os._exit(0)
            time.sleep(0.001)
        os._exit(0)
    sys.exit(0)
alive = False
for pid in os.listdir("/proc"):
    try:
        with open(f"/proc/{pid}/comm") as f:
            alive = alive or f.read().strip() == "rtchain"
    except OSError:
        pass
print(4 if alive else 0)
"""


def test_a_fork_chain_of_one_case_is_not_alive_in_the_next(sandbox):
    assert_scored(grade(sandbox, FORK_CHAIN, ref_add("stdio")), 1, 2)


def test_one_uid_a_fork_chain_of_one_case_is_not_alive_in_the_next():
    answer = grade_one_uid(FORK_CHAIN, ref_add("stdio"))
    assert (answer["error"], answer["passed"], answer["total"]) == (None, 1, 2), answer


def test_sleeping_just_under_each_backstop_is_scored_not_unjudged(sandbox):
    # Never stopped by a backstop, so never "idle": each case sleeps 3t + 1.5 s of its 3t + 2 s,
    # and twenty of them spend more wall than the job has (3 * sum(t) + 17 s).
    reference = {
        "timeout_s": 0.2,
        "test_cases": [{"input": f"{i} 1\n", "output": f"{i + 1}\n"} for i in range(20)],
    }
    solution = (
        "import time\na, b = map(int, input().split())\n"
        "if a == 0:\n    print(1)\nelse:\n    time.sleep(2.1)\n    print(0)\n"
    )
    assert_scored(grade(sandbox, solution, reference), 1, 20)


ONE_UID_SABOTAGE = {
    "kill everything": "os.kill(-1, signal.SIGKILL)",
    "stop everything": "os.kill(-1, signal.SIGSTOP)",
    "stop the parent chain": (
        "pid = os.getppid()\n"
        "while pid > 1:\n"
        "    with contextlib.suppress(OSError):\n"
        "        os.kill(pid, signal.SIGSTOP)\n"
        "    with open(f'/proc/{pid}/stat') as f:\n"
        "        pid = int(f.read().rsplit(')', 1)[1].split()[1])"
    ),
}


@pytest.mark.parametrize("trick", ONE_UID_SABOTAGE)
def test_one_uid_sabotaging_the_judge_fails_the_item_not_nulls_it(trick):
    solution = add_solution(
        "stdio", ONE_UID_SABOTAGE[trick] + "\nprint(4)", "import contextlib, os, signal"
    )
    answer = grade_one_uid(solution, ref_add("stdio", timeout_s=1))
    assert answer["error"] is None and answer["value"] is not None, answer
    assert answer["passed"] in (0, 1), answer  # never the case it sabotaged


def test_a_lone_surrogate_in_a_failure_message_is_still_a_scored_response(service):
    # Exception text crosses as UTF-8 with surrogatepass; in a case's reason it must not break
    # the JSON response (a 500 would drop the whole batch's rewards).
    solution = "def add(a, b):\n    if (a, b) == (1, 2):\n        return 3\n"
    solution += "    raise ValueError('bad \\udc80 value ' + chr(0xD800))\n"
    code = textwrap.dedent(solution)
    completion = f"<think>ok</think>\n<answer>\n```python\n{code}\n```\n</answer>"
    items = [
        {"id": style, "completion": completion, "reference": ref_add(style)}
        for style in ("tests", "functional")
    ]
    response = service.post("/v1/rewards", json={"recipe": "code", "items": items})
    assert response.status_code == 200, response.text[:500]
    for result in response.json()["results"]:
        assert result["components"]["code"] == 0.5, result


@pytest.mark.parametrize(
    "code",
    [
        "import sys\nsys.stdout.buffer.write(b'\\xed\\xb2\\x80 \\xff\\xfe ok')",
        "import sys\nsys.stderr.buffer.write(b'\\xed\\xa0\\x80')\nraise SystemExit(3)",
        "import sys\nsys.stdout.reconfigure(errors='surrogatepass')\nprint('\\udc80')",
    ],
)
def test_execute_answers_undecodable_output_as_json(service, code):
    response = service.post("/v1/execute", json={"code": code})
    assert response.status_code == 200, response.text[:500]
    assert response.json()["status"] in ("ok", "error"), response.json()
