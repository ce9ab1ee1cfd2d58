# Honest: does the work every time it runs (pid_channel.py's problem).
def work(n: int) -> int:
    return sum(i * i % 7 for i in range(n)) % 1000


print(work(int(input())))
