"""Code rewards: find the code, lint it, and run its cases in the sandbox.

    extract_code(completion)      the last fenced block of the answer
    code_format(item)             1 when the <answer> holds a block of the reference language
    lint(item)                    ruff: 0 if it does not parse, else max(0, 1 - 0.1 x violations)
    run_cases(item, sandbox)      share of cases passed, judged in ONE sandbox job

How run_cases stays unhackable is described in docs/rewards-code.md and in the judge
package that runs inside the sandbox, sandbox/judge/.
"""

from __future__ import annotations

import ast
import json
import logging
import re
import secrets
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sandbox
from rewardd.rewards.blocks import answer_block
from rewardd.rewards.code_cases import BadReference, CasePlan, plan_cases
from rewardd.rewards.types import GradingInput, ItemError, Score, not_applicable
from sandbox import procutil

if TYPE_CHECKING:
    from sandbox import ExecutionRequest, ExecutionResult, Sandbox

__all__ = ["LINT_RULES", "code_format", "extract_code", "judge_code", "lint", "run_cases"]

log = logging.getLogger(__name__)

LANGUAGE_TAGS: dict[str, tuple[str, ...]] = {
    "python": ("python", "py", "python3"),
    "cpp": ("cpp", "c++", "cc", "cxx"),
    "c": ("c",),
    "javascript": ("javascript", "js"),
    "typescript": ("typescript", "ts"),
    "java": ("java",),
    "rust": ("rust", "rs"),
    "go": ("go", "golang"),
    "bash": ("bash", "sh", "shell"),
}

# pycodestyle errors and warnings, pyflakes and bugbear: style and likely bugs, not taste.
LINT_RULES = ("E", "F", "W", "B")
LINT_LINE_LENGTH = 100
LINT_PENALTY = 0.1
LINT_TIMEOUT_S = 20.0

# A job's timeout is CPU time (the sandbox caps it at 60 s); the cases' CPU budget fits in
# it, and the wall-clock backstop behind it (procutil.wall_backstop_s) is generous.
MAX_BUDGET_S = 45.0
JOB_SLACK_S = 5.0
MAX_JOB_TIMEOUT_S = 60.0
# The judge stops starting cases this long before the sandbox's wall-clock backstop, and a
# running case is cut then: what is left is for killing and sweeping the case's processes and
# sending the verdict. 3 s was too little for a case with 24 processes of 200 MB each on a
# loaded host without cgroups (bwrap): the sandbox's backstop came first, and the item null.
WALL_MARGIN_S = 8.0
DEFAULT_CASE_MEMORY_MB = 256
JUDGE_MEMORY_MB = 128  # the judge's own share of the job's memory
MAX_REASON_CHARS = 300

# The judge package, shipped to the sandbox as files (see sandbox/judge/__init__.py).
SANDBOX_DIR = Path(sandbox.__file__).resolve().parent
JUDGE_DIR = SANDBOX_DIR / "judge"

# Completions are capped at 1 MiB by the API; the scan never reads past that.
MAX_SCAN_CHARS = 1 << 20
# An info string's tag: a single greedy class, so it matches in one linear pass.
_TAG = re.compile(r"[^\s`{]*")


# --- extraction and format --------------------------------------------------------------------


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """(tag, body) of every closed fenced code block, in order; tags are lower-cased.

    Linear in the text: each line is looked at once as a possible opening and at most once
    as a possible closing (a regex with two adjacent stars backtracked quadratically on a
    fence line followed by 30 kB of text).
    """
    blocks: list[tuple[str, str]] = []
    lines = text[:MAX_SCAN_CHARS].split("\n")
    i = 0
    while i < len(lines):
        opening = fence_opening(lines[i])
        if opening is None:
            i += 1
            continue
        fence, tag = opening
        for j in range(i + 1, len(lines)):
            if is_fence_closing(lines[j], fence):
                blocks.append((tag.lower(), "\n".join(lines[i + 1 : j])))
                i = j + 1
                break
        else:
            break  # an unclosed fence (a truncated completion) holds no usable code
    return blocks


