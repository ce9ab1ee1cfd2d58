"""open-r1's code datasets (`open-r1/verifiable-coding-problems-python` and kin): a
`verification_info` column, as open-r1's `code_reward` reads it (src/open_r1/rewards.py).

`verification_info` (an object, or its JSON text): `language` (default python) and
`test_cases`, each `{"input", "output", "type", "fn_name"?}`:
- `type` "stdin_stdout" (or none): stdin/stdout cases. open-r1's harness compares the stripped
  outputs line by line, as the judge does (trailing white space ignored);
- `type` "function_call": call-based cases with the case's `fn_name`, in APPS's convention
  (the arguments as a list, the output wrapped in a one-element list: see apps.py), since
  those rows come from APPS and TACO.
The row's `prompt` (or `problem`) is the prompt; `problem_id` the id. A language other than
Python is kept, and the service answers it with bad_reference (only Python runs).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rewardd.code_formats.apps import call_cases
from rewardd.code_formats.fields import (
    Converted,
    FormatError,
    field,
    json_field,
    optional_text,
    record_id,
    stdio_text,
)

KEYS = ("verification_info",)


def convert(record: Mapping[str, Any]) -> Converted:
    info = json_field(record, "verification_info")
    if not isinstance(info, Mapping):
        raise FormatError("verification_info must be an object with test_cases")
    reference = verification_reference(info)
    prompt = optional_text(record, "prompt") or optional_text(record, "problem") or None
    return Converted(reference=reference, prompt=prompt, id=record_id(record, "problem_id", "id"))


def verification_reference(info: Mapping[str, Any]) -> dict[str, Any]:
    where = "verification_info."
    cases = field(info, "test_cases", where)
    if not isinstance(cases, list) or not cases:
        raise FormatError(f"{where}test_cases must be a non-empty list")
    for i, case in enumerate(cases):
        if not isinstance(case, Mapping):
            raise FormatError(f"{where}test_cases[{i}] must be an object")
    kinds = {case.get("type") or "stdin_stdout" for case in cases}
    if not kinds <= {"stdin_stdout", "function_call"} or len(kinds) != 1:
        raise FormatError(
            f"{where}test_cases: type must be all stdin_stdout or all function_call, "
            f"not {sorted(kinds)}"
        )
    reference: dict[str, Any] = {"language": str(info.get("language") or "python")}
    if kinds == {"function_call"}:
        names = {case.get("fn_name") for case in cases}
        if len(names) != 1:
            raise FormatError(f"{where}test_cases: function_call cases name {len(names)} functions")
        fn_name = names.pop()
        if not isinstance(fn_name, str) or not fn_name.isidentifier():
            raise FormatError(f"{where}test_cases[0].fn_name must be a Python identifier")
        inputs = [field(case, "input", f"{where}test_cases[{i}].") for i, case in enumerate(cases)]
        outputs = [
            field(case, "output", f"{where}test_cases[{i}].") for i, case in enumerate(cases)
        ]
        reference.update(
            fn_name=fn_name, test_cases=call_cases(inputs, outputs, f"{where}test_cases.")
        )
        return reference
    reference["test_cases"] = [
        {
            "input": stdio_text(case.get("input"), f"{where}test_cases[{i}].input"),
            "output": stdio_text(
                field(case, "output", f"{where}test_cases[{i}]."), f"{where}test_cases[{i}].output"
            ),
        }
        for i, case in enumerate(cases)
    ]
    return reference
