import sys
from collections import deque


def main() -> None:
    data = sys.stdin.read().split()
    x0, y0, x1, y1, n = map(int, data[:5])
    allowed = set()
    for i in range(n):
        row, first, last = map(int, data[5 + 3 * i : 8 + 3 * i])
        allowed.update((row, column) for column in range(first, last + 1))
    distance = {(x0, y0): 0}
    queue = deque([(x0, y0)])
    while queue:
        x, y = queue.popleft()
        if (x, y) == (x1, y1):
            print(distance[(x, y)])
            return
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                cell = (x + dx, y + dy)
                if cell in allowed and cell not in distance:
                    distance[cell] = distance[(x, y)] + 1
                    queue.append(cell)
    print(-1)


main()