def fence_opening(line: str) -> tuple[str, str] | None:
    """(fence, tag) when the line opens a fenced block: indentation of spaces and tabs, 3 or
    more backticks or tildes, then an info string with no backtick; else None."""
    body = line.lstrip(" \t")
    mark = body[:1]
    if mark not in ("`", "~"):
        return None
    run = len(body) - len(body.lstrip(mark))
    if run < 3:
        return None
    rest = body[run:]
    if "`" in rest:
        return None
    return body[:run], _TAG.match(rest.lstrip(" \t"))[0]


def is_fence_closing(line: str, fence: str) -> bool:
    """Whether the line closes a block opened by `fence`: at least as many of its marks,
    with only spaces and tabs around them."""
    body = line.strip(" \t")
    return len(body) >= len(fence) and body == fence[0] * len(body)


def _tags(language: str) -> tuple[str, ...]:
    language = language.strip().lower()
    return LANGUAGE_TAGS.get(language, (language,))


def extract_code(completion: str, language: str = "python") -> str | None:
    """The last fenced code block of the answer, preferring blocks tagged with the language.

    The answer is the <answer> block when there is one, else the whole completion.
    """
    answer = answer_block(completion)
    blocks = _nonempty(fenced_blocks(completion if answer is None else answer))
    tagged = [body for tag, body in blocks if tag in _tags(language)]
    if tagged:
        return tagged[-1]
    return blocks[-1][1] if blocks else None


def _nonempty(blocks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(tag, body) for tag, body in blocks if body.strip()]


def language_of(item: GradingInput) -> str:
    """The reference's language, lower-cased (python by default)."""
    return str(item.reference.get("language") or "python").strip().lower()


def code_format(item: GradingInput) -> Score:
    """1 when the <answer> block holds a fenced code block of the reference language, and no
    reasoning follows the answer (open-r1's order: <think> first, then <answer>)."""
    language = language_of(item)
    answer = answer_block(item.completion)
    if answer is None:
        return Score(0.0, "no <answer> block", {"language": language})
    if _reasoning_after_answer(item.completion):
        return Score(0.0, "a <think> block comes after the <answer>", {"language": language})
    tags = [tag for tag, _ in _nonempty(fenced_blocks(answer))]
    if any(tag in _tags(language) for tag in tags):
        return Score(1.0, f"the answer holds a {language} code block", {"language": language})
    if tags:
        found = ", ".join(tag or "untagged" for tag in tags)
        return Score(
            0.0, f"the answer's code blocks are {found}, not {language}", {"language": language}
        )
    return Score(0.0, "the answer holds no fenced code block", {"language": language})


def _reasoning_after_answer(completion: str) -> bool:
    first_answer = completion.find("<answer>")
    return first_answer != -1 and completion.rfind("</think>") > first_answer


# --- lint -------------------------------------------------------------------------------------


