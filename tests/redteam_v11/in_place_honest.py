# Honest: each call changes one value of the tests' container in place.
def bump(counts, key):
    counts[key] += 1


def bump_first(queue):
    queue[0] += 1
