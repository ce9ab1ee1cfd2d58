n = int(input())
s = input().strip()
total = 0
for left in range(n):
    longest = run = 0
    for right in range(left, n):
        run = run + 1 if s[right] == "1" else 0
        longest = max(longest, run)
        total += longest
print(total)
