"""Random and half-valid bodies against a real server: a 4xx or a 200, never a 5xx."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
completions = st.one_of(
    st.text(max_size=200),
    st.builds(
        lambda a, b: f"<think>{a}</think><answer>{b}</answer>",
        st.text(max_size=50),
        st.text(max_size=30),
    ),
    json_values,
)
items = st.fixed_dictionaries(
    {"completion": completions},
    optional={
        "id": json_values,
        "reference": st.one_of(
            json_values, st.fixed_dictionaries({"answer": st.text(max_size=30)})
        ),
        "task": st.sampled_from(["math", "code", "other", None]),
        "lang": st.one_of(st.sampled_from(["en", "zh", "xx", "EN"]), json_values),
        "completion_tokens": st.one_of(st.integers(-5, 40000), json_values),
        "prompt": st.one_of(st.text(max_size=50), json_values),
    },
)
bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"items": st.lists(items, min_size=0, max_size=4)},
        optional={
            "recipe": st.one_of(st.sampled_from(["r1", "r1-zero", "code", "zzz"]), json_values),
            "weights": st.one_of(
                st.dictionaries(
                    st.sampled_from(["accuracy", "format", "language", "cosine", "bogus"]),
                    st.floats(-2, 2),
                ),
                json_values,
            ),
            "timeout_s": st.one_of(st.floats(-1, 20), json_values),
        },
    ),
)


@pytest.fixture(scope="module")
def client(embedded_url):
    with httpx.Client(base_url=embedded_url, timeout=60) as client:
        yield client


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies)
def test_rewards_never_answers_5xx(client, body):
    response = client.post("/v1/rewards", json=body)
    assert response.status_code < 500, response.text
    if response.status_code == 200:
        assert len(response.json()["results"]) == len(body["items"])


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"query": st.lists(st.text(max_size=60), max_size=3)},
            optional={"prompts": st.lists(st.text(max_size=20), max_size=3), "labels": json_values},
        ),
    )
)
def test_get_reward_never_answers_5xx(client, body):
    response = client.post("/get_reward", json=body)
    assert response.status_code < 500, response.text


def test_service_is_still_ready_after_the_fuzzing(client):
    assert client.get("/healthz").status_code == 200
