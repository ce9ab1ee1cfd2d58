class Stack(list):
    pass


def make_stack(items):
    return Stack(items)
