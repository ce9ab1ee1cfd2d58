"""Dataset formats (rewardd/code_formats): each format's real (or schema-built, where no real
record was reachable: each data file says which) samples, converted and graded through the
Docker judge with our own correct and broken solutions (tests/data/code_formats/).
"""

from __future__ import annotations

import base64
import json
import pickle
import re
import zlib
from pathlib import Path
from typing import Any

import pytest

from rewardd.code_formats import FORMATS, FormatError, convert, detect_format
from rewardd.code_formats.preambles import source
from rewardd.rewards.code_cases import plan_cases
from tests.judge_support import grade_solution, open_docker_sandbox

DATA = Path(__file__).parent / "data" / "code_formats"
SOLUTIONS = DATA / "solutions"


def records(name: str, key: str = "records") -> list[dict[str, Any]]:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))[key]


def solution(problem: str) -> str:
    return (SOLUTIONS / f"{problem}.py").read_text(encoding="utf-8")


# (format, the data file's records key, index, our solution's problem name, convert options)
SAMPLES = [
    ("humaneval", "records", 0, "has_close_elements", {}),
    ("humaneval", "records", 1, "decode_cyclic", {}),
    ("mbpp", "full", 0, "similar_elements", {}),
    ("mbpp", "full", 1, "remove_occ", {}),
    ("mbpp", "sanitized", 0, "similar_elements", {}),
    # On the "default" image, to test the mapping alone; APPS's own default, the sci image
    # with numpy in the preamble, is tests/test_code_formats_sci.py's.
    ("apps", "records", 0, "fruit_sequences", {"image": "default"}),
    ("apps", "records", 1, "converter", {"image": "default"}),
    ("taco", "records", 0, "benches", {"image": "default"}),
    ("taco", "records", 1, "converter", {"image": "default"}),
    ("codecontests", "records", 0, "kings_path", {}),
    ("livecodebench", "records", 0, "occurrences_of_element", {}),
    ("livecodebench", "records", 1, "sum_of_two", {}),
    ("openr1", "records", 0, "binary_words", {}),
    ("openr1", "records", 1, "fruit_sequences", {}),
    ("openr1", "records", 2, "converter", {}),
    ("verl", "records", 0, "kings_path", {}),
    ("verl", "records", 1, "kings_path", {}),
    ("verl", "records", 2, "occurrences_of_element", {}),
    ("verl", "records", 3, "echo_number", {}),
]


def sample_id(sample: tuple) -> str:
    return f"{sample[0]}-{sample[1]}-{sample[2]}-{sample[3]}"


@pytest.fixture(scope="module")
def sandbox():
    box = open_docker_sandbox()
    yield box
    box.close()


@pytest.mark.docker
@pytest.mark.parametrize("sample", SAMPLES, ids=sample_id)
def test_converted_samples_pass_a_correct_solution_and_fail_a_broken_one(sandbox, sample):
    name, key, index, problem, options = sample
    record = records(name, key)[index]
    assert detect_format(record) == name
    reference = convert(record, **options).reference
    correct = grade_solution(sandbox, solution(problem), reference)
    assert correct.error is None, (correct.error, correct.reason)
    assert correct.value == 1.0, correct.details
    broken = grade_solution(sandbox, solution(f"{problem}.broken"), reference)
    assert broken.error is None, (broken.error, broken.reason)
    assert broken.value is not None and broken.value < 1.0, broken.details


@pytest.mark.docker
def test_apps_wrapped_outputs_are_the_value_inside(sandbox):
    """APPS stores `["103"]` for the answer "103": the answer passes, the wrapping does not."""
    reference = convert(records("apps")[1], image="default").reference
    assert [case["output"] for case in reference["test_cases"]] == [
        '"103"',
        '"103.010"',
        '"-1101"',
    ]
    wrapped = grade_solution(sandbox, solution("converter.wrapped"), reference)
    assert wrapped.error is None and wrapped.value == 0.0, wrapped.details


# --- the mappings, without a sandbox ---------------------------------------------------------


def test_every_format_has_a_sample():
    assert {sample[0] for sample in SAMPLES} == set(FORMATS)


def test_humaneval_runs_the_prompt_before_the_solution():
    record = records("humaneval")[1]
    converted = convert(record)
    assert converted.reference["preamble"] == record["prompt"]
    assert converted.reference["tests"].endswith("check(decode_cyclic)\n")
    assert converted.id == "HumanEval/38" and converted.prompt == record["prompt"]
    assert plan_cases(converted.reference).mode == "test"


