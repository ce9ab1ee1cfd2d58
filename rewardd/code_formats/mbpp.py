"""MBPP (google-research `mbpp/mbpp.jsonl`, and `sanitized-mbpp.json`).

Record (full): `task_id`, `text`, `code`, `test_list` (assert lines), `test_setup_code`,
`challenge_test_list`. Sanitized: `prompt` instead of `text`, `test_imports` (import lines)
instead of `test_setup_code`.

`tests` is the setup code (or the imports) followed by the asserts: each top-level assert is one
case, run after the setup above it, as MBPP's harness runs `code + setup + asserts`. The
challenge tests are left out unless `challenge=True`: MBPP's reported scores use `test_list`.
The prompt is MBPP's own: the task text, then "Your code should pass these tests:" and the
asserts (the function's name is only given there).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rewardd.code_formats.fields import (
    Converted,
    FormatError,
    field,
    optional_text,
    record_id,
    string_list,
)

KEYS = ("task_id", "test_list")


def convert(record: Mapping[str, Any], challenge: bool = False) -> Converted:
    asserts = string_list(field(record, "test_list"), "test_list")
    if not asserts:
        raise FormatError("test_list is empty")
    if challenge and record.get("challenge_test_list"):
        asserts = asserts + string_list(record["challenge_test_list"], "challenge_test_list")
    if record.get("test_imports") is not None:
        setup = "\n".join(string_list(record["test_imports"], "test_imports"))
    else:
        setup = optional_text(record, "test_setup_code")
    tests = "\n".join(line for line in (setup.strip(), *asserts) if line) + "\n"
    text = optional_text(record, "text") or optional_text(record, "prompt")
    prompt = None
    if text:
        prompt = f"{text}\nYour code should pass these tests:\n\n" + "\n".join(record["test_list"])
    return Converted(reference={"tests": tests}, prompt=prompt, id=record_id(record, "task_id"))
