from math import floor, log, pi

DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def converter(n, decimals=0, base=pi):
    # Returns APPS's storage wrapping ([answer]), which APPS's harness also accepts.
    sign = "-" if n < 0 else ""
    n = abs(n)
    top = max(0, floor(log(n, base))) if n > 0 else 0
    digits = []
    for power in range(top, -decimals - 1, -1):
        if power == -1:
            digits.append(".")
        weight = base**power
        digit = int(n // weight)
        digits.append(DIGITS[digit])
        n -= digit * weight
    return [sign + "".join(digits)]
