"""The scientific image (`image: "sci"`): selected per request, lean by default, as hardened.

- An image name is checked (an unknown one is a 422 / bad_reference); the default image has
  no numpy, the sci image has the whole stack, through `/v1/execute`'s requests and the judge.
- A missing image is a sandbox_error that names it; bubblewrap's "sci" is the host's Python.
- A representative subset of the sandbox's and the judge's hostile tests, run in both images
  (the same test functions, each request sent to the image under test).
"""

from __future__ import annotations

import dataclasses
import textwrap
from collections.abc import Iterator

import pydantic
import pytest

from rewardd.api.schemas import ExecuteRequest
from rewardd.rewards.code_cases import BadReference, plan_cases
from rewardd.rewards.code_imports import IMAGE_PACKAGES
from sandbox import ExecutionRequest, ExecutionResult
from sandbox.docker_backend import DockerSandbox, docker_unavailable_reason
from sandbox.limits import SandboxSettings, validate_request
from sandbox.local_backend import BwrapSandbox
from tests import test_judge_hostile as judge_hostile
from tests.judge_support import grade_solution as grade
from tests.judge_support import open_docker_sandbox
from tests.sandbox import test_hostile as sandbox_hostile
from tests.sandbox.conftest import TEST_SETTINGS, docker_sandbox  # noqa: F401 (a fixture)
from tests.sandbox.conftest import _unavailable as unavailable

IMAGES = ["default", "sci"]
SCI_STACK = (
    "import numpy, scipy.optimize, pandas, sortedcontainers, more_itertools, networkx, sympy\n"
    "print(int(numpy.arange(4).sum()), len(pandas.Series([1, 2])), sympy.Integer(7))"
)


class InImage:
    """A sandbox whose every request (plain jobs and judge jobs) goes to one image."""

    def __init__(self, sandbox, image: str) -> None:
        self._sandbox, self.image = sandbox, image
        self.name = getattr(sandbox, "name", "sandbox")

    def execute(self, request: ExecutionRequest) -> ExecutionResult:
        return self._sandbox.execute(dataclasses.replace(request, image=self.image))

    def problem(self) -> str | None:
        return self._sandbox.problem()

    def close(self) -> None:
        pass


# --- names ------------------------------------------------------------------------------------


def test_an_unknown_image_is_refused_everywhere():
    with pytest.raises(ValueError, match="image: unknown image 'gpu'"):
        validate_request(ExecutionRequest(code="", image="gpu"), SandboxSettings())
    with pytest.raises(pydantic.ValidationError, match="image"):
        ExecuteRequest(code="print(1)", image="gpu")
    assert ExecuteRequest(code="print(1)").image == "default"
    with pytest.raises(BadReference, match="image must be one of default, sci"):
        plan_cases({"test_cases": [{"input": "", "output": ""}], "image": "gpu"})
    reference = {"test_cases": [{"input": "", "output": ""}], "image": "sci"}
    assert plan_cases(reference).image == "sci"


# --- Docker -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sci_docker() -> None:
    """The sci image must be built (REQUIRE_DOCKER=1, as in CI: its absence is a failure)."""
    reason = docker_unavailable_reason(SandboxSettings.from_env().sci_image)
    if reason is not None:
        unavailable(reason, "REQUIRE_DOCKER")


@pytest.mark.docker
def test_the_default_image_stays_lean_and_sci_has_the_stack(docker_sandbox, sci_docker):  # noqa: F811
    lean = docker_sandbox.execute(ExecutionRequest(code=SCI_STACK, timeout_s=20))
    assert lean.status == "error" and "No module named 'numpy'" in lean.stderr, lean
    sci = docker_sandbox.execute(
        ExecutionRequest(code=SCI_STACK, timeout_s=20, memory_mb=512, image="sci")
    )
    assert (sci.status, sci.stdout) == ("ok", "6 2 7\n"), sci


