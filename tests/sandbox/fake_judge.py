"""A stand-in judge for the sandbox's own tests: the runner's side of the judge interface.

Shipped as sandbox/judge/__main__.py of a judge job, with sandbox/procutil.py next to it.
It uses the privileges the runner gives a judge the way the real judge's zygote does, and
nothing more:

- the judge proper forks off, drops to REWARDD_JUDGE_UID, keeps a marker file in its
  scratch dir, records the signals it gets, and waits;
- the root part runs ONE case as the first uid of REWARDD_CASE_UIDS, in its own 0700 dir
  under REWARDD_CASE_ROOT: the Python code on stdin, told where the judge lives
  (JUDGE_PID, JUDGE_SCRATCH, JUDGE_FILES) so that it can attack it;
- when the case's main process ends, the root part kills the case uid once with
  procutil.kill_uid and prints one JSON line: what is left of the judge and of the case.
"""

from __future__ import annotations

import json
import os
import resource
import select
import signal
import sys
import time

FILES = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, FILES)

from sandbox import procutil  # noqa: E402

MARKER = "marker"
MARKER_TEXT = "intact"
CASE_WALL_S = 20.0
REPORT_TIMEOUT_S = 5.0
SIGNALS_RECORDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1, signal.SIGCONT)


def become(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def judge_proper(uid: int, scratch: str, done_r: int, report_w: int) -> None:
    """The judge's process: uid J, a marker in its scratch dir; never returns."""
    received: list[str] = []
    for sig in SIGNALS_RECORDED:
        signal.signal(sig, lambda number, _frame: received.append(signal.Signals(number).name))
    become(uid)
    os.chdir(scratch)
    with open(os.path.join(scratch, MARKER), "w") as f:
        f.write(MARKER_TEXT)
    os.write(report_w, b"r")
    while not os.read(done_r, 1):
        pass
    try:
        with open(os.path.join(scratch, "after-case"), "wb") as f:
            f.write(b"j" * (1 << 20))
        can_write = True
    except OSError:
        can_write = False
    with open(os.path.join(scratch, MARKER)) as f:
        marker = f.read()
    report = {
        "marker": marker,
        "scratch": sorted(os.listdir(scratch)),
        "signals": received,
        "can_write_scratch": can_write,
        "rlimit_cpu": list(resource.getrlimit(resource.RLIMIT_CPU)),
        "uid": os.getuid(),
    }
    os.write(report_w, json.dumps(report).encode())
    os._exit(0)


def run_case(uid: int, case_dir: str, code: str, judge_pid: int, scratch: str) -> int:
    pid = os.fork()
    if pid:
        return pid
    try:
        os.setsid()  # its own session, as the real judge's cases
        become(uid)
        os.chdir(case_dir)  # after the drop: root without CAP_DAC_OVERRIDE cannot enter it
        env = {
            **procutil.job_env(case_dir),
            "JUDGE_PID": str(judge_pid),
            "JUDGE_SCRATCH": scratch,
            "JUDGE_FILES": FILES,
        }
        os.execve(sys.executable, [sys.executable, "-E", "-s", "-B", "-c", code], env)
    finally:
        os._exit(127)


def wait_for(pid: int, timeout_s: float) -> int | None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.01)
    return None


def main() -> None:
    judge_uid = int(os.environ["REWARDD_JUDGE_UID"])
    case_uid = int(os.environ["REWARDD_CASE_UIDS"].split(":")[0])
    case_dir = os.path.join(os.environ["REWARDD_CASE_ROOT"], "0")
    scratch = os.environ["TMPDIR"]
    code = sys.stdin.read()
    done_r, done_w = os.pipe()
    report_r, report_w = os.pipe()
    judge_pid = os.fork()
    if judge_pid == 0:
        judge_proper(judge_uid, scratch, done_r, report_w)
    os.close(report_w)
    assert os.read(report_r, 1) == b"r"

    os.mkdir(case_dir, 0o700)
    os.chown(case_dir, case_uid, case_uid)
    case_pid = run_case(case_uid, case_dir, code, judge_pid, scratch)
    case_exit = wait_for(case_pid, CASE_WALL_S)
    time.sleep(0.2)  # whatever the case left running gets going
    procutil.kill_uid(case_uid)
    time.sleep(0.3)
    survivors = procutil.processes_of(case_uid)

    judge = procutil.process_table().get(judge_pid)
    os.write(done_w, b"d")
    report = None
    if select.select([report_r], [], [], REPORT_TIMEOUT_S)[0]:
        report = json.loads(os.read(report_r, 1 << 16) or b"null")
    print(
        json.dumps(
            {
                "case_exit": case_exit,
                "survivors": len(survivors),
                "judge_state": judge.state if judge else None,
                "judge": report,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
