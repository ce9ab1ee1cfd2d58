import sys


def gcd(a, b):
    divisor = min(a, b)
    while a % divisor or b % divisor:
        divisor -= 1
    return divisor


data = list(map(int, sys.stdin.read().split()[1:]))
print(sum(gcd(data[i], data[i + 1]) for i in range(0, len(data), 2)))
