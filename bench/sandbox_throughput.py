"""Sandbox throughput and added latency, measured against bare subprocesses in the same run.

    python bench/sandbox_throughput.py [--jobs 200] [--concurrency 4] [--write-docs]

Reports, side by side:
- executions per second through each sandbox ÷ bare unsandboxed subprocesses, same cases and
  concurrency (target ≥ 0.6 for docker);
- the median added latency per execution at concurrency 1 (target ≤ 15 ms);
- one-shot `docker run` per execution, the naive baseline.

Bare subprocesses use the host's /usr/bin/python3 when there is one: the same Debian build of
Python the debootstrap image carries, so interpreter start-up cancels out.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox import ExecutionRequest, Sandbox  # noqa: E402
from sandbox.docker_backend import DockerSandbox, docker_unavailable_reason  # noqa: E402
from sandbox.limits import SandboxSettings  # noqa: E402
from sandbox.local_backend import BwrapSandbox  # noqa: E402

CASES = [
    ExecutionRequest(code="print('hello')"),
    ExecutionRequest(code="print(sum(i * i for i in range(100_000)))"),
    ExecutionRequest(
        code="import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))",
        stdin=" ".join(str(i) for i in range(5000)),
    ),
    ExecutionRequest(
        code="import json, re\nprint(json.dumps({'m': re.findall(r'\\d+', 'a1b22c333')}))"
    ),
]
DOCS = ROOT / "docs" / "benchmarks.md"
SECTION = "## Sandbox throughput"

Runner = Callable[[ExecutionRequest], bool]


def bare_python() -> str:
    return "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable


def run_bare(request: ExecutionRequest) -> bool:
    with tempfile.TemporaryDirectory(prefix="bench-bare-") as work:
        Path(work, "main.py").write_text(request.code)
        proc = subprocess.run(
            [bare_python(), "-E", "-s", "-B", "main.py"],
            cwd=work,
            input=request.stdin.encode(),
            capture_output=True,
            timeout=request.timeout_s,
        )
    return proc.returncode == 0


def docker_run_once(image: str) -> Runner:
    def run(request: ExecutionRequest) -> bool:
        proc = subprocess.run(
            [
                *("docker", "run", "--rm", "-i", "--network", "none", "--read-only"),
                *("--entrypoint", "python3", image, "-E", "-s", "-B", "-c", request.code),
            ],
            input=request.stdin.encode(),
            capture_output=True,
            timeout=60,
        )
        return proc.returncode == 0

    return run


@contextlib.contextmanager
def docker_exec_warm(image: str) -> Iterator[Runner]:
    """`docker exec` of each execution into one already running container."""
    container_id = subprocess.run(
        [
            *("docker", "run", "-d", "--rm", "--network", "none", "--read-only"),
            *("--entrypoint", "sleep", image, "infinity"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()

    def run(request: ExecutionRequest) -> bool:
        proc = subprocess.run(
            [
                *("docker", "exec", "-i", container_id),
                *("python3", "-E", "-s", "-B", "-c", request.code),
            ],
            input=request.stdin.encode(),
            capture_output=True,
            timeout=60,
        )
        return proc.returncode == 0

    try:
        yield run
    finally:
        subprocess.run(["docker", "rm", "-f", container_id], capture_output=True)


def through(sandbox: Sandbox) -> Runner:
    def run(request: ExecutionRequest) -> bool:
        return sandbox.execute(request).status == "ok"

    return run


def throughput(run: Runner, jobs: int, concurrency: int) -> float:
    requests = [CASES[i % len(CASES)] for i in range(jobs)]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(run, requests))
    elapsed = time.perf_counter() - start
    if not all(results):
        raise RuntimeError(f"{results.count(False)} of {jobs} executions failed")
    return jobs / elapsed


def latencies_ms(run: Runner, rounds: int) -> list[float]:
    samples = []
    for i in range(rounds):
        request = CASES[i % len(CASES)]
        start = time.perf_counter()
        if not run(request):
            raise RuntimeError("an execution failed")
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def warm(sandbox: Sandbox, settings: SandboxSettings) -> None:
    deadline = time.monotonic() + 60
    while sandbox.problem() is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    with ThreadPoolExecutor(max_workers=settings.pool_size) as pool:
        list(pool.map(through(sandbox), CASES * settings.pool_size))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200, help="executions per throughput run")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--latency-rounds", type=int, default=60)
    parser.add_argument("--docker-run-jobs", type=int, default=12)
    parser.add_argument("--write-docs", action="store_true", help=f"update {SECTION} in {DOCS}")
    args = parser.parse_args()

    settings = SandboxSettings.from_env()
    settings = SandboxSettings(**{**settings.__dict__, "pool_size": args.concurrency})
    rows: list[tuple[str, float, float | None, float | None]] = []

    bare_tput = throughput(run_bare, args.jobs, args.concurrency)
    bare_lat = statistics.median(latencies_ms(run_bare, args.latency_rounds))
    rows.append(("bare subprocess (no isolation)", bare_tput, bare_lat, None))

    reason = docker_unavailable_reason(settings.image)
    if reason is None:
        sandbox = DockerSandbox(settings)
        try:
            warm(sandbox, settings)
            tput = throughput(through(sandbox), args.jobs, args.concurrency)
            lat = statistics.median(latencies_ms(through(sandbox), args.latency_rounds))
            rows.append(("docker: warm pool + in-container runner", tput, lat, lat - bare_lat))
        finally:
            sandbox.close()
        once = docker_run_once(settings.image)
        tput = throughput(once, args.docker_run_jobs, args.concurrency)
        lat = statistics.median(latencies_ms(once, max(4, args.docker_run_jobs // 2)))
        rows.append(("`docker run` per execution (naive)", tput, lat, lat - bare_lat))
        with docker_exec_warm(settings.image) as exec_run:
            tput = throughput(exec_run, args.docker_run_jobs * 2, args.concurrency)
            lat = statistics.median(latencies_ms(exec_run, args.docker_run_jobs))
        rows.append(("`docker exec` into a warm container", tput, lat, lat - bare_lat))
    else:
        print(f"docker rows skipped: {reason}", file=sys.stderr)

    bwrap = BwrapSandbox(settings)
    if bwrap.problem() is None:
        tput = throughput(through(bwrap), args.jobs, args.concurrency)
        lat = statistics.median(latencies_ms(through(bwrap), args.latency_rounds))
        rows.append(("bwrap (local backend)", tput, lat, lat - bare_lat))

    table = render(rows, bare_tput, args)
    print(table)
    if args.write_docs:
        write_section(table)
        print(f"wrote {SECTION} in {DOCS}")


def render(rows, bare_tput: float, args) -> str:
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} "
        f"cores ({platform.platform()}), by `python bench/sandbox_throughput.py`: "
        f"{args.jobs} executions per throughput run over {len(CASES)} small Python cases, "
        f"concurrency {args.concurrency}; latency is the median of {args.latency_rounds} "
        "serial executions. Targets: docker ≥ 0.6 × bare throughput, ≤ 15 ms added latency.",
        "",
        "| how | executions/s | ÷ bare | median latency (ms) | added latency (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, tput, lat, added in rows:
        lines.append(
            f"| {name} | {tput:.1f} | {tput / bare_tput:.2f} | "
            f"{'' if lat is None else f'{lat:.1f}'} | {'' if added is None else f'{added:+.1f}'} |"
        )
    return "\n".join(lines)


def write_section(table: str) -> None:
    """Replace only our section of docs/benchmarks.md; others own the other sections."""
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    body = f"{SECTION}\n\n{table}\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: body + "\n", text, count=1).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + body
    DOCS.write_text(text)


if __name__ == "__main__":
    main()
