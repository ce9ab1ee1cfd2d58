"""UNSAFE test helper: runs a job as a plain subprocess, with NO isolation at all.

Only for the code-reward tests that exercise the judge's own logic with benign solutions
when Docker is missing. It implements the sandbox.Sandbox protocol just enough: one
process, stdin in, stdout and stderr out, a wall-clock deadline. When the tests run as
root it drops to `nobody`, so that the judge's non-dumpable protection means something.
Never use it for untrusted code.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time

from sandbox import ExecutionRequest, ExecutionResult, procutil

NOBODY = 65534
JUDGE_ENTRY = "sandbox/judge/__main__.py"


def _python(drop: bool) -> str:
    # nobody cannot run an interpreter installed under /root (pyenv): use the system one.
    if drop and os.access("/usr/bin/python3", os.X_OK):
        return "/usr/bin/python3"
    return sys.executable


class UnsafeLocalSandbox:
    name = "unsafe-test-subprocess"

    def execute(self, request: ExecutionRequest) -> ExecutionResult:
        drop = os.geteuid() == 0
        with tempfile.TemporaryDirectory(prefix="rewardd-unsafe-") as work_dir:
            files = {**request.files, "main.py": request.code}
            for name, content in files.items():
                path = os.path.join(work_dir, name)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(content)
            if drop:
                for root, dirs, names in os.walk(work_dir):
                    for name in [*dirs, *names]:
                        os.chown(os.path.join(root, name), NOBODY, NOBODY)
                os.chown(work_dir, NOBODY, NOBODY)
            if getattr(request, "judge", False):
                argv = [_python(drop), "-I", "-B", os.path.join(work_dir, JUDGE_ENTRY)]
            else:
                argv = [_python(drop), "-E", "-s", "-B", "main.py"]
            started = time.monotonic()
            proc = subprocess.Popen(
                argv,
                cwd=work_dir,
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TMPDIR": work_dir},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                user=NOBODY if drop else None,
                group=NOBODY if drop else None,
                extra_groups=[] if drop else None,
            )
            try:
                # timeout_s is a CPU budget in the real sandboxes; here only its wall backstop.
                out, err = proc.communicate(
                    request.stdin.encode(), timeout=procutil.wall_backstop_s(request.timeout_s)
                )
                status = "ok" if proc.returncode == 0 else "error"
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                out, err = proc.communicate()
                status = "timeout"
        return ExecutionResult(
            status=status,
            exit_code=None if status == "timeout" else proc.returncode,
            stdout=out.decode("utf-8", "replace"),
            stderr=err.decode("utf-8", "replace"),
            duration_ms=(time.monotonic() - started) * 1000,
            truncated=False,
        )

    def problem(self) -> str | None:
        return None

    def close(self) -> None:
        pass
