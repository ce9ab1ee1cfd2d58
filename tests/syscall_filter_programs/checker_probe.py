# A reference's checker: accepts the output only when its own process is refused memfd_create
# (the cases' syscall filter covers checkers too) and the output is right.
import errno
import os
import sys

try:
    os.memfd_create("storage")
    sys.exit("memfd_create was allowed")
except OSError as exc:
    if exc.errno != errno.EPERM:
        sys.exit(f"memfd_create: {exc}")
_, _, output, answer = sys.argv
with open(output) as got, open(answer) as expected:
    sys.exit(0 if got.read().split() == expected.read().split() else 1)
