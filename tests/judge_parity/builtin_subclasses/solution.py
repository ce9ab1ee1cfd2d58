import collections
import enum


class Color(enum.IntEnum):
    RED = 1
    GREEN = 2


def favourite():
    return Color.GREEN


Point = collections.namedtuple("Point", "x y")


def origin():
    return Point(0, 0)


class Stack(list):
    def push(self, item):
        self.append(item)

    def peek(self):
        return self[-1]


class Label(str):
    def shout(self):
        return self.upper() + "!"


def make_label(text):
    return Label(text)
