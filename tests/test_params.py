"""CONTRACT v2 component parameters (`params`): validation, grading, cache key, every mode.

Expected figures are worked out by hand from the published formulas (open-r1's cosine
schedule, repetition penalty and DAPO's soft overlong punishment), never read back from
the service.
"""

from __future__ import annotations

import inspect
import json
import math
import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rewardd.api.schemas import RewardsRequest
from rewardd.cache import item_key
from rewardd.grading import grade_item
from rewardd.groups import score_groups
from rewardd.rewards.length import group_length
from rewardd.rewards.parameters import MODELS, checked_params, defaults
from rewardd.rewards.registry import PARAMETRISED
from rewardd.rewards.repetition import distinct_windows
from tests.conftest import running_service, running_worker, wait_for
from tests.test_cli import rewardd
from tests.test_fuzz import json_values, texts
from tests.test_fuzz import post as post_json

# A right answer whose length the caller gives: 50 tokens.
RIGHT_50 = {
    "completion": "<think>6 times 7.</think><answer>\\boxed{42}</answer>",
    "reference": {"answer": "42"},
    "completion_tokens": 50,
    "lang": "en",
}
LOOPING = {"completion": "a b a b a b", "completion_tokens": 90}

# cosine, correct: min_c + (max_c - min_c) / 2 * (1 + cos(pi * len / max_len)).
COSINE_DEFAULT = 0.5 + 0.25 * (1 + math.cos(math.pi * 50 / 1000))  # max_len 1000
COSINE_100 = 0.75  # max_len 100: cos(pi / 2) = 0
# "a b a b a b": 4 trigrams, 2 distinct -> 0.5 repeat; 5 bigrams, 2 distinct -> 0.6 repeat.
REPETITION_DEFAULT = -0.5
REPETITION_2_HALF = -0.3  # ngram_size 2, max_penalty -0.5
# 90 tokens: under 16384 - 4096 by default; 10 into the 20-token soft zone before 100.
OVERLONG_DEFAULT = 0.0
OVERLONG_100_20 = -0.5

CUSTOM = {
    "cosine": {"max_len": 100},
    "repetition_penalty": {"ngram_size": 2, "max_penalty": -0.5},
    "soft_overlong": {"max_completion_len": 100, "soft_punish_cache": 20},
}
COSINE = {"weights": {"cosine": 1.0}}
TEXT = {"weights": {"repetition_penalty": 1.0, "soft_overlong": 1.0}}


# ---- one place for the names ------------------------------------------------------------------


def test_parameters_are_the_keyword_only_arguments_of_each_reward_function():
    for component, function in PARAMETRISED.items():
        keyword_only = {
            p.name: p.default
            for p in inspect.signature(function).parameters.values()
            if p.kind is inspect.Parameter.KEYWORD_ONLY
        }
        assert keyword_only, component
        assert defaults(component) == keyword_only


def test_the_adapters_leave_out_exactly_the_service_defaults():
    """trainer_client sends no params when they equal the service's defaults; if the two
    drifted apart, open-r1 settings would silently grade with the service's own."""
    from trainer_client.rewards import _SERVICE_DEFAULTS

    assert {component: defaults(component) for component in MODELS} == _SERVICE_DEFAULTS


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"charm": {"x": 1}}, "unknown component 'charm'"),
        ({"format": {"no_such_parameter": 0}}, "component 'format' takes no parameters"),
        ({"cosine": {"max_length": 100}}, "unknown parameter 'max_length' of cosine"),
        ({"cosine": {"max_len": 0}}, "params.cosine.max_len"),
        ({"cosine": {"max_len": -5}}, "params.cosine.max_len"),
        ({"cosine": {"max_len": 100.5}}, "params.cosine.max_len"),
        ({"cosine": {"max_len": "100"}}, "params.cosine.max_len"),
        ({"cosine": {"min_value_wrong": "low"}}, "params.cosine.min_value_wrong"),
        ({"cosine": {"min_value_wrong": True}}, "params.cosine.min_value_wrong"),
        ({"cosine": {"max_value_correct": float("inf")}}, "params.cosine.max_value_correct"),
        ({"repetition_penalty": {"max_penalty": 0.5}}, "params.repetition_penalty.max_penalty"),
        ({"repetition_penalty": {"ngram_size": 0}}, "params.repetition_penalty.ngram_size"),
        ({"soft_overlong": {"max_completion_len": 0}}, "params.soft_overlong.max_completion_len"),
        ({"soft_overlong": {"soft_punish_cache": -1}}, "params.soft_overlong.soft_punish_cache"),
        ({"cosine": [100]}, "params.cosine must be an object"),
    ],
)
def test_refused_params_name_what_is_wrong(params, says):
    with pytest.raises(ValueError) as refused:
        checked_params(params)
    assert says in str(refused.value)


