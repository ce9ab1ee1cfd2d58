"""A toy GRPO setup that runs on a CPU in about a minute, with nothing to download.

    python -m trainer_client.grpo.toy /tmp/toy        # writes model/, prompts.jsonl, config.yaml
    rewardd serve --port 8000 &
    python -m trainer_client.grpo --config /tmp/toy/config.yaml

The task is single-digit addition answered in R1 format, `<think> … </think> <answer> 7 </answer>`.
The policy is a 2-layer Qwen3 with random weights and a word-level tokenizer whose vocabulary is
little more than the numbers and the four tags (the words of the prompt template are all
`[UNK]`), so that random sampling finds the reward often enough to learn from at once.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import yaml

TAGS = ["<think>", "</think>", "<answer>", "</answer>"]
SPECIALS = ["[PAD]", "[UNK]", "[EOS]"]
SYMBOLS = ["+"]
DIGITS = [str(n) for n in range(10)]


def build_tokenizer() -> Any:
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {token: index for index, token in enumerate(SPECIALS + TAGS + SYMBOLS + DIGITS)}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Whitespace(), pre_tokenizers.Punctuation()]
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core,
        pad_token="[PAD]",
        unk_token="[UNK]",
        eos_token="[EOS]",
    )
    # The tags are whole tokens even when written without spaces; they are not "special", so
    # decoding keeps them.
    tokenizer.add_tokens(TAGS)
    return tokenizer


def build_model(tokenizer: Any, seed: int = 0) -> Any:
    import torch
    from transformers import AutoModelForCausalLM, Qwen3Config

    # Qwen3 rather than Qwen2: transformers 5 always loads a qwen2 checkpoint's tokenizer as
    # Qwen2Tokenizer (byte-level BPE), whatever tokenizer_config.json says, which would break
    # this word-level one. The two architectures differ only by q/k norms.
    config = Qwen3Config(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=16,
        max_position_embeddings=256,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(seed)
    return AutoModelForCausalLM.from_config(config)


def addition_records(max_operand: int = 2) -> list[dict[str, str]]:
    """a + b for digits up to `max_operand`: the answer is one token. Small operands keep the
    task learnable by a random 2-layer model from sparse rewards in a few dozen steps."""
    operands = range(max_operand + 1)
    return [{"prompt": f"{a} + {b}", "answer": str(a + b)} for a in operands for b in operands]


def toy_config(directory: Path, **overrides: Any) -> dict[str, Any]:
    config = {
        "model": str(directory / "model"),
        "data": str(directory / "prompts.jsonl"),
        "output_dir": str(directory / "run"),
        "template": "r1-zero",
        "recipe": "r1-zero",  # accuracy 1.0, format 0.3
        "prompts_per_step": 8,
        "num_generations": 8,
        "max_completion_length": 8,
        "steps": 40,
        "learning_rate": 1e-2,
        "loss_type": "dapo",
        "seed": 0,
    }
    config.update(overrides)
    return config


def write_toy(directory: Path, seed: int = 0, **overrides: Any) -> Path:
    """Writes model/, prompts.jsonl and config.yaml into `directory`; returns the config path."""
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer()
    build_model(tokenizer, seed).save_pretrained(directory / "model")
    tokenizer.save_pretrained(directory / "model")
    with (directory / "prompts.jsonl").open("w") as out:
        for record in addition_records():
            out.write(json.dumps(record) + "\n")
    config_path = directory / "config.yaml"
    config_path.write_text(yaml.safe_dump(toy_config(directory, **overrides), sort_keys=False))
    return config_path


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m trainer_client.grpo.toy", description=__doc__)
    parser.add_argument("directory", type=Path, help="where to write the toy model, data, config")
    args = parser.parse_args()
    config_path = write_toy(args.directory)
    print(f"wrote {config_path}; run: python -m trainer_client.grpo --config {config_path}")


if __name__ == "__main__":
    main()
