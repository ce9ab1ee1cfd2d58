"""Checkers a converter gives a reference (`reference.checker`, sandbox/judge/checker.py).

Each is a module of this package, kept as Python (linted, tested, never a string in code);
`source(name)` is its text. The judge runs it testlib's way:
`python3 checker.py input.txt output.txt answer.txt`, exit status 0 accepting.
"""

from __future__ import annotations

from importlib import resources


def source(name: str) -> str:
    """The text of the checker module `name` (apps_call)."""
    return resources.files(__package__).joinpath(f"{name}.py").read_text(encoding="utf-8")
