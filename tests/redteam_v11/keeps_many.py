# Honest: small functions on big or many containers.
def make(n):
    return [[i, i + 1] for i in range(n)]


def get(xs, i):
    return xs[i]


def one(i):
    return [i, i * 2]
