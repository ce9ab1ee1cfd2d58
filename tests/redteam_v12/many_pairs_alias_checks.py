from solution import Store, total


def test_store_keeps_its_own_copy():
    # 21 batches of 10,000 (a, b) pairs: 210,000 tuples cross, more than MAX_SHARED.
    for batch in range(21):
        pairs = [(batch, i) for i in range(10_000)]
        assert total(pairs) == batch * 10_000 + 49_995_000
    data = [1, 2, 3]
    store = Store(data)
    data.append(4)
    assert store.items() == [1, 2, 3]
