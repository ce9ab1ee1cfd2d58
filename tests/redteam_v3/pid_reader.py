# Wrong: it computes nothing. It prints its own pid mod 4096, divided by 4 and rounded: the
# answer, when a right solution of the same problem ran in the sandbox just before it (see
# pid_leaker.py).
import os

print(round(os.getpid() % 4096 / 4) % 1024)
