from solution import get, make, one


def test_kept_1000():
    kept = [one(i) for i in range(1000)]
    assert kept[999] == [999, 1998]


def test_grid_queried_100():
    grid = [[r * 1000 + c for c in range(1000)] for r in range(1000)]
    for i in range(100):
        assert get(grid, i)[0] == i * 1000


def test_big_returned_then_40_calls():
    big = make(100_000)
    for i in range(40):
        assert one(i) == [i, 2 * i]
    assert len(big) == 100_000