def test_every_problem_is_named_at_once():
    with pytest.raises(ValueError) as refused:
        checked_params({"cosine": {"max_len": 0, "typo": 1}, "charm": {}})
    for says in ("params.cosine.max_len", "'typo'", "'charm'"):
        assert says in str(refused.value)


@given(
    words=st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=120),
    size=st.integers(1, 70),
)
def test_distinct_windows_counts_as_a_set_of_tuples_would(words, size):
    size = min(size, len(words))
    tuples = set(zip(*(words[i:] for i in range(size)), strict=False))
    assert distinct_windows(words, size) == len(tuples)


def test_long_ngrams_of_a_long_text():
    """40-grams of 100 000 alternating words: 99 961 windows, 2 distinct."""
    weights = {"repetition_penalty": 1.0}
    body = {"weights": weights, "params": {"repetition_penalty": {"ngram_size": 40}}}
    request = RewardsRequest.model_validate({"items": [{"completion": "a b " * 50_000}], **body})
    result = grade_item(request.items[0].wire(), weights)
    assert result["components"]["repetition_penalty"] == pytest.approx(-(99_961 - 2) / 99_961)


# ---- what travels to the grader ---------------------------------------------------------------


def wire_items(**body):
    request = RewardsRequest.model_validate({"items": [RIGHT_50], **body})
    return [item.wire() for item in request.items]


def test_items_carry_the_params_of_the_components_they_are_graded_on():
    (item,) = wire_items(weights={"cosine": 1.0, "soft_overlong": 1.0}, params=CUSTOM)
    assert item["params"] == {
        "cosine": {"max_len": 100},
        "soft_overlong": {"max_completion_len": 100, "soft_punish_cache": 20},
    }
    (unweighted,) = wire_items(recipe="r1", params=CUSTOM)  # r1 has none of them
    assert "params" not in unweighted


def test_defaults_spelt_out_are_no_params_at_all():
    plain = wire_items(**COSINE)
    assert wire_items(**COSINE, params={"cosine": {"max_len": 1000, "max_value_correct": 1}}) == (
        plain
    )
    assert wire_items(**COSINE, params={"cosine": {}}) == plain


def test_params_are_part_of_the_cache_key():
    weights = COSINE["weights"]
    (plain,) = wire_items(**COSINE)
    (custom,) = wire_items(**COSINE, params={"cosine": {"max_len": 100}})
    (other,) = wire_items(**COSINE, params={"cosine": {"max_len": 200}})
    keys = {item_key(plain, weights), item_key(custom, weights), item_key(other, weights)}
    assert len(keys) == 3


def test_grade_item_applies_the_params():
    (plain,) = wire_items(**COSINE)
    (custom,) = wire_items(**COSINE, params={"cosine": {"max_len": 100}})
    assert grade_item(plain, COSINE["weights"])["components"]["cosine"] == pytest.approx(
        COSINE_DEFAULT
    )
    assert grade_item(custom, COSINE["weights"])["components"]["cosine"] == pytest.approx(
        COSINE_100
    )


# ---- the running service ----------------------------------------------------------------------


def post(url: str, **body) -> httpx.Response:
    return httpx.post(f"{url}/v1/rewards", json=body, timeout=120)


def components(url: str, items: list[dict], **body) -> list[dict]:
    response = post(url, items=items, **body)
    assert response.status_code == 200, response.text
    return [result["components"] for result in response.json()["results"]]


def job_components(url: str, items: list[dict], **body) -> list[dict]:
    accepted = httpx.post(f"{url}/v1/jobs", json={"items": items, **body}, timeout=60)
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["job_id"]
    deadline = time.monotonic() + 120
    while (job := httpx.get(f"{url}/v1/jobs/{job_id}").json())["status"] != "done":
        assert job["status"] in ("queued", "running") and time.monotonic() < deadline, job
        time.sleep(0.1)
    return [result["components"] for result in job["results"]]


def check_params_are_applied_and_cached_apart(url: str) -> None:
    """Defaults, then custom params, then defaults again: if params were not in the cache
    key, the second and third requests would get the first one's cached figures."""
    for params, cosine, repetition, overlong in [
        (None, COSINE_DEFAULT, REPETITION_DEFAULT, OVERLONG_DEFAULT),
        (CUSTOM, COSINE_100, REPETITION_2_HALF, OVERLONG_100_20),
        (None, COSINE_DEFAULT, REPETITION_DEFAULT, OVERLONG_DEFAULT),
        (CUSTOM, COSINE_100, REPETITION_2_HALF, OVERLONG_100_20),
    ]:
        extra = {"params": params} if params else {}
        (got,) = components(url, [RIGHT_50], **COSINE, **extra)
        assert got["cosine"] == pytest.approx(cosine)
        (got,) = components(url, [LOOPING], **TEXT, **extra)
        assert got["repetition_penalty"] == pytest.approx(repetition)
        assert got["soft_overlong"] == pytest.approx(overlong)
    (got,) = job_components(url, [LOOPING], **TEXT, params=CUSTOM)
    assert got["repetition_penalty"] == pytest.approx(REPETITION_2_HALF)
    assert got["soft_overlong"] == pytest.approx(OVERLONG_100_20)


