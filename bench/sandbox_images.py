"""The scientific sandbox image against the lean default image, side by side in one run (Docker).

    python bench/sandbox_images.py [--jobs 80] [--items 12] [--concurrency 2]

Reports, for each image, in the same run and on the same warm pools:
- plain jobs (/v1/execute's kind): executions per second at the pool's concurrency, and the
  median latency of one job at a time;
- judge jobs: the median wall time of grading one 8-case stdio item that uses only the
  standard library (what every item pays for the image: the judge's start, numpy preloaded);
- what numpy costs: `import numpy` in a fresh interpreter (a plain job's whole run minus an
  empty job's), and the median CPU time of a judge case whose solution imports numpy
  (preloaded by the judge's zygote in the sci image);
and the ratios sci / default. Needs both images (scripts/build_sandbox_image.sh).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rewardd.rewards.code import run_cases  # noqa: E402
from rewardd.rewards.types import GradingInput  # noqa: E402
from sandbox import ExecutionRequest  # noqa: E402
from sandbox.docker_backend import DockerSandbox, docker_unavailable_reason  # noqa: E402
from sandbox.limits import SandboxSettings  # noqa: E402

IMAGES = ("default", "sci")
PLAIN_CODE = "print(sum(i * i for i in range(100_000)))"
STDLIB_ITEM = {
    "test_cases": [{"input": f"{i} {i + 1}\n", "output": f"{2 * i + 1}\n"} for i in range(8)]
}
STDLIB_SOLUTION = "a, b = map(int, input().split())\nprint(a + b)"
NUMPY_SOLUTION = "import numpy as np\nprint(int(np.array(list(map(int, input().split()))).sum()))"


def completion(code: str) -> str:
    return f"<think>ok</think>\n<answer>\n```python\n{code}\n```\n</answer>"


def plain_throughput(sandbox: DockerSandbox, image: str, jobs: int, concurrency: int) -> float:
    request = ExecutionRequest(code=PLAIN_CODE, image=image)

    def one(_: int) -> None:
        result = sandbox.execute(request)
        assert result.status == "ok", result

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(jobs)))
    return jobs / (time.perf_counter() - started)


def median_wall_ms(sandbox: DockerSandbox, request: ExecutionRequest, rounds: int) -> float:
    walls = []
    for _ in range(rounds):
        started = time.perf_counter()
        result = sandbox.execute(request)
        walls.append((time.perf_counter() - started) * 1000)
        assert result.status in ("ok", "error"), result
    return statistics.median(walls)


def grade(sandbox: DockerSandbox, code: str, reference: dict) -> tuple[float, list[float]]:
    """The judge job's wall time (ms) and each case's CPU time (ms)."""
    item = GradingInput(completion=completion(code), task="code", reference=reference)
    started = time.perf_counter()
    score = run_cases(item, sandbox)
    wall_ms = (time.perf_counter() - started) * 1000
    assert score.value == 1.0, score.details or score.error
    return wall_ms, [case["cpu_ms"] for case in score.details["cases"]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=80, help="plain jobs per throughput run")
    parser.add_argument("--items", type=int, default=12, help="judge items per image")
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    settings = SandboxSettings.from_env()
    for image in IMAGES:
        reason = docker_unavailable_reason(settings.docker_image(image))
        if reason is not None:
            print(f"image {image!r}: {reason}", file=sys.stderr)
            return 1
    figures: dict[str, dict[str, float]] = {image: {} for image in IMAGES}
    with DockerSandbox(settings) as sandbox:
        for image in IMAGES:  # warm both pools first: starting containers is not measured
            for _ in range(2 * settings.pool_size):
                sandbox.execute(ExecutionRequest(code="pass", image=image))
            grade(sandbox, STDLIB_SOLUTION, {**STDLIB_ITEM, "image": image})
        # Interleaved rounds: load on this machine falls on both images alike.
        for _ in range(2):
            for image in IMAGES:
                figure = figures[image]
                rate = plain_throughput(sandbox, image, args.jobs // 2, args.concurrency)
                figure.setdefault("rates", []).append(rate)
                figure.setdefault("latency", []).append(
                    median_wall_ms(sandbox, ExecutionRequest(code=PLAIN_CODE, image=image), 10)
                )
                walls = [
                    grade(sandbox, STDLIB_SOLUTION, {**STDLIB_ITEM, "image": image})[0]
                    for _ in range(args.items // 2)
                ]
                figure.setdefault("judge", []).extend(walls)
        empty = median_wall_ms(sandbox, ExecutionRequest(code="pass", image="sci"), 15)
        numpy_job = median_wall_ms(sandbox, ExecutionRequest(code="import numpy", image="sci"), 15)
        numpy_item = {
            "test_cases": [{"input": "1 2 3\n", "output": "6\n"}] * 8,
            "image": "sci",
        }
        case_cpu: list[float] = []
        for _ in range(max(2, args.items // 4)):
            case_cpu += grade(sandbox, NUMPY_SOLUTION, numpy_item)[1]
        stdlib_cpu: list[float] = []
        for _ in range(max(2, args.items // 4)):
            stdlib_cpu += grade(sandbox, STDLIB_SOLUTION, {**STDLIB_ITEM, "image": "sci"})[1]

    def summary(image: str) -> tuple[float, float, float]:
        figure = figures[image]
        return (
            statistics.mean(figure["rates"]),
            statistics.median(figure["latency"]),
            statistics.median(figure["judge"]),
        )

    lean, sci = summary("default"), summary("sci")
    print("| measure | default | sci | sci / default |")
    print("|---|---|---|---|")
    rows = [
        (f"plain jobs per second (concurrency {args.concurrency})", lean[0], sci[0], "{:.1f}"),
        ("plain job latency, median ms", lean[1], sci[1], "{:.1f}"),
        ("judge job, 8 stdlib stdio cases, median ms", lean[2], sci[2], "{:.0f}"),
    ]
    for name, a, b, form in rows:
        print(f"| {name} | {form.format(a)} | {form.format(b)} | {b / a:.2f} |")
    print()
    print(f"- `import numpy` in a fresh sci job: {numpy_job - empty:.0f} ms of wall time")
    print(
        "- a judge case whose solution imports numpy (sci, preloaded): median "
        f"{statistics.median(case_cpu):.1f} ms CPU; a stdlib case there: "
        f"{statistics.median(stdlib_cpu):.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
