"""The open-r1 / TRL, verl and OpenRLHF adapters against a real `rewardd serve`.

Each adapter must give the numbers the service's own components give for the same inputs. The
service's side is read from one separate request that weights every component at once, so the
test also checks that the adapters build their items (references, lengths, tasks) correctly.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rewardd.api.openrlhf import END_TOKENS, completion_of, last_user_turn, strip_end_tokens
from rewardd.code_formats import reference_from_record
from trainer_client import rewards, verl
from trainer_client.client import RewardClient, RewardServiceError

pytestmark = pytest.mark.slow

PROMPTS = ["What is 3 + 4?", "What is half of one?", "Name a prime.", "Say it twice."]
COMPLETIONS = [
    "<think>\n3 plus 4 is 7.\n</think>\n<answer>\n7\n</answer>",
    "<think>First, one over two. Second, simplify. Finally, done.</think> "
    "<answer>\\frac{1}{2}</answer>",
    "<answer>4</answer> and then some trailing words",
    "yes yes yes yes yes yes no no no",
]
SOLUTIONS = ["7", "0.5", "2", "\\frac{"]  # the last gold answer cannot be parsed


def chat(text: str) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": text}]


def trl_kwargs(**extra: Any) -> dict[str, Any]:
    """What TRL's GRPOTrainer passes to a reward function (conversational format)."""
    return {
        "prompts": [[{"role": "user", "content": p}] for p in PROMPTS],
        "completions": [chat(c) for c in COMPLETIONS],
        "completion_ids": [list(range(len(c.split()) * 2)) for c in COMPLETIONS],
        "trainer_state": None,
        **extra,
    }


@pytest.fixture(scope="module")
def client(rewardd_url: str) -> RewardClient:
    rewards.configure(rewardd_url)
    return RewardClient(rewardd_url)


def service_components(
    client: RewardClient, references: list[dict[str, Any]], task: str | None = None
) -> list[dict[str, float | None]]:
    weights = dict.fromkeys(
        [
            "accuracy",
            "format",
            "tag_count",
            "reasoning_steps",
            "cosine",
            "repetition_penalty",
            "soft_overlong",
        ],
        1.0,
    )
    items = []
    for prompt, completion, ids, reference in zip(
        PROMPTS, COMPLETIONS, trl_kwargs()["completion_ids"], references, strict=True
    ):
        item = {"prompt": prompt, "completion": completion, "reference": reference}
        item["completion_tokens"] = len(ids)
        if task:
            item["task"] = task
        items.append(item)
    return [result.components for result in client.grade(items, weights=weights)]


@pytest.fixture(scope="module")
def expected(client: RewardClient) -> list[dict[str, float | None]]:
    return service_components(client, [{"answer": s} for s in SOLUTIONS], task="math")


def column(expected: list[dict[str, float | None]], name: str) -> list[float | None]:
    return [components[name] for components in expected]


def test_accuracy_reward_matches_the_service(expected: list, client: RewardClient) -> None:
    values = rewards.accuracy_reward(solution=SOLUTIONS, **trl_kwargs())
    assert values == column(expected, "accuracy")
    assert values == [1.0, 1.0, 0.0, None]  # None: the gold answer is unusable, not "wrong"


@pytest.mark.parametrize(
    ("function", "component"),
    [
        (rewards.format_reward, "format"),
        (rewards.tag_count_reward, "tag_count"),
        (rewards.reasoning_steps_reward, "reasoning_steps"),
    ],
)
def test_text_rewards_match_the_service(
    function: Any, component: str, expected: list, client: RewardClient
) -> None:
    assert function(solution=SOLUTIONS, **trl_kwargs()) == column(expected, component)


def test_text_rewards_take_plain_string_completions(expected: list, client: RewardClient) -> None:
    assert rewards.format_reward(COMPLETIONS) == column(expected, "format")
    assert rewards.format_reward(COMPLETIONS)[:2] == [1.0, 1.0]
    assert rewards.tag_count_reward(COMPLETIONS)[2] == 0.5


def test_cosine_reward_with_defaults_is_the_service_component(
    expected: list, client: RewardClient
) -> None:
    values = rewards.get_cosine_scaled_reward()(solution=SOLUTIONS, **trl_kwargs())
    assert values == column(expected, "cosine")
    assert values[3] is None  # unknown correctness


def test_cosine_reward_counts_characters_without_token_ids(client: RewardClient) -> None:
    """open-r1 counts characters; so do we when TRL passes no `completion_ids`."""
    kwargs = {k: v for k, v in trl_kwargs().items() if k != "completion_ids"}
    values = rewards.get_cosine_scaled_reward()(solution=SOLUTIONS, **kwargs)
    items = [
        {"completion": c, "reference": {"answer": s}, "completion_tokens": len(c)}
        for c, s in zip(COMPLETIONS, SOLUTIONS, strict=True)
    ]
    service = [r.component("cosine") for r in client.grade(items, weights={"cosine": 1.0})]
    assert values == service


