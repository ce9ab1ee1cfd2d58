# Wrong: scales the tests' floats in place through int(), so 1.0 becomes 1: an equal item of
# another type (Python's set and dict then hold the int).
def scale(weights, factor):
    for w in list(weights):
        weights.discard(w)
        weights.add(int(w * factor))


def scale_keys(table, factor):
    for k in list(table):
        table[int(k * factor)] = table.pop(k)
