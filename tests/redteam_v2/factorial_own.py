# Honest: the work runs in the solution's own process.
from math import factorial


def fact(n):
    return factorial(n)
