"""Speed of the code-reward judge in the Docker sandbox, per case and per item.

    python bench/code_judge_speed.py [--baseline OLD_code_harness.py] [--rounds 10]
                                     [--throughput 120]

`current` is the judge package (sandbox/judge/, started as a judge job with its own uids).
A baseline is a single-file judge of an older version (`git show 7460735:rewardd/rewards/
code_harness.py > /tmp/old_harness.py`), run the way it was: as the job's main.py.

Grades honest solutions in the three styles (functional, stdio, test code), with 2 and with
20 cases per item. Reports, as medians:
- the wall time of an item (host round trip) and the sandbox CPU it used (the cpuacct time
  of this process's pool containers; cgroup v1);
- the judge's own time per case, and the marginal cost of a case, (20 cases - 2 cases) / 18;
- throughput of 2-case items from 4 threads.
With --baseline, the same items are also graded by that judge, interleaved, so that both
see the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import rewardd.rewards.code as code_rewards  # noqa: E402
from rewardd.rewards.types import GradingInput  # noqa: E402
from sandbox import ExecutionRequest, open_sandbox  # noqa: E402
from sandbox.docker_backend import OWNER_LABEL  # noqa: E402

STYLES = ("functional", "stdio", "tests")


def item(style: str, n: int) -> GradingInput:
    if style == "stdio":
        solution = "a, b = map(int, input().split())\nprint(a + b)"
        cases = [{"input": f"{i} {i}\n", "output": f"{2 * i}\n"} for i in range(n)]
        reference: dict = {"test_cases": cases}
    elif style == "functional":
        solution = "def add(a, b):\n    return a + b"
        cases = [{"input": [i, i], "output": 2 * i} for i in range(n)]
        reference = {"fn_name": "add", "test_cases": cases}
    else:
        solution = "def add(a, b):\n    return a + b"
        tests = [f"def test_{i}():\n    assert add({i}, {i}) == {2 * i}\n" for i in range(n)]
        reference = {"tests": "\n".join(tests)}
    completion = f"<think>ok</think><answer>\n```python\n{solution}\n```\n</answer>"
    return GradingInput(completion=completion, task="code", reference=reference)


def pool_cpu_ns() -> int:
    import docker

    owner = f"{socket.gethostname()}:{os.getpid()}"
    total = 0
    for container in docker.from_env().containers.list(filters={"label": f"{OWNER_LABEL}={owner}"}):
        try:
            usage = Path(f"/sys/fs/cgroup/cpuacct/docker/{container.id}/cpuacct.usage")
            total += int(usage.read_text())
        except OSError:
            pass
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", help="another code_harness.py to compare with")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--throughput", type=int, default=120)
    args = parser.parse_args()
    current_request = code_rewards.judge_request
    judges = {"current": current_request}
    if args.baseline:
        old_source = Path(args.baseline).read_text(encoding="utf-8")

        def baseline_request(payload: dict, image: str = "default") -> ExecutionRequest:
            del image  # the old judge knew one image
            return ExecutionRequest(
                code=old_source,
                stdin=json.dumps(payload),
                timeout_s=code_rewards.job_timeout_s(payload["budget_s"]),
                memory_mb=payload["memory_mb"] + code_rewards.JUDGE_MEMORY_MB,
            )

        judges["baseline"] = baseline_request
    box = open_sandbox("docker")

    def grade(name: str, graded: GradingInput):
        code_rewards.judge_request = judges[name]
        score = code_rewards.run_cases(graded, box)
        assert score.value == 1.0, (name, score)
        return score

    for name in judges:  # warm the pool
        for _ in range(4):
            grade(name, item("functional", 2))
    figures: dict[tuple[str, int, str], tuple[float, float, float]] = {}
    for style in STYLES:
        for n in (2, 20):
            samples: dict[str, tuple[list, list, list]] = {n_: ([], [], []) for n_ in judges}
            for _ in range(args.rounds):
                for name in judges:
                    walls, cpus, case_ms = samples[name]
                    cpu = pool_cpu_ns()
                    started = time.monotonic()
                    score = grade(name, item(style, n))
                    walls.append((time.monotonic() - started) * 1000)
                    cpus.append((pool_cpu_ns() - cpu) / 1e6)
                    case_ms += [case["ms"] for case in score.details["cases"]]
            for name, (walls, cpus, case_ms) in samples.items():
                medians = tuple(statistics.median(x) for x in (walls, cpus, case_ms))
                figures[(style, n, name)] = medians
                print(
                    f"{style:10} {n:2} cases  {name:8}  item {medians[0]:6.1f} ms wall, "
                    f"{medians[1]:6.1f} ms cpu; judge's time per case {medians[2]:5.1f} ms",
                    flush=True,
                )
    for style in STYLES:
        for name in judges:
            wall = (figures[(style, 20, name)][0] - figures[(style, 2, name)][0]) / 18
            cpu = (figures[(style, 20, name)][1] - figures[(style, 2, name)][1]) / 18
            print(f"{style:10} {name:8}  marginal per case: {wall:5.1f} ms wall, {cpu:5.1f} ms cpu")
    if args.throughput:
        items = [item(STYLES[i % 3], 2) for i in range(args.throughput)]
        for name in judges:
            with ThreadPoolExecutor(4) as pool:
                started = time.monotonic()
                list(pool.map(lambda graded, name=name: grade(name, graded), items))
                elapsed = time.monotonic() - started
            rate = len(items) / elapsed
            print(f"throughput {name}: {rate:.1f} items/s (2-case items, 4 threads)")
    box.close()


if __name__ == "__main__":
    main()
