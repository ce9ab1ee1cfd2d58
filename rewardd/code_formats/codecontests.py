"""CodeContests (google-deepmind/code_contests; Hugging Face `deepmind/code_contests`).

Record (`contest_problem.proto`): `name`, `description`, `public_tests`, `private_tests`,
`generated_tests`, `time_limit`, `memory_limit_bytes`, `input_file`, `output_file`, ...
The tests come as Hugging Face writes them, `{"input": [...], "output": [...]}`, or as the
proto's JSON, `[{"input": ..., "output": ...}]`.

`test_cases` are the public, private and generated tests, in that order (all three by
default, as AlphaCode judged; `kinds=("public",)` for fewer). Each output is compared line by
line: CodeContests ships no checkers, so a problem with several valid outputs fails correct
solutions that print another one (give it a `checker`). Not carried over: `time_limit` and
`memory_limit_bytes` are set for C++ on Codeforces' machines (the judge's per-case CPU limit
applies; set `timeout_s` to change it). Problems that read `input_file` are refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rewardd.code_formats.fields import (
    Converted,
    FormatError,
    optional_text,
    record_id,
    stdio_text,
)

KEYS = ("public_tests", "private_tests", "generated_tests")
KINDS = ("public", "private", "generated")


def convert(record: Mapping[str, Any], kinds: tuple[str, ...] = KINDS) -> Converted:
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise FormatError(f"unknown test kinds {unknown}; CodeContests has {', '.join(KINDS)}")
    for name in ("input_file", "output_file"):
        if optional_text(record, name):
            raise FormatError(f"{name} is set: the problem reads or writes a file, not stdio")
    cases: list[dict[str, str]] = []
    for kind in kinds:
        cases += tests_of(record.get(f"{kind}_tests"), f"{kind}_tests")
    if not cases:
        raise FormatError(f"no tests in {', '.join(f'{kind}_tests' for kind in kinds)}")
    description = optional_text(record, "description") or None
    return Converted(
        reference={"test_cases": cases}, prompt=description, id=record_id(record, "name")
    )


def tests_of(tests: Any, where: str) -> list[dict[str, str]]:
    if tests is None:
        return []
    if isinstance(tests, Mapping):  # Hugging Face: {"input": [...], "output": [...]}
        inputs, outputs = tests.get("input"), tests.get("output")
        if not isinstance(inputs, list) or not isinstance(outputs, list):
            raise FormatError(f"{where} must hold an input list and an output list")
        if len(inputs) != len(outputs):
            raise FormatError(f"{where} has {len(inputs)} inputs but {len(outputs)} outputs")
        pairs = list(zip(inputs, outputs, strict=True))
    elif isinstance(tests, list):  # the proto's JSON: [{"input": ..., "output": ...}]
        pairs = []
        for i, test in enumerate(tests):
            if not isinstance(test, Mapping):
                raise FormatError(f"{where}[{i}] must be an object with input and output")
            pairs.append((test.get("input"), test.get("output")))
    else:
        raise FormatError(f"{where} must be {{input: [...], output: [...]}} or a list of tests")
    return [
        {
            "input": stdio_text(given, f"{where}.input[{i}]"),
            "output": stdio_text(expected, f"{where}.output[{i}]"),
        }
        for i, (given, expected) in enumerate(pairs)
    ]
