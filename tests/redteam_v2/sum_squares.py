# Honest: does the work every time it runs.
def work(n: int) -> int:
    return sum(i * i % 7 for i in range(n))


print(work(int(input())))
