# ruff: noqa: F821 -- appended to solution.py, whose names it uses and replaces


class Inventory(Inventory):
    def __init__(self, items):
        self._items = list(items)


Registry.log = lambda self: list(self._log)
Registry.__init__ = lambda self, log=None: setattr(self, "_log", list(log or []))
