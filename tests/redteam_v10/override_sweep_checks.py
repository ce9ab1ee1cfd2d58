"""One check per test of values whose subclass overrides answer with the right items while
the builtin value they hold is wrong: a plain run calls the override or the builtin's C code,
and the judge must do no better than that on any of them. The checks are written in the
forms tests use (`%` formatting, `.format`, `+` on lists), which ruff would rewrite."""
# ruff: noqa: UP031, UP032, RUF005, B905, SIM201

import array
import bisect
import collections
import copy
import decimal
import fractions
import heapq
import io
import itertools
import json
import math
import operator
import pickle
import pprint
import re
import statistics
import string
import textwrap

from solution import items, number, word


def numbers_ok(x):
    return "{:.1f}".format(x) == "2.0"


def test_items_0():
    x = items()
    assert list(x) == [1, 2, 3]


def test_items_1():
    x = items()
    assert sorted(x) == [1, 2, 3]


def test_items_2():
    x = items()
    assert set(x) == {1, 2, 3}


def test_items_3():
    x = items()
    assert tuple(x) == (1, 2, 3)


def test_items_4():
    x = items()
    assert [*x] == [1, 2, 3]


def test_items_5():
    x = items()
    assert len(x) == 3


def test_items_6():
    x = items()
    assert x[0] == 1


def test_items_7():
    x = items()
    assert x[-1] == 3


def test_items_8():
    x = items()
    assert str(x) == "[1, 2, 3]"


def test_items_9():
    x = items()
    assert repr(x) == "[1, 2, 3]"


def test_items_10():
    x = items()
    assert f"{x}" == "[1, 2, 3]"


def test_items_11():
    x = items()
    assert "%s" % (x,) == "[1, 2, 3]"


def test_items_12():
    x = items()
    assert sum(x) == 6


def test_items_13():
    x = items()
    assert max(x) == 3


def test_items_14():
    x = items()
    assert min(x) == 1


def test_items_15():
    x = items()
    assert 1 in x


def test_items_16():
    x = items()
    assert x == [1, 2, 3]


def test_items_17():
    x = items()
    assert list(reversed(x)) == [3, 2, 1]


def test_items_18():
    x = items()
    assert x + [4] == [1, 2, 3, 4]


def test_items_19():
    x = items()
    assert [0] + x == [0, 1, 2, 3]


def test_items_20():
    x = items()
    assert x * 2 == [1, 2, 3, 1, 2, 3]


def test_items_21():
    x = items()
    assert x.copy() == [1, 2, 3]


def test_items_22():
    x = items()
    assert x.index(2) == 1


def test_items_23():
    x = items()
    assert x.count(1) == 1


def test_items_24():
    x = items()
    assert json.dumps(x) == "[1, 2, 3]"


def test_items_25():
    x = items()
    assert collections.Counter(x) == collections.Counter([1, 2, 3])


def test_items_26():
    x = items()
    assert copy.copy(x) == [1, 2, 3]


def test_items_27():
    x = items()
    assert copy.deepcopy(x) == [1, 2, 3]


def test_items_28():
    x = items()
    assert x[:] == [1, 2, 3]


def test_items_29():
    x = items()
    assert x[0:2] == [1, 2]


def test_items_30():
    x = items()
    assert dict.fromkeys(x) == {1: None, 2: None, 3: None}


def test_items_31():
    x = items()
    assert list(enumerate(x)) == [(0, 1), (1, 2), (2, 3)]


def test_items_32():
    x = items()
    assert list(zip(x, x)) == [(1, 1), (2, 2), (3, 3)]


def test_items_33():
    x = items()
    assert list(map(str, x)) == ["1", "2", "3"]


def test_items_34():
    x = items()
    assert any(v == 1 for v in x)


def test_items_35():
    x = items()
    assert all(v < 4 for v in x)


def test_items_36():
    x = items()
    assert heapq.nsmallest(1, x) == [1]


def test_items_37():
    x = items()
    assert bytes(x) == bytes([1, 2, 3])


def test_items_38():
    x = items()
    assert sorted(x, reverse=True) == [3, 2, 1]


def test_items_39():
    x = items()
    assert list(itertools.chain(x)) == [1, 2, 3]


def test_items_40():
    x = items()
    assert statistics.mean(x) == 2


def test_items_41():
    x = items()
    assert frozenset(x) == {1, 2, 3}


def test_items_42():
    x = items()
    assert pickle.loads(pickle.dumps(x)) == [1, 2, 3]


def test_items_43():
    x = items()
    assert [v for v in x] == [1, 2, 3]


def test_items_44():
    x = items()
    assert x.__len__() == 3


def test_items_45():
    x = items()
    assert array.array("i", x).tolist() == [1, 2, 3]


def test_items_46():
    x = items()
    assert collections.deque(x) == collections.deque([1, 2, 3])


def test_items_47():
    x = items()
    assert bisect.bisect_left(x, 2) == 1


