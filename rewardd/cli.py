"""The `rewardd` command: serve, worker, grade."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rewardd import __version__
from rewardd.logs import configure_logging

EPILOG = """\
environment:
  REWARDD_BROKER_URL   redis://host:6379/0 to hand work to `rewardd worker`s (distributed
                       mode); unset, `serve` grades in-process (embedded mode)
  REWARDD_SANDBOX      docker | local | auto (default): where code runs
  REWARDD_POOL_SIZE    grading processes (default: one per core)
  REWARDD_MATH_ITEM_TIMEOUT_S  hard deadline per math item (default 10)

examples:
  rewardd serve                                  # embedded, on 127.0.0.1:8000
  REWARDD_BROKER_URL=redis://127.0.0.1:6379/0 rewardd serve --host 0.0.0.0
  REWARDD_BROKER_URL=redis://127.0.0.1:6379/0 rewardd worker
  rewardd grade samples.jsonl -o rewards.jsonl --recipe r1-zero
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rewardd",
        description="Verifiable rewards for RL training of reasoning models: math answers, "
        "R1 format, language consistency and sandboxed code tests.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"rewardd {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run the HTTP service",
        description="Run the HTTP API. Embedded mode (no REWARDD_BROKER_URL) grades in a "
        "pool of killable worker processes on this host; distributed mode hands work to "
        "Celery workers over Redis. OpenAPI docs at /docs.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    serve.add_argument("--log-level", default="info", help="debug, info, warning (default info)")

    worker = commands.add_parser(
        "worker",
        help="run a Celery worker (distributed mode)",
        description="Take grading work from the broker in REWARDD_BROKER_URL. Start as many "
        "as you like, on any hosts that reach the broker.",
    )
    worker.add_argument(
        "--concurrency", type=int, default=None, help="chunks in flight (default 2 × pool size)"
    )
    worker.add_argument("--log-level", default="INFO")
    worker.add_argument(
        "--metrics-port",
        type=int,
        default=None,
        help="serve this worker's Prometheus metrics (sandbox outcomes, pool) on this port",
    )

    grade = commands.add_parser(
        "grade",
        help="grade a JSONL file offline, no server needed",
        description="Grade a file of items (one JSON item per line, the /v1/rewards item "
        "format) and write one result per line, in order. Bad lines get an error result; "
        "nothing is dropped.",
    )
    grade.add_argument("input", type=Path, help="JSONL file of items ('-' for stdin)")
    grade.add_argument("-o", "--output", type=Path, help="JSONL results (default: stdout)")
    grade.add_argument("--recipe", default="r1", help="r1 (default), r1-zero or code")
    grade.add_argument(
        "--weights", type=json.loads, default=None, help="JSON weights, e.g. '{\"accuracy\": 1}'"
    )
    grade.add_argument("--batch-size", type=int, default=256, help="items graded at once")
    grade.add_argument(
        "--timeout", type=float, default=600.0, help="seconds allowed per batch (default 600)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "worker":
        configure_logging(args.log_level.upper())
        from rewardd.execution.celery_app import run_worker

        run_worker(args.concurrency, args.log_level.upper(), args.metrics_port)
        return 0
    return _grade(args)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from rewardd.api.app import create_app

    configure_logging(args.log_level.upper())
    uvicorn.run(
        create_app(),
        host=args.host,
        port=args.port,
        log_level=args.log_level.lower(),
        log_config=None,
        access_log=False,
    )
    return 0


def _grade(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import Progress

    from rewardd.recipes import UnknownRecipe, resolve_weights

    configure_logging("WARNING")
    try:
        _, weights = resolve_weights(args.recipe, args.weights)
    except UnknownRecipe as exc:
        print(f"rewardd grade: {exc}", file=sys.stderr)
        return 2
    source = sys.stdin if str(args.input) == "-" else args.input.open(encoding="utf-8")
    lines = source.read().splitlines()
    target = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    from rewardd.execution.local import LocalGrader

    grader = LocalGrader()
    failures = 0
    try:
        with Progress(console=Console(stderr=True)) as bar:
            progress = bar.add_task("grading", total=len(lines))
            for batch in _batches(lines, args.batch_size):
                for result in _grade_lines(grader, batch, weights, args.timeout):
                    failures += result.get("error") is not None
                    target.write(json.dumps(result, ensure_ascii=False) + "\n")
                bar.advance(progress, len(batch))
    finally:
        grader.close()
        if target is not sys.stdout:
            target.close()
    print(f"graded {len(lines)} items, {failures} with an error", file=sys.stderr)
    return 0


def _batches(lines: list[str], size: int) -> Iterator[list[tuple[int, str]]]:
    numbered = list(enumerate(lines, start=1))
    for start in range(0, len(numbered), size):
        yield numbered[start : start + size]


def _grade_lines(
    grader: Any, batch: list[tuple[int, str]], weights: dict[str, float], timeout_s: float
) -> list[dict[str, Any]]:
    from pydantic import ValidationError

    from rewardd.api.schemas import RewardItem
    from rewardd.grading import TIMINGS_KEY, failed_result
    from rewardd.rewards.types import ItemError

    results: list[dict[str, Any] | None] = [None] * len(batch)
    valid: list[tuple[int, dict[str, Any]]] = []
    for position, (line_number, line) in enumerate(batch):
        try:
            valid.append((position, RewardItem.model_validate_json(line).wire()))
        except ValidationError as exc:
            problem = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'item'}: {e['msg']}" for e in exc.errors()
            )
            error = ItemError("invalid_item", f"line {line_number}: invalid item: {problem}")
            results[position] = failed_result(None, weights, error)
    deadline = time.monotonic() + timeout_s
    graded = grader.grade_batch([item for _, item in valid], weights, deadline)
    for (position, _), result in zip(valid, graded, strict=True):
        result.pop(TIMINGS_KEY, None)
        results[position] = result
    return results  # type: ignore[return-value]


if __name__ == "__main__":
    sys.exit(main())