def check_bad_params_are_422_naming_them(url: str) -> None:
    for params, says in [
        ({"format": {"no_such_parameter": 0}}, "format"),
        ({"cosine": {"max_len": 0}}, "max_len"),
        ({"repetition_penalty": {"max_penalty": 1}}, "max_penalty"),
        ({"cosine": {"nope": 1}}, "nope"),
    ]:
        for path in ("/v1/rewards", "/v1/jobs"):
            body = {"items": [RIGHT_50], **COSINE, "params": params}
            response = httpx.post(f"{url}{path}", json=body, timeout=60)
            assert response.status_code == 422, (path, response.text)
            (error,) = response.json()["detail"]
            assert error["loc"] == ["body", "params"]
            assert says in error["msg"]


def test_embedded_service_applies_params(embedded_url):
    check_params_are_applied_and_cached_apart(embedded_url)
    check_bad_params_are_422_naming_them(embedded_url)


def test_embedded_service_scores_length_by_group(embedded_url):
    check_length_is_relative_to_the_group(embedded_url)


@pytest.mark.redis
def test_distributed_service_applies_params_as_embedded_does(redis_server, embedded_url, tmp_path):
    env = {"REWARDD_POOL_SIZE": "1", "REWARDD_CHUNK_SIZE": "4"}
    with (
        running_worker(tmp_path / "worker.log", redis_server.url, **env),
        running_service(tmp_path / "api.log", REWARDD_BROKER_URL=redis_server.url, **env) as url,
    ):
        wait_for(lambda: httpx.get(f"{url}/readyz").status_code == 200, 90, "readiness")
        check_params_are_applied_and_cached_apart(url)
        check_bad_params_are_422_naming_them(url)
        check_length_is_relative_to_the_group(url)
        items = [RIGHT_50, {**RIGHT_50, "completion_tokens": 80}, LOOPING]
        weights = {"cosine": 1.0, "repetition_penalty": 1.0, "soft_overlong": 1.0}
        body = {"weights": weights, "params": CUSTOM}
        assert components(url, items, **body) == components(embedded_url, items, **body)


HOSTILE_NAMES = st.sampled_from(
    ["max_len", "ngram_size", "max_penalty", "soft_punish_cache", "min_value_wrong", "x", "\ud800"]
)
hostile_params = st.one_of(
    json_values,
    st.dictionaries(
        st.one_of(st.sampled_from([*MODELS, "format", "length"]), texts(10)),
        st.one_of(
            json_values,
            st.dictionaries(
                HOSTILE_NAMES, st.one_of(st.integers(-(10**30), 10**30), json_values), max_size=3
            ),
        ),
        max_size=3,
    ),
)


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(params=hostile_params, group=st.one_of(st.none(), json_values))
def test_hostile_params_and_groups_never_answer_5xx(embedded_url, params, group):
    item = {**LOOPING, "group": group} if group is not None else LOOPING
    weights = {"cosine": 1, "repetition_penalty": 1, "soft_overlong": 1, "length": 1}
    with httpx.Client(base_url=embedded_url, timeout=60) as client:
        response = post_json(
            client, "/v1/rewards", {"items": [item, RIGHT_50], "weights": weights, "params": params}
        )
    assert response.status_code in (200, 422), response.text


# ---- `length`: Kimi 1.5's group-relative length reward ------------------------------------------

# λ = 0.5 − (len − shortest) / (longest − shortest): lengths 10, 20, 30 give 0.5, 0, −0.5.
RIGHT_STEP, WRONG_STEP = {"correct": True}, {"correct": False}


def test_group_length_by_hand():
    texts = ["x" * 10, "x" * 20, "x" * 30]
    right = [s.value for s in group_length(texts, [RIGHT_STEP] * 3)]
    assert right == pytest.approx([0.5, 0.0, -0.5])
    wrong = [s.value for s in group_length(texts, [WRONG_STEP] * 3)]
    assert wrong == pytest.approx([0.0, 0.0, -0.5])  # min(0, λ): never a bonus for a wrong one
    assert [s.value for s in group_length(["ab", "cd"], [RIGHT_STEP, WRONG_STEP])] == [0.0, 0.0]


