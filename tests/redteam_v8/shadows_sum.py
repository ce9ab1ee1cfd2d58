# Wrong on every case (total and power_sum always return 0): its own sum and pow, which no
# test imports, also return 0.
def sum(items, start=0):
    return 0


def pow(base, exp, mod=None):
    return 0


def total(items):
    return 0


def power_sum(base, n):
    return 0
