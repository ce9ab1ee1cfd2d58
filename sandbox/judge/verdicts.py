"""From what the judge saw of a case's processes to the case's verdict.

A process's exit status, stdout or "OK" lines are never the verdict by themselves:
- stdio: the judge compares the solution's stdout with the expected output (which never
  left the judge), and the program must exit with status 0;
- call: the judge rebuilds the returned value from its snapshot and compares it, as JSON,
  with the expected value (which never left the judge);
- test: the tester, a process the solution never ran in, sends the verdict of the test code
  on a pipe only the judge holds;
- with a reference checker (stdio and call, cases marked "checked"): what the comparison
  would have read goes to the checker instead (`"to_check"`, run by checker.run after the
  case's processes are gone), and `checked` turns its exit status into the verdict: 0
  accepts; a crash, a timeout, a flood or any other status fails the case.

Time: a case's limit is the CPU time of the solution's processes: the rusage the judge
reaps, plus what the processes it never waited for had used when the case ended
(RLIMIT_CPU, a second later, stops each). The wall-clock backstop (3 x the limit + 2 s) is
extended by the time the case's processes waited for a busy CPU, up to 3 times itself. A
case it stops before that ceiling was not kept waiting by load (it slept, blocked, or
waited on something): it fails. Only a case stopped at the ceiling, starved all along, is
left unjudged (`"timeout": true`; the item's error is then "timeout", never a score):
load must not decide a verdict, and a solution cannot choose to be starved without using
CPU that counts against it.
"""

from __future__ import annotations

import json
import signal
from typing import TYPE_CHECKING

from sandbox import procutil

from . import compare, values

if TYPE_CHECKING:
    from .checker import CheckRun
    from .supervisor import CaseRun

MAX_REASON_CHARS = 300
STDERR_TAIL_BYTES = 2048
_SIGNAL_NAMES = {s.value: s.name for s in signal.Signals}


def failed(case: dict, reason: str) -> dict:
    return {"name": case.get("name"), "passed": False, "reason": reason[:MAX_REASON_CHARS]}


def unjudged(case: dict, reason: str) -> dict:
    return {**failed(case, reason), "timeout": True}


def passed(case: dict, reason: str) -> dict:
    return {"name": case.get("name"), "passed": True, "reason": reason}


def decide(mode: str, case: dict, run: CaseRun) -> dict:
    result = _decide(mode, case, run)
    result["cpu_ms"] = round(run.solution_cpu_s * 1000, 1)
    return result


def _decide(mode: str, case: dict, run: CaseRun) -> dict:
    if run.problem:
        return failed(case, run.problem)
    if run.capped:
        return failed(case, "flooded its output")
    limit = run.cpu_limit_s
    if run.solution_cpu_s >= limit or run.status.get("solution") == -signal.SIGXCPU:
        return failed(case, f"ran out of CPU time ({run.solution_cpu_s:.2f} s, limit {limit:g} s)")
    if run.timed_out:
        if run.starved:
            return unjudged(case, f"starved of CPU: stopped after {run.wall_s:.1f} s")
        return failed(
            case, f"timed out after {run.wall_s:.1f} s, mostly idle (sleeping or waiting)"
        )
    if mode == "stdio":
        return _stdio(case, run)
    if mode == "call":
        return _call(case, run)
    return _test(case, run)


def _stdio(case: dict, run: CaseRun) -> dict:
    status = run.status.get("solution")
    if status != 0:
        return failed(case, f"{describe_exit(status)}: {stderr_tail(run.outputs.get('stderr'))}")
    if case.get("checked"):
        # surrogateescape: the checker's output file gets the very bytes the solution wrote.
        return to_check(case, run.outputs.get("stdout", b"").decode("utf-8", "surrogateescape"))
    got = run.outputs.get("stdout", b"").decode("utf-8", "replace")
    if compare.same_lines(got, case["output"]):
        return passed(case, "output matches")
    return failed(case, f"wrong output: got {clip(got)}, expected {clip(case['output'])}")


