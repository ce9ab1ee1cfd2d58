"""Which modules a reference's own code imports that its sandbox image cannot give it.

Tests that import a module the image lacks fail every case for every solution: a correct one
would read 0, a wrong reward. Such a reference is a `bad_reference` instead, with the module
named. Only the unconditional imports at the top level count: an import under `try` (a
fallback) or inside a function may be meant to fail.
"""

from __future__ import annotations

import ast
import sys

# What each sandbox image has besides the standard library, as import names (the sci image's
# packages: sandbox/requirements-sci.txt; tests/test_sandbox_sci.py imports each one there).
IMAGE_PACKAGES: dict[str, frozenset[str]] = {
    "default": frozenset(),
    "sci": frozenset(
        {
            "numpy", "scipy", "pandas", "dateutil", "tzdata", "sortedcontainers",
            "more_itertools", "networkx", "sympy", "mpmath",
        }
    ),
}  # fmt: skip
# The module the tests import the solution as (`from solution import f`).
SOLUTION_MODULE = "solution"


def top_level_imports(module: ast.Module) -> list[str]:
    """The top-level package of each module the module's own top-level statements import,
    in order (relative imports left out)."""
    names: list[str] = []
    for statement in module.body:
        if isinstance(statement, ast.Import):
            names += [alias.name.partition(".")[0] for alias in statement.names]
        elif isinstance(statement, ast.ImportFrom) and statement.level == 0 and statement.module:
            names.append(statement.module.partition(".")[0])
    return names


def missing_module(module: ast.Module, image: str) -> str | None:
    """The first module the code imports that `image` does not have, or None."""
    has = IMAGE_PACKAGES.get(image, frozenset())
    for name in top_level_imports(module):
        if name != SOLUTION_MODULE and name not in sys.stdlib_module_names and name not in has:
            return name
    return None


def unavailable_import(what: str, module: ast.Module, image: str) -> str | None:
    """Why `what` (the tests, the preamble, the checker) cannot run in `image`, or None."""
    name = missing_module(module, image)
    if name is None:
        return None
    others = [other for other, has in IMAGE_PACKAGES.items() if other != image and name in has]
    hint = f" (the {others[0]} image does: set reference.image to {others[0]!r})" if others else ""
    return (
        f"{what} import {name}, which the {image} sandbox image does not have{hint}: every "
        "case would fail for every solution"
    )
