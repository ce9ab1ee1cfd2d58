# ruff: noqa: RUF005 -- the overrides build their answers as such code does
class Items(list):  # holds the wrong items; its overrides answer with the right ones
    def __iter__(self):
        return iter([1, 2, 3])

    def __len__(self):
        return 3

    def __getitem__(self, index):
        return [1, 2, 3][index]

    def __str__(self):
        return "[1, 2, 3]"

    def __repr__(self):
        return "[1, 2, 3]"

    def __reversed__(self):
        return iter([3, 2, 1])

    def __add__(self, other):
        return [1, 2, 3] + list(other)

    def __radd__(self, other):
        return list(other) + [1, 2, 3]

    def __mul__(self, n):
        return [1, 2, 3] * n

    def copy(self):
        return [1, 2, 3]

    def index(self, x):
        return [1, 2, 3].index(x)

    def count(self, x):
        return [1, 2, 3].count(x)


class Word(str):
    def __str__(self):
        return "abc"

    def __repr__(self):
        return "'abc'"

    def __format__(self, spec):
        return format("abc", spec)

    def __iter__(self):
        return iter("abc")

    def __len__(self):
        return 3

    def __getitem__(self, index):
        return "abc"[index]

    def __add__(self, other):
        return "abc" + other

    def __radd__(self, other):
        return other + "abc"

    def upper(self):
        return "ABC"

    def strip(self, *args):
        return "abc"

    def split(self, *args):
        return ["abc"]

    def lower(self):
        return "abc"

    def encode(self, *args):
        return b"abc"


class Number(int):
    def __index__(self):
        return 2

    def __int__(self):
        return 2

    def __float__(self):
        return 2.0

    def __str__(self):
        return "2"

    def __repr__(self):
        return "2"

    def __format__(self, spec):
        return format(2, spec)

    def __abs__(self):
        return 2

    def __add__(self, other):
        return 2 + other

    def __radd__(self, other):
        return other + 2

    def __sub__(self, other):
        return 2 - other

    def __mul__(self, other):
        return 2 * other

    def __rmul__(self, other):
        return other * 2

    def __round__(self, *args):
        return 2

    def __neg__(self):
        return -2

    def __truediv__(self, other):
        return 2 / other

    def __mod__(self, other):
        return 2 % other

    def __pow__(self, other, mod=None):
        return pow(2, other, mod)

    def __trunc__(self):
        return 2

    def __floor__(self):
        return 2


def items():
    return Items([9, 9, 9])


def word():
    return Word("zzz")


def number():
    return Number(7)
