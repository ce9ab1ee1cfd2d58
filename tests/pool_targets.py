"""Task functions for the killable pool tests (imported by the pool's worker processes)."""

from __future__ import annotations

import os
import time


def run(payload: dict) -> object:
    action = payload["action"]
    if action == "echo":
        return payload["value"]
    if action == "sleep":
        time.sleep(payload["seconds"])
        return "slept"
    if action == "spin":  # a hang no signal interrupts: pure C-level work
        return sum(range(10**14))
    if action == "die":
        os._exit(1)
    if action == "raise":
        raise ValueError("bad payload")
    if action == "pid":
        return os.getpid()
    raise AssertionError(action)
