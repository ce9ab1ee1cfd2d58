from math import comb

n = int(input())
print(comb(n, 5))  # the crossings, not the ways to place five distinct benches
