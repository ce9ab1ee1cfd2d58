"""The `rewardd` command: serve, worker, grade, convert."""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rewardd import __version__
from rewardd.code_formats.command import add_parser as add_convert_parser
from rewardd.code_formats.command import run as convert_file
from rewardd.logs import configure_logging
from rewardd.recipes import RECIPES

EPILOG = """\
environment (every setting is a REWARDD_* variable; see docs/deploy.md for all):
  REWARDD_BROKER_URL   redis://host:6379/0 to hand work to `rewardd worker`s (distributed
                       mode); unset, `serve` grades in-process (embedded mode)
  REWARDD_SANDBOX      docker | local | auto (default): where code runs
  REWARDD_POOL_SIZE    math grading processes (default: one per core)
  REWARDD_CODE_THREADS code items graded at once (default 8)
  REWARDD_MATH_ITEM_TIMEOUT_S  wall-clock backstop per math item (default 60)

examples:
  rewardd serve                                  # embedded, on 127.0.0.1:8000
  REWARDD_BROKER_URL=redis://127.0.0.1:6379/0 rewardd serve --host 0.0.0.0
  REWARDD_BROKER_URL=redis://127.0.0.1:6379/0 rewardd worker
  rewardd grade samples.jsonl -o rewards.jsonl --recipe r1-zero
  rewardd convert --format apps test.jsonl -o items.jsonl   # a code dataset as items
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
        "Celery workers over Redis. OpenAPI docs at /docs and /redoc (no CDN needed). "
        "Limits on what clients may hold (body and header timeouts, a connection cap) are "
        "REWARDD_* settings too: docs/deploy.md.",
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
        "format) and write one result per line, in order. Bad lines get an error result "
        "(code invalid_item); nothing is dropped.",
        epilog=GRADE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    grade.add_argument("input", type=Path, help="JSONL file of items ('-' for stdin)")
    grade.add_argument("-o", "--output", type=Path, help="JSONL results (default: stdout)")
    grade.add_argument(
        "--recipe", default="r1", help=f"weights preset: {', '.join(RECIPES)} (default r1)"
    )
    grade.add_argument(
        "--weights",
        type=_json_object,
        default=None,
        metavar="JSON",
        help='weights replacing the recipe\'s, e.g. \'{"accuracy": 1, "format": 0.5}\'',
    )
    grade.add_argument(
        "--params",
        type=_json_object,
        default=None,
        metavar="JSON",
        help="component parameters for every line, as the API's `params`, e.g. "
        '\'{"cosine": {"max_len": 2048}}\' (docs/api.md lists them)',
    )
    grade.add_argument(
        "--allow-errors",
        action="store_true",
        help="exit 0 even when some lines could not be graded (their results say why)",
    )
    grade.add_argument(
        "--batch-size", type=int, default=256, help="items in flight at once (default 256)"
    )
    grade.add_argument(
        "--timeout", type=float, default=600.0, help="seconds allowed per batch (default 600)"
    )
    add_convert_parser(commands)
    return parser


GRADE_EPILOG = """\
exit status:
  0  every line was graded (or --allow-errors was given)
  1  at least one line has an error: invalid_item (not a valid item), timeout,
     bad_reference, sandbox_error or internal; each such result says why
  2  the command itself is wrong: unknown recipe, bad --weights or --params,
     unreadable input

example:
  echo '{"completion": "<think>2+2</think><answer>4</answer>", "reference": {"answer": "4"}}' \\
    | rewardd grade - --recipe r1-zero
