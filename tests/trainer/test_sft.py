"""`python -m trainer_client.sft`: the loss is on completion tokens only, it falls on a small
memorisation set, resume continues the run exactly, and the output is a `--model` for
`trainer_client.grpo` and `trainer_client.sample`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch

from tests.trainer.conftest import REPO, subprocess_env
from trainer_client.client import RewardClient
from trainer_client.grpo.data import format_prompt
from trainer_client.grpo.toy import addition_records, write_toy
from trainer_client.sft.__main__ import main
from trainer_client.sft.data import encode
from trainer_client.sft.settings import parse_settings


def memorisation_rows() -> list[dict[str, str]]:
    """The toy task's answers in R1 format: what a cold start teaches."""
    rows = []
    for record in addition_records():
        question, answer = record["prompt"], record["answer"]
        rows.append(
            {
                "prompt": question,
                "completion": f"<think> {question} </think> <answer> {answer} </answer>",
            }
        )
    return rows


@pytest.fixture(scope="module")
def sft_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sft-data") / "sft.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in memorisation_rows()))
    return path


def sft_flags(toy_dir: Path, data: Path, out: Path, *flags: str) -> list[str]:
    return [
        "--model",
        str(toy_dir / "model"),
        "--data",
        str(data),
        "--output_dir",
        str(out),
        *("--learning_rate", "1e-2", "--lr_scheduler_type", "constant", "--warmup_ratio", "0"),
        *("--per_device_train_batch_size", "9", "--logging_steps", "5", "--save_steps", "20"),
        "--no-progress",
        *flags,
    ]


