import collections

from solution import (
    counts,
    deep_names,
    flip_keys,
    grow,
    home,
    is_ready,
    label,
    ref_bool,
    ref_negative,
    ref_out,
    same_unfinished,
    sort_it,
    sort_list,
    weird_name,
    weird_name2,
)


def test_a_tuple_is_not_changed_in_place():
    t = (3, 1, 2)
    sort_it(t)
    assert t == (1, 2, 3)


def test_a_frozenset_is_not_changed_in_place():
    fs = frozenset({1})
    grow(fs)
    assert fs == {1, 2}


def test_the_expected_value_was_never_passed():
    expected = [1, 2, 3]
    assert sort_list([3, 1, 2]) == expected


def test_arg_out_of_range():
    xs = [9]
    assert ref_out(xs) == [1]


def test_arg_negative():
    xs = [9]
    assert ref_negative(xs) == [1]


def test_arg_bool():
    xs = [9]
    assert ref_bool(xs) == [1]


def test_same_unfinished():
    assert same_unfinished() == [[]]


def test_a_bool_subclass():
    assert is_ready() is True


def test_hostile_names():
    x = label()
    assert x == "AB"
    assert x.__class__ is str and type(x) is str


def test_home_from_the_solution():
    assert home() == [1]


def test_a_dict_key_is_not_changed():
    d = {(1, 2): "a"}
    flip_keys(d)
    assert (2, 1) in d


def test_weird_class_name():
    assert weird_name() == "x"


def test_weird_class_name2():
    assert weird_name2() == "x"


def test_counter_from_a_list():
    c = collections.Counter({1: 2})
    counts(c)
    assert c == collections.Counter([1])


def test_many_names():
    assert deep_names() == "x"
