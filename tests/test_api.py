"""The HTTP API in embedded mode, against a real `rewardd serve` on 127.0.0.1."""

from __future__ import annotations

import json
import time

import httpx
import pytest

R1_RIGHT = "<think>19 goes into 72 three times with 15 left.</think><answer>\\frac{72}{19}</answer>"
R1_WRONG = "<think>I think it is about four.</think><answer>4</answer>"


@pytest.fixture(scope="module")
def client(embedded_url):
    with httpx.Client(base_url=embedded_url, timeout=60) as client:
        yield client


def grade(client, items, **body):
    response = client.post("/v1/rewards", json={"items": items, **body})
    assert response.status_code == 200, response.text
    return response.json()


def test_r1_completion_gets_the_documented_answer(client):
    body = grade(
        client,
        [
            {"id": "right", "completion": R1_RIGHT, "reference": {"answer": "72/19"}, "lang": "en"},
            {"id": "wrong", "completion": R1_WRONG, "reference": {"answer": "72/19"}, "lang": "en"},
        ],
    )
    assert body["recipe"] == {
        "name": "r1",
        "weights": {"accuracy": 1.0, "format": 0.3, "language": 0.2},
    }
    assert isinstance(body["elapsed_ms"], float)
    right, wrong = body["results"]
    assert right["id"] == "right" and wrong["id"] == "wrong"
    assert right["components"]["accuracy"] == 1.0
    assert right["components"]["format"] == 1.0
    assert right["components"]["language"] == pytest.approx(1.0, abs=0.01)
    assert right["reward"] == pytest.approx(1.0 + 0.3 + 0.2 * right["components"]["language"])
    assert right["details"]["accuracy"]["verdict"] == "equivalent"
    assert right["details"]["accuracy"]["reference"] == "72/19"
    assert "reason" in right["details"]["format"]
    assert right["error"] is None
    assert wrong["components"]["accuracy"] == 0.0
    assert wrong["details"]["accuracy"]["verdict"] == "different"


def test_chat_completion_grades_the_last_assistant_message(client):
    chat = [
        {"role": "assistant", "content": "<think>x</think><answer>1</answer>"},
        {"role": "user", "content": "again"},
        {"role": "assistant", "content": "<think>y</think><answer>\\boxed{2}</answer>"},
    ]
    (result,) = grade(client, [{"completion": chat, "reference": {"answer": "2"}}])["results"]
    assert result["components"]["accuracy"] == 1.0


def test_weights_replace_the_recipe_and_nulls_do_not_count(client):
    body = grade(
        client,
        [{"completion": R1_RIGHT, "reference": {"answer": "not a [valid"}}],
        weights={"accuracy": 1.0, "format": 0.5},
    )
    (result,) = body["results"]
    assert body["recipe"]["weights"] == {"accuracy": 1.0, "format": 0.5}
    assert result["components"]["accuracy"] is None
    assert result["error"]["code"] == "bad_reference"
    assert result["reward"] == pytest.approx(0.5)


def test_hanging_math_is_cut_at_its_deadline_and_the_batch_is_graded(client):
    # The server runs with REWARDD_MATH_ITEM_TIMEOUT_S=3 (see conftest).
    tower = "<think>big</think><answer>\\boxed{5^{5^{5^{5^5}}}}</answer>"
    items = [{"id": "tower", "completion": tower, "reference": {"answer": "5^{5^{5^{5^{5}}}}"}}]
    items += [
        {
            "id": str(n),
            "completion": f"<answer>\\boxed{{{n}}}</answer>",
            "reference": {"answer": "7"},
        }
        for n in range(5, 10)
    ]
    started = time.monotonic()
    results = grade(client, items, recipe="r1-zero", timeout_s=30)["results"]
    elapsed = time.monotonic() - started
    tower_result, *rest = results
    assert elapsed < 12
    assert tower_result["error"]["code"] == "timeout"
    assert tower_result["components"] == {"accuracy": None, "format": None}
    assert tower_result["reward"] is None
    assert [r["components"]["accuracy"] for r in rest] == [0.0, 0.0, 1.0, 0.0, 0.0]
    ready = client.get("/readyz").json()
    assert "pool" not in ready["problems"]
    fresh = {"completion": "<answer>\\boxed{8}</answer>", "reference": {"answer": "8"}}
    assert grade(client, [fresh], recipe="r1-zero")["results"][0]["components"]["accuracy"] == 1.0


def test_identical_items_are_graded_once(client):
    item = {"completion": "<answer>\\boxed{123456}</answer>", "reference": {"answer": "123456"}}

    def hits() -> float:
        text = client.get("/metrics").text
        line = next(x for x in text.splitlines() if x.startswith("rewardd_cache_hits_total"))
        return float(line.split()[-1])

    before = hits()
    results = grade(client, [item] * 16 + [{**item, "id": "last"}])["results"]
    assert {r["components"]["accuracy"] for r in results} == {1.0}
    assert results[-1]["id"] == "last"
    assert hits() - before == 16


