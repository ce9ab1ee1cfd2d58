import sys

for line in sys.stdin.read().split()[1:]:
    while True:
        shorter = line.replace("()", "").replace("[]", "").replace("{}", "")
        if shorter == line:
            break
        line = shorter
    print("yes" if not line else "no")
