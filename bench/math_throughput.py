"""Math grading throughput, measured side by side in one run.

(a) /v1/rewards (embedded mode, a real `rewardd serve`) on unique items, items/s, divided by
    math-verify's parse + verify called in-process on all cores (multiprocessing.Pool) on the
    same items.                                                     target >= 0.85
(b) a realistic GRPO batch (64 prompts x 16 samples, final answers repeating within a group)
    through the service, divided by open-r1's `accuracy_reward` pattern looping in-process,
    as TRL calls it.                                                target >= 3

Usage: python bench/math_throughput.py [--unique 2000] [--prompts 64] [--samples 16]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import running_service

FILLER = (
    "Let me set up the problem carefully. First, I write down what is given and what is asked. "
    "Next, I simplify the expression step by step, checking each algebraic move. "
    "Then I substitute the values back to verify that the result is consistent. "
)


def gold_answers(rng: random.Random) -> str:
    kind = rng.randrange(6)
    a, b = rng.randint(2, 99), rng.randint(2, 99)
    return [
        f"{a}",
        f"\\frac{{{a}}}{{{b}}}",
        f"{a}\\sqrt{{{b}}}",
        f"{a}.{b}",
        f"{a}\\pi",
        f"x^2 + {a}x + {b}",
    ][kind]


def completion(answer: str, rng: random.Random) -> str:
    reasoning = FILLER * rng.randint(1, 3)
    return f"<think>{reasoning}</think>\n<answer>The answer is $\\boxed{{{answer}}}$.</answer>"


def wrong(answer: str, rng: random.Random) -> str:
    return rng.choice([f"{answer} + 1", f"2({answer})", f"\\frac{{{answer}}}{{3}}", "0"])


def unique_items(count: int, seed: int = 0) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    items = []
    for _ in range(count):
        gold = gold_answers(rng)
        answer = gold if rng.random() < 0.5 else wrong(gold, rng)
        items.append((completion(answer, rng), gold))
    return items


def grpo_batch(prompts: int, samples: int, seed: int = 1) -> list[tuple[str, str]]:
    """Each prompt's samples share a handful of distinct final answers, as in real GRPO."""
    rng = random.Random(seed)
    items = []
    for _ in range(prompts):
        gold = gold_answers(rng)
        candidates = [gold] + [wrong(gold, rng) for _ in range(rng.randint(1, 3))]
        items += [(completion(rng.choice(candidates), rng), gold) for _ in range(samples)]
    return items


# -- baselines -------------------------------------------------------------------------------


def math_verify_one(pair: tuple[str, str]) -> float:
    from math_verify import parse, verify

    text, gold = pair
    return float(verify(parse(gold), parse(text)))


def math_verify_all_cores(items: list[tuple[str, str]]) -> float:
    with multiprocessing.get_context("fork").Pool(os.cpu_count()) as pool:
        pool.map(math_verify_one, items[:4])  # warm the imports outside the clock
        started = time.perf_counter()
        pool.map(math_verify_one, items, chunksize=16)
        return time.perf_counter() - started


def open_r1_accuracy_reward(completions: list, solution: list[str]) -> list[float | None]:
    """open-r1's src/open_r1/rewards.py accuracy_reward, as it loops in the trainer process."""
    from latex2sympy2_extended import NormalizationConfig
    from math_verify import LatexExtractionConfig, parse, verify

    contents = [c[0]["content"] for c in completions]
    rewards: list[float | None] = []
    for content, sol in zip(contents, solution, strict=True):
        gold_parsed = parse(sol, extraction_mode="first_match")
        if len(gold_parsed) != 0:
            answer_parsed = parse(
                content,
                extraction_config=[
                    LatexExtractionConfig(
                        normalization_config=NormalizationConfig(
                            nits=False,
                            malformed_operators=False,
                            basic_latex=True,
                            boxed="all",
                            units=True,
                        ),
                        boxed_match_priority=0,
                        try_extract_without_anchor=False,
                    )
                ],
                extraction_mode="first_match",
            )
            try:
                reward: float | None = float(verify(gold_parsed, answer_parsed))
            except Exception:
                reward = None
        else:
            reward = None
        rewards.append(reward)
    return rewards


# -- the service -----------------------------------------------------------------------------


def through_service(url: str, items: list[tuple[str, str]], batch: int) -> float:
    bodies = [
        {
            "items": [
                {"completion": text, "reference": {"answer": gold}}
                for text, gold in items[start : start + batch]
            ],
            "weights": {"accuracy": 1.0},
            "timeout_s": 600,
        }
        for start in range(0, len(items), batch)
    ]
    with httpx.Client(timeout=600) as client:
        started = time.perf_counter()
        for body in bodies:
            response = client.post(f"{url}/v1/rewards", json=body)
            response.raise_for_status()
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unique", type=int, default=2000)
    parser.add_argument("--prompts", type=int, default=64)
    parser.add_argument("--samples", type=int, default=16)
    args = parser.parse_args()

    unique = unique_items(args.unique)
    grpo = grpo_batch(args.prompts, args.samples)
    log = Path(os.environ.get("TMPDIR", "/tmp")) / "bench-math-serve.log"
    with running_service(log, REWARDD_CACHE_ENTRIES="0") as plain_url:
        through_service(plain_url, unique_items(64, seed=99), 64)  # warm the workers
        service_unique = through_service(plain_url, unique, batch=512)
    baseline_unique = math_verify_all_cores(unique)

    with running_service(log) as url:
        through_service(url, unique_items(64, seed=98), 64)
        service_grpo = through_service(url, grpo, batch=len(grpo))
    started = time.perf_counter()
    open_r1_accuracy_reward([[{"content": text}] for text, _ in grpo], [gold for _, gold in grpo])
    baseline_grpo = time.perf_counter() - started

    cores = os.cpu_count()
    print(f"cores: {cores}")
    print(
        f"(a) unique items ({len(unique)}): service {len(unique) / service_unique:.0f} items/s "
        f"(cache off), math-verify in-process on {cores} cores "
        f"{len(unique) / baseline_unique:.0f} items/s, "
        f"ratio {baseline_unique / service_unique:.2f} (target >= 0.85)"
    )
    print(
        f"(b) GRPO batch ({args.prompts}x{args.samples}): service {service_grpo:.2f} s, "
        f"open-r1 accuracy_reward loop {baseline_grpo:.2f} s, "
        f"speed-up {baseline_grpo / service_grpo:.1f}x (target >= 3)"
    )


if __name__ == "__main__":
    main()
