"""CONTRACT v2 component parameters (`params`), checked against the reward functions.

A parametrised component's parameters are the keyword-only arguments of its function
(registry.PARAMETRISED): their annotations give type and range, their defaults the
defaults.  Each name, range and default is therefore written once, in the signature next
to the formula; this module only turns signatures into validators.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Collection, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from rewardd.rewards.registry import COMPONENTS, PARAMETRISED

# strict: a string or a bool is not a number, and 2.0 is not an integer; JSON's NaN and
# Infinity are not numbers either.
_MODEL_CONFIG = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


def signature_model(component: str, function: Callable[..., Any]) -> type[BaseModel]:
    """A pydantic model of `function`'s keyword-only arguments, with their defaults."""
    hints = typing.get_type_hints(function, include_extras=True)
    fields: dict[str, Any] = {
        parameter.name: (hints[parameter.name], parameter.default)
        for parameter in inspect.signature(function).parameters.values()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    }
    return create_model(f"{component}_params", __config__=_MODEL_CONFIG, **fields)


MODELS: dict[str, type[BaseModel]] = {
    name: signature_model(name, function) for name, function in PARAMETRISED.items()
}


def defaults(component: str) -> dict[str, Any]:
    """The parameters a component uses when a request gives none."""
    return MODELS[component]().model_dump()


def checked_params(params: Mapping[Any, Any]) -> dict[str, dict[str, Any]]:
    """The request's `params`, validated, with values equal to their defaults left out.

    Leaving defaults out makes equal settings equal: `{"cosine": {"max_len": 1000}}`,
    `{"cosine": {}}` and no params at all grade, and are cached, as one.  Raises
    ValueError naming every unknown component or parameter and every bad value.
    """
    problems: list[str] = []
    checked: dict[str, dict[str, Any]] = {}
    for component, values in params.items():
        model = MODELS.get(component)
        if model is None:
            problems.append(_unknown_component(component))
            continue
        if not isinstance(values, Mapping):
            problems.append(f"params.{component} must be an object of parameter names to values")
            continue
        try:
            validated = model.model_validate(dict(values))
        except ValidationError as exc:
            problems.extend(_value_problem(component, model, error) for error in exc.errors())
            continue
        changed = validated.model_dump(exclude_defaults=True)
        if changed:
            checked[component] = changed
    if problems:
        raise ValueError("; ".join(problems))
    return checked


def for_components(
    params: Mapping[str, Mapping[str, Any]], components: Collection[str]
) -> dict[str, dict[str, Any]]:
    """The part of `params` that the graded components read (so that it alone is cached)."""
    return {name: dict(values) for name, values in params.items() if name in components}


def _unknown_component(component: Any) -> str:
    taking = ", ".join(MODELS)
    if component in COMPONENTS:
        return f"component {component!r} takes no parameters; components that do: {taking}"
    return f"unknown component {component!r} in params; components with parameters: {taking}"


def _value_problem(component: str, model: type[BaseModel], error: Mapping[str, Any]) -> str:
    name = ".".join(str(part) for part in error.get("loc", ()))
    if error.get("type") == "extra_forbidden":
        known = ", ".join(model.model_fields)
        return f"unknown parameter {name!r} of {component}; its parameters: {known}"
    return f"params.{component}.{name}: {error.get('msg', 'invalid value')}"
