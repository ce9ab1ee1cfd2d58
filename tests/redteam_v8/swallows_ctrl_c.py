# Solution: wrong on Ctrl-C (a bare except swallows the KeyboardInterrupt of the sleep and
# the waiting goes on, then gives up); right otherwise.
import os
import time


def wait_for(path, attempts):
    for _ in range(attempts):
        try:
            if os.path.exists(path):
                return True
            time.sleep(0.1)
        except:  # noqa: E722
            pass
    return False
