"""Rejection sampling's parts that need no model: the --keep language, selection, the summary,
resumable output, and the exit status of bad input."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from trainer_client.client import RewardResult
from trainer_client.sample.__main__ import main
from trainer_client.sample.keep import (
    Condition,
    KeepRuleError,
    failed_conditions,
    parse_keep,
    unknown_names,
)
from trainer_client.sample.output import OutputError, check_output, clear_output, read_lines
from trainer_client.sample.select import (
    DUPLICATE,
    OVER_LIMIT,
    TRUNCATED,
    UNGRADED,
    Candidate,
    PromptHistory,
    Summary,
    select,
)


def test_the_rule_language_reads_conditions_in_order() -> None:
    assert parse_keep("accuracy>=1, format >= 1,language>0.95") == (
        Condition("accuracy", ">=", 1.0),
        Condition("format", ">=", 1.0),
        Condition("language", ">", 0.95),
    )
    assert parse_keep("reward!=-0.5,cosine<1e-3,lint<=0.5,format==1") == (
        Condition("reward", "!=", -0.5),
        Condition("cosine", "<", 0.001),
        Condition("lint", "<=", 0.5),
        Condition("format", "==", 1.0),
    )
    assert parse_keep("") == parse_keep("none") == parse_keep(None) == ()
    assert str(Condition("language", ">=", 0.95)) == "language>=0.95"


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("accuracy=>1", "cannot read condition 1 of 1, 'accuracy=>1'"),
        ("accuracy>=1,,format>=1", "cannot read condition 2 of 3"),
        ("accuracy>=", "cannot read"),
        (">=1", "cannot read"),
        ("accuracy>=one", "'one' is not a finite number"),
        ("accuracy>=nan", "'nan' is not a finite number"),
        ("accuracy>=1 format>=1", "cannot read"),
    ],
)
def test_a_bad_rule_says_what_is_wrong_and_how_to_write_it(rule: str, says: str) -> None:
    with pytest.raises(KeepRuleError) as raised:
        parse_keep(rule)
    assert says in str(raised.value)


def test_a_null_component_fails_every_condition_on_it() -> None:
    conditions = parse_keep("accuracy>=1,format>=1,reward>0")
    assert failed_conditions(conditions, 1.3, {"accuracy": 1.0, "format": 1.0}) == []
    assert [
        str(c) for c in failed_conditions(conditions, 0.3, {"accuracy": None, "format": 1})
    ] == ["accuracy>=1"]
    # Missing from the response altogether, and a null reward, fail too.
    assert [str(c) for c in failed_conditions(conditions, None, {})] == [
        "accuracy>=1",
        "format>=1",
        "reward>0",
    ]
    # A rule on something the recipe does not compute is caught before sampling.
    assert unknown_names(conditions, ["accuracy", "format"]) == []
    assert unknown_names(parse_keep("language>=0.9,reward>0"), ["accuracy"]) == ["language"]


def graded(reward: float | None, **components: float | None) -> RewardResult:
    error = {"code": "timeout", "message": "late"} if reward is None else None
    return RewardResult(id=None, reward=reward, components=components, error=error)


def test_selection_keeps_the_best_distinct_passing_completions_up_to_the_limit() -> None:
    conditions = parse_keep("accuracy>=1")
    candidates = [
        Candidate("<answer> 3 </answer>", True, graded(1.0, accuracy=1.0)),
        Candidate("wrong", True, graded(0.0, accuracy=0.0)),
        Candidate("<answer>  3 </answer>\n", True, graded(1.0, accuracy=1.0)),  # same words
        Candidate("late", True, graded(None, accuracy=None)),
        Candidate("cut <answer> 3", False, graded(1.0, accuracy=1.0)),
        Candidate("<think> 1 + 2 </think> <answer> 3 </answer>", True, graded(1.3, accuracy=1.0)),
        Candidate("<answer> three = 3 </answer>", True, graded(1.0, accuracy=1.0)),
    ]
    history = PromptHistory()
    verdicts = select(
        candidates, history, conditions=conditions, max_per_prompt=2, keep_truncated=False
    )
    assert [v.reasons for v in verdicts] == [
        [],  # the first of the 1.0s, after the 1.3
        ["accuracy>=1"],
        [DUPLICATE],
        [UNGRADED],
        [TRUNCATED],
        [],  # best rewarded, kept first
        [OVER_LIMIT],
    ]
    assert history.kept == 2
    # The prompt's history carries over: its kept texts are duplicates in a later batch.
    again = select(
        candidates[:1], history, conditions=conditions, max_per_prompt=None, keep_truncated=False
    )
    assert again[0].reasons == [DUPLICATE]

    summary = Summary()
    summary.add(verdicts)
    assert (summary.prompts, summary.generated, summary.kept, summary.rejected) == (1, 7, 2, 5)
    assert summary.to_dict()["rejections"] == {
        "accuracy>=1": 1,
        DUPLICATE: 1,
        UNGRADED: 1,
        TRUNCATED: 1,
        OVER_LIMIT: 1,
    }
    assert "kept:      2 (28.6%)" in summary.render()


def test_truncated_completions_can_be_kept_when_asked() -> None:
    candidate = Candidate("cut <answer> 3", False, graded(1.0, accuracy=1.0))
    verdicts = select(
        [candidate],
        PromptHistory(),
        conditions=parse_keep("accuracy>=1"),
        max_per_prompt=None,
        keep_truncated=True,
    )
    assert verdicts[0].kept


def test_resume_cuts_a_torn_last_line_and_refuses_a_corrupt_file(tmp_path: Path) -> None:
    out = tmp_path / "sft.jsonl"
    good = json.dumps({"prompt": "1 + 1", "completion": "2"})
    out.write_text(good + "\n" + '{"prompt": "1 + 2", "compl')
    assert read_lines(out) == [json.loads(good)]
    assert out.read_text() == good + "\n"

    out.write_text('{"prompt": "1 + 2", "compl\n' + good + "\n")
    with pytest.raises(OutputError, match=r"sft\.jsonl:1: not a JSON line"):
        read_lines(out)


def test_an_existing_output_needs_resume_or_overwrite(tmp_path: Path) -> None:
    out, rejects = tmp_path / "sft.jsonl", tmp_path / "rejects.jsonl"
    out.write_text("")
    with pytest.raises(OutputError, match=r"--resume .* or --overwrite"):
        check_output(out, resume=False, overwrite=False)
    check_output(out, resume=True, overwrite=False)
    check_output(out, resume=False, overwrite=True)
    assert out.exists()  # nothing is removed until the run is known to start
    rejects.write_text("")
    clear_output(out, rejects)
    assert not out.exists() and not rejects.exists()


def _argv(tmp_path: Path, *flags: str) -> list[str]:
    data = tmp_path / "prompts.jsonl"
    data.write_text(json.dumps({"prompt": "1 + 1", "answer": "2"}) + "\n")
    return [
        "--model",
        str(tmp_path / "no-model"),
        "--data",
        str(data),
        "--num_samples",
        "2",
        "--out",
        str(tmp_path / "out.jsonl"),
        "--no-progress",
        *flags,
    ]


def test_bad_input_exits_2_before_anything_is_loaded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_argv(tmp_path, "--keep", "accuracy=>1")) == 2
    assert "cannot read condition 1 of 1" in capsys.readouterr().err

    (tmp_path / "out.jsonl").write_text("")
    assert main(_argv(tmp_path)) == 2
    assert "pass --resume" in capsys.readouterr().err

    with pytest.raises(SystemExit) as exited:
        main(_argv(tmp_path, "--num_samples", "0"))
    assert exited.value.code == 2
    with pytest.raises(SystemExit) as exited:
        main(_argv(tmp_path, "--resume", "--overwrite"))
    assert exited.value.code == 2


def test_a_missing_service_exits_1_before_the_model_is_loaded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import free_port

    argv = _argv(
        tmp_path, "--reward_url", f"http://127.0.0.1:{free_port()}", "--reward_retries", "1"
    )
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "stayed unavailable after 2 attempts" in err
    assert "no-model" not in err  # it never got as far as loading the model


def test_a_rule_on_a_component_the_recipe_lacks_exits_2(
    rewardd_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = _argv(tmp_path, "--reward_url", rewardd_url, "--recipe", "r1-zero")
    assert main([*argv, "--keep", "accuracy>=1,language>=0.95"]) == 2
    err = capsys.readouterr().err
    assert "--keep uses language" in err and "recipe 'r1-zero'" in err
    # A weight name the service does not know is its 422, reported as bad input too.
    assert main([*argv, "--weights", '{"acuracy": 1.0}']) == 2


def test_the_vllm_backend_without_vllm_says_so_and_exits_1(
    rewardd_url: str, toy_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("transformers")
    if importlib.util.find_spec("vllm") is not None:
        pytest.skip("vLLM is installed here")
    argv = _argv(tmp_path, "--reward_url", rewardd_url, "--backend", "vllm", "--keep", "none")
    argv[argv.index("--model") + 1] = str(toy_dir / "model")
    assert main(argv) == 1
    assert "needs vLLM and a CUDA GPU" in capsys.readouterr().err
    assert not (tmp_path / "out.jsonl").exists()  # nothing half-written


def test_missing_data_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = _argv(tmp_path)
    argv[argv.index("--data") + 1] = str(tmp_path / "nowhere.jsonl")
    assert main(argv) == 2
    assert "nowhere.jsonl" in capsys.readouterr().err
