from solution import make_label


def test_upper():
    assert make_label("ab") == "AB"


def test_str():
    assert str(make_label("ab")) == "AB"


def test_len():
    assert len(make_label("abc")) == 3
