"""The judge's main process: runs every case of one completion and decides which pass.

    python3 -I -B R/sandbox/judge/__main__.py < payload.json

Before it reads the payload it hardens itself (not dumpable, a child subreaper), starts the
zygote and, when the runner started it as root with a uid block, drops to its own uid J.
Every module it will ever use was imported by __main__ before that, from R, which no case
can write, and R is then taken off sys.path; an audit hook lists any module imported after
the payload arrived, and the verdict line carries that list (empty, or it is a judge bug).

For each case it makes the pipes, has the zygote fork the case's solution process (case.py),
pumps their pipes with byte caps and a wall-clock backstop, kills them, reaps them (their
rusage is the case's CPU time), and hands what it saw to verdicts.py. Test code runs in the
job's tester (tester.py, `Tester`), forked once and handed each case's pipes. Any exception of
its own on a case fails that case; it never escapes.

Output on stdout, one JSON line each: {"rewardd_started": token, "hardening": {...}} first,
then {"rewardd_verdict": token, "cases": [...], "internal_errors": [...], "late_imports": []}.
"""

from __future__ import annotations

import _socket
import array
import contextlib
import ctypes
import decimal  # noqa: F401 -- values.decode rebuilds these; imported before any payload
import fractions  # noqa: F401
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator

from sandbox import procutil, syscall_filter

from . import checker, verdicts
from .zygote_client import Principals, Zygote, ZygoteError, fingerprint

PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
STDOUT_CAP = 16 * 1024 * 1024
STDERR_CAP = 16 * 1024 * 1024
RESULT_CAP = 8 * 1024 * 1024
VERDICT_CAP = 64 * 1024
ENTRY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "__main__.py")
# How often a running case's processes are looked at (CPU of all of them, their memory).
METER_INTERVAL_S = 0.05
# How far past the job's budget a case's solution and tester together may go before the case
# is cut: well inside the runner's slack past the budget (code.JOB_SLACK_S, 5 s), where it
# ends the whole job.
TESTER_OVER_BUDGET_S = 2.0
# reap_strays' rounds (2 ms apart) before it gives up: a fork chain outruns one kill, not 500.
REAP_ROUNDS = 500
# Resident memory all of a case's processes may hold together, beyond the case's own limit
# (each process's address space is capped at the limit): as much as the judge's share of a
# Docker job's memory, so bubblewrap, which has no cgroup per job, is no more lenient.
CASE_MEMORY_SLACK_MB = 128
_libc = ctypes.CDLL(None, use_errno=True)
# The sandbox's own CPU counter (Docker's cgroup), read before any payload: with it, a case's
# CPU is exact, short-lived processes included. Used only with separate uids (never on the
# unsafe backend, where it would be the host's).
CONTAINER_CPU = procutil.ContainerCpu()
CONTAINER_MEMORY = procutil.ContainerMemory()
# The judge's own work on behalf of a case (rebuilding and comparing its result, wiping what
# it left) is bounded and charged to the job's CPU budget, as the case's work is: else a
# wrong solution could make the JUDGE spend the job's budget, and the item come back null
# instead of 0. Each case's rebuild and comparison gets the case's CPU limit (at least this
# floor) of the judge's CPU; what the judge and the zygote spend on a case beyond
# JUDGE_FREE_PER_CASE_S (an honest case's overhead) comes off the job's budget.
JUDGE_WORK_FLOOR_S = 0.2
JUDGE_FREE_PER_CASE_S = 0.03
# The job's tester runs as slot 0's tester uid (zygote_client.Principals), in its dir.
TESTER_SLOT = 0
TESTER_SEND_TIMEOUT_S = 5.0


class JudgeWorkTooCostly(BaseException):
    """Raised in the judge by SIGPROF when its work on one case's result passes its limit.
    A BaseException: no `except Exception` on the way may take it for a malformed value."""


_deadline_armed = [False]


def _on_sigprof(signum: int, frame: object) -> None:
    if _deadline_armed[0]:
        _deadline_armed[0] = False
        raise JudgeWorkTooCostly


