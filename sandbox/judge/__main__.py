"""Entry point of the judge and of its zygote, run as a script with `python3 -I -B`.

    python3 -I -B R/sandbox/judge/__main__.py                judge one completion (stdin)
    python3 -I -B R/sandbox/judge/__main__.py --zygote FD    the zygote (started by the judge)

-I leaves the script's own directory off sys.path, so R (the directory holding sandbox/,
which no case can write) is put there by hand, every module the judge or its zygote will
run is imported, and R is taken off again: nothing is imported from R once a case has run.
"""

import os
import sys

if __name__ == "__main__":
    ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.path.insert(0, ROOT)
    # Each process imports all it will run: the zygote the case programs (its forks run them),
    # the judge its own modules only.
    if sys.argv[1:2] == ["--zygote"]:
        from sandbox.judge import zygote

        del sys.path[0]
        zygote.main(int(sys.argv[2]))
    else:
        # The zygote first: its start then overlaps the judge's own imports.
        from sandbox.judge import zygote_client

        zygote = zygote_client.Zygote(os.path.abspath(__file__))
        from sandbox.judge import supervisor

        del sys.path[0]
        supervisor.main(zygote)
