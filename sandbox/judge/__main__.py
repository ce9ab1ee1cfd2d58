"""Entry point of the judge and of its zygote, run as a script with `python3 -I -B`.

    python3 -I -B R/sandbox/judge/__main__.py                judge one completion (stdin)
    python3 -I -B R/sandbox/judge/__main__.py --zygote FD    a zygote of its own interpreter
                                                             (the judge forks its zygote)

-I leaves the script's own directory off sys.path, so R (the directory holding sandbox/,
which no case can write) is put there by hand, every module the judge or its zygote will
run is imported, and R is taken off again: nothing is imported from R once a case has run.
"""

import os
import sys

if __name__ == "__main__":
    ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.path.insert(0, ROOT)
    # Each process imports all it will run before any payload: the zygote the case programs
    # (its forks run them), the judge its own modules and the zygote's (it forks the zygote).
    if sys.argv[1:2] == ["--zygote"]:
        from sandbox.judge import zygote

        del sys.path[0]
        zygote.main(int(sys.argv[2]))
    else:
        # The judge imports the zygote's modules too and forks it: one interpreter start.
        from sandbox.judge import supervisor, zygote, zygote_client

        del sys.path[0]
        supervisor.main(zygote_client.Zygote(os.path.abspath(__file__), serve=zygote.main))
