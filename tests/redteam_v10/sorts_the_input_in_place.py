def sorted_copy(xs):
    xs.sort()
    return xs
