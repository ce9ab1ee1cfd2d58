"""`python -m trainer_client.sample` end to end: the toy model on a CPU, a real `rewardd serve`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import free_port, service_env, stop_process_group, wait_for
from tests.trainer.conftest import REPO, subprocess_env
from trainer_client.client import RewardClient
from trainer_client.grpo.toy import addition_records
from trainer_client.sample.keep import failed_conditions, parse_keep
from trainer_client.sample.output import normalized

pytestmark = pytest.mark.slow

# The toy model is random: a rule on tag_count splits its completions into kept and rejected.
WEIGHTS = '{"accuracy": 1.0, "format": 0.3, "tag_count": 0.1}'
KEEP = "tag_count>=0.5,reward>0"


def sample(url: str, *flags: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "trainer_client.sample", "--no-progress", *flags],
        capture_output=True,
        text=True,
        env=subprocess_env(REWARDD_URL=url),
        cwd=REPO,
        timeout=600,
    )
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def toy_flags(toy_dir: Path, out: Path, *flags: str) -> list[str]:
    return [
        "--model",
        str(toy_dir / "model"),
        "--data",
        str(toy_dir / "prompts.jsonl"),
        "--out",
        str(out),
        "--max_new_tokens",
        "8",
        "--recipe",
        "r1-zero",
        "--weights",
        WEIGHTS,
        *flags,
    ]


def test_sample_keeps_only_what_really_meets_the_rule(
    rewardd_url: str, toy_dir: Path, tmp_path: Path
) -> None:
    out, rejects, summary_path = tmp_path / "sft.jsonl", tmp_path / "rej.jsonl", tmp_path / "s.json"
    result = sample(
        rewardd_url,
        *toy_flags(toy_dir, out, "--num_samples", "8", "--keep", KEEP, "--max_per_prompt", "2"),
        *("--temperature", "1.0", "--top_p", "1.0", "--keep_truncated"),
        *("--rejects", str(rejects), "--summary_json", str(summary_path)),
        *("--generation_batch", "2", "--grade_batch", "24"),  # several grading requests
    )
    kept, rejected = lines(out), lines(rejects)
    summary = json.loads(summary_path.read_text())
    prompts = {record["prompt"] for record in addition_records()}

    # A truthful summary: every completion is accounted for, once.
    assert summary["prompts"] == len(prompts) and summary["skipped"] == 0
    assert summary["generated"] == 8 * len(prompts) == len(kept) + len(rejected)
    assert summary["kept"] == len(kept) > 0 and summary["rejected"] == len(rejected) > 0
    reasons = Counter(reason for row in rejected for reason in row["reasons"])
    assert summary["rejections"] == dict(reasons)
    assert f"kept:      {len(kept)}" in result.stdout

    # Distinct completions, at most --max_per_prompt per prompt, the contract's fields.
    per_prompt = Counter(row["prompt"] for row in kept)
    assert set(per_prompt) <= prompts and max(per_prompt.values()) <= 2
    assert len({(row["prompt"], normalized(row["completion"])) for row in kept}) == len(kept)
    for row in kept:
        assert {"prompt", "completion", "reward", "components", "source"} <= set(row)
        assert row["source"] == str(toy_dir / "model")

    # Re-graded through the service, each kept line meets the rule and each rejected one fails
    # what it was rejected for.
    conditions = parse_keep(KEEP)
    with RewardClient(rewardd_url, recipe="r1-zero", weights=json.loads(WEIGHTS)) as client:
        regraded = client.grade(
            [
                {"prompt": r["prompt"], "completion": r["completion"], "reference": r["reference"]}
                for r in [*kept, *rejected]
            ]
        )
    for row, again in zip([*kept, *rejected], regraded, strict=True):
        failed = {str(c) for c in failed_conditions(conditions, again.reward, again.components)}
        if "reasons" not in row:
            assert failed == set(), row
        else:
            rule_reasons = {r for r in row["reasons"] if r in {str(c) for c in conditions}}
            assert rule_reasons == failed, row
            if "max_per_prompt" in row["reasons"] or "duplicate" in row["reasons"]:
                assert failed == set(), row


def test_sample_dedupes_and_resumes(rewardd_url: str, toy_dir: Path, tmp_path: Path) -> None:
    """A near-greedy sampler repeats itself: one line per prompt survives the dedupe. A resumed
    run skips the prompts already finished, and a torn last line left by a crash is cut off."""
    records = addition_records()
    first_half = tmp_path / "first.jsonl"
    first_half.write_text("".join(json.dumps(r) + "\n" for r in records[:5]))
    out, summary_path = tmp_path / "sft.jsonl", tmp_path / "summary.json"
    greedy = ("--num_samples", "4", "--temperature", "0.01", "--keep", "none", "--keep_truncated")
    common = (*greedy, "--summary_json", str(summary_path))

    flags = toy_flags(toy_dir, out, *common)
    flags[flags.index("--data") + 1] = str(first_half)
    sample(rewardd_url, *flags)
    first = json.loads(summary_path.read_text())
    assert (first["prompts"], first["generated"], first["kept"]) == (5, 20, 5)
    assert first["rejections"] == {"duplicate": 15}
    before = out.read_text()
    with out.open("a") as torn:  # what a kill in the middle of a write leaves
        torn.write('{"prompt": "2 + 2", "completion": "<thi')

    refused = sample(rewardd_url, *toy_flags(toy_dir, out, *common), check=False)
    assert refused.returncode == 2 and "--resume" in refused.stderr

    result = sample(rewardd_url, *toy_flags(toy_dir, out, *common, "--resume"))
    second = json.loads(summary_path.read_text())
    assert (second["prompts"], second["skipped"], second["kept"]) == (4, 5, 4)
    assert "and 5 skipped" in result.stdout
    rows = lines(out)
    assert out.read_text().startswith(before)  # the first run's lines, untouched
    assert sorted(row["prompt"] for row in rows) == sorted(r["prompt"] for r in records)

    again = sample(rewardd_url, *toy_flags(toy_dir, out, *common, "--resume"))
    assert json.loads(summary_path.read_text())["prompts"] == 0
    assert "and 9 skipped" in again.stdout
    assert lines(out) == rows


def start_service(port: int, log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rewardd", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=service_env(REWARDD_POOL_SIZE="1"),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: httpx.get(f"{url}/healthz").status_code == 200, 90, "rewardd serve")
    return process


def test_sample_survives_a_service_restart(toy_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "prompts.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in addition_records(max_operand=4)))
    out = tmp_path / "sft.jsonl"
    progress = tmp_path / "sft.jsonl.progress.jsonl"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    service = start_service(port, tmp_path / "serve-1.log")
    flags = toy_flags(toy_dir, out, "--num_samples", "4", "--keep", "none", "--keep_truncated")
    flags[flags.index("--data") + 1] = str(data)
    flags += [
        "--generation_batch",
        "1",
        "--grade_batch",
        "1",
        "--summary_json",
        str(tmp_path / "s"),
    ]
    stderr_path = tmp_path / "sample.err"
    with stderr_path.open("w") as stderr_file:
        sampler = subprocess.Popen(
            [sys.executable, "-m", "trainer_client.sample", "--no-progress", *flags],
            stdout=subprocess.DEVNULL,
            stderr=stderr_file,
            env=subprocess_env(REWARDD_URL=url),
            cwd=REPO,
            start_new_session=True,
        )

    def finished_prompts() -> int:
        return progress.read_text().count("\n") if progress.exists() else 0

    try:
        wait_for(lambda: finished_prompts() >= 1, 300, "the first prompt")
        stop_process_group(service)  # mid-run: most prompts are still to be sampled
        done_at_kill = finished_prompts()
        time.sleep(3)  # long enough for the sampler to find nobody there
        service = start_service(port, tmp_path / "serve-2.log")
        sampler.wait(timeout=600)
    finally:
        if sampler.poll() is None:
            os.killpg(sampler.pid, signal.SIGKILL)
        stop_process_group(service)
    stderr = stderr_path.read_text()
    assert sampler.returncode == 0, stderr[-3000:]
    assert done_at_kill < 25
    assert "reward service unavailable; retrying" in stderr
    finished = lines(progress)
    assert sorted(row["prompt"] for row in finished) == sorted(
        r["prompt"] for r in addition_records(max_operand=4)
    )
    summary = json.loads((tmp_path / "s").read_text())
    assert summary["generated"] == 100 and "ungraded" not in summary["rejections"]
    assert all(row["reward"] is not None for row in lines(out))