@contextlib.contextmanager
def judge_cpu_deadline(seconds: float) -> Iterator[None]:
    """Raise JudgeWorkTooCostly once the judge has used `seconds` more of its CPU (checked
    between bytecodes: a single C call, e.g. one gcd of capped parts, finishes first)."""
    signal.signal(signal.SIGPROF, _on_sigprof)
    _deadline_armed[0] = True
    signal.setitimer(signal.ITIMER_PROF, max(seconds, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        _deadline_armed[0] = False


def judge_work_limit_s(case_limit_s: float, budget_left_s: float) -> float:
    """The judge's CPU for one piece of its work on a case (the wipe; rebuild and compare)."""
    return max(min(case_limit_s, budget_left_s), JUDGE_WORK_FLOOR_S)


def judge_cpu_s(zygote: Zygote) -> float:
    """The CPU the judge and its zygote (which wipes the cases' files) have used."""
    return time.process_time() + (procutil.cpu_seconds(zygote.pid) if zygote.pid else 0.0)


def main(zygote: Zygote | None = None) -> None:
    """Judge the payload on stdin. `zygote`: one already started (by __main__, so that its
    start overlaps our imports), before anything of the payload was read."""
    principals = Principals(dict(os.environ))
    hardening = harden()
    zygote = zygote or Zygote(ENTRY)
    if principals.separate:
        drop_to(principals.judge_uid)
        hardening["not_dumpable"] = _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0
    hardening["separate_uids"] = principals.separate
    # Every case process installs it (zygote.become_case); where it cannot, cases fail.
    hardening["syscall_filter"] = syscall_filter.UNAVAILABLE is None
    if syscall_filter.UNAVAILABLE is not None:
        hardening["syscall_filter_problem"] = syscall_filter.UNAVAILABLE
    late_imports: list[str] = []
    sys.addaudithook(lambda event, args: event == "import" and late_imports.append(str(args[0])))
    baseline = fingerprint(os.getpid())
    try:
        payload = json.loads(sys.stdin.buffer.read())
        # Done with stdin; /dev/null keeps fd 0 taken so no later pipe lands on it.
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        token = payload["token"]
        emit({"rewardd_started": token, "hardening": hardening})
        try:
            results, errors = judge_all(payload, zygote, principals, baseline)
        except Exception as exc:  # outside any case: a judge bug, reported, never a verdict
            message = f"{type(exc).__name__}: {exc}"
            emit({"rewardd_internal_error": token, "message": message[:500]})
            return
    finally:
        zygote.discard()
    emit(
        {
            "rewardd_verdict": token,
            "cases": results,
            "internal_errors": errors,
            "late_imports": sorted(set(late_imports)),
        }
    )


def emit(line: dict) -> None:
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def emit_case(token: str, index: int, result: dict) -> None:
    """A case that failed by passing a limit of its own, before the verdict line."""
    emit({"rewardd_case": token, "index": index, "limit": True, "result": result})


def harden() -> dict[str, bool | str]:
    """Unreadable to other processes of our uid, and the reaper of our orphans."""
    return {
        "not_dumpable": _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0,
        "subreaper": _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0,
    }


def drop_to(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


# --- the cases ----------------------------------------------------------------------------


def judge_all(
    payload: dict, zygote: Zygote, principals: Principals, baseline: tuple
) -> tuple[list[dict], list[str]]:
    """Every case's verdict, and the judge's own failures (each failed its case)."""
    tester = Tester()  # test code: the job's tester, forked for the first case that needs it
    try:
        return judge_cases(payload, zygote, principals, baseline, tester)
    finally:
        tester.close()


def judge_cases(
    payload: dict, zygote: Zygote, principals: Principals, baseline: tuple, tester: Tester
) -> tuple[list[dict], list[str]]:
    started = time.monotonic()
    wall_deadline = started + float(payload["wall_s"])
    cpu_left = float(payload["budget_s"])
    results: list[dict] = []
    errors: list[str] = []
    stop_reason: str | None = None
    idled = False  # a case stopped by its backstop while it waited for nothing
    # Wall time of the cases so far that computing or waiting for a busy CPU explains; the
    # rest the cases slept or blocked away. Only load may leave cases unjudged: when the
    # job's wall runs out mostly through the cases' own waiting, the rest fail.
    busy_s = 0.0
    # The judge's and the zygote's own computing and CPU waits between cases count as load too.
    own = procutil.JobClock(lambda: (os.getpid(), zygote.pid))

    def mostly_load() -> bool:
        return _mostly_load(busy_s + own.cpu_s() + own.waited_s(), time.monotonic() - started)

    for slot, case in enumerate(payload["cases"]):
        if stop_reason is None and cpu_left <= 0:
            stop_reason = "not run: the CPU budget of the job ran out"
        if stop_reason is not None:
            results.append(verdicts.failed(case, stop_reason))
            continue
        if time.monotonic() >= wall_deadline:
            if idled or not mostly_load():
                # Earlier cases sat idle until their backstops: the solution spent the wall.
                results.append(
                    verdicts.failed(case, "not run: earlier cases idled away the job's time")
                )
            else:
                results.append(verdicts.unjudged(case, "not run: the job's wall-clock backstop"))
            continue
        began = time.monotonic()

        def over_limit(reason: str, slot: int = slot, case: dict = case) -> None:
            # Said at once: should the job's own budget run out while this case's processes
            # are swept, the item is still scored (this case failed), never left null.
            emit_case(payload["token"], slot, verdicts.failed(case, reason))

        judge_before = judge_cpu_s(zygote)
        try:
            run = run_case(
                payload, case, slot, zygote, principals, wall_deadline, cpu_left, over_limit, tester
            )
            if run.left_behind:
                # What it left is still there: no later case may run next to it.
                over_limit(run.problem or "it left something behind")
                stop_reason = "not run: an earlier case left behind what the judge does not remove"
            # The case's limit, or what is left of the job's budget after its work and the
            # wipe, if less: so the last case too leaves the job inside its timeout.
            spent_s = run.solution_cpu_s + run.cpu_s.get("tester", 0.0)
            spent_s += max(0.0, judge_cpu_s(zygote) - judge_before - JUDGE_FREE_PER_CASE_S)
            work_limit_s = judge_work_limit_s(float(case["timeout_s"]), cpu_left - spent_s)
            try:
                with judge_cpu_deadline(work_limit_s):
                    result = verdicts.decide(payload["mode"], case, run)
            except JudgeWorkTooCostly:
                result = verdicts.failed(
                    case,
                    f"rebuilding and comparing its result took the judge more than "
                    f"{work_limit_s:g} s of CPU",
                )
                result["cpu_ms"] = round(run.solution_cpu_s * 1000, 1)
            cpu_left -= run.solution_cpu_s + run.cpu_s.get("tester", 0.0)
            busy_s += run.solution_cpu_s + run.cpu_s.get("tester", 0.0) + run.starvation_s
            output = result.pop("to_check", None)
            if output is not None:  # the reference's checker decides, now the case is gone
                check = checker.run(
                    payload,
                    case,
                    output,
                    slot,
                    zygote,
                    principals,
                    wall_deadline,
                    lambda spare, principals: reap_strays(spare, principals, tester.pid),
                    cpu_left_s=cpu_left,
                )
                cpu_left -= check.cpu_s
                busy_s += check.cpu_s
                result = verdicts.checked(case, run, check)
            # The judge's and the zygote's own CPU on this case, past an honest case's share.
            cpu_left -= max(0.0, judge_cpu_s(zygote) - judge_before - JUDGE_FREE_PER_CASE_S)
            if result.get("timeout") and run.cut_by_job and (idled or not mostly_load()):
                # The job's time ran out because earlier cases idled: the solution's doing.
                result = verdicts.failed(case, "stopped: earlier cases idled away the job's time")
            idled = idled or (run.timed_out and not result.get("timeout"))
            if run.judge_error is not None:
                errors.append(f"{case.get('name')}: {run.judge_error}"[:300])
        except Exception as exc:  # the judge's own failure on this case: the case fails
            message = f"{type(exc).__name__}: {exc}"[:300]
            errors.append(f"{case.get('name')}: {message}")
            print(
                f"rewardd judge: internal failure on {case.get('name')}: {message}", file=sys.stderr
            )
            result = verdicts.failed(case, f"the judge failed on this case ({message})")
        if not principals.separate:
            # One principal: whatever changed in the zygote or the judge, the case did.
            touched = zygote.check()
            if touched is not None:
                result = verdicts.failed(
                    case, f"the case tampered with the judge's zygote: it {touched}"
                )
                stop_reason = "not run: an earlier case tampered with the judge's zygote"
            elif fingerprint(os.getpid()) != baseline:
                result = verdicts.failed(case, "the case changed the judge's limits or scheduling")
                stop_reason = "not run: an earlier case changed the judge's limits"
        result["ms"] = round((time.monotonic() - began) * 1000, 1)
        results.append(result)
    return results, errors


def _mostly_load(busy_s: float, elapsed_s: float) -> bool:
    """Whether computing and waiting for a busy CPU explain most of the elapsed wall time."""
    return busy_s >= 0.5 * elapsed_s


class CaseRun:
    """What the judge saw of one case's processes."""

    def __init__(self) -> None:
        self.outputs: dict[str, bytes] = {}
        self.status: dict[str, int | None] = {}  # exit code (negative: killed by that signal)
        self.cpu_s: dict[str, float] = {}
        self.wall_s = 0.0
        self.timed_out = False
        self.capped = False
        self.problem: str | None = None  # the case could not be run as asked
        self.cpu_limit_s = 0.0
        self.roles: list[str] = ["solution", "tester"]  # whose processes the case has
        self.judge_error: str | None = None  # the judge's own failure on this case
        self.starved = False  # stopped by the backstop at its ceiling: load, not the case
        self.cut_by_job = False  # stopped by the job's wall-clock deadline instead
        self.measured_cpu_s = 0.0  # CPU of all the solution's processes (ProcessMeter)
        self.charged_cpu_s = 0.0  # the solution's stdlib functions the tester ran for it
        self.starvation_s = 0.0  # how long the case's processes waited for a busy CPU
        self.limit_reason: str | None = None  # why the meter cut the case, if it did
        self.left_behind = False  # the wipe after it left something: the job ends
        self.cpu_left_s = float("inf")  # the job's budget when the case started

    @property
    def solution_cpu_s(self) -> float:
        """All the CPU the solution used: its process and every process it started."""
        return max(self.cpu_s.get("solution", 0.0), self.measured_cpu_s) + self.charged_cpu_s


def frame_of(message: dict) -> bytes:
    return procutil.encode_frame(message)


def run_case(
    payload: dict,
    case: dict,
    slot: int,
    zygote: Zygote,
    principals: Principals,
    wall_deadline: float,
    cpu_left_s: float = float("inf"),
    over_limit: Callable[[str], None] = lambda reason: None,
    tester: Tester | None = None,
) -> CaseRun:
    """Run one case. Its processes are cut as soon as all of them together pass the case's
    CPU limit (or what is left of the job's budget, if less) or hold more memory than it
    may: over_limit(reason) is told at once. tester: the job's tester (test code)."""
    mode = payload["mode"]
    tester = tester or Tester()
    run = CaseRun()
    run.cpu_limit_s = float(case["timeout_s"])
    run.cpu_left_s = cpu_left_s
    run.roles = ["solution", "tester"] if mode == "test" else ["solution"]
    memory_mb = int(payload["memory_mb"])
    solution_message: dict = {
        "role": {"test": "serve"}.get(mode, mode),
        "solution": payload["solution"],
    }
    if payload.get("preamble"):
        solution_message["preamble"] = payload["preamble"]
    if mode == "call":
        solution_message.update(fn_name=payload["fn_name"], args=case["args"])
    stdin = case["input"].encode("utf-8", "surrogatepass") if mode == "stdio" else b""

    fds: list[int] = []

    def pipe() -> tuple[int, int]:
        pair = os.pipe()
        fds.extend(pair)
        return pair

    pids: dict[str, int] = {}  # the processes forked for this case (the solution's)
    meter = None
    keep_tester = False
    try:
        if slot == 0 and principals.separate:
            # The first case's process is a spare too, made after a reset like every
            # other's: each case of each job is handed the same pid (and a tester forked
            # after it the same pid, kept or made again), so no run can tell which it is.
            zygote.make_spare()
        in_r, in_w = pipe()
        out_r, out_w = pipe()
        err_r, err_w = pipe()
        ctl_r, ctl_w = pipe()
        res_r, res_w = pipe()
        theirs = [in_r, out_w, err_w, ctl_r, res_w]
        outbox = {in_w: stdin, ctl_w: frame_of(solution_message)}
        reads = {out_r: ("stdout", STDOUT_CAP), err_r: ("stderr", STDERR_CAP)}
        done_fd: int | None = None  # when it is readable, the case is over
        if mode == "test":
            req_r, req_w = pipe()
            tout_r, tout_w = pipe()
            terr_r, terr_w = pipe()
            tctl_r, tctl_w = pipe()
            ver_r, ver_w = pipe()
            done_fd, done_w = pipe()  # the tester closes it once its verdict is written
            theirs.append(req_r)
            tester.start(zygote, payload, tout_w, terr_w)
            tester_fds = [tout_w, terr_w, tctl_r, ver_w, req_w, res_r, done_w]  # CASE_FDS
            outbox[tctl_w] = frame_of(tester.message(payload, case))
            reads.update(
                {
                    ver_r: ("verdict", VERDICT_CAP),
                    tout_r: ("tester stdout", STDOUT_CAP),
                    terr_r: ("tester stderr", STDERR_CAP),
                }
            )
        else:
            reads[res_r] = ("result", RESULT_CAP)
        meter = procutil.ProcessMeter(
            case_processes(principals, slot, pids, {zygote.pid, tester.pid}),
            counter=CONTAINER_CPU if principals.separate else None,
            interval_s=METER_INTERVAL_S,
            # The sandbox's own pid namespace (Docker has the counter instead; the unsafe
            # backend shares the host's, where others' forks would be charged): what the
            # zygote forked for this case's request (Zygote.fork).
            forks_of_others=(lambda: zygote.forked_now) if principals.separate else None,
        )
        cpu_cap_s = min(run.cpu_limit_s, max(cpu_left_s, 0.0))
        memory_cap = (memory_mb + CASE_MEMORY_SLACK_MB) << 20
        solution_uid = principals.uid_of(slot, "solution")
        memory_base = CONTAINER_MEMORY.read() if principals.separate else None
        started = time.monotonic()
        backstop = 3 * run.cpu_limit_s + 2
        # Extended by what the case's processes waited for a busy CPU (a loaded machine),
        # never past three times the backstop or the job's own wall-clock deadline.
        starvation = tester.with_waits(procutil.Starvation(lambda: pids.values()))

        # One look every METER_INTERVAL_S, however often the pump asks (it asks at each
        # event): [when the next look is due, the deadline the last one gave].
        looked = [0.0, started]

        def deadline() -> float:
            now = time.monotonic()
            if now < looked[0]:
                return looked[1]
            looked[0] = now + METER_INTERVAL_S
            if run.limit_reason is None:
                run.limit_reason = over_its_limits(
                    meter, cpu_cap_s, run.cpu_limit_s, memory_cap, solution_uid, memory_base
                ) or over_the_jobs_budget(meter.cpu_s(), tester.case_cpu_s(), cpu_left_s)
                if run.limit_reason is not None:
                    over_limit(run.limit_reason)
            if run.limit_reason is not None:
                looked[1] = started  # passed: the pump stops, the case is killed
            else:
                extended = started + min(backstop + starvation(), 3 * backstop)
                looked[1] = min(extended, wall_deadline)
            return looked[1]

        ceiling = started + 3 * backstop

        def hand_over() -> None:  # the tester gets its fds while the zygote forks
            tester.hand_over(tester_fds)
            for fd in tester_fds:
                close_fd(fd, fds)

        pids["solution"] = zygote.fork(
            solution_message["role"],
            slot,
            theirs,
            memory_mb,
            run.cpu_limit_s,
            ahead=True,
            meanwhile=hand_over if mode == "test" else None,
        )
        if zygote.fresh_pids:
            meter.count_pids_from(procutil.PID_COUNTER_BASE)
        for fd in theirs:
            close_fd(fd, fds)
        pidfd_of_solution = pidfd(pids["solution"]) if done_fd is None else None
        try:
            pumped = procutil.pump(
                {fd: cap for fd, (_, cap) in reads.items()},
                outbox=outbox,
                deadline=deadline,
                done_fd=done_fd if done_fd is not None else pidfd_of_solution,
                # Test code: once the tester is done, the case is (the solution's process
                # serves it only, and its output is not the verdict).
                drain_grace_s=0.0 if mode == "test" else 0.05,
                recheck_s=METER_INTERVAL_S,
            )
        finally:
            if pidfd_of_solution is not None:
                os.close(pidfd_of_solution)
            for fd in outbox:  # the pump closed them, written or not
                if fd in fds:
                    fds.remove(fd)
        ended = time.monotonic()
        run.wall_s = ended - started
        run.timed_out, run.capped = pumped.timed_out, pumped.capped
        # Only a case its CPU waits kept extending up to the ceiling was starved by load;
        # one stopped sooner waited for nothing (slept, blocked) most of that time.
        run.starvation_s = starvation()
        # A case clipped by the job's deadline before its own ceiling is starved only when it
        # spent most of its time waiting for a CPU: reaching a clipped ceiling is no evidence.
        run.starved = run.timed_out and (
            ended >= ceiling - 0.3
            or (ended >= wall_deadline - 0.3 and _mostly_load(run.starvation_s, run.wall_s))
        )
        run.cut_by_job = run.timed_out and ended >= wall_deadline - 0.3 and wall_deadline < ceiling
        if run.limit_reason is not None and run.limit_reason != CPU_LIMIT_REASON:
            run.problem = run.limit_reason  # memory, or the job's budget: the case fails
        run.outputs = {name: pumped.outputs.get(fd, b"") for fd, (name, _) in reads.items()}
        if tester is not None and not verdicts.carries_nonce(
            run.outputs.get("verdict", b""), tester.nonce
        ):
            # Written by something that holds the verdict pipe but not this case's message (a
            # process the tests started): no verdict.
            run.outputs["verdict"] = b""
        run.charged_cpu_s = charged_cpu_s(run.outputs.get("verdict", b""), run.cpu_limit_s)
        # The tester serves the next case only after a case that ended as it should: its
        # whole verdict, nothing cut, and it says it is fit (with one principal, never: the
        # solution's processes shared its uid).
        report = verdicts.parse_frame(run.outputs.get("verdict", b""))
        keep_tester = (
            principals.separate
            and pumped.done
            and not (pumped.timed_out or pumped.capped)
            and isinstance(report, dict)
            and report.get("fit") is True
        )
    except (ZygoteError, TesterError) as exc:  # the judge's machinery: the case fails, logged
        run.problem = f"the case could not be started: {exc}"
        run.judge_error = run.problem
    finally:
        end_case(pids, slot, zygote, principals, run, meter, tester, keep_tester)
        for fd in list(fds):
            close_fd(fd, fds)
        if principals.separate and slot + 1 < len(payload["cases"]) and zygote.ready:
            zygote.make_spare()  # for the next case, while we read this one's verdict
    return run


CPU_LIMIT_REASON = "its processes together ran out of the case's CPU time"


def charged_cpu_s(verdict: bytes, limit_s: float) -> float:
    """What the tester says it spent in stdlib functions the solution bound (the tester is
    the judge's code; the solution never ran in it): the solution's CPU."""
    report = verdicts.parse_frame(verdict)
    spent = report.get("charged_s") if isinstance(report, dict) else None
    if isinstance(spent, bool) or not isinstance(spent, int | float) or not spent >= 0:
        return 0.0
    return min(float(spent), 10 * limit_s + 10)


def over_its_limits(
    meter: procutil.ProcessMeter,
    cpu_cap_s: float,
    cpu_limit_s: float,
    memory_cap: int,
    uid: int | None = None,
    container_base: int | None = None,
) -> str | None:
    """Why a running case must be cut now, or None. uid: the solution's (its SysV shared
    memory counts too)."""
    cpu = meter.cpu_s()
    if cpu >= cpu_cap_s:
        if cpu_cap_s >= cpu_limit_s:
            return CPU_LIMIT_REASON
        return f"the job's CPU budget ran out during this case ({cpu:.2f} s of CPU)"
    held = meter.rss_bytes + (procutil.ipc_resident_bytes(uid) if uid is not None else 0)
    if container_base is not None:
        # The container's whole memory, grown since the case started: memfd and tmpfs
        # pages too, which no process's resident set shows.
        grown = (CONTAINER_MEMORY.read() or container_base) - container_base
        held = max(held, grown)
    if held > memory_cap:
        return (
            f"its processes together held {held >> 20} MiB of memory "
            f"(at most {memory_cap >> 20} MiB)"
        )
    return None


def over_the_jobs_budget(solution_s: float, tester_s: float, cpu_left_s: float) -> str | None:
    """Why a case must be cut for the job's budget, counting the tester's CPU on the case
    too: what it spends rebuilding the solution's answers (a list of Fractions whose gcd it
    computes) is no solution's CPU, but past the job's budget the runner would end the whole
    job and the item would come back null, not 0."""
    if solution_s + tester_s <= max(cpu_left_s, 0.0) + TESTER_OVER_BUDGET_S:
        return None
    return (
        f"the job's CPU budget ran out during this case ({solution_s:.2f} s of the solution's "
        f"CPU, {tester_s:.2f} s of its tests')"
    )


def case_processes(
    principals: Principals, slot: int, pids: dict[str, int], spare: set[int | None]
) -> Callable[[dict[int, procutil.ProcessInfo]], set[int]]:
    """Which processes are the solution's in this case: every process of its uid, or (one
    principal) its process's descendants and the orphans that came back to the judge, never
    the spare ones (the zygote, the tester)."""
    uid = principals.uid_of(slot, "solution")
    if uid is not None:
        return lambda table: {pid for pid, info in table.items() if info.uid == uid}
    me = os.getpid()

    def select(table: dict[int, procutil.ProcessInfo]) -> set[int]:
        solution, others = pids.get("solution"), spare
        roots = {pid for pid, info in table.items() if info.ppid == me} - others
        if solution is not None:
            roots.add(solution)
        children: dict[int, list[int]] = {}
        for pid, info in table.items():
            children.setdefault(info.ppid, []).append(pid)
        found: set[int] = set()
        pending = list(roots)
        while pending:
            pid = pending.pop()
            if pid in found or pid in others:
                continue
            found.add(pid)
            pending += children.get(pid, [])
        return found

    return select


def close_fd(fd: int, fds: list[int]) -> None:
    """Close an fd of ours once: a second close could hit a reused number."""
    if fd in fds:
        fds.remove(fd)
        with contextlib.suppress(OSError):
            os.close(fd)


def pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None  # old kernel or gVisor: the pump ends on EOF instead


def end_case(
    pids: dict[str, int],
    slot: int,
    zygote: Zygote,
    principals: Principals,
    run: CaseRun,
    meter: procutil.ProcessMeter | None = None,
    tester: Tester | None = None,
    keep_tester: bool = False,
) -> None:
    """Kill every process of the case, measure and reap them (the case's CPU time) and
    delete what they left. Nothing of one case survives into the next: the job's tester, when
    kept (keep_tester), holds nothing of it; else it goes too."""
    left = None
    targets = [(slot, "solution")]
    retire = tester is not None and tester.pid is not None and not keep_tester
    if retire:
        targets.append((TESTER_SLOT, "tester"))
    if principals.separate:
        try:
            # One kill(-1) per uid, then the wipe: our CPU, bounded as the case's is.
            used_s = meter.cpu_s() if meter is not None else 0.0
            wipe_s = judge_work_limit_s(run.cpu_limit_s, run.cpu_left_s - used_s)
            left = zygote.clean_targets(targets, cpu_s=wipe_s)
        except ZygoteError as exc:
            left = str(exc)
    else:
        for pid in [*pids.values(), *([tester.pid] if retire else [])]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
    if meter is not None:
        # Killed, not yet reaped: each is a zombie holding what it and its waited children used.
        run.measured_cpu_s = meter.final_cpu_s()
    for side, pid in pids.items():
        try:
            _, status, usage = os.wait4(pid, 0)
            run.status[side] = os.waitstatus_to_exitcode(status)
            run.cpu_s[side] = usage.ru_utime + usage.ru_stime
        except ChildProcessError:
            run.status[side] = -signal.SIGKILL
    if tester is not None and "tester" in run.roles:
        run.status["tester"], run.cpu_s["tester"] = tester.end_case(retire)
    strays = reap_strays(zygote.pid, principals, tester.pid if tester is not None else None)
    if not principals.separate and zygote.ready:
        try:
            left = zygote.clean_targets(targets)  # its dirs, now that nothing of it runs
        except ZygoteError as exc:
            left = str(exc)
    left = left or strays
    if left is not None:
        run.left_behind = True
        if run.problem is None:
            run.problem = f"the case left something behind that the judge does not remove ({left})"


def reap_strays(spare: int | None, principals: Principals, tester: int | None = None) -> str | None:
    """Kill and reap the orphans that were reparented to us, until none is left; never the
    spare one (the zygote), the job's tester or (separate uids) a process of root, which only
    the zygote starts (its spare for the next case). Returns None when none is left, else
    what is still there: the caller fails its case and stops the job, since a process that
    outlives its case could reach the next one."""
    me = os.getpid()
    strays: list[int] = []
    for _ in range(REAP_ROUNDS):
        strays = [
            pid
            for pid, info in procutil.process_table().items()
            if info.ppid == me
            and pid not in (spare, tester)
            and not (principals.separate and info.uid == 0)
        ]
        if not strays:
            return None
        for pid in strays:
            if not principals.separate:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
        time.sleep(0.002)
    left = f"{len(strays)} processes still there after {REAP_ROUNDS} rounds of kill and reap"
    print(f"rewardd judge: internal failure: {left}", file=sys.stderr)
    return left


class TesterError(RuntimeError):
    """The job's tester could not be handed a case; the case fails."""


class Tester:
    """The job's tester (tester.py): forked from the zygote for the first test case, as slot
    TESTER_SLOT's tester uid, then handed each case's pipes on a socket only it and the judge
    hold. Kept while every case ends with its whole verdict and it says it is fit; otherwise
    retired with its case (its uid killed, its files wiped, end_case) and forked again for
    the next one. The solution's processes never hold any of its fds, and its uid is none of
    theirs: they cannot write, signal or ptrace it."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.sock: _socket.socket | None = None
        self.sources_sent: set[int] = set()
        self.nonce = ""  # the current case's (message): its verdict must carry it
        self.cpu_at_start = 0.0  # its CPU when the current case was handed over
        self.waited_at_start = 0.0  # its run-queue wait then

    def start(self, zygote: Zygote, payload: dict, stdout_w: int, stderr_w: int) -> None:
        """Fork it, unless a live one is kept; its first output goes to this case's pipes."""
        if self.pid is not None:
            try:
                gone = os.waitpid(self.pid, os.WNOHANG)[0] != 0
            except ChildProcessError:
                gone = True
            if not gone:
                return
            # It exited between cases: its uid's leftovers go, and a new one serves this case.
            self.forget()
            zygote.clean_targets([(TESTER_SLOT, "tester")])
        ours, theirs = _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_SEQPACKET)
        stdin = os.open(os.devnull, os.O_RDONLY)
        # Its RLIMIT_CPU is for the whole job (it lowers its soft limit for each case to the
        # case's, tester.limit_cpu): the job's budget and one more case's limit.
        job_cpu_s = float(payload["budget_s"])
        job_cpu_s += max((float(c["timeout_s"]) for c in payload["cases"]), default=0.0) + 2
        try:
            self.pid = zygote.fork(
                "test",
                TESTER_SLOT,
                [stdin, stdout_w, stderr_w, theirs.fileno()],
                int(payload["memory_mb"]),
                job_cpu_s,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            os.close(stdin)
            theirs.close()
        ours.settimeout(TESTER_SEND_TIMEOUT_S)
        self.sock = ours
        self.sources_sent = set()

    def hand_over(self, fds: list[int]) -> None:
        """The case's fds (tester.CASE_FDS order); its CPU and waits so far, to subtract."""
        self.cpu_at_start = self.cpu_s()
        self.waited_at_start = procutil.runqueue_wait_s(self.pid) if self.pid else 0.0
        try:
            rights = array.array("i", fds)
            self.sock.sendmsg([b"case"], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, rights)])
        except (OSError, AttributeError) as exc:
            raise TesterError(f"the tester could not be handed the case ({exc})") from None

    def message(self, payload: dict, case: dict) -> dict:
        """The case's message on its control pipe; a test source only the first time."""
        source_id = int(case["source"])
        # A verdict is the tester's only if it carries this (tester.verdict sends it back).
        self.nonce = os.urandom(16).hex()
        message = {
            "nonce": self.nonce,
            "source_id": source_id,
            "call": case["call"],
            "is_async": case.get("is_async", False),
            # The tests' copy of the reference's helpers (tester.with_preamble).
            "preamble": payload.get("preamble") or "",
            # Its CPU on the case (test code, stdlib functions of the solution's) is limited
            # as a forked tester's was: the case's limit and 2 s (tester.limit_cpu).
            "cpu_s": float(case["timeout_s"]) + 2,
        }
        if not self.sources_sent:
            # What the tester checks the tests' own collection against (tester.PLANNED).
            message["planned"] = [".".join(c["call"]) for c in payload["cases"] if c["call"]]
        if source_id not in self.sources_sent:
            message["source"] = payload["sources"][source_id]
            self.sources_sent.add(source_id)
        return message

    def case_cpu_s(self) -> float:
        """Its CPU on the current case so far (0 when it serves none)."""
        return max(0.0, self.cpu_s() - self.cpu_at_start) if self.pid else 0.0

    def cpu_s(self) -> float:
        stat = procutil.proc_stat(self.pid, exact=True) if self.pid else None
        return stat.own if stat is not None else self.cpu_at_start

    def with_waits(self, starvation: Callable[[], float]) -> Callable[[], float]:
        """starvation(), plus what the tester waited for a CPU since this case began."""
        pid, base = self.pid, self.waited_at_start

        def total() -> float:
            waited = procutil.runqueue_wait_s(pid) - base if pid is not None else 0.0
            return starvation() + max(0.0, waited)

        return total

    def end_case(self, retire: bool) -> tuple[int | None, float]:
        """After the case's processes were killed: the tester's exit status (None while it
        is kept) and its CPU on the case. retire: its uid was killed; reap it."""
        if self.pid is None:
            return None, 0.0
        if not retire:
            return None, max(0.0, self.cpu_s() - self.cpu_at_start)
        try:
            _, status, usage = os.wait4(self.pid, 0)
            used = max(0.0, usage.ru_utime + usage.ru_stime - self.cpu_at_start)
            code: int | None = os.waitstatus_to_exitcode(status)
        except ChildProcessError:
            used, code = 0.0, -signal.SIGKILL
        self.forget()
        return code, used

    def forget(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.pid, self.sock = None, None

    def close(self) -> None:
        """The job is over: closing its socket ends it (the runner's sweep reaps it)."""
        self.forget()
