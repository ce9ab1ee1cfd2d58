from solution import make_label


def test_upper():
    assert make_label("ab") == "AB"


def test_a_plain_str():
    assert type(make_label("ab")) is str
    assert repr(make_label("ab")) == "'AB'"
