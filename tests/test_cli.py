"""The `rewardd` command line, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT, service_env


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
    done = rewardd("grade", str(source), "-o", str(out), "--recipe", "r1-zero")
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
