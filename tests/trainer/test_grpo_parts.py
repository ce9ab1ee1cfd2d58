"""The trainer's parts that need no service: config, data, generation, batch layout, vLLM guard."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml

from tests.trainer.conftest import REPO, subprocess_env
from trainer_client.grpo.config import parse_config
from trainer_client.grpo.data import (
    R1_ZERO_TEMPLATE,
    Example,
    PromptSampler,
    format_prompt,
    read_records,
    to_examples,
)
from trainer_client.grpo.generation import (
    Completion,
    HFGenerator,
    SamplingSettings,
    VLLMGenerator,
)
from trainer_client.grpo.loss import completion_log_probs
from trainer_client.grpo.trainer import Group, build_batch, load_model, load_tokenizer

# ---- config -------------------------------------------------------------------------------------


def test_flags_override_the_config_file(tmp_path: Path) -> None:
    config_file = tmp_path / "run.yaml"
    config_file.write_text(
        yaml.safe_dump(
            {"model": "m", "data": "d.jsonl", "loss_type": "bnpo", "beta": 0.04, "steps": 5}
        )
    )
    config = parse_config(
        [
            "--config",
            str(config_file),
            "--loss_type",
            "dr_grpo",
            "--weights",
            '{"accuracy": 1.0}',
            "--epsilon_high",
            "0.28",
            "--dynamic_sampling",
        ]
    )
    assert config.loss_type == "dr_grpo"  # flag wins
    assert config.beta == 0.04  # file kept
    assert config.steps == 5
    assert config.weights == {"accuracy": 1.0}
    assert config.clip_high == 0.28
    assert config.dynamic_sampling is True
    assert config.scale_rewards == "group"  # default


def test_a_json_config_file_works_too(tmp_path: Path) -> None:
    config_file = tmp_path / "run.json"
    config_file.write_text(json.dumps({"model": "m", "data": "d", "epsilon_high": None}))
    config = parse_config(["--config", str(config_file)])
    assert config.clip_high == config.epsilon == 0.2


def test_unknown_settings_in_a_file_are_named(tmp_path: Path) -> None:
    config_file = tmp_path / "run.yaml"
    config_file.write_text("model: m\ndata: d\nlearnig_rate: 0.1\n")
    with pytest.raises(ValueError, match="learnig_rate"):
        parse_config(["--config", str(config_file)])


def test_invalid_settings_exit_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_config(["--model", "m", "--data", "d", "--loss_type", "ppo"])
    assert "--loss_type must be one of grpo, bnpo, dr_grpo, dapo" in capsys.readouterr().err


def test_help_lists_the_grpo_choices() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "trainer_client.grpo", "--help"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0
    for expected in ("--loss_type", "dr_grpo", "--scale_rewards", "--beta", "--resume", "--config"):
        assert expected in result.stdout


# ---- data ---------------------------------------------------------------------------------------


def test_records_from_jsonl_and_json(tmp_path: Path) -> None:
    records = [{"prompt": "1 + 1", "answer": 2}, {"prompt": "code", "reference": {"tests": "x"}}]
    (tmp_path / "p.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records) + "\n")
    (tmp_path / "p.json").write_text(json.dumps(records))
    for name in ("p.jsonl", "p.json"):
        examples = to_examples(read_records(tmp_path / name))
        assert examples[0] == Example("1 + 1", {"answer": "2"})
        assert examples[1].reference == {"tests": "x"}


def test_local_datasets_files_are_read(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    dataset = datasets.Dataset.from_list([{"question": "2 + 2", "solution": "4"}])
    dataset.save_to_disk(str(tmp_path / "saved"))
    dataset.to_parquet(str(tmp_path / "p.parquet"))
    for path in (tmp_path / "saved", tmp_path / "p.parquet"):
        examples = to_examples(read_records(path), prompt_field="question", answer_field="solution")
        assert examples == [Example("2 + 2", {"answer": "4"})]


def test_records_without_the_fields_are_named() -> None:
    with pytest.raises(ValueError, match="'prompt'"):
        to_examples([{"question": "x", "answer": "1"}])
    with pytest.raises(ValueError, match="neither 'reference' nor 'answer'"):
        to_examples([{"prompt": "x"}])


def test_templates() -> None:
    assert format_prompt("2 + 2", "r1-zero") == R1_ZERO_TEMPLATE.format(prompt="2 + 2")
    assert "<think> </think> and <answer> </answer>" in format_prompt("q", "r1-zero")
    assert format_prompt("2 + 2", "Q: {prompt}\nA:") == "Q: 2 + 2\nA:"
    assert format_prompt("2 + 2", "plain") == "2 + 2"


def test_the_sampler_covers_each_epoch_and_resumes_exactly() -> None:
    examples = [Example(str(n), {"answer": str(n)}) for n in range(5)]
    first = PromptSampler(examples, seed=3).draw(12)
    assert {e.question for e in first[:5]} == {str(n) for n in range(5)}
    assert [e.question for e in first[:5]] != [e.question for e in first[5:10]]  # reshuffled
    resumed = PromptSampler(examples, seed=3, drawn=7).draw(5)
    assert resumed == first[7:12]


# ---- generation and the batch -------------------------------------------------------------------


@pytest.fixture(scope="module")
def toy(toy_dir: Path) -> tuple:
    model = load_model(str(toy_dir / "model"), "float32", torch.device("cpu"))
    return model, load_tokenizer(str(toy_dir / "model"))


def test_hf_generation_gives_n_completions_per_prompt(toy: tuple) -> None:
    model, tokenizer = toy
    torch.manual_seed(0)
    generator = HFGenerator(model, tokenizer, SamplingSettings(max_new_tokens=6))
    prompts = [tokenizer("1 + 2", add_special_tokens=False)["input_ids"], [tokenizer.unk_token_id]]
    completions = generator.generate(prompts, n=3)
    assert len(completions) == 6
    for completion in completions:
        if completion.finished:
            assert completion.token_ids[-1] == tokenizer.eos_token_id
            assert tokenizer.eos_token_id not in completion.token_ids[:-1]
        else:
            assert len(completion.token_ids) == 6


def test_vllm_backend_says_clearly_what_it_needs() -> None:
    try:
        import vllm  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("vLLM is installed here")
    with pytest.raises(ImportError, match=r"needs vLLM and a CUDA GPU.*--backend hf"):
        VLLMGenerator("model", SamplingSettings(max_new_tokens=4), max_model_len=64)


def test_batch_layout_masks_and_log_probs(toy: tuple) -> None:
    from trainer_client.grpo.config import GRPOConfig

    model, tokenizer = toy
    eos = tokenizer.eos_token_id
    prompts = [[5, 6, 7], [8]]
    completions = [
        Completion([9, 10, eos], True),
        Completion([11], False),  # truncated
        Completion([12, eos], True),
        Completion([13, 14, 15, eos], True),  # ungraded below
    ]
    groups = [
        Group(Example("a", {}), prompts[0], completions[:2], ["", ""], [1.0, 0.0]),
        Group(Example("b", {}), prompts[1], completions[2:], ["", ""], [1.0, None]),
    ]
    config = GRPOConfig(model="m", data="d", num_generations=2, mask_truncated_completions=True)
    batch = build_batch(groups, config, tokenizer.pad_token_id)
    assert batch.input_ids[0].tolist() == [5, 6, 7, 9, 10, eos, 0]
    assert batch.input_ids[3].tolist() == [0, 0, 8, 13, 14, 15, eos]
    assert batch.attention_mask[2].tolist() == [0, 0, 1, 1, 1, 0, 0]
    assert batch.completion_mask.tolist() == [
        [1, 1, 1, 0],
        [0, 0, 0, 0],  # truncated, masked
        [1, 1, 0, 0],
        [0, 0, 0, 0],  # ungraded
    ]
    assert batch.advantages[3] == 0.0

    # Padding must not change the log-probabilities: compare with each row alone, unpadded.
    with torch.no_grad():
        padded = completion_log_probs(model, batch.input_ids, batch.attention_mask, 4)
        for row, (prompt, completion) in enumerate(
            zip([prompts[0]] * 2 + [prompts[1]] * 2, completions, strict=True)
        ):
            alone = torch.tensor([prompt + completion.token_ids])
            logits = model(alone).logits[0, len(prompt) - 1 : -1]
            expected = torch.log_softmax(logits, -1).gather(
                -1, torch.tensor(completion.token_ids)[:, None]
            )[:, 0]
            assert torch.allclose(padded[row, : len(completion.token_ids)], expected, atol=1e-5)
