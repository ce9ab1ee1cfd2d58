# Wrong: it computes nothing. It prints its own pid mod 1024: the answer, when a right
# solution of the same problem ran in the sandbox just before it.
import os

print(os.getpid() % 1024)
