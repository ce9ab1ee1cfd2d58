# ruff: noqa: SIM300
from solution import GREETING, cells, make


def test_the_constant():
    assert GREETING == bytearray(b"right")


def test_after_many_cells():
    grid = cells(200_000)
    assert len(grid) == 200_000
    assert make() == bytearray(b"right")