def grade_with_params(
    client: RewardClient, items: list[dict[str, Any]], component: str, params: dict[str, Any]
) -> list[float | None]:
    results = client.grade(items, weights={component: 1.0}, params={component: params})
    return [result.component(component) for result in results]


def check_parameters_travel(
    client: RewardClient, call: Any, items: list[dict[str, Any]], component: str, params: dict
) -> None:
    """Other than default parameters are the service's to apply (CONTRACT v2 `params`): the
    adapter gives the service's numbers for them, or, from a service that would ignore them,
    an error, never numbers computed with other parameters."""
    if client.takes_params():
        assert call() == grade_with_params(client, items, component, params)
    else:
        with pytest.raises(RewardServiceError, match="component parameters"):
            call()


def test_cosine_reward_with_other_settings(client: RewardClient) -> None:
    settings = {
        "min_value_wrong": -0.4,
        "max_value_wrong": -0.1,
        "min_value_correct": 0.2,
        "max_value_correct": 0.9,
        "max_len": 50,
    }
    kwargs = trl_kwargs()
    items = [
        {"completion": c, "reference": {"answer": s}, "task": "math", "completion_tokens": len(i)}
        for c, s, i in zip(COMPLETIONS, SOLUTIONS, kwargs["completion_ids"], strict=True)
    ]
    check_parameters_travel(
        client,
        lambda: rewards.get_cosine_scaled_reward(**settings)(solution=SOLUTIONS, **kwargs),
        items,
        "cosine",
        settings,
    )


def test_len_reward_is_relative_to_the_batch(client: RewardClient) -> None:
    values = rewards.len_reward(solution=SOLUTIONS, **trl_kwargs())
    lengths = [len(c) for c in COMPLETIONS]
    low, high = min(lengths), max(lengths)
    lam = [0.5 - (n - low) / (high - low) for n in lengths]
    assert values == pytest.approx([lam[0], lam[1], min(0.0, lam[2]), None])
    same = rewards.len_reward([chat("<answer>7</answer>")] * 2, solution=["7", "8"])
    assert same == [0.0, 0.0]


def test_repetition_penalty_matches_the_service(expected: list, client: RewardClient) -> None:
    service = column(expected, "repetition_penalty")
    assert rewards.get_repetition_penalty_reward(3, -1.0)(**trl_kwargs()) == service
    assert service[3] == pytest.approx(-(1 - 4 / 7))  # 7 trigrams, 4 distinct
    items = [{"completion": c} for c in COMPLETIONS]
    for size, penalty in [(3, -0.5), (2, -1.0)]:
        check_parameters_travel(
            client,
            lambda size=size, penalty=penalty: rewards.get_repetition_penalty_reward(size, penalty)(
                **trl_kwargs()
            ),
            items,
            "repetition_penalty",
            {"ngram_size": size, "max_penalty": penalty},
        )
    with pytest.raises(ValueError, match="should not be positive"):
        rewards.get_repetition_penalty_reward(3, 0.5)
    with pytest.raises(ValueError, match="not implemented by the service"):
        rewards.get_repetition_penalty_reward(3, -1.0, language="zh")


def test_soft_overlong_punishment_matches_the_service(client: RewardClient) -> None:
    lengths = [100, 12288, 14336, 16384, 20000]
    completion_ids = [[0] * n for n in lengths]
    completions = [chat("x")] * len(lengths)
    values = rewards.get_soft_overlong_punishment(16384, 4096)(
        completion_ids=completion_ids, completions=completions
    )
    assert values == pytest.approx([0.0, 0.0, -0.5, -1.0, -1.0])
    items = [{"completion": "", "completion_tokens": n} for n in (5, 15)]
    check_parameters_travel(
        client,
        lambda: rewards.get_soft_overlong_punishment(20, 10)(completion_ids=[[0] * 5, [0] * 15]),
        items,
        "soft_overlong",
        {"max_completion_len": 20, "soft_punish_cache": 10},
    )


CODE_INFO = [
    {
        "language": "python",
        "test_cases": [{"input": "2\n", "output": "4"}, {"input": "3\n", "output": "9"}],
    }
] * 3
CODE_COMPLETIONS = [
    "<think>square it</think>\n<answer>\n```python\nn = int(input())\nprint(n * n)\n```\n</answer>",
    "<think>double it</think>\n<answer>\n```python\nprint(int(input()) * 2)\n```\n</answer>",
    "<think>none</think><answer>no code here</answer>",
]


