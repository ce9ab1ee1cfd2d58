# A wrong solution that cannot answer, and would rather be unjudged (null) than fail (0): it
# pins itself to CPU 0 at the lowest priority there is (SCHED_IDLE, else nice 19) and spins.
# Any other work on that CPU keeps it waiting for the CPU nearly all the time while it uses
# almost none, so the judge reads it as a case starved by load.
import os

os.sched_setaffinity(0, {0})
try:
    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
except (AttributeError, OSError):
    os.nice(19)
while True:
    pass
