"""The `rewardd` command line, run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, free_port, service_env, stop_process_group, wait_for

RIGHT = {
    "id": "right",
    "completion": "<think>t</think><answer>\\boxed{4}</answer>",
    "reference": {"answer": "4"},
}


def rewardd(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rewardd", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=service_env(),
        cwd=ROOT,
        timeout=180,
    )


def installed_rewardd() -> str:
    """The `rewardd` command that `pip install -e .` put beside this interpreter."""
    command = Path(sys.executable).with_name("rewardd")
    if not command.exists():
        pytest.fail("the rewardd command is not installed; run: pip install -e .")
    return str(command)


def newcomer_env() -> dict[str, str]:
    """A user's shell: the installed package only, no PYTHONPATH pointing at the tree."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REWARDD_")}
    env.pop("PYTHONPATH", None)
    return {**env, "REWARDD_POOL_SIZE": "1", "REWARDD_CODE_THREADS": "1"}


@pytest.fixture
def above_the_clone(tmp_path) -> Path:
    """A folder holding the clone as `rewardd/`, as after `git clone ... rewardd`."""
    (tmp_path / "rewardd").symlink_to(ROOT, target_is_directory=True)
    return tmp_path


def test_help_names_every_command_and_the_environment():
    done = rewardd("--help")
    assert done.returncode == 0
    for word in ("serve", "worker", "grade", "REWARDD_BROKER_URL", "REWARDD_SANDBOX"):
        assert word in done.stdout
    grade_help = rewardd("grade", "--help")
    assert "--output" in grade_help.stdout and "--recipe" in grade_help.stdout


def test_grade_writes_one_result_per_line_in_order_and_keeps_bad_lines(tmp_path):
    lines = [
        {
            "id": "a",
            "completion": "<think>t</think><answer>\\boxed{4}</answer>",
            "reference": {"answer": "4"},
        },
        {
            "id": "b",
            "completion": "<think>t</think><answer>5</answer>",
            "reference": {"answer": "4"},
        },
    ]
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps(lines[0]) + "\n" + "{not json\n" + json.dumps(lines[1]) + "\n", encoding="utf-8"
    )
    out = tmp_path / "out.jsonl"
    done = rewardd("grade", str(source), "-o", str(out), "--recipe", "r1-zero", "--allow-errors")
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(results) == 3
    assert results[0]["id"] == "a" and results[0]["components"]["accuracy"] == 1.0
    assert results[1]["error"]["code"] == "invalid_item"
    assert "line 2" in results[1]["error"]["message"]
    assert results[1]["reward"] is None
    assert results[2]["id"] == "b" and results[2]["components"]["accuracy"] == 0.0
    assert "graded 3 items, 1 with an error" in done.stderr


def test_grade_refuses_an_unknown_recipe_clearly(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"completion": "x"}\n')
    done = rewardd("grade", str(source), "--recipe", "nope")
    assert done.returncode == 2
    assert "unknown recipe 'nope'" in done.stderr


def test_grade_exits_1_when_a_line_has_an_error_unless_allowed(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(RIGHT) + "\n" + '{"completion": 5}\n', encoding="utf-8")
    failed = rewardd("grade", str(source), "--recipe", "r1-zero")
    assert failed.returncode == 1
    assert "--allow-errors" in failed.stderr
    assert len(failed.stdout.splitlines()) == 2  # the results are written all the same
    allowed = rewardd("grade", str(source), "--recipe", "r1-zero", "--allow-errors")
    assert allowed.returncode == 0
    assert allowed.stdout == failed.stdout


def test_lines_python_cannot_read_are_invalid_items_not_a_crash():
    lines = [
        "[" * 100_000,
        '{"completion": "x", "completion_tokens": ' + "9" * 5000 + "}",
        json.dumps(RIGHT),
    ]
    done = rewardd("grade", "-", "--recipe", "r1-zero", stdin="\n".join(lines) + "\n")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    results = [json.loads(row) for row in done.stdout.splitlines()]
    assert [r["error"] and r["error"]["code"] for r in results] == [
        "invalid_item",
        "invalid_item",
        None,
    ]


def test_grade_exits_0_when_every_line_is_graded():
    done = rewardd("grade", "-", "--recipe", "r1-zero", stdin=json.dumps(RIGHT) + "\n")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["components"]["accuracy"] == 1.0
    assert "Timeout is disabled" not in done.stderr  # math-verify's per-process warning


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["grade", "/no/such/file.jsonl"], "cannot read /no/such/file.jsonl"),
        (["grade", "-", "--weights", "{oops"], "not JSON"),
        (["grade", "-", "--weights", '{"charm": 1}'], "unknown component(s) in --weights: charm"),
    ],
)
def test_grade_usage_errors_exit_2_with_one_clear_line(args, says):
    done = rewardd(*args, stdin="")
    assert done.returncode == 2
    assert says in done.stderr
    assert "Traceback" not in done.stderr


def test_grade_help_documents_the_exit_codes_and_errors():
    text = rewardd("grade", "--help").stdout
    for word in ("exit status", "--allow-errors", "invalid_item", "timeout", "example"):
        assert word in text


def test_grade_from_the_folder_that_holds_the_clone(above_the_clone):
    """The forkserver once put the working directory first and imported ./rewardd (the
    clone's root) as the package: every item came back `internal`."""
    done = subprocess.run(
        [installed_rewardd(), "grade", "-", "--recipe", "r1-zero"],
        input=json.dumps(RIGHT) + "\n",
        capture_output=True,
        text=True,
        env=newcomer_env(),
        cwd=above_the_clone,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout)["components"]["accuracy"] == 1.0
    assert "ImportError" not in done.stderr


def test_serve_from_the_folder_that_holds_the_clone(above_the_clone, tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [installed_rewardd(), "serve", "--port", str(port)],
            env={**newcomer_env(), "REWARDD_LOG_JSON": "true"},
            cwd=above_the_clone,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: httpx.get(f"{url}/healthz").status_code == 200, 120, "rewardd serve")
        ready = httpx.get(f"{url}/readyz", timeout=30).json()
        assert "pool" not in ready["problems"], ready
        assert ready["sandbox"] in ("docker", "bwrap", "unsafe-subprocess"), ready
        body = {"items": [RIGHT], "recipe": "r1-zero"}
        (result,) = httpx.post(f"{url}/v1/rewards", json=body, timeout=60).json()["results"]
        assert result["error"] is None and result["components"]["accuracy"] == 1.0
    finally:
        stop_process_group(process)
    text = log.read_text()
    assert "ImportError" not in text
    started = [json.loads(line) for line in text.splitlines() if "rewardd ready" in line]
    assert started and "sandbox: " in started[0]["msg"], text[-2000:]
