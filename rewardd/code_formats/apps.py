"""APPS (hendrycks/apps; Hugging Face `codeparrot/apps`) and TACO (`BAAI/TACO`), which uses
APPS's record, and whose harness (FlagOpen/TACO metrics/testing_util.py) puts the same imports
before a solution and accepts call-based results the same way.

Record: `problem_id` (TACO: none), `question`, `solutions` (JSON text), `starter_code`,
`input_output`: JSON text of `{"inputs": [...], "outputs": [...], "fn_name"?}`.

- Without `fn_name`, stdin/stdout: each input and output is a string (some rows: a list of
  lines, joined with newlines, as the harness joins them).
- With `fn_name`, call-based: each input is the list of arguments. Each output is the return
  value, which APPS stores wrapped in a one-element list (`[false]` for `False`). The harness
  accepts a result equal to the stored output *or* to its first element. Here:
  - when every output of the problem is a one-element list, the problem is wrapped and each
    expected value is that element: the result APPS accepts as `out[0]`. A result that
    returns the wrapping itself (`[False]`) fails here, where APPS's `==` on the whole
    output would let it pass; no problem statement asks for it.
  - otherwise (some output is not a one-element list) the outputs are taken as stored;
    APPS's extra `out[0]` match, on such rows, accepts a list's first item as the answer,
    which is not the answer either.
  The function is looked up at module level or on `class Solution`, as in the harness.
  With `outputs="harness"` the outputs stay as stored and the reference gets a checker,
  `checkers/apps_call.py`, that accepts exactly what the harness accepts (`==` on the stored
  output or on its first element, no float tolerance): faithful, at a checker process per case.
- `preamble`: the harness's imports (`preambles/apps.py`), and `import numpy as np` with
  `image="sci"` (the default, as the harness has numpy); `image="default"` leaves numpy out.

Not carried over: APPS's stdout comparison is looser than the judge's line by line (it also
accepts equal whitespace-split tokens and floats that match); its conversion of JSON string
keys of a dict input to int keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rewardd.code_formats import checkers
from rewardd.code_formats.fields import (
    Converted,
    FormatError,
    json_field,
    optional_text,
    record_id,
    stdio_text,
)
from rewardd.code_formats.preambles import source

KEYS = ("question", "input_output")
# Columns only TACO has, to tell its rows from APPS's (the converter is the same).
TACO_KEYS = ("raw_tags", "skill_types", "Expected Time Complexity", "picture_num")
IMAGES = ("sci", "default")
OUTPUTS = ("unwrap", "harness")


def convert(record: Mapping[str, Any], image: str = "sci", outputs: str = "unwrap") -> Converted:
    """`outputs` (call-based): "unwrap" (the value inside APPS's wrapping, compared by the
    judge) or "harness" (the stored outputs, and a checker with APPS's own acceptance)."""
    if image not in IMAGES:
        raise FormatError(f"image must be one of {', '.join(IMAGES)}, not {image!r}")
    if outputs not in OUTPUTS:
        raise FormatError(f"outputs must be one of {', '.join(OUTPUTS)}, not {outputs!r}")
    tests = json_field(record, "input_output")
    if not isinstance(tests, Mapping):
        raise FormatError("input_output must be a JSON object with inputs and outputs")
    reference = io_reference(tests, "input_output.", unwrap=outputs == "unwrap")
    if outputs == "harness" and "fn_name" in reference:
        reference["checker"] = checkers.source("apps_call")
    preamble = source("apps") + ("import numpy as np\n" if image == "sci" else "")
    reference.update(preamble=preamble, image=image)
    return Converted(
        reference=reference,
        prompt=prompt_of(record, tests),
        id=record_id(record, "problem_id", "id"),
    )


def io_reference(tests: Mapping[str, Any], where: str = "", unwrap: bool = True) -> dict[str, Any]:
    """`{"inputs", "outputs", "fn_name"?}` (APPS's, and verl's ground truth) as a reference."""
    inputs, outputs = tests.get("inputs"), tests.get("outputs")
    if not isinstance(inputs, list):
        raise FormatError(f"{where}inputs must be a list")
    if not isinstance(outputs, list):
        raise FormatError(f"{where}outputs must be a list")
    if len(inputs) != len(outputs):
        raise FormatError(f"{where}inputs has {len(inputs)} items but outputs has {len(outputs)}")
    if not inputs:
        raise FormatError(f"{where}inputs is empty: the problem has no tests")
    fn_name = tests.get("fn_name")
    if fn_name is None or fn_name == "":
        cases = [
            {
                "input": stdio_text(given, f"{where}inputs[{i}]"),
                "output": stdio_text(expected, f"{where}outputs[{i}]"),
            }
            for i, (given, expected) in enumerate(zip(inputs, outputs, strict=True))
        ]
        return {"test_cases": cases}
    if not isinstance(fn_name, str) or not fn_name.isidentifier():
        raise FormatError(f"{where}fn_name must be a Python identifier, not {fn_name!r}")
    return {"fn_name": fn_name, "test_cases": call_cases(inputs, outputs, where, unwrap)}


def call_cases(
    inputs: list[Any], outputs: list[Any], where: str = "", unwrap: bool = True
) -> list[dict[str, Any]]:
    """Call-based cases, in either of the two conventions the datasets use, case by case:

    - APPS's: the input is the list of arguments and the output the value as data, wrapped in
      a one-element list when the whole problem is (see above);
    - LiveCodeBench's (also verl's sandbox_fusion): the input is a string holding one JSON
      value per line, one line per argument, and the output a string holding the value's JSON.
    """
    apps_style = [not isinstance(given, str) for given in inputs]
    wrapped = unwrap and all(
        isinstance(out, list) and len(out) == 1
        for out, apps in zip(outputs, apps_style, strict=True)
        if apps
    )
    cases = []
    for i, (given, out) in enumerate(zip(inputs, outputs, strict=True)):
        if isinstance(given, str):
            args, value = (
                json_lines(given, f"{where}inputs[{i}]"),
                json_text(out, f"{where}outputs[{i}]"),
            )
        elif isinstance(given, list):
            args, value = given, out[0] if wrapped else out
        else:
            raise FormatError(f"{where}inputs[{i}] must be a list of arguments (or lines of JSON)")
        # The expected value travels as JSON text: a string result stays a string.
        cases.append({"input": args, "output": json.dumps(value)})
    return cases


def json_lines(given: str, where: str) -> list[Any]:
    try:
        return [json.loads(line) for line in given.split("\n") if line.strip()]
    except ValueError as exc:
        raise FormatError(f"{where}: a line is not JSON ({exc})") from exc


def json_text(value: Any, where: str) -> Any:
    if not isinstance(value, str):
        raise FormatError(f"{where} must be a string of JSON, as its input is")
    try:
        return json.loads(value)
    except ValueError as exc:
        raise FormatError(f"{where} is a string that is not JSON ({exc})") from exc


def prompt_of(record: Mapping[str, Any], tests: Mapping[str, Any]) -> str | None:
    """APPS's own prompt (eval/generate_gpt_codes.py): question, starter code, the format."""
    question = optional_text(record, "question")
    if not question:
        return None
    starter = optional_text(record, "starter_code")
    style = "Use Call-Based format" if tests.get("fn_name") else "Use Standard Input format"
    return f"\nQUESTION:\n{question}\n{starter}\n{style}\nANSWER:\n"
