# ruff: noqa: F821 -- appended to solution.py, whose names it uses and replaces

Inventory.items = lambda self: self._items
