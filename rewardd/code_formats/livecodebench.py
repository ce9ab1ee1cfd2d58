"""LiveCodeBench (LiveCodeBench/LiveCodeBench; Hugging Face `livecodebench/code_generation_lite`).

Record (`lcb_runner/benchmarks/code_generation.py`): `question_title`, `question_content`,
`platform`, `question_id`, `starter_code`, `public_test_cases` and `private_test_cases` (JSON
text of `[{"input", "output", "testtype"}]`), `metadata` (JSON text, `func_name` for LeetCode).
`private_test_cases` of the lite releases is compressed: base64 of zlib of a pickle of that
JSON text. It is read with an unpickler that refuses every class, so only plain pickled data
(a string) loads: a crafted record cannot run code here.

- `testtype` "stdin": stdin/stdout cases.
- "functional": `fn_name` is `metadata.func_name`; each input is one JSON value per line, one
  line per argument, and the output the JSON of the return value, called on `Solution` as the
  harness does. The harness compares with `==` (tuples as lists); the judge compares as JSON
  (an integer exactly, floats to 1e-6).
- `preamble`: the harness's `import_string` (`preambles/livecodebench.py`, standard library).

Not carried over: the stdin harness also accepts a line whose tokens are equal as decimals
(`1.0` for `1`) and ignores leading white space; the judge compares lines, trailing white
space ignored.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import pickle
import zlib
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
from rewardd.code_formats.preambles import source

KEYS = ("question_content", "public_test_cases")
MAX_PRIVATE_TESTS_BYTES = 256 * 1024 * 1024  # decompressed, against zlib bombs


def convert(record: Mapping[str, Any], private: bool = True) -> Converted:
    tests = test_list(json_field(record, "public_test_cases"), "public_test_cases")
    if private and record.get("private_test_cases"):
        tests += test_list(private_tests(record["private_test_cases"]), "private_test_cases")
    if not tests:
        raise FormatError("public_test_cases and private_test_cases hold no tests")
    kinds = {test.get("testtype") for test in tests}
    if kinds - {"stdin", "functional"} or len(kinds) != 1:
        raise FormatError(
            f"testtype must be all 'stdin' or all 'functional', not {sorted(map(str, kinds))}"
        )
    reference: dict[str, Any]
    if kinds == {"functional"}:
        metadata = json_field(record, "metadata") if record.get("metadata") else {}
        fn_name = metadata.get("func_name") if isinstance(metadata, Mapping) else None
        if not isinstance(fn_name, str) or not fn_name.isidentifier():
            raise FormatError("metadata.func_name must name the function of functional tests")
        where = "test_cases"
        inputs = [field(test, "input", f"{where}[{i}].") for i, test in enumerate(tests)]
        outputs = [field(test, "output", f"{where}[{i}].") for i, test in enumerate(tests)]
        if not all(isinstance(given, str) for given in inputs):
            raise FormatError("functional inputs must be strings, one JSON value per line")
        reference = {"fn_name": fn_name, "test_cases": call_cases(inputs, outputs, f"{where}.")}
    else:
        reference = {
            "test_cases": [
                {
                    "input": stdio_text(test.get("input"), f"test_cases[{i}].input"),
                    "output": stdio_text(test.get("output"), f"test_cases[{i}].output"),
                }
                for i, test in enumerate(tests)
            ]
        }
    reference["preamble"] = source("livecodebench")
    return Converted(
        reference=reference, prompt=prompt_of(record), id=record_id(record, "question_id")
    )


def test_list(tests: Any, where: str) -> list[Mapping[str, Any]]:
    if not isinstance(tests, list) or not all(isinstance(test, Mapping) for test in tests):
        raise FormatError(f"{where} must be a list of {{input, output, testtype}} objects")
    return tests


class _DataOnlyUnpickler(pickle.Unpickler):
    """Loads pickled builtin data only: any class or function reference is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise FormatError(
            f"private_test_cases: the pickle refers to {module}.{name}; only data loads"
        )


def private_tests(raw: Any) -> Any:
    """The private tests: JSON text, or base64 → zlib → pickle → JSON text (the lite releases)."""
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        pass
    try:
        compressed = base64.b64decode(raw.encode("ascii"))
        inflater = zlib.decompressobj()
        pickled = inflater.decompress(compressed, MAX_PRIVATE_TESTS_BYTES)
        if inflater.unconsumed_tail:
            raise FormatError(
                f"private_test_cases decompresses to over {MAX_PRIVATE_TESTS_BYTES} bytes"
            )
        text = _DataOnlyUnpickler(io.BytesIO(pickled)).load()
    except FormatError:
        raise
    except (
        UnicodeEncodeError,
        binascii.Error,
        zlib.error,
        pickle.UnpicklingError,
        EOFError,
        ValueError,
    ) as exc:
        raise FormatError(
            f"private_test_cases is neither JSON nor base64(zlib(pickle)): {exc}"
        ) from exc
    if not isinstance(text, str):
        raise FormatError("private_test_cases: the pickle holds no JSON text")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise FormatError(f"private_test_cases: the unpickled text is not JSON ({exc})") from exc


def prompt_of(record: Mapping[str, Any]) -> str | None:
    """The question, with the starter code to complete when there is one."""
    question = optional_text(record, "question_content")
    if not question:
        return None
    starter = optional_text(record, "starter_code")
    if starter:
        return f"{question}\n\nComplete this starter code:\n```python\n{starter}\n```"
    return (
        f"{question}\n\nRead the input from standard input and write the answer to standard output."
    )
