"""Preambles: the imports a dataset's own harness puts before every solution.

Each is a module of this package, kept as Python (so it is linted and never a string in
code); `source(name)` is its text, which a converter puts in `reference.preamble`. Nothing
imports these modules.
"""

from __future__ import annotations

from importlib import resources


def source(name: str) -> str:
    """The text of the preamble module `name` (apps, livecodebench)."""
    return resources.files(__package__).joinpath(f"{name}.py").read_text(encoding="utf-8")
