# Burns its own CPU up to just under the case's limit, then returns Fractions made without
# their gcd: the tester, rebuilding the answer, computes 1400 gcds of 65,535-bit numbers.
import random
import threading
import time
from fractions import Fraction

random.seed(1)
NUMERATOR = random.getrandbits(65535) | (1 << 65534) | 1
DENOMINATOR = random.getrandbits(65535) | (1 << 65534) | 1


def burn():
    while time.process_time() < 4.6:
        sum(range(10000))


def add(a, b):
    threading.Thread(target=burn, daemon=True).start()
    return [Fraction(NUMERATOR, DENOMINATOR, _normalize=False)] * 1400
