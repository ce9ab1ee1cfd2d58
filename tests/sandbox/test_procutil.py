"""sandbox/procutil.py on its own: frames, the pump's caps and deadline, cleaning up as an owner."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest

from sandbox import procutil


def test_frames_round_trip_and_time_out():
    read_end, write_end = os.pipe()
    try:
        procutil.write_all(write_end, procutil.encode_frame({"a": [1, "é"]}))
        assert procutil.read_frame(read_end, time.monotonic() + 5) == {"a": [1, "é"]}
        os.write(write_end, procutil.encode_frame({"b": 2})[:6])  # half a frame
        with pytest.raises(TimeoutError):
            procutil.read_frame(read_end, time.monotonic() + 0.1)
    finally:
        os.close(read_end)
        os.close(write_end)


def test_pump_keeps_within_the_total_cap_and_writes_the_outbox():
    out_r, out_w = os.pipe()
    in_r, in_w = os.pipe()
    os.write(out_w, b"x" * 5000)
    os.close(out_w)
    try:
        result = procutil.pump(
            {out_r: 1 << 20}, outbox={in_w: b"hello"}, total_cap=1000, deadline=time.monotonic() + 5
        )
        assert result.capped and not result.timed_out
        assert result.outputs[out_r] == b"x" * 1000
        assert os.read(in_r, 100) == b"hello"
        assert os.read(in_r, 100) == b""  # the pump closed the written fd: EOF
    finally:
        os.close(out_r)
        os.close(in_r)


def test_pump_stops_at_a_deadline_given_as_a_function():
    read_end, write_end = os.pipe()
    try:
        started = time.monotonic()
        result = procutil.pump({read_end: 100}, deadline=lambda: started + 0.3)
        assert result.timed_out and not result.capped
        assert 0.3 <= time.monotonic() - started < 5
    finally:
        os.close(read_end)
        os.close(write_end)


@pytest.mark.skipif(os.geteuid() != 0, reason="acting as another uid needs root")
def test_wipe_below_deletes_what_another_uid_locked_away():
    uid = procutil.KILLER_UID - 7  # a uid nothing here runs as
    # Traversable by that uid, as /sandbox is (pytest's tmp_path sits in a 0700 dir).
    top = Path(tempfile.mkdtemp(prefix="rewardd-wipe-"))
    os.chmod(top, 0o711)
    locked = top / "case" / "a" / "b"
    locked.mkdir(parents=True)
    (locked / "f").write_text("x")
    for path in (top / "case", top / "case" / "a", locked, locked / "f"):
        os.chown(path, uid, uid)
    os.chmod(top / "case" / "a", 0)
    os.chmod(top / "case", 0o700)
    # In a child: acting_as changes the credentials of the whole process.
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os._exit(1 if procutil.wipe_below(str(top)) else 0)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    left = os.listdir(top)
    if not left:
        os.rmdir(top)
    assert os.waitstatus_to_exitcode(status) == 0
    assert left == []
