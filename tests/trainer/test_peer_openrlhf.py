"""OpenRLHF's own code against a real `rewardd serve`.

The peer is the installed `openrlhf` package (PyPI, `pip install --no-deps openrlhf`), never a
copy: its remote-reward client `SingleTurnAgentExecutor` tokenizes the templated prompt,
truncates it from the left when it is too long, decodes prompt + response with special tokens
kept, posts to `/get_reward` and reads `rewards`, `scores` and `extra_logs`. Only vLLM is
replaced, by an engine that answers with fixed token ids (vLLM has no CPU build). The README's
OpenRLHF command is parsed by OpenRLHF's own argument parser.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import importlib
import importlib.util
import re
import shlex
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.trainer.peer_tokenizer import byte_level_tokenizer
from tests.trainer.peers import require_peer

pytestmark = pytest.mark.slow


agent = require_peer("openrlhf.utils.agent")

# Qwen2.5's chat template output (`apply_chat_template(..., add_generation_prompt=True)`),
# with its default English system prompt.
QWEN_SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."


def qwen_prompt(question: str) -> str:
    return (
        f"<|im_start|>system\n{QWEN_SYSTEM}<|im_end|>\n"
        f"<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"
    )


ZH_QUESTION = "计算三加四等于多少？请一步一步地思考，并把最后的答案写在答案标签里。"
ZH_REASONING = "<think>\n先看题目。三加四，就是在三的基础上再数四个，所以结果是七。\n</think>\n"
EN_REASONING = (
    "<think>\nThree plus four: count four more after three, which gives seven.\n</think>\n"
)
ANSWER = "<answer>\n7\n</answer>"


class ScriptedEngine:
    """Stands in for vLLM's engine only: answers every generate() with one completion's ids."""

    def __init__(self, tokenizer: Any, completion: str) -> None:
        self.token_ids = tokenizer(completion, add_special_tokens=False)["input_ids"]
        self.prompt_token_ids: list[int] = []

    async def generate(self, prompt_token_ids: list[int], sampling_params: Any, **_: Any) -> Any:
        self.prompt_token_ids = list(prompt_token_ids)
        output = SimpleNamespace(token_ids=self.token_ids, finish_reason="stop", logprobs=None)
        return SimpleNamespace(outputs=[output])


@pytest.fixture(scope="module")
def tokenizer() -> Any:
    return byte_level_tokenizer()


def openrlhf_rollout(
    url: str,
    tokenizer: Any,
    prompt: str,
    label: str,
    completion: str,
    *,
    max_length: int = 4096,
    recipe: str | None = None,
) -> tuple[dict[str, Any], ScriptedEngine]:
    """One sample through OpenRLHF's SingleTurnAgentExecutor, as its vLLM actor runs it."""
    endpoint = f"{url}/get_reward" + (f"?recipe={recipe}" if recipe else "")
    executor = agent.SingleTurnAgentExecutor(remote_rm_url=[endpoint])
    engine = ScriptedEngine(tokenizer, completion + "<|im_end|>")
    sampling = SimpleNamespace(max_tokens=len(engine.token_ids) + 8, logprobs=None)
    output = asyncio.run(executor.execute(prompt, label, sampling, max_length, tokenizer, engine))
    return output, engine


def single(value: Any) -> float:
    """OpenRLHF keeps the per-request lists ([x] for one sample) and makes tensors of them."""
    assert isinstance(value, list) and len(value) == 1, value
    assert isinstance(value[0], float), value
    return value[0]


def test_language_target_is_the_question_not_the_system_prompt(
    rewardd_url: str, tokenizer: Any
) -> None:
    prompt = qwen_prompt(ZH_QUESTION)
    chinese, _ = openrlhf_rollout(rewardd_url, tokenizer, prompt, "7", ZH_REASONING + ANSWER)
    english, _ = openrlhf_rollout(rewardd_url, tokenizer, prompt, "7", EN_REASONING + ANSWER)
    assert single(chinese["extra_logs"]["language"]) >= 0.9
    assert single(english["extra_logs"]["language"]) <= 0.1
    assert single(chinese["reward"]) > single(english["reward"])


def test_scores_are_the_accuracy_and_rewards_the_recipe(rewardd_url: str, tokenizer: Any) -> None:
    prompt = qwen_prompt("What is 3 + 4?")
    right, _ = openrlhf_rollout(rewardd_url, tokenizer, prompt, "7", EN_REASONING + ANSWER)
    wrong, _ = openrlhf_rollout(rewardd_url, tokenizer, prompt, "8", EN_REASONING + ANSWER)
    assert single(right["scores"]) == 1.0
    assert single(wrong["scores"]) == 0.0
    # r1: accuracy 1.0 + format 0.3 + language 0.2, so the reward leaves [0, 1]; the score not.
    assert single(right["reward"]) == pytest.approx(1.5, abs=0.02)
    assert single(wrong["reward"]) == pytest.approx(0.5, abs=0.02)
    # OpenRLHF's dynamic filtering keeps a group whose mean score is inside (0, 1).
    assert 0.0 < (single(right["scores"]) + single(wrong["scores"])) / 2 < 1.0
    for output in (right, wrong):
        assert single(output["extra_logs"]["ungraded"]) == 0.0