"""


def _json_object(text: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("expected a JSON object, e.g. '{\"accuracy\": 1}'")
    return value


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "worker":
        configure_logging(args.log_level.upper())
        from rewardd.execution.celery_app import run_worker

        run_worker(args.concurrency, args.log_level.upper(), args.metrics_port)
        return 0
    if args.command == "convert":
        return convert_file(args)
    return _grade(args)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from rewardd.api.app import create_app
    from rewardd.api.limits import header_deadline_protocol
    from rewardd.config import get_settings

    configure_logging(args.log_level.upper())
    settings = get_settings()
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_level=args.log_level.lower(),
        log_config=None,
        access_log=False,
        # Bounds on what clients can hold: slow headers and idle keep-alive connections are
        # closed, past max_connections new requests get a 503, slow bodies a 408 (BodyLimits).
        http=header_deadline_protocol(settings.header_timeout_s),
        timeout_keep_alive=settings.keep_alive_s,
        limit_concurrency=settings.max_connections,
    )
    return 0


def _grade(args: argparse.Namespace) -> int:
    from rewardd.recipes import UnknownRecipe, resolve_weights
    from rewardd.rewards.parameters import checked_params, for_components

    configure_logging("WARNING")
    try:
        _, weights = resolve_weights(args.recipe, args.weights)
    except UnknownRecipe as exc:
        return _usage_error(str(exc))
    unknown = sorted(set(weights) - _component_names())
    if unknown:
        return _usage_error(f"unknown component(s) in --weights: {', '.join(unknown)}")
    grouped = sorted(set(weights) & _group_component_names())
    if grouped:
        # A file is graded batch by batch, and a group may span batches.
        return _usage_error(
            f"{', '.join(grouped)} is scored relative to the other items of a group, "
            "which rewardd grade does not do; grade through POST /v1/rewards"
        )
    try:
        params = for_components(checked_params(args.params or {}), weights)
    except ValueError as exc:
        return _usage_error(f"bad --params: {exc}")
    try:
        lines = _read_lines(args.input)
    except (OSError, UnicodeDecodeError) as exc:
        return _usage_error(f"cannot read {args.input}: {exc}")
    try:
        target = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    except OSError as exc:
        return _usage_error(f"cannot write {args.output}: {exc}")
    from rewardd.config import get_settings
    from rewardd.execution.local import LocalGrader

    grader = LocalGrader.from_settings(get_settings())
    failures = 0
    try:
        with _progress_bar() as bar:
            progress = bar.add_task("grading", total=len(lines))
            for batch in _batches(lines, args.batch_size):
                results = _grade_lines(
                    grader, batch, weights, params, args.timeout, lambda: bar.advance(progress)
                )
                for result in results:
                    failures += result.get("error") is not None
                    target.write(json.dumps(result, ensure_ascii=False) + "\n")
    finally:
        grader.close()
        if target is not sys.stdout:
            target.close()
    print(f"graded {len(lines)} items, {failures} with an error", file=sys.stderr)
    if failures and not args.allow_errors:
        print(
            "rewardd grade: exit status 1 because some lines have an error "
            "(see their `error`); pass --allow-errors to exit 0 anyway",
            file=sys.stderr,
        )
        return 1
    return 0


def _usage_error(message: str) -> int:
    print(f"rewardd grade: {message}", file=sys.stderr)
    return 2


def _component_names() -> set[str]:
    from rewardd.rewards.registry import COMPONENTS

    return set(COMPONENTS)


def _group_component_names() -> set[str]:
    from rewardd.rewards.registry import GROUP_COMPONENTS

    return set(GROUP_COMPONENTS)


def _read_lines(source: Path) -> list[str]:
    if str(source) == "-":
        return sys.stdin.read().splitlines()
    return source.read_text(encoding="utf-8").splitlines()


def _progress_bar() -> Any:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class ItemsPerSecond(ProgressColumn):
        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.1f} items/s" if speed else "– items/s")

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        ItemsPerSecond(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )


def _batches(lines: list[str], size: int) -> Iterator[list[tuple[int, str]]]:
    numbered = list(enumerate(lines, start=1))
    for start in range(0, len(numbered), size):
        yield numbered[start : start + size]


def _grade_lines(
    grader: Any,
    batch: list[tuple[int, str]],
    weights: dict[str, float],
    params: dict[str, dict[str, Any]],
    timeout_s: float,
    item_done: Callable[[], None],
) -> list[dict[str, Any]]:
    """One result per line, in order; `item_done` is called as each item finishes.

    `params` (already checked) go into every item, as the API puts a request's into its items.
    """
    from pydantic import ValidationError

    from rewardd.api.limits import printable
    from rewardd.api.schemas import RewardItem
    from rewardd.grading import TIMINGS_KEY, failed_result
    from rewardd.rewards.types import ItemError

    results: list[dict[str, Any] | None] = [None] * len(batch)
    valid: list[tuple[int, dict[str, Any]]] = []
    for position, (line_number, line) in enumerate(batch):
        try:
            # json.loads, as the API does, so both name a field holding a lone surrogate.
            item = RewardItem.model_validate(json.loads(line)).wire()
            valid.append((position, {**item, "params": params} if params else item))
        except ValidationError as exc:
            problem = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'item'}: {e['msg']}" for e in exc.errors()
            )
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, a 5000-digit integer
            problem = f"not JSON: {exc}"
        else:
            continue
        message = printable(f"line {line_number}: invalid item: {problem}")
        results[position] = failed_result(None, weights, ItemError("invalid_item", message))
        item_done()
    deadline = time.monotonic() + timeout_s
    futures = [grader.submit(item, weights, deadline) for _, item in valid]
    for future in futures:
        future.add_done_callback(lambda _: item_done())
    concurrent.futures.wait(futures, timeout=max(0.0, deadline - time.monotonic()) + 1.0)
    for (position, item), future in zip(valid, futures, strict=True):
        result = grader.outcome(future, item.get("id"), weights)
        result.pop(TIMINGS_KEY, None)
        results[position] = result
    return results  # type: ignore[return-value]


if __name__ == "__main__":
    sys.exit(main())
