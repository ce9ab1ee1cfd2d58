"""The kept efficiency problems (tests/data/efficiency/): references and their solutions.

Each problem has a fast correct, a slow correct (at least 3x the CPU cost) and a fast wrong
solution, as files tests/data/efficiency/<name>/{fast,slow,wrong}.py, written for this
project.  A reference has a few small hand-checked cases and one large perf case (weak tests
need large inputs for correct solutions to differ in cost at all); the perf case's input is
generated here from a fixed seed, and its expected output computed here by plain Python.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "efficiency"
KINDS = ("fast", "slow", "wrong")


@dataclass(frozen=True)
class Problem:
    name: str
    reference: dict[str, Any]

    def solution(self, kind: str) -> str:
        return (DATA / self.name / f"{kind}.py").read_text(encoding="utf-8")

    def item(self, kind: str, **extra: Any) -> dict[str, Any]:
        return {
            "id": f"{self.name}/{kind}",
            "prompt": f"Solve {self.name}.",
            "completion": completion(self.solution(kind)),
            "reference": self.reference,
            **extra,
        }


def completion(code: str) -> str:
    return f"<think>I will write it.</think>\n<answer>\n```python\n{code}```\n</answer>"


def _stdio(small: list[tuple[str, str]], perf: tuple[str, str]) -> dict[str, Any]:
    return {
        "test_cases": [{"input": i, "output": o} for i, o in small],
        "perf_cases": [{"input": perf[0], "output": perf[1]}],
    }


def _call(fn_name: str, small: list[tuple[list, Any]], perf: tuple[list, Any]) -> dict[str, Any]:
    return {
        "fn_name": fn_name,
        "test_cases": [{"input": args, "output": out} for args, out in small],
        "perf_cases": [{"input": perf[0], "output": perf[1]}],
    }


def _numbers_input(values: list[int]) -> str:
    return f"{len(values)}\n{' '.join(map(str, values))}\n"


def lcg(seed: int, count: int) -> list[int]:
    """The problems' generated inputs: x <- (x * 1103515245 + 12345) mod 2^31, from seed.

    A few numbers on stdin stand for a large input (the sandbox job stays small)."""
    values, x = [], seed
    for _ in range(count):
        x = (x * 1103515245 + 12345) % 2147483648
        values.append(x)
    return values


def distinct(rng: random.Random) -> dict[str, Any]:
    def answer(n: int, seed: int) -> str:
        return str(len({x % 400 for x in lcg(seed, n)}))

    seed = rng.randrange(1, 10**6)
    return _stdio(
        [(f"4 {s}\n", answer(4, s)) for s in (1, 2)] + [("1 5\n", "1")],
        (f"150000 {seed}\n", answer(150_000, seed)),
    )


def top_word(rng: random.Random) -> dict[str, Any]:
    def answer(n: int, seed: int) -> str:
        counts = Counter(f"w{x % 60:02d}" for x in lcg(seed, n))
        word, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
        return f"{word} {count}"

    seed = rng.randrange(1, 10**6)
    return _stdio(
        [(f"{n} {s}\n", answer(n, s)) for n, s in ((5, 3), (200, 4), (1, 9))],
        (f"40000 {seed}\n", answer(40_000, seed)),
    )


def sort_numbers(rng: random.Random) -> dict[str, Any]:
    def answer(n: int, seed: int) -> str:
        ordered = sorted(x % 1_000_000 for x in lcg(seed, n))
        return str(sum(i * value for i, value in enumerate(ordered)) % 1_000_000_007)

    seed = rng.randrange(1, 10**6)
    return _stdio(
        [(f"{n} {s}\n", answer(n, s)) for n, s in ((5, 1), (50, 2))],
        (f"40000 {seed}\n", answer(40_000, seed)),
    )


def range_sums(rng: random.Random) -> dict[str, Any]:
    def answer(n: int, q: int, seed: int) -> str:
        xs = lcg(seed, n + 2 * q)
        values = [x % 2001 - 1000 for x in xs[:n]]
        total = 0
        for k in range(q):
            left = xs[n + 2 * k] % n
            right = left + xs[n + 2 * k + 1] % (n - left)
            total += (k + 1) * sum(values[left : right + 1])
        return str(total)

    seed = rng.randrange(1, 10**6)
    return _stdio(
        [(f"{n} {q} {s}\n", answer(n, q, s)) for n, q, s in ((5, 3, 1), (40, 10, 2))],
        (f"30000 300 {seed}\n", answer(30_000, 300, seed)),
    )


def max_subarray(rng: random.Random) -> dict[str, Any]:
    values = [rng.randrange(-100, 100) for _ in range(2_000)]
    best = current = values[0]
    for value in values[1:]:
        current = max(value, current + value)
        best = max(best, current)
    return _stdio(
        [("5\n-2 3 -1 4 -10\n", "6"), ("2\n-3 -1\n", "-1"), ("3\n5 -9 4\n", "5")],
        (_numbers_input(values), str(best)),
    )


def pair_count(rng: random.Random) -> dict[str, Any]:
    def answer(n: int, seed: int, target: int) -> int:
        counts = Counter(x % target for x in lcg(seed, n))
        return sum(
            counts[v] * counts[target - v] if v < target - v else counts[v] * (counts[v] - 1) // 2
            for v in counts
            if v <= target - v
        )

    seed = rng.randrange(1, 10**6)
    small = [([n, s, t], answer(n, s, t)) for n, s, t in ((6, 1, 4), (50, 2, 10), (30, 3, 7))]
    return _call("pair_count", small, ([60_000, seed, 600], answer(60_000, seed, 600)))


def longest_unique(rng: random.Random) -> dict[str, Any]:
    text = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(50_000))
    last_seen: dict[str, int] = {}
    start = best = 0
    for index, char in enumerate(text):
        if last_seen.get(char, -1) >= start:
            start = last_seen[char] + 1
        last_seen[char] = index
        best = max(best, index - start + 1)
    return _call(
        "longest_unique",
        [(["abcabcbb"], 3), (["bbbb"], 1), (["pwwkew"], 3), (["abcd"], 4)],
        ([text], best),
    )


def primes_below(rng: random.Random) -> dict[str, Any]:
    limit = 400_000  # slow (trial division) ~4x the sieve here; at 200,000 it was 2.8-3.5x
    composite = set()
    for n in range(2, math.isqrt(limit) + 1):
        composite.update(range(n * n, limit, n))
    count = limit - 2 - len(composite)
    return {
        "tests": (
            "def test_small():\n"
            "    assert primes_below(30) == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]\n\n"
            "def test_tiny():\n"
            "    assert primes_below(2) == []\n"
            "    assert primes_below(3) == [2]\n"
        ),
        "perf_cases": (
            f"def test_large():\n    primes = primes_below({limit})\n"
            f"    assert len(primes) == {count}\n    assert primes[-1] < {limit}\n"
        ),
    }


def brackets(rng: random.Random) -> dict[str, Any]:
    lines, answers = [], []
    for k in range(30):
        depth = 1500
        opening = "".join(rng.choice("([{") for _ in range(depth - 2)) + "(["
        closing = "".join({"(": ")", "[": "]", "{": "}"}[c] for c in reversed(opening))
        line = opening + closing
        if k % 3 == 2:  # "([" then ")]": the counts still match, the nesting does not
            line = line[:depth] + ")]" + line[depth + 2 :]
        lines.append(line)
        answers.append("yes" if k % 3 != 2 else "no")
    return _stdio(
        [("3\n([]){}\n(]\n)(\n", "yes\nno\nno"), ("1\n{[()]}\n", "yes")],
        (f"{len(lines)}\n" + "\n".join(lines) + "\n", "\n".join(answers)),
    )


def gcd_pairs(rng: random.Random) -> dict[str, Any]:
    pairs = [(rng.randrange(1, 800), rng.randrange(1, 800)) for _ in range(10_000)]
    flat = [v for pair in pairs for v in pair]
    return _stdio(
        [("4\n12 18 7 5\n", "7"), ("2\n9 9\n", "9")],
        (_numbers_input(flat), str(sum(math.gcd(a, b) for a, b in pairs))),
    )


def anagram_groups(rng: random.Random) -> dict[str, Any]:
    bases = ["".join(rng.choice("abcdefgh") for _ in range(6)) for _ in range(25)]
    words = []
    for _ in range(12_000):
        letters = list(rng.choice(bases))
        rng.shuffle(letters)
        words.append("".join(letters))
    groups = len({"".join(sorted(word)) for word in words})
    return _stdio(
        [("4\nab ba abc cab\n", "2"), ("3\nabc acb bca\n", "1"), ("2\naab abb\n", "2")],
        (f"{len(words)}\n" + " ".join(words) + "\n", str(groups)),
    )


def fib_mod(rng: random.Random) -> dict[str, Any]:
    n, modulus = 150_000, 1_000_000_007
    a, b = 0, 1
    for _ in range(n):
        a, b = b, (a + b) % modulus
    return _call(
        "fib_mod",
        [([1, 1000], 1), ([10, 1000], 55), ([20, 100], 65), ([2, 5], 1)],
        ([n, modulus], a),
    )


GENERATORS: dict[str, Callable[[random.Random], dict[str, Any]]] = {
    f.__name__: f
    for f in (
        distinct,
        top_word,
        sort_numbers,
        range_sums,
        max_subarray,
        pair_count,
        longest_unique,
        primes_below,
        brackets,
        gcd_pairs,
        anagram_groups,
        fib_mod,
    )
}


def problems() -> list[Problem]:
    return [Problem(name, make(random.Random(name))) for name, make in GENERATORS.items()]


def require_docker() -> None:
    """Skip without the Docker sandbox, unless REQUIRE_DOCKER=1 (CI) makes that a failure."""
    import os

    import pytest

    from sandbox.docker_backend import docker_unavailable_reason
    from sandbox.limits import SandboxSettings

    reason = docker_unavailable_reason(SandboxSettings().image)
    if reason is not None:
        if os.environ.get("REQUIRE_DOCKER") == "1":
            pytest.fail(f"{reason} (REQUIRE_DOCKER=1)")
        pytest.skip(reason)


# A service that grades code in Docker and keeps no results: each pass measures again.
DOCKER_SERVICE_ENV = {
    "REWARDD_SANDBOX": "docker",
    "REWARDD_POOL_SIZE": "2",
    "REWARDD_CACHE_ENTRIES": "0",
}
