# Wrong, and its answer is a set of 100,000 ints that all hash alike (x mod 2**61 - 1 is
# Python's int hash), sent on the result pipe as they are: building that set is quadratic
# (about 80 s), in the JUDGE, after the case, outside the case's CPU limit.
import json
import os
import struct

RESULT_FD = 4
MODULUS = (1 << 61) - 1
COUNT = 100_000


def add(a, b):
    items = [["i", format(k * MODULUS + 7, "x")] for k in range(1, COUNT + 1)]
    body = json.dumps({"value": ["set", items]}).encode()
    os.write(RESULT_FD, struct.pack(">I", len(body)) + body)
    os._exit(0)
