"""Speed of the code-reward judge in the Docker sandbox, per case and per item.

    python bench/code_judge_speed.py [--baseline OLD_code_harness.py] [--previous COMMIT]
                                     [--runner-image IMAGE] [--rounds 10] [--throughput 120]

`current` is the judge package (sandbox/judge/, started as a judge job with its own uids).
A baseline is a single-file judge of an older version (`git show 7460735:rewardd/rewards/
code_harness.py > /tmp/old_harness.py`), run the way it was: as the job's main.py.
`--previous COMMIT` adds the judge package (sandbox/judge/, sandbox/procutil.py) as it was at
that commit, shipped the same way as the current one (`git show`, so a change can be measured
against the code before it). `--runner-image IMAGE` grades with the current judge through a pool
of another image (the in-sandbox runner of an earlier commit, built under another tag).

Grades honest solutions in the three styles (functional, stdio, test code), with 2 and with
20 cases per item. Reports, as medians:
- the wall time of an item (host round trip) and the sandbox CPU it used (the cpuacct time
  of this process's pool containers; cgroup v1);
- the judge's own time per case, and the marginal cost of a case, (20 cases - 2 cases) / 18;
- throughput of 2-case items from 4 threads.
With --baseline or --previous, the same items are also graded by those judges, interleaved,
so that all see the same load.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import rewardd.rewards.code as code_rewards  # noqa: E402
from rewardd.rewards.types import GradingInput  # noqa: E402
from sandbox import ExecutionRequest, open_sandbox  # noqa: E402
from sandbox.docker_backend import OWNER_LABEL, DockerSandbox  # noqa: E402
from sandbox.limits import SandboxSettings  # noqa: E402

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


def files_at(commit: str) -> dict[str, str]:
    """The judge's files as the job ships them (code_rewards.judge_files), at a git commit."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True
        ).stdout

    files = {
        path: git("show", f"{commit}:{path}")
        for path in git("ls-tree", "--name-only", commit, "sandbox/judge/").split()
        if path.endswith(".py")
    }
    shipped = git("ls-tree", "--name-only", commit, "sandbox/").split()
    for name in code_rewards.JUDGE_SHARED_FILES:  # those the commit has (older ones had fewer)
        if f"sandbox/{name}" in shipped:
            files[f"sandbox/{name}"] = git("show", f"{commit}:sandbox/{name}")
    return files


# Before the sandbox CPU of an item is read: what a runner does right after its reply (the
# next job's namespaces) is the item's too.
SETTLE_S = 0.02
THROUGHPUT_BLOCK = 12  # 2-case items per judge's turn in the throughput run


def pool_cpu_ns(image: str) -> int:
    """CPU time of this process's pool containers of `image`."""
    import docker

    owner = f"{socket.gethostname()}:{os.getpid()}"
    total = 0
    for container in docker.from_env().containers.list(filters={"label": f"{OWNER_LABEL}={owner}"}):
        if container.attrs["Config"]["Image"] != image:
            continue
        try:
            usage = Path(f"/sys/fs/cgroup/cpuacct/docker/{container.id}/cpuacct.usage")
            total += int(usage.read_text())
        except OSError:
            pass
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", help="another code_harness.py to compare with")
    parser.add_argument("--previous", help="a git commit whose judge package to compare with")
    parser.add_argument(
        "--runner-image", help="also the current judge through a pool of this image's runner"
    )
    parser.add_argument(
        "--rounds", type=int, default=10, help="items graded per style, size and judge (medians)"
    )
    parser.add_argument(
        "--throughput", type=int, default=120, help="2-case items for the throughput run (0: none)"
    )
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
    if args.previous:
        previous_files = files_at(args.previous)

        def previous_request(payload: dict, image: str = "default") -> ExecutionRequest:
            return dataclasses.replace(current_request(payload, image), files=previous_files)

        judges["previous"] = previous_request
    box = open_sandbox("docker")
    image = SandboxSettings.from_env().image
    boxes = dict.fromkeys(judges, (box, image))
    if args.runner_image:
        env = SandboxSettings.from_env().__dict__
        settings = SandboxSettings(**{**env, "image": args.runner_image})
        name = f"runner {args.runner_image}"
        judges[name] = current_request
        boxes[name] = (DockerSandbox(settings), args.runner_image)

    def grade(name: str, graded: GradingInput):
        code_rewards.judge_request = judges[name]
        score = code_rewards.run_cases(graded, boxes[name][0])
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
                    cpu = pool_cpu_ns(boxes[name][1])
                    started = time.monotonic()
                    score = grade(name, item(style, n))
                    walls.append((time.monotonic() - started) * 1000)
                    time.sleep(SETTLE_S)
                    cpus.append((pool_cpu_ns(boxes[name][1]) - cpu) / 1e6)
                    case_ms += [case["ms"] for case in score.details["cases"]]
            for name, (walls, cpus, case_ms) in samples.items():
                medians = tuple(statistics.median(x) for x in (walls, cpus, case_ms))
                figures[(style, n, name)] = medians
                print(
                    f"{style:10} {n:2} cases  {name:8}  item {medians[0]:6.1f} ms wall, "
                    f"{medians[1]:6.1f} ms cpu; judge's time per case {medians[2]:5.1f} ms",
                    flush=True,
                )
    marginal: dict[tuple[str, str], float] = {}
    for style in STYLES:
        for name in judges:
            wall = (figures[(style, 20, name)][0] - figures[(style, 2, name)][0]) / 18
            cpu = (figures[(style, 20, name)][1] - figures[(style, 2, name)][1]) / 18
            marginal[(style, name)] = wall
            print(f"{style:10} {name:8}  marginal per case: {wall:5.1f} ms wall, {cpu:5.1f} ms cpu")
    for other in [name for name in judges if name != "current"]:
        for style in STYLES:
            ratios = [
                figures[(style, n, "current")][0] / figures[(style, n, other)][0] for n in (2, 20)
            ]
            ratios.append(marginal[(style, "current")] / marginal[(style, other)])
            print(
                f"{style:10} current / {other}: item with 2 cases {ratios[0]:.2f}, "
                f"with 20 cases {ratios[1]:.2f}, marginal cost of a case {ratios[2]:.2f}"
            )
    if args.throughput:
        # The judges take turns in blocks, each starting a round in turn, so that the load
        # others put on the machine falls on all of them alike.
        names = list(judges)
        blocks = max(1, args.throughput // THROUGHPUT_BLOCK)
        elapsed = dict.fromkeys(names, 0.0)
        for turn in range(blocks):
            for name in names[turn % len(names) :] + names[: turn % len(names)]:
                items = [item(STYLES[(turn + i) % 3], 2) for i in range(THROUGHPUT_BLOCK)]
                with ThreadPoolExecutor(4) as pool:
                    started = time.monotonic()
                    list(pool.map(lambda graded, name=name: grade(name, graded), items))
                    elapsed[name] += time.monotonic() - started
        rates = {name: blocks * THROUGHPUT_BLOCK / elapsed[name] for name in names}
        for name in names:
            print(f"throughput {name}: {rates[name]:.1f} items/s (2-case items, 4 threads)")
        for other in [name for name in judges if name != "current"]:
            print(f"throughput current / {other}: {rates['current'] / rates[other]:.2f}")
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for sandbox in {id(b): b for b, _ in boxes.values()}.values():
        sandbox.close()


if __name__ == "__main__":
    main()
