"""Combining components into a reward, recipes, and the result cache."""

from __future__ import annotations

import pytest

from rewardd.cache import ResultCache, item_key
from rewardd.grading import combine, grade_item, grading_input
from rewardd.recipes import RECIPES, UnknownRecipe, resolve_weights
from rewardd.rewards.types import ItemError, Score


def test_reward_is_the_weighted_sum_of_non_null_components():
    scores = {
        "accuracy": Score(1.0, "right"),
        "format": Score(0.0, "no"),
        "language": Score(None, "n/a"),
    }
    result = combine("x", scores, {"accuracy": 1.0, "format": 0.3, "language": 0.2})
    assert result["reward"] == 1.0
    assert result["components"] == {"accuracy": 1.0, "format": 0.0, "language": None}
    assert result["details"]["language"] == {"reason": "n/a"}


def test_all_null_components_give_a_null_reward_and_the_error_is_kept():
    bad = Score(None, "gold unparsable", error=ItemError("bad_reference", "gold unparsable"))
    result = combine(1, {"accuracy": bad}, {"accuracy": 1.0})
    assert result["reward"] is None
    assert result["error"] == {"code": "bad_reference", "message": "gold unparsable"}


def test_recipes_are_the_contracts():
    assert RECIPES["r1"] == {"accuracy": 1.0, "format": 0.3, "language": 0.2}
    assert RECIPES["r1-zero"] == {"accuracy": 1.0, "format": 0.3}
    assert RECIPES["code"] == {"code": 1.0, "lint": 0.2, "format": 0.3}
    assert resolve_weights("r1", {"format": 1.0}) == ("custom", {"format": 1.0})
    with pytest.raises(UnknownRecipe):
        resolve_weights("nope", None)


def test_defaults_task_from_reference_and_tokens_from_words():
    code = grading_input({"completion": "a b c", "reference": {"tests": "assert True"}})
    assert code.task == "code" and code.completion_tokens == 3 and code.lang == "en"
    math = grading_input({"completion": "x", "reference": {"answer": "1"}, "completion_tokens": 9})
    assert math.task == "math" and math.completion_tokens == 9


def test_lang_defaults_to_the_prompts_language():
    item = grading_input(
        {"completion": "x", "prompt": "Сколько будет два плюс два? Ответьте кратко."}
    )
    assert item.lang == "ru"
    assert grading_input({"completion": "x", "prompt": "x", "lang": "fa"}).lang == "fa"


def test_a_component_that_raises_costs_one_component_not_the_item(monkeypatch):
    from rewardd.rewards import registry

    def broken(item, score_of):
        raise RuntimeError("boom")

    monkeypatch.setitem(registry.COMPONENTS, "format", broken)
    result = grade_item(
        {"completion": "<answer>1</answer>", "reference": {"answer": "1"}},
        {"accuracy": 1.0, "format": 1.0},
    )
    assert result["components"] == {"accuracy": 1.0, "format": None}
    assert result["error"]["code"] == "internal" and "boom" in result["error"]["message"]


def test_cache_key_ignores_the_id_but_not_content_or_weights():
    item = {"id": 1, "completion": "x", "reference": {"answer": "1"}}
    key = item_key(item, {"accuracy": 1.0})
    assert key == item_key({**item, "id": 2}, {"accuracy": 1.0})
    assert key != item_key({**item, "completion": "y"}, {"accuracy": 1.0})
    assert key != item_key(item, {"accuracy": 0.5})


def test_cache_keeps_no_errors_and_evicts_the_oldest():
    cache = ResultCache(max_entries=2)
    cache.put("err", {"error": {"code": "timeout"}})
    assert cache.get("err") is None
    for key in "abc":
        cache.put(key, {"error": None, "k": key})
    assert cache.get("a") is None and cache.get("c") == {"error": None, "k": "c"}


def test_machinery_failures_are_logged_with_the_item_id(caplog):
    from rewardd.grading import _log_machinery_failures
    from rewardd.rewards.types import ItemError, Score

    scores = {
        "code": Score(0.5, "1 of 2 cases passed", {"judge_errors": ["case 1: OverflowError"]}),
        "binary_code": Score(None, "broken", error=ItemError("internal", "the judge failed")),
        "format": Score(1.0, "ok"),
    }
    with caplog.at_level("ERROR", logger="rewardd.grading"):
        _log_machinery_failures("item-7", scores)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2, lines
    assert all("'item-7'" in line for line in lines)
    assert any("OverflowError" in line for line in lines)
    assert any("the judge failed" in line for line in lines)
