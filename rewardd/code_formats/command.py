"""`rewardd convert`: a dataset file in, one rewardd item (prompt + reference) per record out."""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from rewardd.code_formats import FORMATS, IMAGES, FormatError, convert

DESCRIPTION = """\
Turn the records of a code dataset into rewardd items: one JSON line per record, with
"task": "code", the record's "prompt" and "id" when it has them, and the "reference" the
service grades against. Add a "completion" to each and send them to POST /v1/rewards or
`rewardd grade`; `python -m trainer_client.grpo` and `trainer_client.sample` read the same lines.
Records that cannot be converted are reported on stderr with their line number, and left out.
"""

EPILOG = """\
formats (docs/rewards-code.md, "Dataset formats", gives each mapping):
  humaneval      openai/human-eval HumanEval.jsonl(.gz)
  mbpp           google-research mbpp.jsonl and sanitized-mbpp.json
  apps, taco     input_output with inputs/outputs (fn_name: call-based)
  codecontests   deepmind/code_contests: public, private and generated tests
  livecodebench  public_test_cases / private_test_cases (compressed ones too)
  openr1         open-r1's verification_info column
  verl           verl rows (reward_model.ground_truth) or bare {"inputs", "outputs"}
  auto           (default) told by each record's keys

input: JSON lines, a JSON array (.json), gzip of either (.gz), Parquet (.parquet), or -
for stdin (JSON lines).

exit status:
  0  every record was converted (or --allow-errors was given)
  1  some records could not be converted; each is named on stderr
  2  the command itself is wrong: unknown format, unreadable input or output

examples:
  rewardd convert HumanEval.jsonl.gz -o humaneval.jsonl
  rewardd convert --format apps test.jsonl -o apps.jsonl --image default
  rewardd convert train.parquet --format verl --timeout-s 10 > items.jsonl
"""


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "convert",
        help="turn a code dataset (APPS, MBPP, verl, ...) into rewardd items",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", type=Path, help="dataset file ('-' for JSON lines on stdin)")
    parser.add_argument("-o", "--output", type=Path, help="JSON lines out (default: stdout)")
    parser.add_argument(
        "--format",
        default="auto",
        choices=["auto", *FORMATS],
        help="the records' format (default auto: told by each record's keys)",
    )
    parser.add_argument(
        "--image",
        choices=IMAGES,
        default=None,
        help="sandbox image of every reference (default: the format's own; APPS and TACO "
        "use sci, as their harness imports numpy)",
    )
    parser.add_argument(
        "--apps-outputs",
        choices=("unwrap", "harness"),
        default="unwrap",
        help="APPS and TACO call-based outputs: unwrap (default: the value inside APPS's "
        "one-element list, compared by the judge) or harness (as stored, with a checker that "
        "accepts what APPS's harness accepts)",
    )
    parser.add_argument(
        "--timeout-s",
        type=_positive_seconds,
        default=None,
        metavar="SECONDS",
        help="CPU seconds per case (default: the service's, 5)",
    )
    parser.add_argument(
        "--allow-errors",
        action="store_true",
        help="exit 0 even when some records could not be converted",
    )


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def run(args: argparse.Namespace) -> int:
    try:
        rows = list(read_records(args.input))
    except (OSError, UnicodeDecodeError, ValueError, ImportError) as exc:
        return _usage_error(f"cannot read {args.input}: {exc}")
    try:
        target: IO[str] = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    except OSError as exc:
        return _usage_error(f"cannot write {args.output}: {exc}")
    from rewardd.cli import _progress_bar

    fmt = None if args.format == "auto" else args.format
    failures = 0
    try:
        with _progress_bar() as bar:
            progress = bar.add_task("converting", total=len(rows))
            for number, row in rows:
                try:
                    if isinstance(row, FormatError):
                        raise row
                    converted = convert(
                        row,
                        fmt,
                        image=args.image,
                        timeout_s=args.timeout_s,
                        apps_outputs=args.apps_outputs,
                    )
                except (ValueError, TypeError, KeyError, AttributeError) as exc:
                    # FormatError names the field; anything else is a record of a shape
                    # no converter expected, reported the same way rather than a traceback.
                    failures += 1
                    bar.console.print(f"record {number}: {exc}", markup=False, highlight=False)
                else:
                    target.write(json.dumps(converted.item(), ensure_ascii=False) + "\n")
                bar.advance(progress)
    finally:
        if target is not sys.stdout:
            target.close()
    print(f"converted {len(rows) - failures} of {len(rows)} records", file=sys.stderr)
    if failures and not args.allow_errors:
        print(
            f"rewardd convert: exit status 1 because {failures} records could not be converted "
            "(named above); pass --allow-errors to exit 0 anyway",
            file=sys.stderr,
        )
        return 1
    return 0


def read_records(path: Path) -> Iterator[tuple[int, Any]]:
    """(record number, record) pairs; a line that is not JSON comes as a FormatError."""
    name = str(path)
    if name.endswith(".parquet"):
        import pyarrow.parquet

        yield from enumerate(pyarrow.parquet.read_table(path).to_pylist(), start=1)
        return
    if name == "-":
        text = sys.stdin.read()
    elif name.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8") as compressed:
            text = compressed.read()
    else:
        text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):  # a JSON array (sanitized-mbpp.json)
        rows = json.loads(text)
        yield from enumerate(rows, start=1)
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except ValueError as exc:
            yield number, FormatError(f"not JSON: {exc}")


def _usage_error(message: str) -> int:
    print(f"rewardd convert: {message}", file=sys.stderr)
    return 2
