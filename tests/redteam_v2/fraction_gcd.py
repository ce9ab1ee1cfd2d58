# Wrong, and its answer is a Fraction of two 2-million-digit hex numbers, sent on the result
# pipe as they are: rebuilding it (fractions.Fraction normalises by gcd, quadratic in the
# digits: minutes) is the JUDGE's work, after the case, outside the case's CPU limit.
import json
import os
import struct

RESULT_FD = 4
HEX_DIGITS = 2_000_000


def add(a, b):
    numerator = os.urandom(HEX_DIGITS // 2).hex().lstrip("0") or "1"
    denominator = os.urandom(HEX_DIGITS // 2).hex().lstrip("0") or "1"
    body = json.dumps({"value": ["Fraction", numerator, denominator]}).encode()
    os.write(RESULT_FD, struct.pack(">I", len(body)) + body)
    os._exit(0)
