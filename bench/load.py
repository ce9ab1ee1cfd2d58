"""Load test: sustained /v1/rewards batches at a fixed concurrency for a bounded time.

Against a running service (by default the compose stack on 127.0.0.1:8000, or $REWARDD_URL),
`--concurrency` clients each send batches back to back until `--duration` seconds have passed,
then wait for the batches in flight. Batches look like GRPO's: groups of `--samples` completions
per prompt whose final answers repeat, each completion text unique (no cache hits across
requests). Every item's expected grade is known by construction, so a wrong grade is counted as
an error too.

Prints items/s, p50/p99 latency per batch and the error count; exits 1 if any error.

    python bench/load.py                                   # math, 60 s, concurrency 32
    python bench/load.py --kind code --duration 30
    python bench/load.py --url http://127.0.0.1:8000 --json
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, field

import httpx

FILLER = (
    "First I write down what is given. Then I simplify the expression step by step, "
    "checking each move, and substitute back to verify the result. "
)
ADD_SOLUTION = "def add(a, b):\n    return a + b  # {nonce}\n"
WRONG_SOLUTION = "def add(a, b):\n    return a - b  # {nonce}\n"
ADD_TESTS = (
    "def test_small():\n    assert add(1, 2) == 3\n\ndef test_zero():\n    assert add(0, 0) == 0\n"
)


@dataclass
class Tally:
    latencies_s: list[float] = field(default_factory=list)
    items: int = 0
    failed_requests: int = 0
    item_errors: int = 0
    wrong_grades: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return self.failed_requests + self.item_errors + self.wrong_grades

    def note(self, problem: str) -> None:
        if len(self.examples) < 5:
            self.examples.append(problem[:300])


def math_batch(rng: random.Random, nonce: int, size: int, samples: int) -> list[tuple[dict, float]]:
    """(item, expected accuracy) pairs: prompts of `samples` completions, half of them right."""
    batch: list[tuple[dict, float]] = []
    for prompt in itertools.count():
        a, b = rng.randint(2, 99), rng.randint(2, 99)
        gold = rng.choice([f"{a}", f"\\frac{{{a}}}{{{b}}}", f"{a}\\sqrt{{{b}}}", f"{a}\\pi"])
        candidates = [(gold, 1.0), (f"{gold} + 1", 0.0), (f"2({gold})", 0.0)]
        for sample in range(samples):
            answer, expected = candidates[0] if sample % 2 == 0 else rng.choice(candidates[1:])
            reasoning = FILLER * rng.randint(1, 3)
            item = {
                "id": f"{nonce}-{prompt}-{sample}",
                "completion": f"<think>Run {nonce}.{prompt}.{sample}. {reasoning}</think>\n"
                f"<answer>The answer is $\\boxed{{{answer}}}$.</answer>",
                "reference": {"answer": gold},
            }
            batch.append((item, expected))
            if len(batch) == size:
                return batch
    raise AssertionError("unreachable")


def code_batch(rng: random.Random, nonce: int, size: int, samples: int) -> list[tuple[dict, float]]:
    """(item, expected accuracy) pairs: small functional solutions, about a quarter wrong."""
    batch = []
    for index in range(size):
        right = rng.random() >= 0.25
        code = (ADD_SOLUTION if right else WRONG_SOLUTION).format(nonce=f"{nonce}.{index}")
        item = {
            "id": f"{nonce}-{index}",
            "completion": f"<think>Add them.</think><answer>\n```python\n{code}```\n</answer>",
            "reference": {"tests": ADD_TESTS},
        }
        batch.append((item, 1.0 if right else 0.0))
    return batch


def mixed_batch(
    rng: random.Random, nonce: int, size: int, samples: int
) -> list[tuple[dict, float]]:
    code_items = max(1, size // 8)
    return math_batch(rng, nonce, size - code_items, samples) + code_batch(
        rng, nonce, code_items, samples
    )


BATCHES = {"math": math_batch, "code": code_batch, "mixed": mixed_batch}


def check(results: list[dict], batch: list[tuple[dict, float]], tally: Tally) -> None:
    if len(results) != len(batch):
        tally.failed_requests += 1
        tally.note(f"{len(results)} results for {len(batch)} items")
        return
    for result, (item, expected) in zip(results, batch, strict=True):
        tally.items += 1
        if result.get("error") is not None:
            tally.item_errors += 1
            tally.note(f"item {item['id']}: {result['error']}")
        elif result["components"].get("accuracy") != expected:
            tally.wrong_grades += 1
            tally.note(f"item {item['id']}: accuracy {result['components']} != {expected}")


async def client_loop(
    http: httpx.AsyncClient,
    args: argparse.Namespace,
    stop_at: float,
    seed: int,
    nonces: itertools.count,
    tally: Tally,
) -> None:
    rng = random.Random(seed)
    make_batch = BATCHES[args.kind]
    while time.monotonic() < stop_at:
        batch = make_batch(rng, next(nonces), args.batch_size, args.samples)
        body = {
            "items": [item for item, _ in batch],
            "weights": {"accuracy": 1.0, "format": 0.3},
            "timeout_s": args.timeout,
        }
        started = time.monotonic()
        try:
            response = await http.post("/v1/rewards", json=body, timeout=args.timeout + 30)
        except httpx.HTTPError as exc:
            tally.failed_requests += 1
            tally.note(f"request failed: {exc!r}")
            continue
        elapsed = time.monotonic() - started
        if response.status_code != 200:
            tally.failed_requests += 1
            tally.note(f"HTTP {response.status_code}: {response.text}")
            continue
        tally.latencies_s.append(elapsed)
        check(response.json()["results"], batch, tally)


def percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def run(args: argparse.Namespace) -> dict:
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    async with httpx.AsyncClient(base_url=args.url, limits=limits) as http:
        ready = await http.get("/readyz", timeout=10)
        if ready.status_code != 200:
            raise SystemExit(f"{args.url} is not ready: {ready.status_code} {ready.text}")
        tally = Tally()
        nonces = itertools.count(int(time.time() * 1000))
        started = time.monotonic()
        stop_at = started + args.duration
        await asyncio.gather(
            *(
                client_loop(http, args, stop_at, seed, nonces, tally)
                for seed in range(args.concurrency)
            )
        )
        wall_s = time.monotonic() - started
    return {
        "url": args.url,
        "mode": ready.json().get("mode"),
        "kind": args.kind,
        "concurrency": args.concurrency,
        "batch_size": args.batch_size,
        "duration_s": round(wall_s, 1),
        "batches": len(tally.latencies_s),
        "items": tally.items,
        "items_per_s": round(tally.items / wall_s, 1),
        "p50_ms": round(percentile(tally.latencies_s, 50) * 1000, 1),
        "p99_ms": round(percentile(tally.latencies_s, 99) * 1000, 1),
        "errors": tally.errors,
        "failed_requests": tally.failed_requests,
        "item_errors": tally.item_errors,
        "wrong_grades": tally.wrong_grades,
        "error_examples": tally.examples,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("REWARDD_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (60)")
    parser.add_argument("--concurrency", type=int, default=32, help="batches in flight (32)")
    parser.add_argument("--batch-size", type=int, default=32, help="items per batch (32)")
    parser.add_argument("--samples", type=int, default=16, help="completions per prompt (16)")
    parser.add_argument("--kind", choices=sorted(BATCHES), default="math")
    parser.add_argument("--timeout", type=float, default=120.0, help="timeout_s per batch (120)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)

    summary = asyncio.run(run(args))
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(
            f"{summary['kind']} load on {summary['url']} ({summary['mode']} mode), "
            f"concurrency {summary['concurrency']}, batches of {summary['batch_size']}, "
            f"{summary['duration_s']} s\n"
            f"  items/s      {summary['items_per_s']}  ({summary['items']} items, "
            f"{summary['batches']} batches)\n"
            f"  latency p50  {summary['p50_ms']} ms per batch\n"
            f"  latency p99  {summary['p99_ms']} ms per batch\n"
            f"  errors       {summary['errors']}  (failed requests {summary['failed_requests']}, "
            f"item errors {summary['item_errors']}, wrong grades {summary['wrong_grades']})"
        )
        for example in summary["error_examples"]:
            print(f"    {example}")
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
