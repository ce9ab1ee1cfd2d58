from solution import make


def test_made():
    assert make("hi") == bytearray(b"hi")


def test_bytes_of_it():
    assert bytes(make("ok")) == b"ok"
