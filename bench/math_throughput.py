"""Math grading throughput, measured side by side in one run (medians of --rounds rounds,
each with fresh items, so no cache carries a verdict from one round to the next).

(a) /v1/rewards (embedded mode, a real `rewardd serve`, caches off) on unique items, items/s,
    divided by math-verify's parse + verify called in-process on all cores
    (multiprocessing.Pool) on the same items.                       target >= 0.85
(b) GRPO batches (64 prompts x 16 samples) through the service, divided by open-r1's
    `accuracy_reward` looping in-process, as TRL calls it.          target >= 3
    Two kinds: short completions, and R1-length ones (1.5-6 kB of reasoning with inline
    math, then an <answer> block; about 4 distinct final answers per prompt).
(c) with --distributed: the R1-length batch through Redis and 2 Celery workers (1 grading
    process each), against the same loop.
(d) service items/s on R1-length GRPO batches with 1, 4 and 16 distinct final answers per
    prompt, next to math verdicts computed (rewardd_math_verdicts_total): where the time goes.

The load average of the machine is printed with the figures: on a shared machine it is
part of the result.

Usage: python bench/math_throughput.py [--unique 2000] [--prompts 64] [--samples 16]
       [--rounds 3] [--distributed]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
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


# R1-distilled reasoning: prose with inline math, a few checks, an occasional boxed step.
R1_STEPS = (
    "Let me denote the unknown by $x$ and write what is given: ${a}x + {b} = {c}$. ",
    "Subtracting ${b}$ from both sides gives ${a}x = {d}$, so \\(x = \\frac{{{d}}}{{{a}}}\\). ",
    "Wait, let me double-check that step. If $x = {a}$ then $x^2 = {e}$, which is not it. ",
    "Hmm, maybe I should try another approach: consider $f(t) = t^2 - {b}t + {c}$. ",
    "Its discriminant is $\\Delta = {b}^2 - 4 \\cdot {c}$, so the roots are real when "
    "$\\Delta \\ge 0$. ",
    "So far the candidate is $\\boxed{{{a}}}$, but I have not checked the constraint yet. ",
    "Let me verify: substituting back, ${a} \\cdot {b} = {f}$, and that is consistent. ",
    "Alternatively, using the identity $(u+v)^2 = u^2 + 2uv + v^2$ with $u = {a}$, $v = {b}$. ",
)


def r1_completion(answer: str, rng: random.Random) -> str:
    """1.5-6 kB of R1-style reasoning with inline math, then the answer block."""
    size = rng.randint(1500, 6000)
    steps: list[str] = []
    while sum(map(len, steps)) < size:
        a, b, c = rng.randint(2, 99), rng.randint(2, 99), rng.randint(100, 999)
        template = rng.choice(R1_STEPS)
        steps.append(template.format(a=a, b=b, c=c, d=c - b, e=a * a, f=a * b))
    return (
        f"<think>\n{''.join(steps)}\n</think>\n"
        f"<answer>Therefore, the final answer is $\\boxed{{{answer}}}$.</answer>"
    )


def distinct_wrong(gold: str, count: int, rng: random.Random) -> list[str]:
    wrongs: list[str] = []
    while len(wrongs) < count:
        candidate = wrong(gold, rng) if len(wrongs) < 3 else f"{gold} + {len(wrongs)}"
        if candidate not in wrongs and candidate != gold:
            wrongs.append(candidate)
    return wrongs


def r1_grpo_batch(prompts: int, samples: int, distinct: int, seed: int) -> list[tuple[str, str]]:
    """Each prompt's samples give exactly `distinct` final answers (one of them right)."""
    rng = random.Random(seed)
    items = []
    for _ in range(prompts):
        gold = gold_answers(rng)
        candidates = [gold, *distinct_wrong(gold, distinct - 1, rng)]
        items += [(r1_completion(candidates[n % distinct], rng), gold) for n in range(samples)]
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


def math_verdicts(url: str) -> float:
    for line in httpx.get(f"{url}/metrics").text.splitlines():
        if line.startswith("rewardd_math_verdicts_total "):
            return float(line.split()[1])
    return float("nan")


def open_r1_loop(items: list[tuple[str, str]]) -> float:
    started = time.perf_counter()
    open_r1_accuracy_reward([[{"content": text}] for text, _ in items], [g for _, g in items])
    return time.perf_counter() - started


def median_of(rounds: int, measure: Callable[[int], tuple[float, ...]]) -> list[float]:
    """Medians, per figure, of `measure(round)` over the rounds."""
    runs = [measure(round_number) for round_number in range(rounds)]
    return [statistics.median(figures) for figures in zip(*runs, strict=True)]


