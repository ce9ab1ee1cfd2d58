"""verl 0.9.1's own reward loop code driving `trainer_client.verl` against a real `rewardd serve`.

The peer is the installed `verl` package (PyPI, `pip install --no-deps verl==0.9.1` plus what
its reward modules import), never a copy. The documented overrides are composed with verl's
own config by Hydra, `verl.trainer.ppo.reward.load_reward_manager` loads our function from
them as `main_ppo` does, and verl's `naive` reward manager scores a batch row built the way
verl's rollout builds it (prompt and response token ids, `reward_model.ground_truth`,
`extra_info`).

Hydra 1.3 (which verl pins) needs antlr4 4.9, and math-verify needs 4.13, so Hydra 1.4 is
installed, and it refuses the `../optim` paths of verl's `ppo_trainer.yaml` defaults list. The
overrides are therefore composed with `_generated_ppo_trainer.yaml`, the same config flattened,
which verl's CI keeps equal to the composed one.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.trainer.peer_tokenizer import byte_level_tokenizer
from tests.trainer.peers import require_peer
from trainer_client import verl as adapter
from trainer_client.client import RewardClient

pytestmark = pytest.mark.slow


verl_reward = require_peer("verl.trainer.ppo.reward")
verl = require_peer("verl")
hydra = require_peer("hydra")

ADAPTER_PATH = adapter.__file__


def shell_substitution(match: re.Match[str]) -> str:
    """What the shell puts in place of `$(python ...)`: that command's output."""
    words = shlex.split(match.group(1))
    done = subprocess.run(
        [sys.executable, *words[1:]], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return done.stdout.strip()


def documented_overrides() -> list[tuple[str, list[str]]]:
    """The overrides of every documented `python -m verl.trainer.main_ppo` command."""
    commands = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for block in re.findall(r"```(?:bash|sh)\n(.*?)```", path.read_text(), re.DOTALL):
            for command in block.replace("\\\n", " ").splitlines():
                if "-m verl.trainer.main_ppo" in command:
                    command = re.sub(r"\$\((python [^)]*)\)", shell_substitution, command)
                    words = shlex.split(command, comments=True)
                    overrides = words[words.index("verl.trainer.main_ppo") + 1 :]
                    commands.append((path.name, [w for w in overrides if w != "..."]))
    return commands


def verl_config(overrides: list[str]) -> Any:
    from hydra import compose, initialize_config_dir

    config_dir = str(Path(verl.__file__).parent / "trainer" / "config")
    with initialize_config_dir(config_dir=config_dir):
        return compose("_generated_ppo_trainer", overrides=overrides)


def test_the_documented_verl_overrides_load_our_function() -> None:
    commands = documented_overrides()
    assert {name for name, _ in commands} >= {"README.md", "integrations.md"}
    for name, overrides in commands:
        config = verl_config(overrides)
        function = verl_reward.get_custom_reward_fn(config)
        assert function is not None, f"verl ignores the reward function of {name}"
        loaded = function.args[0]  # verl wraps it in a partial with the reward kwargs
        assert loaded.__name__ in ("compute_score", "compute_score_async"), name
        assert Path(loaded.__code__.co_filename) == Path(ADAPTER_PATH), name


def test_verl_ignores_the_legacy_top_level_key() -> None:
    """Why the docs say `reward.custom_reward_function`: main_ppo reads nothing else."""
    config = verl_config(
        [f"custom_reward_function.path={ADAPTER_PATH}", "custom_reward_function.name=compute_score"]
    )
    assert verl_reward.get_custom_reward_fn(config) is None


def test_there_is_no_batch_reward_manager_in_the_reward_loop() -> None:
    from verl.experimental.reward_loop.reward_manager import get_reward_manager_cls

    with pytest.raises(ValueError, match="Unknown reward manager"):
        get_reward_manager_cls("batch")


# ---- verl's naive reward manager, scoring rows as verl's rollout builds them --------------------


@pytest.fixture(scope="module")
def tokenizer() -> Any:
    return byte_level_tokenizer()


def batch_row(tokenizer: Any, prompt: str, response: str, ground_truth: Any, extra_info: dict):
    """One row of verl's rollout batch: left-padded prompt ids, right-padded response ids."""
    import numpy as np
    import torch
    from verl import DataProto

    pad = tokenizer.pad_token_id
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    response_ids = tokenizer(response + "<|im_end|>", add_special_tokens=False)["input_ids"]
    prompt_ids = [pad] * 4 + prompt_ids
    response_ids = response_ids + [pad] * 6
    mask = [0] * 4 + [1] * (len(prompt_ids) - 4) + [1] * (len(response_ids) - 6) + [0] * 6
    return DataProto.from_dict(
        tensors={
            "prompts": torch.tensor([prompt_ids]),
            "responses": torch.tensor([response_ids]),
            "attention_mask": torch.tensor([mask]),
        },
        non_tensors={
            "data_source": np.array(["openai/gsm8k"], dtype=object),
            "reward_model": np.array([{"ground_truth": ground_truth}], dtype=object),
            "extra_info": np.array([extra_info], dtype=object),
        },
    )


def naive_manager(url: str, tokenizer: Any, function: str, recipe: str = "r1") -> Any:
    config = verl_config(
        [
            f"reward.custom_reward_function.path={ADAPTER_PATH}",
            f"reward.custom_reward_function.name={function}",
            f"+reward.custom_reward_function.reward_kwargs.recipe={recipe}",
            f"+reward.custom_reward_function.reward_kwargs.url={url}",
            "reward.reward_manager.name=naive",
        ]
    )
    return verl_reward.load_reward_manager(config, tokenizer)


def score_row(manager: Any, row: Any) -> dict[str, Any]:
    return manager.loop.run_until_complete(manager.run_single(row))


ZH_QUESTION = "小明有三个苹果，又买了四个，他现在一共有几个苹果？"
ZH_RESPONSE = (
    "<think>\n小明原来有三个苹果，又买了四个，三加四等于七，所以一共有七个。\n</think>\n"
    "<answer>\n7\n</answer>"
)
EN_RESPONSE = (
    "<think>\nHe had three apples and bought four more, three plus four is seven.\n</think>\n"
    "<answer>\n7\n</answer>"
)


@pytest.mark.parametrize("function", ["compute_score", "compute_score_async"])
def test_naive_manager_scores_with_the_service(
    rewardd_url: str, tokenizer: Any, function: str
) -> None:
    manager = naive_manager(rewardd_url, tokenizer, function)
    extra_info = {"split": "train", "index": 0, "answer": "#### 7", "question": ZH_QUESTION}
    prompt = f"<|im_start|>user\n{ZH_QUESTION}<|im_end|>\n<|im_start|>assistant\n"
    chinese = score_row(manager, batch_row(tokenizer, prompt, ZH_RESPONSE, "7", dict(extra_info)))
    english = score_row(manager, batch_row(tokenizer, prompt, EN_RESPONSE, "7", dict(extra_info)))

    expected = RewardClient(rewardd_url).grade(
        [{"completion": ZH_RESPONSE, "reference": {"answer": "7"}, "prompt": ZH_QUESTION}],
        recipe="r1",
    )[0]
    assert chinese["reward_score"] == pytest.approx(expected.reward)
    info = chinese["reward_extra_info"]
    assert info["accuracy"] == 1.0 and info["format"] == 1.0 and info["ungraded"] == 0.0
    # The target language is the question's (extra_info["question"]), Chinese.
    assert info["language"] >= 0.9
    assert english["reward_extra_info"]["language"] <= 0.1
    # Every row reports the same keys: verl stacks them across the batch.
    assert set(english["reward_extra_info"]) == set(info)


def test_an_ungradable_row_scores_zero_and_says_so(rewardd_url: str, tokenizer: Any) -> None:
    manager = naive_manager(rewardd_url, tokenizer, "compute_score_async")
    row = batch_row(tokenizer, "<|im_start|>user\nWhat?<|im_end|>\n", EN_RESPONSE, "\\frac{", {})
    result = score_row(manager, row)
    assert result["reward_extra_info"]["ungraded"] == 1.0
    assert result["reward_extra_info"]["accuracy"] == 0.0


SQUARE = (
    "<think>square it</think>\n<answer>\n```python\nn = int(input())\nprint(n * n)\n```\n</answer>"
)
SQUARE_FN = (
    "<think>square it</think>\n<answer>\n```python\ndef square(n):\n    return n * n\n```\n"
    "</answer>"
)


@pytest.mark.parametrize(
    ("response", "truth", "passes"),
    [
        (SQUARE, {"inputs": ["2\n", "3\n"], "outputs": ["4\n", "9\n"]}, True),
        (SQUARE, {"inputs": ["2\n", "3\n"], "outputs": ["4\n", "10\n"]}, False),
        (SQUARE_FN, {"fn_name": "square", "inputs": [[2], [3]], "outputs": [[4], [9]]}, True),
    ],
)
def test_verls_code_ground_truth_is_run_as_cases(
    rewardd_url: str, tokenizer: Any, response: str, truth: dict, passes: bool
) -> None:
    """prime_code / sandbox_fusion data (codecontests, apps, taco) keep the cases as JSON text."""
    manager = naive_manager(rewardd_url, tokenizer, "compute_score", recipe="code")
    row = batch_row(
        tokenizer, "<|im_start|>user\nSquare n.<|im_end|>\n", response, json.dumps(truth), {}
    )
    info = score_row(manager, row)["reward_extra_info"]
    assert info["ungraded"] == 0.0
    assert info["code"] == (1.0 if passes else 0.5)