def _call(case: dict, run: CaseRun) -> dict:
    report = parse_frame(run.outputs.get("result", b""))
    if isinstance(report, dict) and "value" in report:
        try:
            got = values.decode(report["value"])
        except (ValueError, TypeError, OverflowError, RecursionError, MemoryError) as exc:
            return failed(case, f"the returned value cannot be compared ({type(exc).__name__})")
        if case.get("checked"):
            text = compare.json_text(got)
            if text is None:
                return failed(case, f"the returned value is not JSON, for the checker: {clip(got)}")
            return to_check(case, text)
        if compare.json_equal(got, case["expected"]):
            return passed(case, "return value matches")
        return failed(
            case, f"wrong return value: got {clip(got)}, expected {clip(case['expected'])}"
        )
    if isinstance(report, dict) and isinstance(report.get("fail"), str):
        return failed(case, report["fail"])
    status = run.status.get("solution")
    return failed(
        case, f"no return value ({describe_exit(status)}): {stderr_tail(run.outputs.get('stderr'))}"
    )


def _test(case: dict, run: CaseRun) -> dict:
    report = parse_frame(run.outputs.get("verdict", b""))
    if isinstance(report, dict) and report.get("passed") is True:
        reason = report.get("reason")
        return passed(case, reason[:300] if isinstance(reason, str) else "test passed")
    if isinstance(report, dict) and isinstance(report.get("reason"), str):
        return failed(case, report["reason"])
    status = run.status.get("tester")
    return failed(
        case,
        f"the tests ended without a verdict ({describe_exit(status)}): "
        f"{stderr_tail(run.outputs.get('tester stderr'))}",
    )


def to_check(case: dict, output: str) -> dict:
    """A case whose output the reference's checker decides. Failed until it has: a judge that
    never ran the checker fails the case, it never passes it."""
    return {**failed(case, "the checker did not run"), "to_check": output}


def checked(case: dict, run: CaseRun, check: CheckRun) -> dict:
    """The verdict of the reference's checker on a case's output, from how it ended."""
    result = _checked(case, check)
    result["cpu_ms"] = round(run.solution_cpu_s * 1000, 1)
    result["checker_cpu_ms"] = round(check.cpu_s * 1000, 1)
    return result


def _checked(case: dict, check: CheckRun) -> dict:
    if check.problem:
        return failed(case, f"the checker could not be run: {check.problem}")
    if check.capped:
        return failed(case, "the checker flooded its output")
    limit = check.cpu_limit_s
    if check.cpu_s >= limit or check.status == -signal.SIGXCPU:
        used = f"{check.cpu_s:.2f} s, limit {limit:g} s"
        return failed(case, f"the checker ran out of CPU time ({used})")
    if check.timed_out:
        if check.starved:
            return unjudged(case, f"the checker was starved of CPU after {check.wall_s:.1f} s")
        return failed(case, f"the checker timed out after {check.wall_s:.1f} s, mostly idle")
    said = check.printed.splitlines()[-1][:200] if check.printed else "nothing printed"
    if check.status == 0:
        return passed(case, f"the checker accepted the output ({said})")
    return failed(case, f"the checker rejected the output ({describe_exit(check.status)}): {said}")


def parse_frame(data: bytes) -> object:
    """The one frame a process sent on a result pipe, or None when it sent no whole frame, or
    more than one: a frame written ahead of the sender's own (by a process that got hold of
    its pipe) decides nothing."""
    size = procutil.FRAME_HEADER.size
    if len(data) < size:
        return None
    (length,) = procutil.FRAME_HEADER.unpack(data[:size])
    if len(data) != size + length:
        return None
    try:
        return json.loads(data[size : size + length])
    except (ValueError, RecursionError, MemoryError):
        return None  # garbage, or nesting deep enough to break a parser: no answer


def carries_nonce(verdict: bytes, nonce: str) -> bool:
    """Whether the verdict frame (if any) carries the case's nonce: no frame is no forgery."""
    report = parse_frame(verdict)
    return not isinstance(report, dict) or report.get("nonce") == nonce


def describe_exit(status: int | None) -> str:
    if status is None:
        return "still running"
    if status < 0:
        name = _SIGNAL_NAMES.get(-status, "")
        return f"killed by signal {-status} {name}".strip()
    return f"exited with status {status}"


def stderr_tail(data: bytes | None) -> str:
    text = (data or b"")[-STDERR_TAIL_BYTES:].decode("utf-8", "replace").strip()
    return text.splitlines()[-1][:200] if text else "no error output"


def clip(value: object, limit: int = 80) -> str:
    try:
        text = repr(value)
    except (ValueError, RecursionError):  # an int too long for str, or a deep list
        text = f"<a {type(value).__name__}>"
    return text if len(text) <= limit else text[:limit] + "..."
