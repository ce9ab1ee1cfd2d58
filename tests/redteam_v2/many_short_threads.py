# Honest (no attack): a thread per item, 200 items of trivial work, well within any limit.
import threading

n = int(input())
results = [0] * 200


def square(i: int) -> None:
    results[i] = i * i


for i in range(200):
    thread = threading.Thread(target=square, args=(i,))
    thread.start()
    thread.join()
print(sum(results) + n)
