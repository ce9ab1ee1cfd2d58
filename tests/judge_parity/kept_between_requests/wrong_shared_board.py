# ruff: noqa: F821 -- appended to solution.py, whose names it uses and replaces

BOARD = fresh_board()


def fresh_board():
    return BOARD
