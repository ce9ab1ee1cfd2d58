from solution import keys_to_ints, to_ints


def test_to_ints_in_place():
    weights = {1.0, 2.0}
    to_ints(weights)
    assert weights == {1, 2}
    assert all(type(w) is int for w in weights)


def test_keys_to_ints_in_place():
    table = {True: "a", 2.0: "b"}
    keys_to_ints(table)
    assert all(type(k) is int for k in table)
