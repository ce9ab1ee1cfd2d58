"""Reading the fields of a dataset record, with errors that name the field."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class FormatError(ValueError):
    """A record does not have the shape its format promises; the message names the field."""


@dataclass(frozen=True)
class Converted:
    """One record as rewardd takes it: the item's `reference`, its `prompt`, and an id."""

    reference: dict[str, Any]
    prompt: str | None = None
    id: str | None = None

    def item(self) -> dict[str, Any]:
        """The record as a /v1/rewards item without its completion (`rewardd convert` writes it)."""
        item: dict[str, Any] = {"task": "code", "reference": self.reference}
        if self.id is not None:
            item["id"] = self.id
        if self.prompt is not None:
            item["prompt"] = self.prompt
        return item


def field(record: Mapping[str, Any], name: str, where: str = "") -> Any:
    """record[name]; a FormatError naming `where.name` when it is missing or null."""
    value = record.get(name)
    if value is None:
        raise FormatError(f"{where}{name} is missing")
    return value


def text_field(record: Mapping[str, Any], name: str, where: str = "") -> str:
    value = field(record, name, where)
    if not isinstance(value, str):
        raise FormatError(f"{where}{name} must be a string, not {type(value).__name__}")
    return value


def optional_text(record: Mapping[str, Any], name: str, where: str = "") -> str:
    """A string field that may be absent or null ("" then)."""
    value = record.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FormatError(f"{where}{name} must be a string, not {type(value).__name__}")
    return value


def json_field(record: Mapping[str, Any], name: str, where: str = "") -> Any:
    """A field the datasets store either as data or as a string of JSON (APPS's input_output)."""
    value = field(record, name, where)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise FormatError(f"{where}{name} is a string that is not JSON: {exc}") from exc
    return value


def string_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise FormatError(f"{where} must be a list of strings")
    return value


def stdio_text(value: Any, where: str) -> str:
    """A stdin or stdout of a case: a string, a list of its lines (some APPS rows), or null."""
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "\n".join(value)
    if not isinstance(value, str):
        raise FormatError(f"{where} must be a string (or a list of lines)")
    return value


def record_id(record: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        value = record.get(name)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)
    return None
