# Solution: prints what the tests forbid (a debug line, a wrong greeting); plain code, no
# trick: in Python each print raises the tests' AssertionError into it.


def square(n):
    print("debug:", n)
    return n * n


def greet(name):
    print(f"Hi {name}")
