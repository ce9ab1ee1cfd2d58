def fruits():
    return ["apple", "pear", "kiwi"]


def greet(name):
    return f"Hello, {name}!"


def primes_below(n):
    return {p for p in range(2, n) if all(p % d for d in range(2, p))}
