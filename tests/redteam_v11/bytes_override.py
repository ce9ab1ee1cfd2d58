# Wrong: the buffers hold b"wrong". Their class's __bytes__ says b"right": Python's
# bytearray == never asks it, but the judge's snapshot of a bytearray (values._bytearray:
# bytes(value)) does, where no table entry's sync trips over it first.
class Buf(bytearray):
    def __bytes__(self):
        return b"right"


GREETING = Buf(b"wrong")


def cells(n):
    return [[] for _ in range(n)]


def make():
    return Buf(b"wrong")
