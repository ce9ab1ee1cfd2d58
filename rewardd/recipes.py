"""Named presets of component weights."""

from __future__ import annotations

from collections.abc import Mapping

RECIPES: dict[str, dict[str, float]] = {
    "r1": {"accuracy": 1.0, "format": 0.3, "language": 0.2},
    "r1-zero": {"accuracy": 1.0, "format": 0.3},
    "code": {"code": 1.0, "lint": 0.2, "format": 0.3},
    "code-fast": {"code": 1.0, "efficiency": 0.3, "lint": 0.2, "format": 0.3},
}


class UnknownRecipe(ValueError):
    pass


def resolve_weights(
    recipe: str, weights: Mapping[str, float] | None
) -> tuple[str, dict[str, float]]:
    """The recipe's name and the weights in force: explicit `weights` replace the recipe's."""
    if weights is not None:
        return "custom", dict(weights)
    if recipe not in RECIPES:
        raise UnknownRecipe(f"unknown recipe {recipe!r}; known recipes: {', '.join(RECIPES)}")
    return recipe, dict(RECIPES[recipe])
