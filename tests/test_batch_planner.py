"""The batch planner (issue 10): each distinct math verdict once per batch, and across
requests, with results byte-identical to grading each item alone."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from rewardd.backends import EmbeddedBackend
from rewardd.cache import ResultCache
from rewardd.config import Settings
from rewardd.grading import TIMINGS_KEY, grade_item
from rewardd.groups import score_groups
from rewardd.metrics import REGISTRY
from rewardd.service import RewardService

WEIGHTS = {
    "accuracy": 1.0,
    "format": 0.5,
    "tag_count": 0.25,
    "language": 0.2,
    "cosine": 0.3,
    "repetition_penalty": 0.1,
    "length": 0.2,
}
PARAMS = {"cosine": {"max_len": 300}, "repetition_penalty": {"ngram_size": 2}}

# (gold, the final answers its samples give): right ones written differently, wrong ones,
# a hedge between two boxes, no answer at all, and the question repeated as the answer.
PROMPTS = [
    ("What is 1/2 + 1/4?", "3/4", ["\\frac{3}{4}", "0.75", "\\frac{1}{2}", "3/4 or 1/2"]),
    ("Compute $2 + 3$.", "5", ["5", "2 + 3", "6", None]),
    ("Solve $x^2 = 4$ for $x > 0$.", "2", ["2", "x = 2", "-2", "\\boxed{2} or \\boxed{-2}"]),
]


def completion(answer: str | None, sample: int) -> str:
    reasoning = " ".join(f"Step {k}: we have $x_{k} = {k * sample}$." for k in range(sample + 1))
    if answer is None:
        return f"<think>{reasoning}</think> I am not sure."
    boxed = answer if "\\boxed" in answer else f"\\boxed{{{answer}}}"
    return f"<think>{reasoning}</think>\n<answer>{boxed}</answer>"


def grpo_batch(samples_per_answer: int = 2) -> list[dict]:
    items = []
    for prompt, gold, answers in PROMPTS:
        for answer in answers:
            for sample in range(samples_per_answer):
                items.append(
                    {
                        "id": len(items),
                        "prompt": prompt,
                        "completion": completion(answer, sample + len(items) % 3),
                        "reference": {"answer": gold},
                        "params": PARAMS,
                    }
                )
    return items


@pytest.fixture(scope="module")
def backend():
    embedded = EmbeddedBackend(Settings(pool_size=2, math_item_timeout_s=120))
    yield embedded
    embedded.close()


def service_on(backend) -> RewardService:
    # No result cache: every item is graded, so that what the planner shares is tested.
    return RewardService(backend, ResultCache(0), 65536, verdicts=ResultCache(1000))


def grade(service: RewardService, items: list[dict], weights: dict) -> list[dict]:
    return asyncio.run(service.grade(items, weights=weights, timeout_s=300)).results


def graded_alone(items: list[dict], weights: dict) -> list[dict]:
    """Each item by itself, in this process: the single function behind every transport."""
    results = []
    for item in items:
        result = grade_item(item, weights)
        result.pop(TIMINGS_KEY)
        results.append(result)
    return score_groups(items, results, weights)


def accuracy_computations() -> float:
    labels = {"component": "accuracy"}
    return REGISTRY.get_sample_value("rewardd_component_seconds_count", labels) or 0.0


def as_bytes(results: list[dict]) -> list[str]:
    return [json.dumps(result, ensure_ascii=False) for result in results]


@pytest.mark.parametrize("weights", [WEIGHTS, {"accuracy": 1.0}], ids=["r1-and-more", "accuracy"])
def test_a_planned_batch_is_byte_identical_to_grading_each_item_alone(backend, weights):
    items = grpo_batch()
    service = service_on(backend)
    results = grade(service, items, weights)
    assert as_bytes(results) == as_bytes(graded_alone(items, weights))
    # One verdict per distinct (gold, final answer): four answers per prompt.
    assert service.verdicts_graded == 12
    # The fixture is not trivial: right, wrong and unanswered items are all there.
    assert {r["components"]["accuracy"] for r in results} == {0.0, 1.0}


def test_sixteen_samples_with_one_final_answer_cost_one_math_verify(backend):
    items = [
        {
            "id": n,
            "prompt": "What is $6 \\times 7$?",
            "completion": completion("42", n),
            "reference": {"answer": "42"},
        }
        for n in range(16)
    ]
    service = service_on(backend)
    computed_before = accuracy_computations()
    results = grade(service, items, WEIGHTS)
    assert service.verdicts_graded == 1
    # What the workers report having computed (their per-component timings): one accuracy.
    assert accuracy_computations() - computed_before == 1
    assert [r["components"]["accuracy"] for r in results] == [1.0] * 16
    assert len({json.dumps(r["details"]["accuracy"]) for r in results}) == 1
    # The next epoch: new reasoning, same final answer; the verdict comes from the cache.
    again = [{**item, "completion": completion("42", 20 + n)} for n, item in enumerate(items)]
    assert [r["components"]["accuracy"] for r in grade(service, again, WEIGHTS)] == [1.0] * 16
    assert service.verdicts_graded == 1


def test_a_verdict_with_an_error_is_never_cached(backend):
    # An unreadable gold is the item's error (bad_reference); no error is ever cached.
    items = [
        {"completion": completion("3", n), "reference": {"answer": "\\frac{"}} for n in range(4)
    ]
    service = service_on(backend)
    for round_number in (1, 2):
        results = grade(service, items, {"accuracy": 1.0})
        assert {r["error"]["code"] for r in results} == {"bad_reference"}
        assert service.verdicts_graded == round_number
    assert len(service.verdicts) == 0


def test_a_different_prompt_is_a_different_verdict(backend):
    # "2 + 3" as the answer to "Compute 2 + 3" repeats the question (0); elsewhere it is 5.
    items = [
        {
            "prompt": "Compute $2 + 3$.",
            "completion": completion("2 + 3", 1),
            "reference": {"answer": "5"},
        },
        {
            "prompt": "What is five?",
            "completion": completion("2 + 3", 1),
            "reference": {"answer": "5"},
        },
    ]
    service = service_on(backend)
    results = grade(service, items, {"accuracy": 1.0})
    assert service.verdicts_graded == 2
    assert as_bytes(results) == as_bytes(graded_alone(items, {"accuracy": 1.0}))


def test_a_client_cannot_send_its_own_verdict(embedded_url):
    """Attack: a wrong answer with the planner's private field claiming accuracy 1."""
    forged = {"accuracy": {"value": 1.0, "reason": "trust me", "details": {}, "error": None}}
    item = {
        "completion": "<think>guess</think><answer>\\boxed{7}</answer>",
        "reference": {"answer": "3"},
        "_known_scores": forged,
    }
    body = {"items": [item], "weights": {"accuracy": 1.0, "format": 0.5}}
    response = httpx.post(f"{embedded_url}/v1/rewards", json=body, timeout=120)
    assert response.status_code == 200
    assert response.json()["results"][0]["components"]["accuracy"] == 0.0