def test_mbpp_setup_and_challenge_tests():
    # Built from mbpp/README.md's schema: no real record with test_setup_code was reachable.
    record = {
        "task_id": 900,
        "text": "Write a function to find the square root.",
        "test_setup_code": "import math",
        "test_list": ["assert root(4) == math.sqrt(4)"],
        "challenge_test_list": ["assert root(9) == 3"],
    }
    plain = convert(record).reference["tests"]
    assert plain == "import math\nassert root(4) == math.sqrt(4)\n"
    assert len(plan_cases({"tests": plain}).cases) == 1
    from rewardd.code_formats import mbpp

    challenge = mbpp.convert(record, challenge=True).reference["tests"]
    assert len(plan_cases({"tests": challenge}).cases) == 2
    assert "Your code should pass these tests:" in convert(record).prompt


def test_apps_and_taco_preamble_is_the_harness_imports_with_numpy_on_sci():
    for name in ("apps", "taco"):
        sci = convert(records(name)[1]).reference
        assert sci["image"] == "sci"
        assert sci["preamble"] == source("apps") + "import numpy as np\n"
        lean = convert(records(name)[1], image="default").reference
        assert lean["image"] == "default" and "numpy" not in lean["preamble"].split("#")[0]
        assert "from typing import List, Tuple" in lean["preamble"]


def test_apps_outputs_stored_unwrapped_stay_as_they_are():
    tests = {"fn_name": "f", "inputs": [[1], [2]], "outputs": [[1, 2], 3]}
    cases = convert({"question": "q", "input_output": json.dumps(tests)}).reference["test_cases"]
    assert [json.loads(case["output"]) for case in cases] == [[1, 2], 3]


def test_codecontests_kinds_and_layouts():
    full, proto = records("codecontests")
    assert len(convert(full).reference["test_cases"]) == 11
    from rewardd.code_formats import codecontests

    public = codecontests.convert(full, kinds=("public",)).reference["test_cases"]
    assert (
        public
        == convert(proto).reference["test_cases"]
        == [
            {"input": full["public_tests"]["input"][0], "output": full["public_tests"]["output"][0]}
        ]
    )
    with pytest.raises(FormatError, match="input_file"):
        convert({**full, "input_file": "input.txt"})


def test_livecodebench_private_tests_are_decompressed():
    reference = convert(records("livecodebench")[0]).reference
    assert reference["fn_name"] == "occurrencesOfElement"
    assert [case["input"] for case in reference["test_cases"]] == [
        [[1, 3, 1, 7], [1, 3, 2, 4], 1],
        [[1, 2, 3], [10], 5],
    ]
    assert reference["preamble"] == source("livecodebench")


class _Planted:
    """Unpickling this would call os.system: the converter must refuse it, not run it."""

    def __reduce__(self):
        import os

        return (os.system, ("touch /tmp/rewardd-pickle-ran",))


def test_livecodebench_private_tests_never_unpickle_code(tmp_path):
    hostile = base64.b64encode(zlib.compress(pickle.dumps(_Planted()))).decode()
    record = {**records("livecodebench")[0], "private_test_cases": hostile}
    with pytest.raises(FormatError, match=r"only data loads"):
        convert(record)
    assert not Path("/tmp/rewardd-pickle-ran").exists()


def test_verl_row_and_bare_ground_truth_agree():
    bare, row, functional, _ = records("verl")
    assert convert(row).reference == convert(bare).reference
    assert convert(row).prompt.startswith("King's path")
    assert convert(row).id == "0"
    cases = convert(functional).reference["test_cases"]
    assert [json.loads(case["output"]) for case in cases] == [[0, -1, 2, -1], [-1]]


def test_openr1_function_call_cases_use_apps_convention():
    real, stdio, calls = records("openr1")
    assert convert(real).prompt.startswith("Solve the following coding problem")
    assert convert(stdio).reference["language"] == "python"
    reference = convert(calls).reference
    assert reference["fn_name"] == "converter"
    assert json.loads(reference["test_cases"][0]["output"]) == "103"


@pytest.mark.parametrize(
    ("record", "fmt", "field"),
    [
        ({"task_id": 1, "prompt": "p", "entry_point": "f"}, "humaneval", "test"),
        ({"task_id": 1, "text": "t", "test_list": "assert f()"}, "mbpp", "test_list"),
        ({"question": "q", "input_output": "{not json"}, "apps", "input_output"),
        ({"question": "q", "input_output": '{"inputs": ["1"]}'}, "apps", "outputs"),
        (
            {"question": "q", "input_output": '{"inputs": ["1"], "outputs": ["1", "2"]}'},
            "apps",
            "inputs has 1 items but outputs has 2",
        ),
        ({"public_tests": {"input": ["1"]}}, "codecontests", "public_tests"),
        ({"public_test_cases": "[]", "question_content": "q"}, "livecodebench", "hold no tests"),
        ({"verification_info": {"test_cases": [{"input": "1"}]}}, "openr1", "output"),
        ({"inputs": [1], "outputs": ["1"], "fn_name": "f"}, "verl", "inputs[0]"),
    ],
)
def test_malformed_records_name_the_field(record, fmt, field):
    with pytest.raises(ValueError, match=re.escape(field)):
        convert(record, fmt)


