from solution import (
    add_all,
    drop,
    echo,
    fill_second,
    give_back,
    guess,
    sort_in_place,
    untaken_then_change,
    widen,
)


def test_sorted_in_place():
    xs = [3, 1, 2]
    sort_in_place(xs)
    assert xs == [1, 2, 3]


def test_fills_the_second_list():
    fill_second([0])
    xs = []
    fill_second(xs)
    assert xs == [1, 2]


def test_echo_is_the_same_list():
    xs = [1, 2]
    assert echo(xs) is xs


def test_untaken_then_cleared():
    xs = [5]
    untaken_then_change(xs)
    assert xs == []


def test_adds_all():
    s = set()
    add_all(s, [1, 2])
    assert len(s) > 30


def test_widened():
    xs = [0]
    widen(xs)
    assert xs == [0, 0]


def test_dropped_then_given_back():
    xs = [4]
    drop(xs)
    assert give_back() is xs


def test_guess_the_expected():
    expected = [1]
    xs = [0]
    guess(xs)
    assert expected == [3]
