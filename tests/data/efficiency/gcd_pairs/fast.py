import sys
from math import gcd

data = list(map(int, sys.stdin.read().split()[1:]))
print(sum(gcd(data[i], data[i + 1]) for i in range(0, len(data), 2)))