def test_jobs_run_asynchronously_and_match_the_sync_results(client):
    items = [
        {"id": i, "completion": f"<answer>{i}</answer>", "reference": {"answer": "3"}}
        for i in range(6)
    ]
    accepted = client.post("/v1/jobs", json={"items": items, "recipe": "r1-zero"})
    assert accepted.status_code == 202
    job_id = accepted.json()["job_id"]
    assert accepted.json()["status"] == "queued"
    deadline = time.monotonic() + 30
    while (job := client.get(f"/v1/jobs/{job_id}").json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert job["status"] == "done" and job["error"] is None
    sync = grade(client, items, recipe="r1-zero")["results"]
    assert job["results"] == sync
    assert client.get("/v1/jobs/does-not-exist").status_code == 404


def test_openrlhf_protocol(client):
    prompt = "<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n"
    queries = [
        prompt + "<think>2+3=5</think><answer>5</answer><|im_end|>",
        prompt + "<think>hmm</think><answer>6</answer></s>",
    ]
    response = client.post(
        "/get_reward?recipe=r1-zero",
        json={"query": queries, "prompts": [prompt, prompt], "labels": ["5", "5"]},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rewards"] == pytest.approx([1.3, 0.3])
    assert body["scores"] == [1.0, 0.0]  # v2: the accuracy, for OpenRLHF's dynamic filtering
    assert body["extra_logs"]["ungraded"] == [0.0, 0.0]
    assert body["extra_logs"]["accuracy"] == [1.0, 0.0]
    assert body["extra_logs"]["format"] == [1.0, 1.0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"items": []}, "items"),
        ({"items": [{"completion": 5}]}, "completion"),
        ({"items": [{"completion": "x", "task": "poetry"}]}, "task"),
        ({"items": [{"completion": "x", "lang": "english"}]}, "lang"),
        ({"items": [{"completion": "x"}], "weights": {"charm": 1}}, "weights"),
        ({"items": [{"completion": "x"}], "timeout_s": -1}, "timeout_s"),
        ({"items": [{"completion": [{"role": "user", "content": "q"}]}]}, "completion"),
        ({"items": [{"completion": "x"}] * 4097}, "items"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, body, field):
    response = client.post("/v1/rewards", json=body)
    assert response.status_code == 422, response.text
    assert any(field in map(str, error["loc"]) for error in response.json()["detail"])


def test_malformed_json_is_a_422(client):
    response = client.post(
        "/v1/rewards", content=b'{"items": [', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


def test_oversize_completion_is_a_413_naming_it(client):
    big = "x" * (1024 * 1024 + 1)
    response = client.post(
        "/v1/rewards", json={"items": [{"completion": "ok"}, {"completion": big}]}
    )
    assert response.status_code == 413
    assert response.json()["detail"][0]["loc"] == ["body", "items", 1, "completion"]


def test_oversize_body_is_a_413_even_when_chunked(client):
    def chunks():
        yield b'{"items": [{"completion": "'
        for _ in range(34):
            yield b"y" * (1024 * 1024)
        yield b'"}]}'

    response = client.post(
        "/v1/rewards", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert client.get("/healthz").status_code == 200


def test_request_id_is_echoed(client):
    response = client.get("/healthz", headers={"x-request-id": "trace-123"})
    assert response.headers["x-request-id"] == "trace-123"
    assert client.get("/healthz").headers["x-request-id"]


def test_metrics_are_prometheus_text(client):
    text = client.get("/metrics").text
    for name in ("rewardd_requests_total", "rewardd_items_total", "rewardd_queue_depth"):
        assert name in text


def test_openapi_page_lists_the_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/v1/rewards", "/v1/jobs", "/v1/jobs/{job_id}", "/get_reward", "/v1/execute"):
        assert path in paths
    assert client.get("/docs").status_code == 200


def test_unknown_recipe_on_get_reward_is_a_422(client):
    response = client.post("/get_reward?recipe=nope", json={"query": ["x"]})
    assert response.status_code == 422
    assert json.dumps(response.json()).count("recipe")


def test_logs_are_json_lines_carrying_the_request_id(tmp_path):
    from tests.conftest import running_service

    log = tmp_path / "serve.log"
    with running_service(log) as url:
        httpx.get(f"{url}/healthz", headers={"x-request-id": "find-me-42"})
    entries = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    mine = [e for e in entries if e.get("request_id") == "find-me-42"]
    assert mine and mine[0]["path"] == "/healthz" and mine[0]["status"] == 200
    assert all({"ts", "level", "logger", "msg"} <= set(e) for e in entries)


def test_the_request_budget_bounds_the_whole_batch(client):
    tower = "<answer>\\boxed{5^{5^{5^{5^5}}}}</answer>"
    items = [
        {"id": "tower", "completion": tower, "reference": {"answer": "5"}},
        {"id": "easy", "completion": "<answer>\\boxed{9}</answer>", "reference": {"answer": "9"}},
    ]
    started = time.monotonic()
    tower_result, easy = grade(client, items, recipe="r1-zero", timeout_s=1)["results"]
    assert time.monotonic() - started < 2.9  # below the server's 3 s per-item deadline
    assert tower_result["error"]["code"] == "timeout"
    assert easy["components"]["accuracy"] == 1.0, easy


def test_overload_is_a_503_with_retry_after(tmp_path):
    from tests.conftest import running_service

    items = [
        {"completion": f"<answer>{n}</answer>", "reference": {"answer": "1"}} for n in range(3)
    ]
    with running_service(tmp_path / "serve.log", REWARDD_MAX_PENDING_ITEMS="2") as url:
        response = httpx.post(f"{url}/v1/rewards", json={"items": items}, timeout=30)
        assert response.status_code == 503
        assert response.headers["retry-after"] == "1"
        assert "overloaded" in response.json()["detail"]
        small = httpx.post(f"{url}/v1/rewards", json={"items": items[:2]}, timeout=30)
        assert small.status_code == 200