def test_code_rewards_match_the_service(client: RewardClient) -> None:
    references = [{"test_cases": info["test_cases"], "language": "python"} for info in CODE_INFO]
    items = [
        {"completion": c, "reference": r, "task": "code"}
        for c, r in zip(CODE_COMPLETIONS, references, strict=True)
    ]
    weights = {"code": 1.0, "binary_code": 1.0, "code_format": 1.0}
    service = [r.components for r in client.grade(items, weights=weights)]
    completions = [chat(c) for c in CODE_COMPLETIONS]

    code = rewards.code_reward(completions, verification_info=CODE_INFO)
    assert code == [s["code"] for s in service] == [1.0, 0.5, 0.0]
    binary = rewards.binary_code_reward(completions, verification_info=CODE_INFO)
    assert binary == [s["binary_code"] for s in service] == [1.0, 0.0, 0.0]
    code_format = rewards.get_code_format_reward("python")(completions, verification_info=CODE_INFO)
    assert code_format == [s["code_format"] for s in service] == [1.0, 1.0, 0.0]
    # A per-row `language` column overrides the default language.
    other = rewards.get_code_format_reward("python")(
        completions[:1], language=["cpp"], verification_info=CODE_INFO[:1]
    )
    assert other == [0.0]


def test_code_reward_can_insist_on_one_language(client: RewardClient) -> None:
    mixed = [CODE_INFO[0], {**CODE_INFO[0], "language": "cpp"}]
    with pytest.raises(ValueError, match="same language"):
        rewards.code_reward(
            [chat(c) for c in CODE_COMPLETIONS[:2]],
            verification_info=mixed,
            enforce_same_language=True,
        )


def test_adapters_work_as_trl_reward_functions(client: RewardClient) -> None:
    """TRL calls reward_func(prompts=, completions=, completion_ids=, **dataset_columns)."""
    for function in (rewards.accuracy_reward, rewards.format_reward, rewards.len_reward):
        values = function(**trl_kwargs(solution=SOLUTIONS))
        assert len(values) == len(COMPLETIONS)
        assert all(v is None or isinstance(v, float) for v in values)


# ---- verl ---------------------------------------------------------------------------------------


def test_verl_compute_score_is_the_services_reward(rewardd_url: str, client: RewardClient) -> None:
    item = {"completion": COMPLETIONS[0], "reference": {"answer": "7"}}
    service = client.grade([item])[0]
    score = verl.compute_score("openai/gsm8k", COMPLETIONS[0], "7", url=rewardd_url)
    assert score["score"] == pytest.approx(service.reward)
    assert {k: v for k, v in score.items() if k not in ("score", "ungraded")} == pytest.approx(
        service.components
    )
    assert score["ungraded"] == 0.0
    wrong = verl.compute_score(
        "math", COMPLETIONS[0], "8", {"index": 0}, weights={"accuracy": 1.0}, url=rewardd_url
    )
    assert wrong == {"score": 0.0, "accuracy": 0.0, "ungraded": 0.0}


def test_verl_takes_code_references_as_json(rewardd_url: str) -> None:
    truth = json.dumps({"test_cases": CODE_INFO[0]["test_cases"]})
    weights = {"code": 1.0, "accuracy": 1.0}
    scores = [
        verl.compute_score("code", completion, truth, weights=weights, url=rewardd_url)["score"]
        for completion in CODE_COMPLETIONS[:2]
    ]
    # code (share passed) + accuracy (all passed)
    assert scores == pytest.approx([2.0, 0.5])
    # An item the service cannot grade still gives verl a number, and says so.
    bad = verl.compute_score("math", "<answer>1</answer>", "\\frac{", url=rewardd_url)
    assert bad["score"] == 0.0 and bad["ungraded"] == 1.0


def test_verl_reference_of_maps_verls_code_ground_truth() -> None:
    """verl's code ground truth goes to the service as a verl-format reference, which the
    service's converter (rewardd.code_formats) turns into cases."""
    truth = {"inputs": ["1\n", ["2", "3"]], "outputs": ["1", "5"]}
    stdin = verl.reference_of(json.dumps(truth))
    assert stdin == {"format": "verl", **truth}
    assert reference_from_record(stdin)["test_cases"] == [
        {"input": "1\n", "output": "1"},
        {"input": "2\n3", "output": "5"},
    ]
    functional = verl.reference_of({"fn_name": "f", "inputs": [[1, 2]], "outputs": [[3]]})
    converted = reference_from_record(functional)
    assert converted["fn_name"] == "f"
    [case] = converted["test_cases"]
    # APPS's one-element wrapping is undone; the value may travel as its JSON text.
    assert case["input"] == [1, 2] and case["output"] in (3, "3")
    assert verl.reference_of("72/19") == {"answer": "72/19"}
    assert verl.reference_of({"tests": "assert True"}) == {"tests": "assert True"}


def test_verl_reads_the_question_of_gsm8k_extra_info() -> None:
    item = verl._item("<answer>7</answer>", "7", {"question": "三加四？", "index": 3})
    assert item["prompt"] == "三加四？"


