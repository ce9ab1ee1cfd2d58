"""Random and half-valid bodies against a real server: a 4xx or a 200, never a 5xx.

Text includes lone surrogates ("\\ud800"), which JSON can spell and no UTF-8 can carry.
"""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def texts(max_size: int) -> st.SearchStrategy[str]:
    """Any text, sometimes with half a surrogate pair spliced in."""
    return st.one_of(
        st.text(max_size=max_size),
        st.builds(
            lambda head, odd, tail: head + odd + tail,
            st.text(max_size=max_size // 2),
            st.sampled_from(["\ud800", "\udfff", "\udc00\ud800"]),
            st.text(max_size=max_size // 2),
        ),
    )


def post(client: httpx.Client, path: str, body: object) -> httpx.Response:
    # ensure_ascii escapes surrogates as \\udXXX, as a JSON client may send them.
    content = json.dumps(body).encode("ascii")
    return client.post(path, content=content, headers={"content-type": "application/json"})


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts(40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts(10), inner, max_size=4),
    max_leaves=20,
)
completions = st.one_of(
    texts(200),
    st.builds(
        lambda a, b: f"<think>{a}</think><answer>{b}</answer>",
        texts(50),
        texts(30),
    ),
    st.lists(
        st.fixed_dictionaries(
            {"role": st.sampled_from(["assistant", "user"]), "content": texts(30)}
        ),
        max_size=3,
    ),
    json_values,
)
items = st.fixed_dictionaries(
    {"completion": completions},
    optional={
        "id": json_values,
        "reference": st.one_of(
            json_values,
            st.fixed_dictionaries({"answer": texts(30)}),
            st.fixed_dictionaries({"test_cases": st.lists(json_values, max_size=2)}),
        ),
        "task": st.sampled_from(["math", "code", "other", None]),
        "lang": st.one_of(st.sampled_from(["en", "zh", "xx", "EN"]), json_values),
        "completion_tokens": st.one_of(st.integers(-5, 40000), json_values),
        "prompt": st.one_of(texts(50), json_values),
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
    response = post(client, "/v1/rewards", body)
    assert response.status_code < 500, response.text
    if response.status_code == 200:
        assert len(response.json()["results"]) == len(body["items"])


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"query": st.lists(texts(60), max_size=3)},
            optional={"prompts": st.lists(texts(20), max_size=3), "labels": json_values},
        ),
    )
)
def test_get_reward_never_answers_5xx(client, body):
    response = post(client, "/get_reward", body)
    assert response.status_code < 500, response.text


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"code": texts(60)},
            optional={
                "stdin": texts(20),
                "files": st.dictionaries(texts(12), texts(20), max_size=3),
                "timeout_s": st.one_of(st.floats(-1, 3), json_values),
                "memory_mb": st.one_of(st.integers(-10, 5000), json_values),
                "language": st.sampled_from(["python", "cobol"]),
            },
        ),
    )
)
def test_execute_never_answers_5xx(client, body):
    response = post(client, "/v1/execute", body)
    assert response.status_code < 500, response.text
    if response.status_code == 200:
        assert response.json()["status"] != "sandbox_error", response.text


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies)
def test_jobs_never_answer_5xx(client, body):
    response = post(client, "/v1/jobs", body)
    assert response.status_code < 500, response.text


def test_service_is_still_ready_after_the_fuzzing(client):
    assert client.get("/healthz").status_code == 200
