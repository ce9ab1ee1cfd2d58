import sys

for line in sys.stdin.read().split()[1:]:
    balanced = all(line.count(a) == line.count(b) for a, b in ("()", "[]", "{}"))
    print("yes" if balanced else "no")
