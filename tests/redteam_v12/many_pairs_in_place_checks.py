from solution import reverse_in_place, total


def test_reverse_in_place_after_many_pairs():
    # 21 batches of 10,000 (a, b) pairs: 210,000 tuples cross, more than MAX_SHARED.
    for batch in range(21):
        pairs = [(batch, i) for i in range(10_000)]
        assert total(pairs) == batch * 10_000 + 49_995_000
    data = [1, 2, 3]
    reverse_in_place(data)
    assert data == [3, 2, 1]
