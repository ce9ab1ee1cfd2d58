"""The code judge: runs a completion's cases in the sandbox and decides which pass.

Shipped to the sandbox as files (sandbox/judge/*.py and sandbox/procutil.py, without
sandbox/__init__.py) and started isolated: `python3 -I -B R/sandbox/judge/__main__.py`.

    supervisor.py  the judge's main process: one case after another, pipes, limits, cleanup
    zygote.py      the clean interpreter that forks every case process, under its own uid
    zygote_client.py  the judge's handle on it, and who is who (the job's uids)
    case.py        the program of a solution's process: runs it, answers with data
    tester.py      the program that runs a reference's test code against the solution's data
    verdicts.py    from what a case's processes did to the case's verdict
    compare.py     how returned values and outputs are compared
    values.py      plain-data snapshots: what crosses between processes
    identities.py  the containers both sides hold: one object across the pipe, kept in step
    subclasses.py  how an instance of a solution's subclass of a builtin type crosses

See docs/rewards-code.md for what each test style guarantees.
"""