@cache
def _ruff_executable() -> str | None:
    try:
        from ruff.__main__ import find_ruff_bin

        return str(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        return shutil.which("ruff")


def lint(item: GradingInput) -> Score:
    """ruff on the extracted code: 0 if it does not parse, else max(0, 1 - 0.1 x violations)."""
    language = language_of(item)
    if language not in _tags("python"):
        return not_applicable(f"lint runs on python code only, not {language}")
    code = extract_code(item.completion, language)
    if code is None:
        return not_applicable("no code block to lint")
    try:
        ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        message = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
        return Score(0.0, f"the code does not parse: {message}", {"parses": False})
    ruff = _ruff_executable()
    if ruff is None:
        return _lint_unavailable("the ruff executable is not installed")
    command = [
        ruff,
        "check",
        "--isolated",
        "--no-cache",
        "--ignore-noqa",  # suppression comments must not buy a better score
        "--exit-zero",
        "--output-format",
        "json",
        "--select",
        ",".join(LINT_RULES),
        "--line-length",
        str(LINT_LINE_LENGTH),
        "--target-version",
        "py311",
        "--stdin-filename",
        "solution.py",
        "-",
    ]
    try:
        finished = subprocess.run(
            command,
            # A fenced block has no final newline; W292 would punish the extraction.
            input=code if code.endswith("\n") else code + "\n",
            capture_output=True,
            text=True,
            timeout=LINT_TIMEOUT_S,
            check=False,
        )
        diagnostics = json.loads(finished.stdout)
    except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
        return _lint_unavailable(f"ruff failed: {type(exc).__name__}: {exc}")
    codes = [d.get("code") or "invalid-syntax" for d in diagnostics]
    if "invalid-syntax" in codes:  # ruff's parser is stricter than this interpreter's
        return Score(0.0, "the code does not parse (ruff)", {"parses": False})
    value = max(0.0, 1.0 - LINT_PENALTY * len(codes))
    shown = [f"{d['code']} line {d['location']['row']}: {d['message']}" for d in diagnostics[:10]]
    reason = (
        "no violations"
        if not codes
        else f"{len(codes)} violation(s): {', '.join(sorted(set(codes)))}"
    )
    return Score(value, reason, {"parses": True, "violations": len(codes), "messages": shown})


def _lint_unavailable(message: str) -> Score:
    return Score(None, message, error=ItemError("internal", message))


# --- running the cases ------------------------------------------------------------------------


# The sandbox modules the judge shares with the runner, shipped next to its package.
JUDGE_SHARED_FILES = ("procutil.py", "syscall_filter.py")


@cache
def judge_files() -> dict[str, str]:
    """The judge's files, by their path in the job: the package and the plumbing it shares
    with the runner, without sandbox/__init__.py (a namespace package there)."""
    files = {
        f"sandbox/judge/{path.name}": path.read_text(encoding="utf-8")
        for path in sorted(JUDGE_DIR.glob("*.py"))
    }
    for name in JUDGE_SHARED_FILES:
        files[f"sandbox/{name}"] = (SANDBOX_DIR / name).read_text(encoding="utf-8")
    return files


def build_payload(plan: CasePlan, code: str, token: str, memory_mb: int) -> dict[str, Any]:
    """The judge's stdin: everything it needs, including what the solution must never see."""
    budget_s = min(plan.budget_s, MAX_BUDGET_S)
    return {
        "token": token,
        "mode": plan.mode,
        "budget_s": budget_s,
        "wall_s": procutil.wall_backstop_s(job_timeout_s(budget_s)) - WALL_MARGIN_S,
        "memory_mb": memory_mb,
        "solution": code,
        "preamble": plan.preamble,
        "checker": plan.checker,
        "fn_name": plan.fn_name,
        "sources": plan.sources,
        "cases": plan.cases,
    }


def judge_request(payload: dict[str, Any], image: str = "default") -> ExecutionRequest:
    """The sandbox job that judges one completion: the judge package, started as a judge."""
    from sandbox import ExecutionRequest

    return ExecutionRequest(
        code="",
        judge=True,
        files=judge_files(),
        language="python",
        stdin=json.dumps(payload),
        timeout_s=job_timeout_s(payload["budget_s"]),
        memory_mb=payload["memory_mb"] + JUDGE_MEMORY_MB,
        image=image,
    )


def job_timeout_s(budget_s: float) -> float:
    return min(budget_s + JOB_SLACK_S, MAX_JOB_TIMEOUT_S)


def _case_memory_mb(reference: dict[str, Any]) -> int:
    raw = reference.get("memory_mb", DEFAULT_CASE_MEMORY_MB)
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return DEFAULT_CASE_MEMORY_MB
    return int(min(max(raw, 64), 1024 - JUDGE_MEMORY_MB))


def run_cases(item: GradingInput, sandbox: Sandbox) -> Score:
    """The share of the reference's cases the extracted code passes, from one sandbox job.

    details: {"passed": n, "total": m, "cases": [{"name", "passed", "reason"}, ...]}.
    A reference with no usable tests gives None with a bad_reference error, a sandbox that
    failed gives None with a sandbox_error: never a made-up score.
    """
    try:
        plan = plan_cases(item.reference)
    except BadReference as exc:
        return Score(None, f"bad reference: {exc}", error=ItemError("bad_reference", str(exc)))
    total = len(plan.cases)
    code = extract_code(item.completion, language_of(item))
    if code is None:
        cases = [{"name": c["name"], "passed": False, "reason": "no code"} for c in plan.cases]
        return Score(
            0.0,
            "no fenced code block in the answer",
            {"passed": 0, "total": total, "cases": cases, "style": plan.mode},
        )

    return judge_code(code, plan, item.reference, sandbox)


def judge_code(code: str, plan: CasePlan, reference: dict[str, Any], sandbox: Sandbox) -> Score:
    """The score of `code` on the plan's cases, from one sandbox job (run_cases' second half;
    the efficiency component also judges plans with timing repeats, and reference code)."""
    token = secrets.token_hex(16)
    payload = build_payload(plan, code, token, _case_memory_mb(reference))
    request = judge_request(payload, plan.image)
    try:
        result = sandbox.execute(request)
    except Exception as exc:  # the sandbox promises not to raise; if it does, it is broken
        return _sandbox_failed(f"the sandbox raised {type(exc).__name__}: {exc}")
    return score_job(result, token, plan)


def score_job(result: ExecutionResult, token: str, plan: CasePlan) -> Score:
    """Turn the judge's job into a score; only a line carrying our token is a verdict."""
    total = len(plan.cases)
    if result.status == "sandbox_error":
        return _sandbox_failed(f"the sandbox failed: {_tail(result.stderr)}")
    lines = _judge_lines(result.stdout, token)
    if "rewardd_verdict" in lines:
        verdict = lines["rewardd_verdict"]
        cases = verdict.get("cases")
        if not isinstance(cases, list) or len(cases) != total:
            return _sandbox_failed("the judge's verdict does not match the cases sent")
        _log_judge_problems(verdict, lines.get("rewardd_started", {}), plan)
        if any(isinstance(c, dict) and c.get("timeout") is True for c in cases):
            # Only load stops a case that was computing within its CPU limit: no verdict.
            message = "a case was stopped by the wall-clock backstop while it computed"
            return Score(None, message, error=ItemError("timeout", message))
        passed = sum(1 for case in cases if isinstance(case, dict) and case.get("passed") is True)
        details = {"passed": passed, "total": total, "cases": cases, "style": plan.mode}
        if verdict.get("internal_errors"):
            # Each failed its case; they travel with the item (and its id) to the logs.
            details["judge_errors"] = [
                str(e)[:MAX_REASON_CHARS] for e in verdict["internal_errors"]
            ]
        return Score(passed / total, f"{passed} of {total} cases passed", details)
    if "rewardd_internal_error" in lines:
        message = f"the judge failed: {lines['rewardd_internal_error'].get('message')}"
        log.error("code judge: %s", message)
        return Score(None, message, error=ItemError("internal", message))
    if "rewardd_started" not in lines:
        return _sandbox_failed(
            f"the judge never started (status {result.status}): {_tail(result.stderr)}"
        )
    over_limit = _cases_over_limit(result.stdout, token, total)
    if over_limit:
        # A case failed by passing its own limit, and then the job ran out of its budget
        # (sweeping that case's processes, say): the solution's doing, scored, never null.
        reason = "not judged: the job ran out of its budget after a case passed its own limit"
        cases = [
            {**over_limit[i], "passed": False}
            if i in over_limit
            else {"name": c["name"], "passed": False, "reason": reason}
            for i, c in enumerate(plan.cases)
        ]
        details = {"passed": 0, "total": total, "cases": cases, "style": plan.mode}
        return Score(0.0, "a case passed its own limit, then the job's", details)
    hardening = lines["rewardd_started"].get("hardening") or {}
    if result.status == "timeout" and hardening.get("separate_uids") is True:
        # Under its own uid nothing of the solution can stop the judge: the backstop fell.
        message = "the judge was stopped by the sandbox's wall-clock backstop"
        return Score(None, message, error=ItemError("timeout", message))
    # One uid: only the solution's processes run next to the judge, so they stopped or
    # killed it. Every case fails; that is what they earned.
    if result.status == "timeout":
        reason = "the judge was stopped at the job's time limit (the solution stalled its runner?)"
    else:
        reason = (
            f"the judge was killed before its verdict (status {result.status}, exit code "
            f"{result.exit_code}): the solution killed its runner"
        )
    cases = [{"name": c["name"], "passed": False, "reason": reason} for c in plan.cases]
    return Score(0.0, reason, {"passed": 0, "total": total, "cases": cases, "style": plan.mode})


def _log_judge_problems(verdict: dict[str, Any], started: dict[str, Any], plan: CasePlan) -> None:
    """The judge's own failures failed their cases; they are still bugs to see in the logs."""
    where = f"{plan.mode} item of {len(plan.cases)} case(s), reference {plan.digest}"
    for message in verdict.get("internal_errors") or []:
        log.error("code judge internal failure (%s): %s", where, message)
    if verdict.get("late_imports"):
        log.error("code judge imported after the payload (%s): %s", where, verdict["late_imports"])
    hardening = started.get("hardening") or {}
    if hardening.get("separate_uids") is False:
        _warn_one_principal()


@cache
def _warn_one_principal() -> None:
    log.warning(
        "code judge: the sandbox gives the judge and the cases one uid (rootless bwrap or the "
        "unsafe backend); the judge then relies on its zygote checks. See docs/rewards-code.md."
    )


def _cases_over_limit(stdout: str, token: str, total: int) -> dict[int, dict[str, Any]]:
    """The judge's early word on cases that failed by passing their own limits, by index."""
    found: dict[int, dict[str, Any]] = {}
    for line in stdout.splitlines():
        if not line.startswith('{"rewardd_case"'):
            continue
        try:
            message = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if not isinstance(message, dict) or message.get("rewardd_case") != token:
            continue
        index, result = message.get("index"), message.get("result")
        if isinstance(index, int) and 0 <= index < total and isinstance(result, dict):
            found[index] = _valid_unicode(result)
    return found


def _judge_lines(stdout: str, token: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for line in stdout.splitlines():
        if not line.startswith('{"rewardd_'):
            continue
        try:
            message = json.loads(line)
        except (ValueError, RecursionError):
            continue
        for key in ("rewardd_started", "rewardd_verdict", "rewardd_internal_error"):
            if isinstance(message, dict) and message.get(key) == token:
                found[key] = _valid_unicode(message)
    return found


def _valid_unicode(value: Any) -> Any:
    """value with every lone surrogate spelled as a \\udXXX escape: the judge's messages
    quote what the solution raised or printed, and a lone surrogate in a response cannot be
    serialized (a 500 for the whole batch)."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, list):
        return [_valid_unicode(v) for v in value]
    if isinstance(value, dict):
        return {_valid_unicode(k): _valid_unicode(v) for k, v in value.items()}
    return value


def _sandbox_failed(message: str) -> Score:
    message = message[:MAX_REASON_CHARS]
    return Score(None, message, error=ItemError("sandbox_error", message))


def _tail(text: str) -> str:
    text = text.strip()
    return text[-MAX_REASON_CHARS:] if text else "no error output"