@pytest.mark.docker
def test_each_package_the_planner_counts_on_imports_in_its_image(docker_sandbox, sci_docker):  # noqa: F811
    # The planner refuses tests importing what their image lacks (code_imports): its list
    # must be what the image really has, or honest tests would be refused.
    code = "\n".join(f"import {name}" for name in sorted(IMAGE_PACKAGES["sci"])) + "\nprint('ok')"
    sci = docker_sandbox.execute(
        ExecutionRequest(code=code, timeout_s=30, memory_mb=512, image="sci")
    )
    assert (sci.status, sci.stdout) == ("ok", "ok\n"), sci


@pytest.mark.docker
def test_a_missing_image_is_a_sandbox_error_that_names_it():
    reason = docker_unavailable_reason(TEST_SETTINGS.image)
    if reason is not None:
        pytest.skip(reason)
    settings = dataclasses.replace(TEST_SETTINGS, sci_image="rewardd-sandbox-missing:nope")
    with DockerSandbox(settings) as sandbox:
        result = sandbox.execute(ExecutionRequest(code="print(1)", image="sci"))
        assert result.status == "sandbox_error"
        assert "'sci'" in result.stderr and "rewardd-sandbox-missing:nope" in result.stderr
        score = grade(
            sandbox, "print(1)", {"test_cases": [{"input": "", "output": "1"}], "image": "sci"}
        )
        assert score.value is None and score.error.code == "sandbox_error"
        assert "rewardd-sandbox-missing:nope" in score.error.message
        # The default image's pool is not affected.
        assert sandbox.execute(ExecutionRequest(code="print(1)")).stdout == "1\n"


@pytest.fixture(scope="module")
def judge_docker() -> Iterator[object]:
    box = open_docker_sandbox()
    yield box
    box.close()


@pytest.mark.docker
def test_the_judge_runs_numpy_solutions_in_the_sci_image(judge_docker, sci_docker):
    solution = """
        def column_sums(rows):
            return np.asarray(rows).sum(axis=0).tolist()
    """
    reference = {
        "fn_name": "column_sums",
        "test_cases": [{"input": [[[1, 2], [3, 4]]], "output": [4, 6]}],
        "preamble": "import numpy as np",
    }
    assert grade(judge_docker, solution, {**reference, "image": "sci"}).value == 1.0
    # In the default image its preamble's import would fail every case of every solution.
    lean = grade(judge_docker, solution, reference)
    assert lean.value is None and lean.error.code == "bad_reference", lean
    assert "numpy" in lean.error.message and "'sci'" in lean.error.message


@pytest.mark.docker
def test_numpy_scalars_compare_as_the_python_numbers_they_equal(judge_docker, sci_docker):
    # np.sum gives an np.int64, np.any an np.bool_, np.float32 a non-float: `== 6` holds for
    # each in plain Python, so each passes in both styles; a wrong value still fails.
    solution = """
        import numpy as np

        def total(xs):
            return np.sum(np.asarray(xs))

        def has(xs, v):
            return np.any(np.asarray(xs) == v)

        def mean(xs):
            return np.float32(np.mean(xs))
    """
    cases = [("total", [[1, 2, 3]], 6), ("has", [[1, 2, 3], 2], True), ("mean", [[1, 2]], 1.5)]
    for fn_name, args, expected in cases:
        reference = {"fn_name": fn_name, "test_cases": [{"input": args, "output": expected}]}
        assert grade(judge_docker, solution, {**reference, "image": "sci"}).value == 1.0
    wrong = {"fn_name": "total", "test_cases": [{"input": [[1, 2, 3]], "output": 7}]}
    assert grade(judge_docker, solution, {**wrong, "image": "sci"}).value == 0.0
    tests = (
        "def test_numbers():\n    assert total([1, 2, 3]) == 6\n    assert has([1, 2], 2)\n"
        "    assert not has([1, 2], 5)\n    assert mean([1, 2]) == 1.5\n"
    )
    assert grade(judge_docker, solution, {"tests": tests, "image": "sci"}).value == 1.0