def run_module(
    module: str, *flags: str, url: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = subprocess_env(**({"REWARDD_URL": url} if url else {}))
    result = subprocess.run(
        [sys.executable, "-m", module, *flags],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def metrics(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


def losses(out: Path) -> dict[int, float]:
    return {row["step"]: row["loss"] for row in metrics(out) if "loss" in row}


# ---- masking --------------------------------------------------------------------------------


def test_the_labels_put_no_loss_on_prompt_tokens(
    toy_dir: Path, sft_data: Path, tmp_path: Path
) -> None:
    from transformers import AutoTokenizer

    from trainer_client.sft.train import build_trainer

    settings = parse_settings(sft_flags(toy_dir, sft_data, tmp_path / "out", "--no-tensorboard"))
    trainer = build_trainer(settings)
    tokenizer = AutoTokenizer.from_pretrained(toy_dir / "model")
    rows = memorisation_rows()
    assert len(trainer.train_dataset) == len(rows)
    by_ids = {tuple(example["input_ids"]): example["labels"] for example in trainer.train_dataset}
    for row in rows:
        # Tokenized as the samplers tokenize a prompt before they generate.
        prompt_ids = tokenizer(format_prompt(row["prompt"], "r1-zero"), add_special_tokens=False)[
            "input_ids"
        ]
        completion_ids = [
            *tokenizer(row["completion"], add_special_tokens=False)["input_ids"],
            tokenizer.eos_token_id,
        ]
        labels = by_ids[(*prompt_ids, *completion_ids)]
        assert labels == [-100] * len(prompt_ids) + completion_ids

    # Padding carries no loss either, and the loss is the mean over completion tokens only.
    batch = trainer.data_collator([trainer.train_dataset[0], trainer.train_dataset[1]])
    padded = batch["attention_mask"] == 0
    assert bool((batch["labels"][padded] == -100).all())
    model = trainer.model.eval()
    with torch.no_grad():
        loss = trainer.compute_loss(model, dict(batch))
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    targets = batch["labels"][:, 1:]
    scored = targets != -100
    manual = torch.nn.functional.cross_entropy(logits[:, :-1][scored], targets[scored])
    everything = torch.nn.functional.cross_entropy(
        logits[:, :-1][~padded[:, 1:]], batch["input_ids"][:, 1:][~padded[:, 1:]]
    )
    assert float(loss) == pytest.approx(float(manual), rel=1e-5)
    assert abs(float(loss) - float(everything)) > 1e-3  # the prompt would have changed it


def test_a_completion_is_learned_once_with_one_stop(toy_dir: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(toy_dir / "model")
    plain = encode(tokenizer, "1 + 2", "<answer> 3 </answer>")
    stopped = encode(tokenizer, "1 + 2", "<answer> 3 </answer>" + tokenizer.eos_token)
    assert plain == stopped
    assert plain.input_ids[-1] == tokenizer.eos_token_id
    assert plain.input_ids.count(tokenizer.eos_token_id) == 1
    assert plain.prompt_length == len(tokenizer("1 + 2", add_special_tokens=False)["input_ids"])


def test_bad_rows_exit_2_with_the_row_named(
    toy_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text(json.dumps({"prompt": "1 + 1", "completion": "2"}) + '\n{"prompt": "2"}\n')
    assert main(sft_flags(toy_dir, data, tmp_path / "out")) == 2
    assert "row 2 has no 'completion' field" in capsys.readouterr().err
    assert main(sft_flags(toy_dir, data, tmp_path / "out", "--resume")) == 2
    assert "no checkpoint-N directory" in capsys.readouterr().err


# ---- end to end -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sft_out(toy_dir: Path, sft_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sft") / "out"
    run_module("trainer_client.sft", *sft_flags(toy_dir, sft_data, out, "--max_steps", "40"))
    return out


@pytest.mark.slow
def test_sft_memorises_a_small_set_and_writes_a_loadable_model(sft_out: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    curve = losses(sft_out)
    assert sorted(curve) == [1, 5, 10, 15, 20, 25, 30, 35, 40]
    print(f"\nSFT loss: step 1 {curve[1]:.3f}, step 40 {curve[40]:.3f}")
    assert curve[40] < 0.4 * curve[1]
    assert {"grad_norm", "learning_rate", "mean_token_accuracy"} <= set(metrics(sft_out)[0])
    assert (sft_out / "checkpoint-20").is_dir() and (sft_out / "checkpoint-40").is_dir()
    assert list((sft_out / "tensorboard").glob("events.out.tfevents.*"))
    assert (sft_out / "loss_curve.png").read_bytes().startswith(b"\x89PNG")

    model = AutoModelForCausalLM.from_pretrained(sft_out)
    tokenizer = AutoTokenizer.from_pretrained(sft_out)
    assert model.config.num_hidden_layers == 2
    assert tokenizer.convert_ids_to_tokens(tokenizer("<think>")["input_ids"]) == ["<think>"]


@pytest.mark.slow
def test_a_resumed_sft_run_continues_exactly(
    toy_dir: Path, sft_data: Path, sft_out: Path, tmp_path: Path
) -> None:
    """Stop at step 20, resume to 30: the same losses as the uninterrupted run's first 30 steps
    (model, optimizer, scheduler, data order and RNG come back from the checkpoint)."""
    out = tmp_path / "out"
    run_module("trainer_client.sft", *sft_flags(toy_dir, sft_data, out, "--max_steps", "20"))
    result = run_module(
        "trainer_client.sft", *sft_flags(toy_dir, sft_data, out, "--max_steps", "30", "--resume")
    )
    assert "resuming from" in result.stderr and "checkpoint-20" in result.stderr
    state = json.loads((out / "trainer_state.json").read_text())
    assert state["global_step"] == 30
    resumed, straight = losses(out), losses(sft_out)
    assert sorted(resumed) == [1, 5, 10, 15, 20, 25, 30]  # no step logged twice
    assert [resumed[s] for s in sorted(resumed)] == pytest.approx(
        [straight[s] for s in sorted(resumed)], rel=1e-4
    )


@pytest.mark.slow
def test_the_sft_output_is_a_model_for_grpo_and_sample(
    rewardd_url: str, toy_dir: Path, sft_out: Path, tmp_path: Path
) -> None:
    config = write_toy(
        tmp_path / "grpo",
        model=str(sft_out),
        data=str(toy_dir / "prompts.jsonl"),
        steps=1,
        prompts_per_step=2,
        num_generations=2,
        progress=False,
        plot=False,
        tensorboard=False,
    )
    run_module("trainer_client.grpo", "--config", str(config), url=rewardd_url)
    grpo_metrics = [
        json.loads(line) for line in (tmp_path / "grpo" / "run" / "metrics.jsonl").open()
    ]
    assert [row["step"] for row in grpo_metrics] == [1]

    # Rejection sampling from the tuned model: it learned the format, and is right sometimes.
    out = tmp_path / "kept.jsonl"
    summary_path = tmp_path / "summary.json"
    run_module(
        "trainer_client.sample",
        *("--model", str(sft_out), "--data", str(toy_dir / "prompts.jsonl"), "--out", str(out)),
        *("--num_samples", "8", "--max_new_tokens", "16", "--temperature", "1.0", "--top_p", "1"),
        *("--recipe", "r1-zero", "--keep", "accuracy>=1,format>=1", "--no-progress"),
        *("--summary_json", str(summary_path)),
        url=rewardd_url,
    )
    kept = [json.loads(line) for line in out.read_text().splitlines()]
    summary = json.loads(summary_path.read_text())
    print(f"\nsampled from the SFT model: {summary}")
    assert summary["kept"] == len(kept) > 0
    assert summary["rejections"].get("format>=1", 0) < summary["generated"] // 4  # format learned
    with RewardClient(rewardd_url, recipe="r1-zero") as client:
        regraded = client.grade(
            [
                {"prompt": r["prompt"], "completion": r["completion"], "reference": r["reference"]}
                for r in kept
            ]
        )
    assert all(r.components["accuracy"] == 1.0 and r.components["format"] == 1.0 for r in regraded)
