"""Code datasets as people have them, turned into rewardd's code `reference`.

    from rewardd.code_formats import convert
    converted = convert(row)                 # the format told by the row's keys
    converted = convert(row, "apps")         # or named
    item = {**converted.item(), "completion": completion}

One module per format, each a plain `convert(record) -> Converted` (the reference, the
record's prompt when it has one, and its id); docs/rewards-code.md, "Dataset formats", gives
every mapping and what each dataset's own harness does that the judge does not.
`rewardd convert` runs them over a file. A malformed record raises FormatError (a
ValueError) naming the field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from rewardd.code_formats import (
    apps,
    codecontests,
    humaneval,
    livecodebench,
    mbpp,
    openr1,
    verl,
)
from rewardd.code_formats.fields import Converted, FormatError

__all__ = [
    "FORMATS",
    "Converted",
    "FormatError",
    "convert",
    "detect_format",
    "reference_from_record",
]

IMAGES = ("default", "sci")
# A reference with this key is a dataset's record, converted where the service reads it.
FORMAT_KEY = "format"
# Keys of our own reference that may ride along with a record and win over the conversion.
OWN_KEYS = ("timeout_s", "memory_mb", "image", "checker", "preamble", "language")


def _apps(record: Mapping[str, Any], image: str | None, apps_outputs: str) -> Converted:
    return apps.convert(record, image=image or "sci", outputs=apps_outputs)


def _plain(converter: Callable[[Mapping[str, Any]], Converted]) -> Callable[..., Converted]:
    def convert_on(record: Mapping[str, Any], image: str | None, apps_outputs: str) -> Converted:
        converted = converter(record)
        if image is not None:
            converted.reference["image"] = image
        return converted

    return convert_on


# name -> converter(record, image, apps_outputs); image None is the format's own default.
FORMATS: dict[str, Callable[[Mapping[str, Any], str | None, str], Converted]] = {
    "humaneval": _plain(humaneval.convert),
    "mbpp": _plain(mbpp.convert),
    "apps": _apps,
    "taco": _apps,
    "codecontests": _plain(codecontests.convert),
    "livecodebench": _plain(livecodebench.convert),
    "openr1": _plain(openr1.convert),
    "verl": _plain(verl.convert),
}


def detect_format(record: Mapping[str, Any]) -> str:
    """The format a record's keys name; FormatError when none or several fit."""
    if not isinstance(record, Mapping):
        raise FormatError(f"a record must be a JSON object, not {type(record).__name__}")
    keys = set(record)
    fits = []
    if "verification_info" in keys:
        fits.append("openr1")
    if "reward_model" in keys or {"inputs", "outputs"} <= keys:
        fits.append("verl")
    if "input_output" in keys:
        fits.append("taco" if keys & set(apps.TACO_KEYS) else "apps")
    if "public_test_cases" in keys:
        fits.append("livecodebench")
    if keys & set(codecontests.KEYS):
        fits.append("codecontests")
    if {"entry_point", "test"} <= keys:
        fits.append("humaneval")
    if "test_list" in keys:
        fits.append("mbpp")
    if len(fits) == 1:
        return fits[0]
    if not fits:
        raise FormatError(
            f"no known code dataset format has the keys {sorted(keys)[:12]}; "
            f"name one of {', '.join(FORMATS)}"
        )
    raise FormatError(f"the record fits several formats ({', '.join(fits)}); name one")


def convert(
    record: Mapping[str, Any],
    format: str | None = None,
    *,
    image: str | None = None,
    timeout_s: float | None = None,
    apps_outputs: str = "unwrap",
) -> Converted:
    """`record` as a reference (and prompt). `format` None: detected from the keys.

    `image` is the sandbox image of the reference: None for the format's own (APPS and TACO
    "sci", as their harness imports numpy; the others "default"). `timeout_s` sets the
    reference's per-case CPU limit. `apps_outputs` (APPS and TACO call-based): "unwrap" or
    "harness" (apps.py says what each does).
    """
    name = detect_format(record) if format is None else format
    if name not in FORMATS:
        raise FormatError(f"unknown format {name!r}; known: {', '.join(FORMATS)}")
    if image is not None and image not in IMAGES:
        raise FormatError(f"image must be one of {', '.join(IMAGES)}, not {image!r}")
    if not isinstance(record, Mapping):
        raise FormatError(f"a record must be a JSON object, not {type(record).__name__}")
    converted = FORMATS[name](record, image, apps_outputs)
    if timeout_s is not None:
        converted.reference["timeout_s"] = timeout_s
    return converted


def reference_from_record(reference: Mapping[str, Any]) -> dict[str, Any]:
    """A reference given as a dataset's own record: `{"format": "apps", ...the record...}`.

    `format` names the format, or is "auto" (told by the record's keys). The record's other
    keys are converted as that format's record; our own reference keys given with it
    (`timeout_s`, `memory_mb`, `image`, `checker`, `preamble`, `language`) win over what
    the conversion says. FormatError names what is wrong.
    """
    name = reference.get(FORMAT_KEY)
    if not isinstance(name, str):
        raise FormatError(f"{FORMAT_KEY} must be a format name: auto or {', '.join(FORMATS)}")
    record = {key: value for key, value in reference.items() if key != FORMAT_KEY}
    image = record.get("image") if isinstance(record.get("image"), str) else None
    converted = convert(record, None if name == "auto" else name, image=image)
    own = {key: reference[key] for key in OWN_KEYS if key in reference}
    return {**converted.reference, **own}
