def to_ints(weights):
    for w in list(weights):
        weights.discard(w)
        weights.add(int(w))


def keys_to_ints(table):
    for k in list(table):
        table[int(k)] = table.pop(k)
