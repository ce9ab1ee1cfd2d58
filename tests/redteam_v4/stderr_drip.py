# A wrong solution that would rather leave the item unjudged (null) than failed (0): a child
# drips one byte at a time on stderr, each a wakeup, a select and a read of the JUDGE's
# (its pump's), which costs the judge several times what each write costs the child, while
# the solution's own process sleeps until the backstop.
import os
import time

if os.fork() == 0:
    while True:
        os.write(2, b"x")
        time.sleep(0.00005)
time.sleep(3600)
