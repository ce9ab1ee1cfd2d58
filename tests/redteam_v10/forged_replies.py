# Wrong functions (each does nothing useful) whose process forges the reply of each call:
# references out of range or to unfinished containers, "changed" entries for what the tests
# never passed or cannot change, "sub" trees with hostile names or a bool base, a "home".
import sys

case = sys.modules.get("sandbox.judge.case")
INTS = ["l", [["i", "1"], ["i", "2"], ["i", "3"]]]
FORGED = {
    # The tests' tuple (container 0 of the request) rewritten in place.
    "sort_it": (["t", []], [[0, ["t", [["i", "1"], ["i", "2"], ["i", "3"]]]], [0, INTS]]),
    # The tests' frozenset.
    "grow": (None, [[0, ["set", [["i", "1"], ["i", "2"]]]], [0, ["fs", [["i", "1"], ["i", "2"]]]]]),
    # Numbers of containers the request does not hold: the tests' expected value.
    "sort_list": (
        ["l", [["i", "9"]]],
        [
            [1, ["l", [["i", "9"]]]],
            [-1, ["l", [["i", "9"]]]],
            [True, ["l", [["i", "9"]]]],
            ["1", ["l", []]],
            [1.0, ["l", []]],
        ],
    ),
    "ref_out": (["arg", 5], []),
    "ref_negative": (["arg", -1], []),
    "ref_bool": (["arg", True], []),
    "same_unfinished": (["l", [["same", 0]]], []),
    "is_ready": (["sub", 1, "bool", [], True], []),
    "label": (
        [
            "sub",
            1,
            "Label",
            [
                ["__class__", "data"],
                ["__instancecheck__", "method"],
                ["__eq__", "data"],
                [1, "method"],
                ["__getattribute__", "method"],
                ["__mro__", "data"],
            ],
            ["s", "xy"],
        ],
        [],
    ),
    "home": (["home", 1, ["l", []]], []),
    # A key of the tests' dict (a tuple, container 1).
    "flip_keys": (
        None,
        [[1, ["t", [["i", "2"], ["i", "1"]]]], [1, ["l", [["i", "2"], ["i", "1"]]]]],
    ),
    "weird_name": (["sub", 1, "\ud800\x00", [["__eq__", "method"]], ["s", "x"]], []),
    "weird_name2": (["sub", 1, "\ud800", [["__eq__", "method"]], ["s", "x"]], []),
    "counts": (None, [[0, ["l", [["i", "1"]]]]]),
    "deep_names": (["sub", 1, "S", [["x" * 300, "method"]] * 100000, ["s", "y"]], []),
}

if case is not None:
    judges_answer = case.answer

    def answer(request, handles, register, resolve):
        reply = judges_answer(request, handles, register, resolve)
        target = handles.get(request.get("ref"))
        forged = FORGED.get(getattr(target, "__name__", None))
        if forged is not None:
            reply = {"value": forged[0], "changed": forged[1]}
        return reply

    case.answer = answer


def sort_it(t):
    return ()


def grow(fs):
    return None


def sort_list(xs):
    return [9]


def ref_out(xs):
    return [9]


def ref_negative(xs):
    return [9]


def ref_bool(xs):
    return [9]


def same_unfinished():
    return []


def is_ready():
    return False


def label():
    return "xy"


def home():
    return []


def flip_keys(d):
    return None


def weird_name():
    return "y"


def weird_name2():
    return "y"


def counts(c):
    return None


def deep_names():
    return "y"