@pytest.mark.docker
def test_a_solution_patching_numpy_passes_nothing(judge_docker, sci_docker):
    # The tester (numpy preloaded there too) compares with its own numpy; what the solution
    # patched in its process changes nothing there.
    tests = textwrap.dedent(
        """
        import numpy as np

        def test_sorted():
            assert np.array_equal(np.asarray(sort3([3, 1, 2])), [1, 2, 3])
        """
    )
    solution = """
        import numpy as np
        np.array_equal = lambda *args, **kwargs: True
        np.asarray = lambda *args, **kwargs: np.array([1, 2, 3])

        def sort3(values):
            return values
    """
    score = grade(judge_docker, solution, {"tests": tests, "image": "sci"})
    assert score.error is None and score.value == 0.0, score.details
    honest = "def sort3(values):\n    return sorted(values)"
    assert grade(judge_docker, honest, {"tests": tests, "image": "sci"}).value == 1.0


SANDBOX_ATTACKS = [
    sandbox_hostile.test_fork_bomb,
    sandbox_hostile.test_memory_bomb_growing,
    sandbox_hostile.test_cpu_loop_hits_the_deadline,
    sandbox_hostile.test_stdout_flood_is_capped,
    sandbox_hostile.test_disk_fill_fails_and_leaves_no_trace,
    sandbox_hostile.test_no_network_even_to_the_hosts_loopback,
    sandbox_hostile.test_host_environment_and_secrets_are_invisible,
    sandbox_hostile.test_cannot_write_outside_the_work_dir,
    sandbox_hostile.test_double_forked_daemon_does_not_outlive_its_job,
    sandbox_hostile.test_nothing_planted_survives_for_the_next_job,
    sandbox_hostile.test_runs_as_an_unprivileged_user,
    sandbox_hostile.test_cannot_become_root,
]


@pytest.mark.docker
@pytest.mark.parametrize("image", IMAGES)
@pytest.mark.parametrize("attack", SANDBOX_ATTACKS, ids=lambda attack: attack.__name__[5:])
def test_sandbox_attacks_are_contained_in_both_images(docker_sandbox, sci_docker, image, attack):  # noqa: F811
    attack(InImage(docker_sandbox, image))


def planted_modules(style: str):
    return lambda box: judge_hostile.test_modules_planted_on_every_writable_path_never_run(
        box, style
    )


JUDGE_ATTACKS = {
    "planted_modules_stdio": planted_modules("stdio"),
    "planted_modules_tests": planted_modules("tests"),
    "patched_stdlib": judge_hostile.test_patching_the_stdlib_passes_no_float_or_async_test,
    "frames_and_heap": judge_hostile.test_frames_and_heap_of_the_solution_hold_no_test_and_no_nonce,
    "huge_values": judge_hostile.test_huge_values_fail_their_case_and_nothing_else,
    "fork_chain": judge_hostile.test_a_fork_chain_of_one_case_is_gone_before_the_next,
}


@pytest.mark.docker
@pytest.mark.parametrize("image", IMAGES)
@pytest.mark.parametrize("attack", JUDGE_ATTACKS)
def test_judge_attacks_fail_in_both_images(judge_docker, sci_docker, image, attack):
    JUDGE_ATTACKS[attack](InImage(judge_docker, image))


# --- bubblewrap -------------------------------------------------------------------------------


def test_bwrap_sci_is_the_hosts_python_or_a_sandbox_error_naming_it():
    box = BwrapSandbox(TEST_SETTINGS)
    if box.problem() is not None:
        pytest.skip(box.problem())
    try:
        result = box.execute(
            ExecutionRequest(code=SCI_STACK, timeout_s=20, memory_mb=512, image="sci")
        )
        if result.status == "sandbox_error":
            assert "image 'sci' is not available on the bwrap backend" in result.stderr
            assert "cannot import" in result.stderr
        else:
            assert (result.status, result.stdout) == ("ok", "6 2 7\n"), result
        # The default image is unaffected either way.
        assert box.execute(ExecutionRequest(code="print(1)")).stdout == "1\n"
    finally:
        box.close()