def load() -> str:
    return "/".join(f"{value:.0f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unique", type=int, default=2000, help="items in (a)")
    parser.add_argument("--prompts", type=int, default=64, help="prompts per GRPO batch")
    parser.add_argument("--samples", type=int, default=16, help="samples per prompt")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, fresh items each")
    parser.add_argument(
        "--distributed",
        action="store_true",
        help="(c) too: the R1-length batch through Redis and two Celery workers",
    )
    args = parser.parse_args()
    cores = os.cpu_count()
    print(f"cores: {cores}, load average (1/5/15 min) at start: {load()}", flush=True)
    log = Path(os.environ.get("TMPDIR", "/tmp")) / "bench-math-serve.log"
    batch = args.prompts * args.samples

    def r1_batch(n: int) -> list[tuple[str, str]]:
        return r1_grpo_batch(args.prompts, args.samples, 4, seed=3000 + n)

    def report_grpo(figure: str, name: str, medians: list[float]) -> None:
        service, verdicts, baseline = medians
        print(
            f"{figure} GRPO batch, {name} ({args.prompts}x{args.samples}): service "
            f"{service:.2f} s ({batch / service:.0f} items/s, {verdicts:.0f} verdicts), "
            f"open-r1 accuracy_reward loop {baseline:.2f} s ({batch / baseline:.0f} "
            f"items/s), speed-up {baseline / service:.1f}x (target >= 3)",
            flush=True,
        )

    # Caches off: rounds use fresh items anyway, and no figure may come from a cache.
    with running_service(log, REWARDD_CACHE_ENTRIES="0") as url:
        through_service(url, unique_items(64, seed=99), 64)  # warm the workers

        def unique_round(n: int) -> tuple[float, float]:
            unique = unique_items(args.unique, seed=1000 + n)
            return through_service(url, unique, batch=512), math_verify_all_cores(unique)

        service_unique, baseline_unique = median_of(args.rounds, unique_round)
        print(
            f"(a) unique items ({args.unique}): service {args.unique / service_unique:.0f} "
            f"items/s, math-verify in-process on {cores} cores "
            f"{args.unique / baseline_unique:.0f} items/s, "
            f"ratio {baseline_unique / service_unique:.2f} (target >= 0.85)",
            flush=True,
        )

        kinds = {
            "short": lambda n: grpo_batch(args.prompts, args.samples, seed=2000 + n),
            "R1-length, 4 answers/prompt": r1_batch,
        }
        for name, make in kinds.items():
            report_grpo("(b)", name, median_of(args.rounds, grpo_round(url, make)))

        for distinct in (1, 4, 16):

            def distinct_round(n: int, distinct: int = distinct) -> tuple[float, float]:
                items = r1_grpo_batch(args.prompts, args.samples, distinct, seed=4000 + n)
                before = math_verdicts(url)
                service = through_service(url, items, batch=len(items))
                return service, math_verdicts(url) - before

            service, verdicts = median_of(args.rounds, distinct_round)
            print(
                f"(d) R1-length, {distinct:2d} distinct answers/prompt: "
                f"{batch / service:.0f} items/s, {verdicts:.0f} math verdicts "
                f"for {batch} items",
                flush=True,
            )
    if args.distributed:
        report_grpo("(c)", "R1-length, distributed, 2 workers", distributed(args, r1_batch, log))
    print(f"load average (1/5/15 min) at end: {load()}")


def grpo_round(
    url: str, make: Callable[[int], list[tuple[str, str]]]
) -> Callable[[int], tuple[float, float, float]]:
    def measure(n: int) -> tuple[float, float, float]:
        items = make(n)
        before = math_verdicts(url)
        service = through_service(url, items, batch=len(items))
        return service, math_verdicts(url) - before, open_r1_loop(items)

    return measure


def ready(url: str) -> bool:
    return httpx.get(f"{url}/readyz").status_code == 200


def distributed(
    args: argparse.Namespace, make: Callable[[int], list[tuple[str, str]]], log: Path
) -> list[float]:
    """(c): the API in distributed mode, two Celery workers of one grading process each."""
    import tempfile

    from tests.conftest import RedisServer, running_worker, wait_for

    with tempfile.TemporaryDirectory() as workdir:
        redis = RedisServer(Path(workdir))
        redis.start()
        env = {"REWARDD_POOL_SIZE": "1", "REWARDD_CACHE_ENTRIES": "0"}
        try:
            with (
                running_worker(log.with_suffix(".worker1"), redis.url, **env),
                running_worker(log.with_suffix(".worker2"), redis.url, **env),
                running_service(log, REWARDD_BROKER_URL=redis.url, **env) as url,
            ):
                wait_for(lambda: ready(url), 120, "a distributed rewardd")
                through_service(url, unique_items(64, seed=97), 64)  # warm the workers
                return median_of(args.rounds, grpo_round(url, make))
        finally:
            redis.stop()


if __name__ == "__main__":
    main()