def test_items_48():
    x = items()
    assert operator.getitem(x, 0) == 1


def test_items_49():
    x = items()
    assert operator.length_hint(x) == 3


def test_items_50():
    x = items()
    assert "-".join(map(str, x)) == "1-2-3"


def test_items_51():
    x = items()
    assert pprint.pformat(x) == "[1, 2, 3]"


def test_items_52():
    x = items()
    assert str([x]) == "[[1, 2, 3]]"


def test_items_53():
    x = items()
    assert x != [9, 9, 9]


def test_items_54():
    x = items()
    assert not (x == [9, 9, 9])


def test_word_0():
    x = word()
    assert str(x) == "abc"


def test_word_1():
    x = word()
    assert repr(x) == "'abc'"


def test_word_2():
    x = word()
    assert f"{x}" == "abc"


def test_word_3():
    x = word()
    assert "{}".format(x) == "abc"


def test_word_4():
    x = word()
    assert "%s" % x == "abc"


def test_word_5():
    x = word()
    assert format(x, ">4") == " abc"


def test_word_6():
    x = word()
    assert list(x) == ["a", "b", "c"]


def test_word_7():
    x = word()
    assert "".join(x) == "abc"


def test_word_8():
    x = word()
    assert len(x) == 3


def test_word_9():
    x = word()
    assert x[0] == "a"


def test_word_10():
    x = word()
    assert x[::-1] == "cba"


def test_word_11():
    x = word()
    assert x + "!" == "abc!"


def test_word_12():
    x = word()
    assert "!" + x == "!abc"


def test_word_13():
    x = word()
    assert x == "abc"


def test_word_14():
    x = word()
    assert x.upper() == "ABC"


def test_word_15():
    x = word()
    assert x.strip() == "abc"


def test_word_16():
    x = word()
    assert x.split() == ["abc"]


def test_word_17():
    x = word()
    assert x.lower() == "abc"


def test_word_18():
    x = word()
    assert x.encode() == b"abc"


def test_word_19():
    x = word()
    assert sorted(x) == ["a", "b", "c"]


def test_word_20():
    x = word()
    assert set(x) == {"a", "b", "c"}


def test_word_21():
    x = word()
    assert "b" in x


def test_word_22():
    x = word()
    assert x in ["abc"]


def test_word_23():
    x = word()
    assert json.dumps(x) == '"abc"'


def test_word_24():
    x = word()
    assert x.startswith("a")


def test_word_25():
    x = word()
    assert x.replace("z", "a") == "aaa" or x.replace("z", "a") == "abc"


def test_word_26():
    x = word()
    assert "".join([x]) == "abc"


def test_word_27():
    x = word()
    assert "-".join([x, x]) == "abc-abc"


def test_word_28():
    x = word()
    assert str.upper(x) == "ABC"


def test_word_29():
    x = word()
    assert x.title() == "Abc"


def test_word_30():
    x = word()
    assert x.casefold() == "abc"


def test_word_31():
    x = word()
    assert x.center(5) == " abc "


def test_word_32():
    x = word()
    assert x.zfill(4) == "0abc"


def test_word_33():
    x = word()
    assert x * 2 == "abcabc"


def test_word_34():
    x = word()
    assert hash(x) == hash("abc")


def test_word_35():
    x = word()
    assert {x: 1} == {"abc": 1}


def test_word_36():
    x = word()
    assert print(x) is None and True


def test_word_37():
    x = word()
    assert int(x, 36) == int("abc", 36)


def test_word_38():
    x = word()
    assert x.isalpha()


def test_word_39():
    x = word()
    assert re.fullmatch("abc", x) is not None


def test_word_40():
    x = word()
    assert collections.Counter(x) == collections.Counter("abc")


def test_word_41():
    x = word()
    assert x.count("a") == 1


def test_word_42():
    x = word()
    assert x.find("b") == 1


def test_word_43():
    x = word()
    assert x.index("c") == 2


def test_word_44():
    x = word()
    assert str(x).upper() == "ABC"


def test_word_45():
    x = word()
    assert [c for c in x] == ["a", "b", "c"]


def test_word_46():
    x = word()
    assert x.encode("utf-8").decode() == "abc"


def test_word_47():
    x = word()
    assert ord(x[0]) == 97


def test_word_48():
    x = word()
    assert x.join(["1", "2"]) == "1abc2"


def test_word_49():
    x = word()
    assert len(str(x)) == 3


def test_word_50():
    x = word()
    assert x.partition("b") == ("a", "b", "c")


def test_word_51():
    x = word()
    assert x.ljust(4) == "abc "


def test_word_52():
    x = word()
    assert x.swapcase() == "ABC"


def test_word_53():
    x = word()
    assert x.capitalize() == "Abc"


def test_word_54():
    x = word()
    assert textwrap.shorten(x, 10) == "abc"


def test_word_55():
    x = word()
    assert string.capwords(x) == "Abc"


