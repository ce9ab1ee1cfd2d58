from solution import scale, scale_keys


def test_scale_by_one_keeps_the_floats():
    weights = {1.0, 2.0}
    scale(weights, 1)
    assert weights == {1.0, 2.0}
    assert all(type(w) is float for w in weights)


def test_scale_keys_by_one_keeps_the_floats():
    table = {1.0: "a", 2.0: "b"}
    scale_keys(table, 1)
    assert table == {1.0: "a", 2.0: "b"}
    assert all(type(k) is float for k in table)
