class Broken:
    def __bool__(self):
        return False

    def __str__(self):
        return "garbage"


class Stack(list, Broken):  # Broken comes after list in the MRO
    pass


def make_stack(items):
    return Stack(items)
