"""Hostile programs against every real backend: each is contained, and the next job is fine."""

from __future__ import annotations

import os
import socket
import textwrap

import pytest

from sandbox import ExecutionRequest, ExecutionResult, Sandbox
from tests.sandbox.conftest import HOST_SECRET, assert_healthy


def run(sandbox: Sandbox, code: str, **kwargs) -> ExecutionResult:
    return sandbox.execute(ExecutionRequest(code=textwrap.dedent(code), **kwargs))


def host_processes_with(marker: str) -> list[int]:
    """Pids on this host whose command line holds marker (sandboxed processes included)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
            with open(f"/proc/{entry}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in cmdline and state != b"Z":
            found.append(int(entry))
    return found


def test_fork_bomb(sandbox):
    result = run(
        sandbox,
        """
        import os
        while True:
            try:
                os.fork()
            except OSError:
                pass
        """,
        timeout_s=2,
    )
    assert result.status in ("timeout", "error")
    assert_healthy(sandbox)


def test_memory_bomb_all_at_once(sandbox):
    result = run(sandbox, "x = bytearray(4 * 1024**3)\nprint('allocated')", memory_mb=128)
    assert result.status == "memory_limit"
    assert "allocated" not in result.stdout
    assert_healthy(sandbox)


def test_memory_bomb_growing(sandbox):
    result = run(
        sandbox,
        """
        chunks = []
        while True:
            chunks.append(bytearray(16 * 1024 * 1024))
        """,
        memory_mb=128,
        timeout_s=10,
    )
    assert result.status == "memory_limit"
    assert_healthy(sandbox)


def test_cpu_loop_hits_the_deadline(sandbox):
    result = run(sandbox, "while True:\n    pass", timeout_s=1)
    assert result.status == "timeout"
    assert result.exit_code is None
    assert_healthy(sandbox)


def test_sleep_past_the_deadline_keeps_output_so_far(sandbox):
    code = "import time\nprint('started', flush=True)\ntime.sleep(30)"
    result = run(sandbox, code, timeout_s=1)
    assert result.status == "timeout"
    assert result.stdout == "started\n"
    assert_healthy(sandbox)


def test_stdout_flood_is_capped(sandbox):
    result = run(sandbox, "while True:\n    print('x' * 1000)", timeout_s=10)
    assert result.status == "output_limit"
    assert result.truncated
    assert 0 < len(result.stdout) + len(result.stderr) <= 1 << 20
    assert_healthy(sandbox)


def test_stderr_flood_is_capped(sandbox):
    result = run(sandbox, "import sys\nwhile True:\n    sys.stderr.write('e' * 4096)", timeout_s=10)
    assert result.status == "output_limit"
    assert result.truncated
    assert_healthy(sandbox)


def test_disk_fill_fails_and_leaves_no_trace(sandbox):
    result = run(
        sandbox,
        """
        with open("fill", "wb") as f:
            while True:
                f.write(b"x" * (1 << 20))
        """,
        timeout_s=10,
    )
    assert result.status == "error"
    # The space came back: the next job can write a sizeable file.
    after = run(sandbox, "open('f', 'wb').write(b'y' * (8 << 20))\nprint('wrote')")
    assert (after.status, after.stdout) == ("ok", "wrote\n"), after
    assert_healthy(sandbox)


def test_many_small_files(sandbox):
    result = run(
        sandbox,
        """
        import os
        os.mkdir("d")
        for i in range(200_000):
            with open(f"d/{i}", "w") as f:
                f.write("x")
        print("all written")
        """,
        timeout_s=10,
    )
    assert result.status in ("error", "timeout")
    assert "all written" not in result.stdout
    assert_healthy(sandbox)


def test_no_network_even_to_the_hosts_loopback(sandbox):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]
        result = run(
            sandbox,
            f"""
            import socket
            try:
                socket.create_connection(("127.0.0.1", {port}), timeout=2)
                print("connected")
            except OSError as exc:
                print("blocked", type(exc).__name__)
            """,
        )
        with pytest.raises(BlockingIOError):
            listener.accept()
    assert result.status == "ok"
    assert result.stdout.startswith("blocked")
    assert_healthy(sandbox)


def test_host_environment_and_secrets_are_invisible(sandbox):
    result = run(
        sandbox,
        """
        import os
        print(sorted(os.environ.items()))
        for path in ("/proc/self/environ", "/proc/1/environ", "/proc/1/cmdline"):
            try:
                print(path, open(path, "rb").read())
            except OSError as exc:
                print(path, "denied", type(exc).__name__)
        """,
    )
    assert result.status == "ok"
    assert HOST_SECRET not in result.stdout + result.stderr
    assert "REWARDD_SANDBOX_TEST_SECRET" not in result.stdout
    assert_healthy(sandbox)


def test_cannot_write_outside_the_work_dir(sandbox):
    result = run(
        sandbox,
        """
        import os
        work = os.getcwd()
        targets = ["/evil", "/etc/evil", "/usr/evil", "/usr/bin/python3", "/opt/rewardd/evil",
                   os.path.join(os.path.dirname(work), "evil"), "/proc/sys/kernel/evil"]
        for path in targets:
            try:
                with open(path, "a") as f:
                    f.write("x")
                print("WROTE", path)
            except OSError:
                pass
        open("inside", "w").write("fine")
        print("done")
        """,
    )
    assert result.status == "ok", result
    assert "WROTE" not in result.stdout
    assert result.stdout.endswith("done\n")
    assert_healthy(sandbox)


def test_double_forked_daemon_does_not_outlive_its_job(sandbox):
    marker = "rewardd-lingering-daemon"
    result = run(
        sandbox,
        f"""
        import os, sys
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execv(sys.executable, [sys.executable, "-c",
                         "import time; time.sleep(120)", "{marker}"])
            os._exit(0)
        print("parent leaves")
        """,
    )
    assert result.status == "ok"
    assert result.stdout == "parent leaves\n"
    assert host_processes_with(marker) == []
    seen = run(
        sandbox,
        f"""
        import os
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    if b"{marker}" in open(f"/proc/{{pid}}/cmdline", "rb").read():
                        print("alive", pid)
                except OSError:
                    pass
        print("checked")
        """,
    )
    assert seen.stdout == "checked\n"
    assert_healthy(sandbox)


def test_killing_the_parent_does_not_break_the_sandbox(sandbox):
    code = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nprint('alive')"
    result = run(sandbox, code)
    # Docker: the runner is another uid, so the kill is refused (an honest "error");
    # bwrap: the parent is the namespace's init, which ignores it.
    assert result.status in ("error", "ok")
    assert_healthy(sandbox)


def test_kill_everything_reachable(sandbox):
    result = run(sandbox, "import os, signal\nos.kill(-1, signal.SIGKILL)\nprint('survived')")
    assert result.status in ("error", "ok")
    assert_healthy(sandbox)


def test_nothing_planted_survives_for_the_next_job(sandbox):
    plant = run(
        sandbox,
        """
        import os
        for path in ("planted", os.path.expanduser("~/planted"), "/tmp/planted",
                     "/dev/shm/planted"):
            try:
                with open(path, "w") as f:
                    f.write("boo")
                print("planted", path)
            except OSError:
                pass
        """,
    )
    assert plant.status == "ok"
    assert "planted" in plant.stdout
    look = run(
        sandbox,
        """
        import os
        for path in ("planted", os.path.expanduser("~/planted"), "/tmp/planted",
                     "/dev/shm/planted"):
            if os.path.exists(path):
                print("FOUND", path)
        print(sorted(os.listdir(".")))
        """,
    )
    assert look.status == "ok"
    assert "FOUND" not in look.stdout
    assert look.stdout == "['main.py']\n"
    assert_healthy(sandbox)


def test_dev_urandom_reads(sandbox):
    result = run(sandbox, "print(len(open('/dev/urandom', 'rb').read(1 << 20)))")
    assert (result.status, result.stdout) == ("ok", "1048576\n")
    assert_healthy(sandbox)


def test_runs_as_an_unprivileged_user(sandbox):
    result = run(
        sandbox,
        """
        import os
        print(os.getuid() != 0, os.geteuid() != 0)
        status = open("/proc/self/status").read()
        print([line for line in status.splitlines() if line.startswith("CapEff")])
        """,
    )
    assert result.status == "ok"
    assert result.stdout.splitlines()[0] == "True True"
    assert "0000000000000000" in result.stdout


def test_deeply_nested_directories_are_cleaned_up(sandbox):
    result = run(
        sandbox,
        """
        import os
        for _ in range(1500):
            os.mkdir("d")
            os.chdir("d")
        os.chmod(".", 0)
        print("deep")
        """,
    )
    assert (result.status, result.stdout) == ("ok", "deep\n"), result
    assert_healthy(sandbox)


def test_stopping_every_own_process_still_ends_at_the_deadline(sandbox):
    result = run(
        sandbox, "import os, signal\nos.kill(-1, signal.SIGSTOP)\nos.kill(0, 19)", timeout_s=1
    )
    assert result.status in ("timeout", "error")
    assert_healthy(sandbox)


def test_cannot_become_root(sandbox):
    code = "import os\ntry:\n    os.setuid(0)\nexcept OSError:\n    print('refused', os.getuid())"
    result = run(sandbox, code)
    assert result.status == "ok"
    assert result.stdout.startswith("refused ")
    assert result.stdout != "refused 0\n"
    assert_healthy(sandbox)
