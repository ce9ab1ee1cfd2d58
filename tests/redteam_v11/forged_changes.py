# Wrong functions (each does nothing useful) whose process forges its replies (case.answer
# patched): "changed" entries that make the tests' list hold itself, name a forgotten or a
# never-given number, put hash-colliding keys in the tests' set, or carry a 400,000-node
# tree; "untaken" replies with a value that refers to the rolled-back argument; a
# "forget" of the tests' list by a None change, then a reference to it.
import sys

case = sys.modules.get("sandbox.judge.case")
COLLIDING = [["i", format(k * ((1 << 61) - 1) + 7, "x")] for k in range(1, 40)]
FORGED = {
    # The tests' list (container 0) made to hold itself.
    "sort_in_place": {"value": None, "changed": [[0, ["l", [["same", 0]]]]]},
    # Container 0 is the tests' first, throwaway list: forgotten before this request.
    "fill_second": {"value": None, "changed": [[0, ["l", [["i", "1"], ["i", "2"]]]]]},
    # The argument the tester rolls back (untaken), returned as itself.
    "echo": {"value": ["same", 0], "untaken": True},
    # Untaken with the right value: the tests' list is forgotten on the tester's side, then
    # changed under its old number.
    "untaken_then_change": {"value": None, "untaken": True, "changed": [[0, ["l", []]]]},
    # The tests' set given 39 keys that hash alike.
    "add_all": {"value": None, "changed": [[0, ["set", COLLIDING]]]},
    # A contents tree of 400,000 references.
    "widen": {"value": None, "changed": [[0, ["l", [["same", 0]] * 400_000]]]},
    # A None change (the tester forgets the list), then, in the next reply, a reference to it.
    "drop": {"value": None, "changed": [[0, None]]},
    "give_back": {"value": ["same", 0]},
    # A number the tests never passed: their expected list, had it been numbered.
    "guess": {"value": None, "changed": [[n, ["l", [["i", "3"]]]] for n in range(1, 50)]},
}

if case is not None:
    judges_answer = case.answer

    def answer(request, handles, register, resolve, shared):
        reply = judges_answer(request, handles, register, resolve, shared)
        target = handles.get(request.get("ref"))
        forged = FORGED.get(getattr(target, "__name__", None))
        return reply if forged is None else dict(forged)

    case.answer = answer


def sort_in_place(xs):
    return None


def fill_second(xs):
    return None


def echo(xs):
    return list(xs)


def untaken_then_change(xs):
    return None


def add_all(s, items):
    return None


def widen(xs):
    return None


def drop(xs):
    return None


def give_back():
    return [4]


def guess(xs):
    return None