def test_detection_refuses_unknown_and_ambiguous_records():
    with pytest.raises(FormatError, match="no known code dataset format"):
        detect_format({"question": "q"})
    with pytest.raises(FormatError, match="several formats"):
        detect_format({"test_list": [], "verification_info": {}})
    with pytest.raises(FormatError, match="unknown format"):
        convert({"test_list": ["assert True"]}, "leetcode")


def test_a_reference_can_be_the_record_itself():
    from rewardd.code_formats import reference_from_record

    row = records("verl")[1]
    as_given = reference_from_record({"format": "auto", **row, "timeout_s": 2})
    assert as_given == {**convert(row).reference, "timeout_s": 2}
    apps_row = records("apps")[0]
    lean = reference_from_record({"format": "apps", **apps_row, "image": "default"})
    assert lean == convert(apps_row, image="default").reference
    with pytest.raises(FormatError, match="format must be a format name"):
        reference_from_record({"format": 3, **row})
    with pytest.raises(FormatError, match="unknown format"):
        reference_from_record({"format": "leetcode", **row})


def test_broken_variant_nudges_every_kind_of_result():
    from tests.broken_variant import broken_variant

    source = "def f(x):\n    return x\n"
    namespace: dict[str, Any] = {}
    exec(broken_variant(source, "f"), namespace)  # our own test code, nothing foreign
    nudged = namespace["f"]
    assert [nudged(v) for v in (True, 2, 2.5, "a", [1, 2], (1,), None)] == [
        False,
        3,
        3.5,
        "ax",
        [1],
        (),
        0,
    ]
    assert nudged({}) is None


@pytest.mark.parametrize(
    ("returned", "stored", "accepted"),
    [
        ("103", ["103"], True),  # the value inside APPS's wrapping
        (["103"], ["103"], True),  # the wrapping itself: APPS's harness accepts it too
        ("1101", ["-1101"], False),
        ([1, 2], [[1, 2]], True),
        ([1, 2], [1, 2], True),
        (1, [1, 2], True),  # APPS's first-element match, faithfully
        (3, [1, 2], False),
    ],
)
def test_apps_harness_checker_accepts_what_apps_accepts(tmp_path, returned, stored, accepted):
    import subprocess
    import sys

    from rewardd.code_formats import checkers

    checker = tmp_path / "checker.py"
    checker.write_text(checkers.source("apps_call"), encoding="utf-8")
    files = []
    for name, value in (("input", [13]), ("output", returned), ("answer", stored)):
        path = tmp_path / f"{name}.txt"
        path.write_text(json.dumps(value), encoding="utf-8")
        files.append(str(path))
    done = subprocess.run([sys.executable, "-I", str(checker), *files], check=False)
    assert (done.returncode == 0) is accepted


def test_apps_harness_outputs_keep_the_wrapping_and_add_the_checker():
    from rewardd.code_formats import checkers

    reference = convert(records("apps")[1], apps_outputs="harness").reference
    assert reference["checker"] == checkers.source("apps_call")
    assert [json.loads(case["output"]) for case in reference["test_cases"]] == [
        ["103"],
        ["103.010"],
        ["-1101"],
    ]
    assert "checker" not in convert(records("apps")[0], apps_outputs="harness").reference


@pytest.mark.docker
def test_livecodebench_preamble_brings_the_names_leetcode_code_assumes(sandbox):
    """LeetCode-style `nums: List[int]` without `from typing import List`: the harness's
    import_string makes it work there, and the converted reference's preamble here."""
    reference = convert(records("livecodebench")[0]).reference
    leetcode_style = solution("occurrences_of_element_leetcode")
    with_preamble = grade_solution(sandbox, leetcode_style, reference)
    assert with_preamble.error is None and with_preamble.value == 1.0, with_preamble.details
    bare = {key: value for key, value in reference.items() if key != "preamble"}
    without = grade_solution(sandbox, leetcode_style, bare)
    assert without.value == 0.0 and "NameError" in without.details["cases"][0]["reason"]


def test_livecodebench_private_tests_that_inflate_too_far_are_refused(monkeypatch):
    from rewardd.code_formats import livecodebench

    monkeypatch.setattr(livecodebench, "MAX_PRIVATE_TESTS_BYTES", 10_000)
    tests = [{"input": "1\n" * 10_000, "output": "1\n", "testtype": "stdin"}]
    bomb = base64.b64encode(zlib.compress(pickle.dumps(json.dumps(tests)))).decode()
    record = {**records("livecodebench")[1], "private_test_cases": bomb}
    with pytest.raises(FormatError, match="decompresses to over 10000 bytes"):
        convert(record)
