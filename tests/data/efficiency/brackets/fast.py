import sys

PAIRS = {")": "(", "]": "[", "}": "{"}

for line in sys.stdin.read().split()[1:]:
    stack = []
    ok = True
    for char in line:
        if char in PAIRS:
            if not stack or stack.pop() != PAIRS[char]:
                ok = False
                break
        else:
            stack.append(char)
    print("yes" if ok and not stack else "no")