# ---- OpenRLHF -----------------------------------------------------------------------------------


def test_openrlhf_remote_reward_request(rewardd_url: str, client: RewardClient) -> None:
    """OpenRLHF's --reward.remote_url posts exactly this body and reads `rewards`."""
    prompts = [f"<|im_start|>user\n{p}<|im_end|>\n<|im_start|>assistant\n" for p in PROMPTS[:2]]
    queries = [p + c + "<|im_end|>" for p, c in zip(prompts, COMPLETIONS[:2], strict=True)]
    labels = SOLUTIONS[:2]
    response = httpx.post(
        f"{rewardd_url}/get_reward",
        json={"query": queries, "prompts": prompts, "labels": labels},
        timeout=60,
    )
    assert response.status_code == 200
    body = response.json()
    assert len(body["rewards"]) == len(body["scores"]) == 2
    assert body["extra_logs"]["accuracy"] == [1.0, 1.0]

    # The same as grading the bare completions with the r1 recipe.
    items = [
        {"completion": c, "reference": {"answer": s}, "prompt": p}
        for c, s, p in zip(COMPLETIONS[:2], labels, PROMPTS[:2], strict=True)
    ]
    expected = [r.reward for r in client.grade(items, recipe="r1")]
    assert body["rewards"] == pytest.approx(expected)
    assert RewardClient(rewardd_url).get_reward(queries, prompts, labels)["rewards"] == (
        pytest.approx(expected)
    )


# ---- OpenRLHF: splitting the query --------------------------------------------------------------

# Text made of the pieces that matter at the end of a decoded query: end tokens, white space,
# near misses of end tokens, and ordinary text.
_PIECES = st.sampled_from([*END_TOKENS, " ", "\n", "\t", "x", "答", "<|im_", "end|>", "</", "s>"])


def naive_strip_end_tokens(text: str) -> str:
    """The definition: remove the longest suffix made of (white space, end token)+ white space."""
    tokens = "|".join(re.escape(token) for token in END_TOKENS)
    for start in range(len(text) + 1):
        if re.fullmatch(rf"(?:\s*(?:{tokens}))+\s*", text[start:]):
            return text[:start]
    return text


@given(st.lists(_PIECES, max_size=30).map("".join))
@settings(max_examples=400, deadline=None)
def test_strip_end_tokens_agrees_with_the_definition(text: str) -> None:
    assert strip_end_tokens(text) == naive_strip_end_tokens(text)


def test_strip_end_tokens_is_linear_on_hostile_tails() -> None:
    """35,000 newlines stalled the old regex for seconds; a million take one pass now."""
    tail = "\n" * 1_000_000
    assert strip_end_tokens("<answer>7</answer>" + tail) == "<answer>7</answer>" + tail
    assert strip_end_tokens("<answer>7</answer>" + tail + "<|im_end|>") == "<answer>7</answer>"
    many = "<answer>7</answer>" + " <|im_end|>\n" * 200_000
    assert strip_end_tokens(many) == "<answer>7</answer>"


QWEN_TEMPLATE = (
    "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant."
    "<|im_end|>\n<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"
)


@pytest.mark.parametrize(
    "prompt",
    [
        QWEN_TEMPLATE.format(question="三加四等于多少？"),
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\n三加四等于多少？<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n",
        "<｜begin▁of▁sentence｜>You are helpful.<｜User｜>三加四等于多少？<｜Assistant｜><think>\n",
        "<bos><start_of_turn>user\n三加四等于多少？<end_of_turn>\n<start_of_turn>model\n",
        "三加四等于多少？",
    ],
)
def test_the_last_user_turn_is_the_question(prompt: str) -> None:
    assert last_user_turn(prompt) == "三加四等于多少？"


def test_the_last_of_several_user_turns_counts() -> None:
    prompt = (
        "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\nHi<|im_end|>\n"
        "<|im_start|>user\n你好，三加四呢？<|im_end|>\n<|im_start|>assistant\n"
    )
    assert last_user_turn(prompt) == "你好，三加四呢？"


def test_a_left_truncated_query_splits_where_the_prompt_ends() -> None:
    prompt = QWEN_TEMPLATE.format(question="What is 3 + 4? " * 50)
    completion = "<think>7</think><answer>7</answer>"
    query = prompt[len(prompt) // 2 :] + completion + "<|im_end|>"
    assert completion_of(query, prompt) == completion
    # Only a few characters of the prompt survived: the last assistant header decides.
    assert completion_of("assistant\n" + completion, prompt) != completion
    assert completion_of("<|im_start|>assistant\n" + completion, prompt) == completion
    # A header the policy writes itself does not move the split.
    sneaky = "garbage <|im_start|>assistant\n" + completion
    assert completion_of(prompt[-300:] + sneaky, prompt) == sneaky
