"""Sandbox throughput and added latency, measured against bare subprocesses in the same run.

    python bench/sandbox_throughput.py [--jobs 200] [--concurrency 4] [--write-docs]
        [--without-namespaces] [--compare-image IMAGE] [--compare-runner DIR]

Reports, side by side:
- executions per second through each sandbox ÷ bare unsandboxed subprocesses, same cases and
  concurrency (target ≥ 0.6 for docker);
- the median added latency per execution at concurrency 1 (target ≤ 15 ms);
- one-shot `docker run` per execution, the naive baseline.

To see what a runner change costs, in the same run and in turns with the rest:
--without-namespaces adds a docker and a bwrap pool whose runner lacks CAP_SYS_ADMIN (it runs
jobs without namespaces of their own); --compare-image adds a docker pool of another image (the
runner of an earlier commit, built with scripts/build_sandbox_image.sh under another tag);
--compare-runner adds a bwrap pool running runner.py and procutil.py from another directory.

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
import textwrap
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox import ExecutionRequest, Sandbox, docker_backend  # noqa: E402
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
READING_NOTE = (
    "How to read it: a sandboxed job costs one fork+exec inside a warm container plus the trip "
    "through dockerd's attach stream and the runner's bookkeeping (median {overhead} per job: "
    "host round trip minus the job's own run time as the runner measured it). "
    "Under load from other processes, what decides is the CPU weight of Docker's cgroup: with "
    "Docker's default all containers together weigh one host process; "
    "scripts/start_dockerd.sh weighs them like the pool's worth of processes (docs/sandbox.md). "
    "Both are measured in the same run. `docker run` and `docker exec` are what the pool avoids."
)
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


def python_through(docker_prefix: list[str]) -> Runner:
    """Each execution as `<docker_prefix> python3 -c CODE`, stdin fed in; True on exit 0."""

    def run(request: ExecutionRequest) -> bool:
        proc = subprocess.run(
            [*docker_prefix, "python3", "-E", "-s", "-B", "-c", request.code],
            input=request.stdin.encode(),
            capture_output=True,
            timeout=60,
        )
        return proc.returncode == 0

    return run


def docker_run_once(image: str) -> Runner:
    return python_through(
        [
            "docker",
            "run",
            "--rm",
            "-i",
            "--network",
            "none",
            "--read-only",
            "--entrypoint",
            "env",
            image,
        ]
    )


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

    try:
        yield python_through(["docker", "exec", "-i", container_id])
    finally:
        subprocess.run(["docker", "rm", "-f", container_id], capture_output=True)


def docker_cpu_shares_file() -> Path | None:
    path = Path("/sys/fs/cgroup/cpu/docker/cpu.shares")  # cgroup v1, cgroupfs driver
    return path if path.exists() and os.access(path, os.W_OK) else None


def with_shares(path: Path, shares: str, run: Runner) -> Runner:
    def run_weighted(request: ExecutionRequest) -> bool:
        path.write_text(shares)
        return run(request)

    return run_weighted


# The runner's capabilities that give each job namespaces of its own (sandbox/runner.py): a
# pool started without them runs jobs the way the runner did before it had them.
NAMESPACE_CAPS = ("SYS_ADMIN", "SETPCAP")
_settings_without_namespaces: set[int] = set()
_container_host_config = docker_backend.container_host_config


def _host_config(settings: SandboxSettings, image_mb: int = 0) -> dict:
    config = _container_host_config(settings, image_mb)
    if id(settings) in _settings_without_namespaces:
        config["cap_add"] = [cap for cap in config["cap_add"] if cap not in NAMESPACE_CAPS]
    return config


docker_backend.container_host_config = _host_config


def docker_without_namespaces(settings: SandboxSettings) -> DockerSandbox:
    own = SandboxSettings(**settings.__dict__)  # its identity marks its containers
    _settings_without_namespaces.add(id(own))
    return DockerSandbox(own)


class VariantBwrap(BwrapSandbox):
    """bwrap runners without the namespace capabilities, or running another runner.py."""

    def __init__(
        self, settings: SandboxSettings, *, namespaces: bool = True, runner_dir: str | None = None
    ) -> None:
        self._namespaces, self._runner_dir = namespaces, runner_dir
        super().__init__(settings)

    def _runner_argv(self, cgroup=None) -> list[str]:
        argv = super()._runner_argv(cgroup)
        if not self._namespaces:
            for cap in NAMESPACE_CAPS:
                at = argv.index(f"CAP_{cap}")
                del argv[at - 1 : at + 1]
        if self._runner_dir is not None:
            for at, arg in enumerate(argv):
                if arg == "--ro-bind" and argv[at + 1].endswith(("/runner.py", "/procutil.py")):
                    argv[at + 1] = os.path.join(self._runner_dir, os.path.basename(argv[at + 1]))
        return argv


def through(sandbox: Sandbox) -> Runner:
    def run(request: ExecutionRequest) -> bool:
        result = sandbox.execute(request)
        if result.status != "ok":
            print(f"{sandbox.name}: {result.status}: {result.stderr[-300:]}", file=sys.stderr)
        return result.status == "ok"

    return run


def timed_block(run: Runner, jobs: int, concurrency: int, offset: int) -> float:
    requests = [CASES[(offset + i) % len(CASES)] for i in range(jobs)]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(run, requests))
    elapsed = time.perf_counter() - start
    if not all(results):
        raise RuntimeError(f"{results.count(False)} of {jobs} executions failed")
    return elapsed


def measure(
    modes: dict[str, Runner], jobs: int, concurrency: int, latency_rounds: int
) -> dict[str, tuple[float, float]]:
    """Executions/s and median serial latency (ms) of each mode.

    The modes take turns in small blocks (and single executions for latency), so the load
    that other work puts on the host falls on all of them alike.
    """
    names = list(modes)
    block = max(concurrency * 2, 8)
    elapsed = dict.fromkeys(names, 0.0)
    done = dict.fromkeys(names, 0)
    for turn in range(max(1, jobs // block)):
        for name in names[turn % len(names) :] + names[: turn % len(names)]:
            elapsed[name] += timed_block(modes[name], block, concurrency, turn)
            done[name] += block
    samples: dict[str, list[float]] = {name: [] for name in names}
    for turn in range(latency_rounds):
        request = CASES[turn % len(CASES)]
        for name in names[turn % len(names) :] + names[: turn % len(names)]:
            start = time.perf_counter()
            if not modes[name](request):
                raise RuntimeError(f"{name}: an execution failed")
            samples[name].append((time.perf_counter() - start) * 1000)
    return {name: (done[name] / elapsed[name], statistics.median(samples[name])) for name in names}


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
    parser.add_argument(
        "--without-namespaces",
        action="store_true",
        help="also docker and bwrap pools whose runner lacks CAP_SYS_ADMIN (no job namespaces)",
    )
    parser.add_argument("--compare-image", help="also a docker pool of this image")
    parser.add_argument(
        "--compare-runner", help="also a bwrap pool running runner.py/procutil.py from this dir"
    )
    args = parser.parse_args()

    settings = SandboxSettings.from_env()
    settings = SandboxSettings(**{**settings.__dict__, "pool_size": args.concurrency})
    rows: list[tuple[str, float, float, float | None]] = []
    bare = "bare subprocess (no isolation)"
    overhead_ms: float | None = None
    fast: dict[str, Runner] = {bare: run_bare}
    slow: dict[str, Runner] = {bare: run_bare}
    with contextlib.ExitStack() as stack:
        reason = docker_unavailable_reason(settings.image)
        if reason is None:
            sandbox = DockerSandbox(settings)
            stack.callback(sandbox.close)
            warm(sandbox, settings)
            overhead_ms = transport_overhead_ms(sandbox)
            shares = docker_cpu_shares_file()
            if shares is None:
                fast["docker: warm pool + in-container runner"] = through(sandbox)
            else:
                # The same pool under two weights of Docker's cgroup: as configured (by
                # scripts/start_dockerd.sh) and Docker's default, one host process's worth.
                configured = shares.read_text().strip()
                stack.callback(shares.write_text, configured)
                fast[f"docker: warm pool + runner (cpu.shares={configured})"] = with_shares(
                    shares, configured, through(sandbox)
                )
                if configured != "1024":
                    fast["docker: same, Docker's default cpu.shares=1024"] = with_shares(
                        shares, "1024", through(sandbox)
                    )
            extra: dict[str, DockerSandbox] = {}
            if args.without_namespaces:
                extra["docker: same, runner without namespaces"] = docker_without_namespaces(
                    settings
                )
            if args.compare_image:
                own = SandboxSettings(**{**settings.__dict__, "image": args.compare_image})
                extra[f"docker: runner of {args.compare_image}"] = DockerSandbox(own)
            for name, other in extra.items():
                stack.callback(other.close)
                warm(other, settings)
                fast[name] = through(other)
            slow["`docker run` per execution (naive)"] = docker_run_once(settings.image)
            slow["`docker exec` into a warm container"] = stack.enter_context(
                docker_exec_warm(settings.image)
            )
        else:
            print(f"docker rows skipped: {reason}", file=sys.stderr)
        bwrap = BwrapSandbox(settings)
        if bwrap.problem() is None:
            fast["bwrap (local backend)"] = through(bwrap)
            variants = {}
            if args.without_namespaces:
                variants["bwrap: runner without namespaces"] = VariantBwrap(
                    settings, namespaces=False
                )
            if args.compare_runner:
                variants[f"bwrap: runner of {args.compare_runner}"] = VariantBwrap(
                    settings, runner_dir=args.compare_runner
                )
            for name, variant in variants.items():
                stack.callback(variant.close)
                warm(variant, settings)
                fast[name] = through(variant)

        for modes, jobs, rounds in (
            (fast, args.jobs, args.latency_rounds),
            (slow, args.docker_run_jobs, max(4, args.docker_run_jobs // 2)),
        ):
            if len(modes) == 1 and rows:
                continue
            figures = measure(modes, jobs, args.concurrency, rounds)
            bare_tput, bare_lat = figures[bare]
            for name, (tput, lat) in figures.items():
                if name == bare and rows:
                    continue
                rows.append(
                    (name, tput, tput / bare_tput, lat, None if name == bare else lat - bare_lat)
                )

    table = render(rows, args, overhead_ms)
    print(table)
    if args.write_docs:
        write_section(table)
        print(f"wrote {SECTION} in {DOCS}")


def docker_cgroup_weight() -> str:
    for path in ("/sys/fs/cgroup/cpu/docker/cpu.shares", "/sys/fs/cgroup/docker/cpu.weight"):
        with contextlib.suppress(OSError):
            return f"{Path(path).name}={Path(path).read_text().strip()}"
    return "unknown"


def transport_overhead_ms(sandbox: Sandbox, rounds: int = 30) -> float:
    samples = []
    for i in range(rounds):
        start = time.perf_counter()
        result = sandbox.execute(CASES[i % len(CASES)])
        samples.append((time.perf_counter() - start) * 1000 - result.duration_ms)
    return statistics.median(samples)


def render(rows, args, overhead_ms: float | None) -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} "
        f"cores ({platform.platform()}), by `python bench/sandbox_throughput.py`: "
        f"{args.jobs} executions per mode over {len(CASES)} small Python cases, "
        f"concurrency {args.concurrency}, the modes taking turns in small blocks; latency is "
        f"the median of {args.latency_rounds} serial executions, also taking turns. The "
        "`docker run`/`docker exec` rows come from a shorter run of their own "
        f"({args.docker_run_jobs} executions), each compared with bare subprocesses measured "
        "in turn with them. Targets: docker ≥ 0.6 × bare throughput, ≤ 15 ms added latency.",
        f"Host load average at the end: {load} (other work shares these cores); docker "
        f"cgroup {docker_cgroup_weight()} (set by scripts/start_dockerd.sh, see docs/sandbox.md).",
    ]
    lines = [*textwrap.wrap(" ".join(lines), 100)]
    lines += [
        "",
        "| how | executions/s | ÷ bare | median latency (ms) | added latency (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, tput, ratio, lat, added in rows:
        added_text = "" if added is None else f"{added:+.1f}"
        lines.append(f"| {name} | {tput:.1f} | {ratio:.2f} | {lat:.1f} | {added_text} |")
    overhead = "not measured" if overhead_ms is None else f"{overhead_ms:.1f} ms"
    lines += ["", *textwrap.wrap(READING_NOTE.format(overhead=overhead), 100)]
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
