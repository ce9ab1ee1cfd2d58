from math import comb, perm

n = int(input())
print(comb(n, 5) * perm(n, 5))
