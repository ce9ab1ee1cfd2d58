# `np` is not imported: APPS's harness preamble brings numpy (image "sci").
n = int(input())
ones = np.array([c == "1" for c in input().strip()], dtype=np.int64)  # noqa: F821
total = 0
for left in range(n):
    longest = run = 0
    for value in ones[left:]:
        run = run + 1 if value else 0
        longest = max(longest, run)
        total += longest
print(total)
