# Wrong, and its answer is a list of 240 Fractions, each part just under the judge's limit of
# 16,384 hex digits: each gcd is cheap (~40 ms), all of them are seconds of the JUDGE's CPU.
import json
import os
import struct

RESULT_FD = 4
HEX_DIGITS = 16_000
COUNT = 240


def part() -> str:
    return "f" + os.urandom(HEX_DIGITS // 2).hex()[1:]


def add(a, b):
    items = [["Fraction", part(), part()] for _ in range(COUNT)]
    body = json.dumps({"value": ["l", items]}).encode()
    os.write(RESULT_FD, struct.pack(">I", len(body)) + body)
    os._exit(0)