def test_scores_exist_when_the_recipe_leaves_accuracy_out(rewardd_url: str, tokenizer: Any) -> None:
    prompt = qwen_prompt("What is 3 + 4?")
    output, _ = openrlhf_rollout(
        rewardd_url, tokenizer, prompt, "7", EN_REASONING + ANSWER, recipe="code"
    )
    assert single(output["scores"]) == 1.0
    assert single(output["reward"]) == pytest.approx(0.3)  # format only: no code to run


def test_a_bad_gold_is_flagged_even_with_a_format_reward(rewardd_url: str, tokenizer: Any) -> None:
    prompt = qwen_prompt("What is 3 + 4?")
    output, _ = openrlhf_rollout(rewardd_url, tokenizer, prompt, "\\frac{", EN_REASONING + ANSWER)
    assert single(output["extra_logs"]["ungraded"]) == 1.0
    assert single(output["scores"]) == 0.0


def test_a_prompt_truncated_from_the_left_still_splits_at_the_completion(
    rewardd_url: str, tokenizer: Any
) -> None:
    question = "What is 3 + 4? " + "Think about it carefully. " * 40
    prompt = qwen_prompt(question)
    completion = EN_REASONING + ANSWER
    whole, engine = openrlhf_rollout(rewardd_url, tokenizer, prompt, "7", completion)
    full_length = len(engine.prompt_token_ids)
    budget = len(engine.token_ids) + 8 + full_length // 2  # room for half of the prompt
    cut, engine = openrlhf_rollout(
        rewardd_url, tokenizer, prompt, "7", completion, max_length=budget
    )
    assert len(engine.prompt_token_ids) < full_length  # OpenRLHF did truncate it
    assert not tokenizer.decode(engine.prompt_token_ids).startswith(prompt)
    assert single(cut["extra_logs"]["format"]) == 1.0  # the prompt's text is not graded
    assert single(cut["scores"]) == 1.0
    assert single(cut["reward"]) == pytest.approx(single(whole["reward"]))


# ---- the README's command, parsed by OpenRLHF's own parser --------------------------------------


def openrlhf_parser() -> argparse.ArgumentParser:
    """The parser `python -m openrlhf.cli.train_ppo_ray` builds, from the installed file.

    Its `__main__` block declares every flag before `parser.parse_args()`; the module's imports
    (ray, deepspeed, vLLM) are not needed for that, so those statements alone are run.
    """
    spec = importlib.util.find_spec("openrlhf.cli.train_ppo_ray")
    assert spec is not None and spec.origin is not None
    source = Path(spec.origin).read_text()
    tree = ast.parse(source)
    # The module's standard-library imports (argparse, os, datetime) are what the flags use.
    stdlib_imports = [
        node
        for node in tree.body
        if isinstance(node, ast.Import | ast.ImportFrom)
        and all(
            name.split(".")[0] in sys.stdlib_module_names
            for name in (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
            )
        )
    ]
    main = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)
    )
    declarations = []
    for statement in main.body:
        if "parse_args" in ast.unparse(statement):
            break
        declarations.append(statement)
    namespace: dict[str, Any] = {}
    program = ast.Module(body=stdlib_imports + declarations, type_ignores=[])
    exec(compile(program, spec.origin, "exec"), namespace)
    return namespace["parser"]


def documented_commands(module: str) -> list[tuple[str, list[str]]]:
    """Every shell command that runs `python -m <module>` in the README and docs: its flags."""
    commands = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for block in re.findall(r"```(?:bash|sh)\n(.*?)```", path.read_text(), re.DOTALL):
            for command in block.replace("\\\n", " ").splitlines():
                if f"-m {module}" in command:
                    words = shlex.split(command, comments=True)
                    flags = words[words.index(module) + 1 :]
                    commands.append((path.name, [w for w in flags if w != "..."]))
    return commands


def test_the_documented_openrlhf_commands_are_accepted_by_openrlhf() -> None:
    from openrlhf.utils.config import hierarchize

    commands = documented_commands("openrlhf.cli.train_ppo_ray")
    assert {name for name, _ in commands} >= {"README.md", "integrations.md"}
    parser = openrlhf_parser()
    for name, flags in commands:
        try:
            args = hierarchize(parser.parse_args(flags))
        except SystemExit:  # argparse has printed which flag it refused
            pytest.fail(f"OpenRLHF refuses the command in {name}: {flags}")
        assert args.reward.remote_url.split("?")[0].endswith("/get_reward"), name
        assert args.data.label_key, name
        assert args.data.apply_chat_template, name
        # OpenRLHF's own check: group estimators need several samples per prompt.
        if args.algo.advantage.estimator in {"rloo", "reinforce_baseline", "group_norm"}:
            assert args.rollout.n_samples_per_prompt > 1, name


def test_openrlhf_refuses_the_flags_it_renamed() -> None:
    parser = openrlhf_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["--remote_rm_url", "http://127.0.0.1:8000/get_reward"])