def test_group_length_of_an_unknown_correctness_is_none_but_its_length_counts():
    texts = ["x" * 10, "x" * 20, "x" * 30]
    unknown = {"reason": "accuracy unknown"}
    scores = group_length(texts, [RIGHT_STEP, RIGHT_STEP, unknown])
    assert [s.value for s in scores] == [pytest.approx(0.5), pytest.approx(0.0), None]
    assert scores[2].reason == "accuracy unknown"


def graded(completion: str, correct: bool, **extra) -> tuple[dict, dict]:
    """A wire item and its per-item result, as the cache holds it (length still None)."""
    item = {"completion": completion, "prompt": "p", "reference": {"answer": "42"}, **extra}
    step = {"reason": "Scored relative to the item's group.", "correct": correct}
    result = {
        "id": None,
        "reward": 1.0 if correct else 0.0,
        "components": {"accuracy": 1.0 if correct else 0.0, "length": None},
        "details": {"accuracy": {"reason": "r"}, "length": step},
        "error": None,
    }
    return item, result


def test_score_groups_groups_by_prompt_and_reference_unless_told():
    weights = {"accuracy": 1.0, "length": 0.5}
    pairs = [
        graded("x" * 10, True),
        graded("x" * 30, True),
        graded("x" * 20, True, prompt="other"),  # alone in its group: all lengths equal
        graded("x" * 40, False, prompt="other", group="g"),
        graded("x" * 10, True, prompt="third", group="g"),
    ]
    items, results = [p[0] for p in pairs], [p[1] for p in pairs]
    before = json.dumps(results, sort_keys=True)
    scored = score_groups(items, results, weights)
    assert json.dumps(results, sort_keys=True) == before  # cached entries are not touched
    assert [r["components"]["length"] for r in scored] == pytest.approx([0.5, -0.5, 0.0, -0.5, 0.5])
    assert [r["reward"] for r in scored] == pytest.approx([1.25, 0.75, 1.0, -0.25, 1.25])
    assert scored[1]["details"]["length"]["longest"] == 30


def length_of(url: str, completions: list[str], **extra) -> list[float | None]:
    items = [
        {"completion": c, "prompt": "What is 6 times 7?", "reference": {"answer": "42"}, **extra}
        for c in completions
    ]
    return [r["length"] for r in components(url, items, weights={"accuracy": 1.0, "length": 1.0})]


def check_length_is_relative_to_the_group(url: str) -> None:
    right, wrong = r"\boxed{42}", r"\boxed{41}"
    short, long = right, right + "  " + "x" * 10  # 10 and 22 characters
    assert length_of(url, [short, long]) == pytest.approx([0.5, -0.5])
    # The same long answer, cached, in a group where it is the shortest: it scores 0.5.
    assert length_of(url, [long, long + "x" * 12]) == pytest.approx([0.5, -0.5])
    assert length_of(url, [short, wrong + "  " + "x" * 10]) == pytest.approx([0.5, -0.5])
    assert length_of(url, [wrong, long]) == pytest.approx([0.0, -0.5])
    # Two prompts are two groups; one explicit group joins them.
    items = [
        {"completion": short, "prompt": "a", "reference": {"answer": "42"}},
        {"completion": long, "prompt": "b", "reference": {"answer": "42"}},
    ]
    weights = {"length": 1.0}
    assert [r["length"] for r in components(url, items, weights=weights)] == [0.0, 0.0]
    joined = [{**item, "group": "one"} for item in items]
    assert [r["length"] for r in components(url, joined, weights=weights)] == pytest.approx(
        [0.5, -0.5]
    )


# ---- rewardd grade ----------------------------------------------------------------------------


def test_grade_command_takes_params_for_every_line():
    lines = json.dumps(RIGHT_50) + "\n" + json.dumps({**RIGHT_50, "completion_tokens": 100}) + "\n"
    weights = json.dumps(COSINE["weights"])
    done = rewardd("grade", "-", "--weights", weights, "--params", json.dumps(CUSTOM), stdin=lines)
    assert done.returncode == 0, done.stderr
    got = [json.loads(line)["components"]["cosine"] for line in done.stdout.splitlines()]
    assert got == pytest.approx([COSINE_100, 0.5])  # 100 of max_len 100: min_value_correct


def test_grade_command_refuses_group_components_with_exit_2():
    done = rewardd("grade", "-", "--weights", '{"length": 1}', stdin="")
    assert done.returncode == 2
    assert "length is scored relative to the other items of a group" in done.stderr


def test_grade_command_refuses_bad_params_with_exit_2():
    done = rewardd("grade", "-", "--params", '{"cosine": {"max_len": 0}}', stdin="")
    assert done.returncode == 2
    assert "bad --params" in done.stderr and "max_len" in done.stderr
    assert "Traceback" not in done.stderr
