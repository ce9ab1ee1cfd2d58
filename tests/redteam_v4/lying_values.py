# A wrong solution that returns, case by case, a value that would compare equal to the
# expected one if the judge used its methods, its truth or its type, or a forged snapshot:
# f(k) for the k-th trick; only f(99) is right (a control: the harness does score a pass).
import decimal
import os
import struct
import sys


class Equal(list):
    def __eq__(self, other):
        return True

    def __iter__(self):
        return iter([1, 2])

    def __len__(self):
        return 2


class EqualStr(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


class EqualInt(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


class Items(dict):
    def items(self):
        return [("a", 1)]


def forged(snapshot):
    body = ('{"value": ' + snapshot + "}").encode()
    os.write(4, struct.pack(">I", len(body)) + body)
    sys.stdout.flush()
    os._exit(0)


def f(k):
    if k == 0:
        return False  # expected 0
    if k == 1:
        return True  # expected 1.0
    if k == 2:
        return Equal([9, 9])  # expected [1, 2]
    if k == 3:
        return EqualStr("zz")  # expected "ab"
    if k == 4:
        return EqualInt(4)  # expected 3
    if k == 5:
        return (x for x in [1])  # expected [1]
    if k == 6:
        return Items(a=2)  # expected {"a": 1}
    if k == 7:
        loop = []
        loop.append(loop)
        return loop  # expected [[]]
    if k == 8:
        return float("nan")  # expected 0.5
    if k == 9:
        return decimal.Decimal("sNaN")  # expected 2
    if k == 10:
        return {1, 2}  # expected [1, 2]
    if k == 11:
        return range(1, 3)  # expected [1, 2]
    if k == 12:
        forged('["ref", 1, "int", true]')  # expected 5
    if k == 13:
        forged('["stdlib", "builtins", "object"]')  # expected 5
    if k == 14:
        forged('["i", "' + "f" * 9_000_000 + '"]')  # expected 5: a number too big to be it
    return 7