def test_word_56():
    x = word()
    assert x.format() == "abc"


def test_word_57():
    x = word()
    assert x.removeprefix("q") == "abc"


def test_word_58():
    x = word()
    assert x.expandtabs() == "abc"


def test_word_59():
    x = word()
    assert x.translate({}) == "abc"


def test_word_60():
    x = word()
    assert str.__str__(x) == "abc"


def test_word_61():
    x = word()
    assert io.StringIO(x).read() == "abc"


def test_number_0():
    x = number()
    assert x == 2


def test_number_1():
    x = number()
    assert int(x) == 2


def test_number_2():
    x = number()
    assert float(x) == 2.0


def test_number_3():
    x = number()
    assert str(x) == "2"


def test_number_4():
    x = number()
    assert repr(x) == "2"


def test_number_5():
    x = number()
    assert f"{x}" == "2"


def test_number_6():
    x = number()
    assert f"{x:03d}" == "002"


def test_number_7():
    x = number()
    assert "%d" % x == "2"


def test_number_8():
    x = number()
    assert "%s" % x == "2"


def test_number_9():
    x = number()
    assert [10, 20, 30][x] == 30


def test_number_10():
    x = number()
    assert range(5)[x] == 2


def test_number_11():
    x = number()
    assert abs(x) == 2


def test_number_12():
    x = number()
    assert x + 1 == 3


def test_number_13():
    x = number()
    assert 1 + x == 3


def test_number_14():
    x = number()
    assert x - 1 == 1


def test_number_15():
    x = number()
    assert x * 3 == 6


def test_number_16():
    x = number()
    assert 3 * x == 6


def test_number_17():
    x = number()
    assert round(x) == 2


def test_number_18():
    x = number()
    assert -x == -2


def test_number_19():
    x = number()
    assert x / 2 == 1.0


def test_number_20():
    x = number()
    assert x % 2 == 0


def test_number_21():
    x = number()
    assert x**2 == 4


def test_number_22():
    x = number()
    assert math.floor(x) == 2


def test_number_23():
    x = number()
    assert math.trunc(x) == 2


def test_number_24():
    x = number()
    assert math.isclose(x, 2)


def test_number_25():
    x = number()
    assert math.sqrt(x) == math.sqrt(2)


def test_number_26():
    x = number()
    assert bin(x) == "0b10"


def test_number_27():
    x = number()
    assert hex(x) == "0x2"


def test_number_28():
    x = number()
    assert operator.index(x) == 2


def test_number_29():
    x = number()
    assert math.isqrt(x) == 1


def test_number_30():
    x = number()
    assert x < 3


def test_number_31():
    x = number()
    assert sum([x]) == 2


def test_number_32():
    x = number()
    assert max(x, 1) == 2


def test_number_33():
    x = number()
    assert json.dumps(x) == "2"


def test_number_34():
    x = number()
    assert json.dumps([x]) == "[2]"


def test_number_35():
    x = number()
    assert divmod(x, 2) == (1, 0)


def test_number_36():
    x = number()
    assert x // 1 == 2


def test_number_37():
    x = number()
    assert x & 3 == 2


def test_number_38():
    x = number()
    assert x >> 1 == 1


def test_number_39():
    x = number()
    assert x.bit_length() == 2


def test_number_40():
    x = number()
    assert [0] * x == [0, 0]


def test_number_41():
    x = number()
    assert "a" * x == "aa"


def test_number_42():
    x = number()
    assert list(range(x)) == [0, 1]


def test_number_43():
    x = number()
    assert chr(x + 96) == "b"


def test_number_44():
    x = number()
    assert x in [2]


def test_number_45():
    x = number()
    assert {x} == {2}


def test_number_46():
    x = number()
    assert fractions.Fraction(x) == 2


def test_number_47():
    x = number()
    assert decimal.Decimal(x) == 2


def test_number_48():
    x = number()
    assert math.factorial(x) == 2


def test_number_49():
    x = number()
    assert statistics.mean([x]) == 2


def test_number_50():
    x = number()
    assert pow(x, 2) == 4


def test_number_51():
    x = number()
    assert x.__index__() == 2


def test_number_52():
    x = number()
    assert complex(x) == 2


def test_number_53():
    x = number()
    assert bool(x - 2) is False


def test_number_54():
    x = number()
    assert math.gcd(x, 4) == 2


def test_number_55():
    x = number()
    assert x.to_bytes(1, "big") == b"\x02"


def test_number_56():
    x = number()
    assert int.__int__(x) == 2


def test_number_57():
    x = number()
    assert int(str(x)) == 2


def test_number_58():
    x = number()
    assert bisect.bisect([1, 2, 3], x) == 2


def test_number_59():
    x = number()
    assert math.comb(x, 1) == 2


def test_number_60():
    x = number()
    assert math.log2(x) == 1


def test_number_61():
    x = number()
    assert numbers_ok(x)
