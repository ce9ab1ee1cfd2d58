"""How stable the efficiency component's cost is, quiet and under load, in one run.

    python bench/efficiency_stability.py [--pairs 3] [--repeats 6] [--busy 6] [--base 200000]

In the Docker sandbox, through the same code path as /v1/rewards with recipe code-fast
(rewardd.grading.grade_item, then the group step's cost), it measures:
- pairs of correct programs whose true CPU costs differ 1.5x, 3x and 10x (the same loop,
  n and ratio x n iterations): the share of pairs each pass orders rightly, and the rank
  agreement of the quiet pass with the loaded one;
- the coefficient of variation (stdev / mean) of one program's cost measured `--repeats`
  times, for the single runs and for the reported cost (median of the runs less overhead);
- how far each loaded cost is from its quiet figure.
Load: `--busy` busy loops, each in a session of its own (autogroup would fold one session's
loops into a single slice), oversubscribing the cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rewardd.grading import grade_item  # noqa: E402
from rewardd.rewards import efficiency, registry  # noqa: E402
from sandbox.docker_backend import docker_unavailable_reason  # noqa: E402
from sandbox.limits import SandboxSettings  # noqa: E402
from tests.load import busy_loops  # noqa: E402

WORK = (ROOT / "tests" / "data" / "efficiency" / "work.py").read_text(encoding="utf-8")
RATIOS = (1.5, 3.0, 10.0)
WEIGHTS = {"efficiency": 1.0}


def item(n: int) -> dict:
    code = f"<think>loop</think><answer>\n```python\n{WORK}```\n</answer>"
    reference = {
        "test_cases": [{"input": "10\n", "output": "10"}],
        "perf_cases": [{"input": f"{n}\n", "output": str(n)}],
    }
    return {"completion": code, "reference": reference}


def measure(n: int) -> dict:
    """The per-item efficiency measurement (cost_ms, samples_ms, ...) of the loop at n."""
    result = grade_item(item(n), WEIGHTS)
    details = result["details"]["efficiency"]
    if "cost_ms" not in details:
        raise SystemExit(f"no cost for n={n}: {details.get('reason')}")
    return details


def one_pass(bases: list[int], repeats: int, repeated_n: int) -> dict:
    pairs = {ratio: [(measure(n), measure(int(n * ratio))) for n in bases] for ratio in RATIOS}
    repeated = [measure(repeated_n) for _ in range(repeats)]
    return {"pairs": pairs, "repeated": repeated, "load": os.getloadavg()[0]}


def cv(values: list[float]) -> float:
    return statistics.pstdev(values) / statistics.mean(values) if values else float("nan")


def ordered_rightly(low: dict, high: dict) -> bool:
    return high["cost_ms"] > low["cost_ms"]


def scores(low: dict, high: dict) -> tuple[float, float]:
    slack = efficiency.RESOLUTION_MS
    ratio = (high["cost_ms"] + slack) / (low["cost_ms"] + slack)
    return 1.0, efficiency.efficiency_score(ratio)


def report(quiet: dict, loaded: dict) -> None:
    print(f"load average: quiet pass {quiet['load']:.1f}, loaded pass {loaded['load']:.1f}")
    print(
        f"{'true ratio':>10} {'pairs':>5} {'quiet right':>11} {'loaded right':>12} "
        f"{'agreement':>9} {'measured quiet':>14} {'measured loaded':>15} {'score of slower':>15}"
    )
    for ratio in RATIOS:
        q, lo = quiet["pairs"][ratio], loaded["pairs"][ratio]
        right_q = sum(ordered_rightly(a, b) for a, b in q)
        right_l = sum(ordered_rightly(a, b) for a, b in lo)
        agree = sum(ordered_rightly(*x) == ordered_rightly(*y) for x, y in zip(q, lo, strict=True))
        mq = statistics.median(b["cost_ms"] / a["cost_ms"] for a, b in q)
        ml = statistics.median(b["cost_ms"] / a["cost_ms"] for a, b in lo)
        slower = statistics.median(scores(a, b)[1] for a, b in lo)
        print(
            f"{ratio:>9.1f}x {len(q):>5} {right_q:>5}/{len(q):<5} {right_l:>6}/{len(lo):<5} "
            f"{100 * agree / len(q):>8.0f}% {mq:>13.2f}x {ml:>14.2f}x {slower:>15.3f}"
        )
    for name, run in (("quiet", quiet), ("loaded", loaded)):
        costs = [m["cost_ms"] for m in run["repeated"]]
        runs = [s for m in run["repeated"] for s in m["samples_ms"][0]]
        print(
            f"{name}: one program measured {len(costs)} times: "
            f"cost {statistics.mean(costs):.1f} ms,"
            f" CV of the cost (median of {efficiency.REPEATS} runs) {100 * cv(costs):.1f} %,"
            f" CV of single runs {100 * cv(runs):.1f} %"
        )
    drift = [
        b["cost_ms"] / a["cost_ms"]
        for ratio in RATIOS
        for pair_q, pair_l in zip(quiet["pairs"][ratio], loaded["pairs"][ratio], strict=True)
        for a, b in zip(pair_q, pair_l, strict=True)
    ]
    drift += [
        b["cost_ms"] / a["cost_ms"]
        for a, b in zip(quiet["repeated"], loaded["repeated"], strict=True)
    ]
    print(
        f"loaded cost / quiet cost over {len(drift)} measurements: median "
        f"{statistics.median(drift):.2f}, min {min(drift):.2f}, max {max(drift):.2f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=3, help="pairs per cost ratio (default 3)")
    parser.add_argument("--repeats", type=int, default=6, help="measurements of one program")
    parser.add_argument("--busy", type=int, default=6, help="busy loops in the loaded pass")
    parser.add_argument("--base", type=int, default=200_000, help="loop size of the cheapest")
    args = parser.parse_args()
    reason = docker_unavailable_reason(SandboxSettings().image)
    if reason is not None:
        print(f"efficiency_stability: the Docker sandbox is unavailable: {reason}", file=sys.stderr)
        return 2
    from sandbox import open_sandbox

    box = open_sandbox("docker")
    registry.use_sandbox(lambda: box)
    bases = [int(args.base * (1 + 0.5 * k)) for k in range(args.pairs)]
    repeated_n = 2 * args.base
    try:
        started = time.monotonic()
        quiet = one_pass(bases, args.repeats, repeated_n)
        with busy_loops(args.busy, settle_s=0.5):
            loaded = one_pass(bases, args.repeats, repeated_n)
        report(quiet, loaded)
        spent = time.monotonic() - started
        print(f"({spent:.0f} s, {os.cpu_count()} cores, {args.busy} busy loops)")
    finally:
        box.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
