"""Hostile input against a real `rewardd serve`: lone surrogates, oversize fields, and text
built to stall a regex must get a 4xx (or a grade), never a 500, and never stall /healthz."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest

SURROGATE = "\ud800"


@pytest.fixture(scope="module")
def client(embedded_url):
    with httpx.Client(base_url=embedded_url, timeout=120) as client:
        yield client


def post_raw(client: httpx.Client, path: str, body: object) -> httpx.Response:
    # json.dumps escapes a lone surrogate as \ud800, as any JSON client may send it; httpx's
    # own encoder would refuse to send such a string at all.
    content = json.dumps(body).encode("ascii")
    return client.post(path, content=content, headers={"content-type": "application/json"})


def error_text(response: httpx.Response) -> str:
    return json.dumps(response.json())


def sandbox_errors(client: httpx.Client) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith('rewardd_sandbox_executions_total{status="sandbox_error"}'):
            return float(line.split()[-1])
    return 0.0


ITEM = {"completion": "<think>t</think><answer>1</answer>", "reference": {"answer": "1"}}
CODE_REFERENCE = {"test_cases": [{"input": "", "output": "1"}]}

SURROGATE_CASES = [
    (
        "/v1/rewards",
        {"items": [{**ITEM, "completion": f"<answer>{SURROGATE}</answer>"}]},
        "completion",
    ),
    (
        "/v1/rewards",
        {"items": [{**ITEM, "completion": [{"role": "assistant", "content": SURROGATE}]}]},
        "completion",
    ),
    ("/v1/rewards", {"items": [{**ITEM, "reference": {"answer": SURROGATE}}]}, "reference"),
    (
        "/v1/rewards",
        {"items": [{"completion": "x", "reference": {"tests": f"assert f() == '{SURROGATE}'"}}]},
        "reference",
    ),
    ("/v1/rewards", {"items": [{**ITEM, "prompt": f"What is {SURROGATE}?"}]}, "prompt"),
    ("/v1/rewards", {"items": [{**ITEM, "id": SURROGATE}]}, "id"),
    ("/v1/jobs", {"items": [{**ITEM, "completion": SURROGATE}]}, "completion"),
    ("/get_reward", {"query": [f"<answer>{SURROGATE}</answer>"]}, "query"),
    ("/get_reward", {"query": ["x"], "prompts": [SURROGATE]}, "prompts"),
    ("/get_reward", {"query": ["x"], "labels": [SURROGATE]}, "labels"),
    ("/get_reward", {"query": ["x"], "labels": [{"tests": SURROGATE}]}, "labels"),
    ("/v1/execute", {"code": f"print('{SURROGATE}')"}, "code"),
    ("/v1/execute", {"code": "print(input())", "stdin": SURROGATE}, "stdin"),
    ("/v1/execute", {"code": "print(1)", "files": {f"data{SURROGATE}.txt": "x"}}, "files"),
    ("/v1/execute", {"code": "print(1)", "files": {"data.txt": SURROGATE}}, "files"),
]


@pytest.mark.parametrize(("path", "body", "field"), SURROGATE_CASES)
def test_a_lone_surrogate_is_a_422_naming_the_field(client, path, body, field):
    response = post_raw(client, path, body)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert any(field in map(str, error["loc"]) for error in detail), detail
    assert "surrogate" in error_text(response) or "unicode" in error_text(response).lower()


def test_surrogates_never_reach_or_break_the_sandbox(client):
    honest = {"code": "print(input()[::-1])", "stdin": "abc"}
    before = sandbox_errors(client)
    for path, body, _ in SURROGATE_CASES:
        if path == "/v1/execute":
            assert post_raw(client, path, body).status_code == 422
    result = client.post("/v1/execute", json=honest).json()
    assert (result["status"], result["stdout"]) == ("ok", "cba\n")
    code_item = {
        "completion": "<answer>```python\nprint(1)\n```</answer>",
        "reference": CODE_REFERENCE,
    }
    (graded,) = client.post("/v1/rewards", json={"items": [code_item], "recipe": "code"}).json()[
        "results"
    ]
    assert graded["error"] is None and graded["components"]["code"] == 1.0
    assert sandbox_errors(client) == before


def test_surrogates_as_raw_utf8_bytes_and_invalid_utf8_are_4xx(client):
    headers = {"content-type": "application/json"}
    # CESU-8 spelling of U+D800: Python's json.loads decodes bytes with surrogatepass.
    cesu = b'{"items": [{"completion": "\xed\xa0\x80"}]}'
    response = client.post("/v1/rewards", content=cesu, headers=headers)
    assert response.status_code == 422, response.text
    invalid = b'{"items": [{"completion": "\xff\xfe"}]}'
    response = client.post("/v1/rewards", content=invalid, headers=headers)
    assert response.status_code == 422, response.text
    assert "not UTF-8" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize("path", ["/v1/rewards", "/get_reward", "/v1/execute", "/v1/jobs"])
@pytest.mark.parametrize(
    "body",
    [
        b'{"items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"items": [{"completion": "x", "completion_tokens": ' + b"9" * 5000 + b"}]}",
    ],
    ids=["nested", "5000-digit-integer"],
)
def test_json_that_python_cannot_read_is_a_422(client, path, body):
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body"]
    assert client.get("/healthz").status_code == 200


def test_a_surrogate_in_the_query_string_is_not_a_500(client):
    response = client.post("/get_reward?recipe=%ED%A0%80", json={"query": ["x"]})
    assert response.status_code == 422, response.text


def test_a_surrogate_in_the_cli_input_is_an_invalid_item(tmp_path):
    from tests.test_cli import rewardd

    line = json.dumps({**ITEM, "completion": SURROGATE})
    done = rewardd("grade", "-", "--recipe", "r1-zero", stdin=line + "\n")
    assert done.returncode == 1, done.stderr
    (result,) = [json.loads(row) for row in done.stdout.splitlines()]
    assert result["error"]["code"] == "invalid_item"
    assert "completion" in result["error"]["message"]


MIB = 1024 * 1024


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"query": ["ok", "x" * (2 * MIB + 1)]}, ["body", "query", 1]),
        ({"query": ["ok"], "prompts": ["p" * (MIB + 1)]}, ["body", "prompts", 0]),
    ],
)
def test_get_reward_fields_over_the_limit_are_a_413_naming_them(client, body, loc):
    response = client.post("/get_reward", json=body)
    assert response.status_code == 413, response.text
    assert response.json()["detail"][0]["loc"] == loc


def test_a_prompt_over_the_limit_is_a_413(client):
    item = {**ITEM, "prompt": "p" * (MIB + 1)}
    response = client.post("/v1/rewards", json={"items": [ITEM, item]})
    assert response.status_code == 413
    assert response.json()["detail"][0]["loc"] == ["body", "items", 1, "prompt"]


def hostile_requests() -> list[tuple[str, dict]]:
    """Text shaped to be quadratic for the regexes this service once used, at the limits."""
    fence_then_run = "<answer>```" + "a" * (MIB - 100) + "</answer>"
    newlines_then_end = "<answer>1</answer>" + "\n" * (MIB - 100) + "x<|im_end|>"
    open_tags = "<think>" * (MIB // 8)
    return [
        (
            "/v1/rewards",
            {
                "items": [
                    {"completion": fence_then_run, "reference": CODE_REFERENCE},
                    {"completion": "```\n" + "b" * (MIB - 10), "reference": CODE_REFERENCE},
                ],
                "recipe": "code",
            },
        ),
        ("/get_reward", {"query": [newlines_then_end] * 2, "labels": ["1", "1"]}),
        ("/v1/rewards", {"items": [{"completion": open_tags, "reference": {"answer": "1"}}]}),
    ]


def test_hostile_text_does_not_stall_healthz(embedded_url):
    """/healthz answers promptly all the while hostile requests are being graded."""
    finished: list[tuple[str, int]] = []

    def send(path: str, body: dict) -> None:
        with httpx.Client(base_url=embedded_url, timeout=300) as hostile:
            finished.append((path, hostile.post(path, json=body).status_code))

    senders = [threading.Thread(target=send, args=request) for request in hostile_requests()]
    latencies: list[float] = []
    with httpx.Client(base_url=embedded_url, timeout=60) as probe:
        probe.get("/healthz")  # a warm connection: measure the server, not the handshake
        started = time.monotonic()
        for sender in senders:
            sender.start()
        while any(sender.is_alive() for sender in senders) or len(latencies) < 10:
            sent = time.monotonic()
            assert probe.get("/healthz").status_code == 200
            latencies.append(time.monotonic() - sent)
            time.sleep(0.05)
        hostile_s = time.monotonic() - started
    for sender in senders:
        sender.join()
    print(f"hostile requests {hostile_s:.1f} s; /healthz max {max(latencies) * 1000:.0f} ms")
    assert sorted(status for _, status in finished) == [200, 200, 200], finished
    # Before the fix one request stalled the whole process for 3-18 s (here: tens of ms).
    # Parsing a 2 MiB JSON body on the event loop costs some milliseconds; the bound leaves
    # room for a machine with many times more runnable processes than cores.
    assert max(latencies) < 2.0, (max(latencies), hostile_s, len(latencies))


def nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/rewards", '{"items": [{"completion": "x", "reference": %s}]}', "reference"),
        ("/get_reward", '{"query": ["x"], "labels": [%s]}', "labels"),
    ],
)
def test_json_nested_deeper_than_64_levels_is_a_422_naming_the_field(client, path, body, field):
    headers = {"content-type": "application/json"}
    deep = client.post(path, content=body % nested(900), headers=headers)
    assert deep.status_code == 422, deep.text
    assert any(field in map(str, error["loc"]) for error in deep.json()["detail"])
    assert "nested" in deep.text
    shallow = client.post(path, content=body % nested(60), headers=headers)
    assert shallow.status_code == 200, shallow.text
