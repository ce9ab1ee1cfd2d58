# Solution: waits before every poll, ready or not (what the tests forbid); plain code: in
# Python it calls the tests' mocked time.sleep.
import time


def poll(ready, cached=False):
    time.sleep(0.001)
    return "ready" if ready else "down"
