"""The rejection-sampling loop: generate, grade on the service, select, write.

Generation (GPU or CPU) and grading (the service, elsewhere) overlap: while the service grades
one batch, the next is being generated.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import torch

from trainer_client.client import RetryPolicy, RewardClient, RewardResult
from trainer_client.grpo.data import Example, format_prompt, read_records, to_examples
from trainer_client.grpo.generation import (
    Completion,
    Generator,
    HFGenerator,
    SamplingSettings,
    VLLMGenerator,
)
from trainer_client.sample.keep import Condition, KeepRuleError, parse_keep, unknown_names
from trainer_client.sample.output import (
    SampleWriter,
    check_output,
    clear_output,
    normalized,
    progress_path,
    read_lines,
)
from trainer_client.sample.select import Candidate, PromptHistory, Summary, Verdict, select
from trainer_client.sample.settings import SampleSettings

log = logging.getLogger("trainer_client.sample")
# One line per grading request would drown the progress bar.
logging.getLogger("httpx").setLevel(logging.WARNING)


@dataclass
class Group:
    """One prompt and its K sampled completions."""

    example: Example
    texts: list[str]
    completions: list[Completion]


class LoggedRetryPolicy(RetryPolicy):
    """The client's backoff, saying out loud that the service is being waited for."""

    def wait_s(self, attempt: int, retry_after: float | None) -> float:
        wait = super().wait_s(attempt, retry_after)
        log.warning(
            "reward service unavailable; retrying in %.1f s (retry %d of %d)",
            wait,
            attempt + 1,
            self.max_retries,
        )
        return wait


T = TypeVar("T")


class InBackground(Generic[T]):
    """`function(*args)` on a daemon thread: an interrupted run exits at once instead of waiting
    for a grading request (and its retries) to end."""

    def __init__(self, function: Callable[..., T], *args: Any) -> None:
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(function, *args), daemon=True)
        self._thread.start()

    def _run(self, function: Callable[..., T], *args: Any) -> None:
        try:
            self._value = function(*args)
        except BaseException as exc:  # handed to the caller of result()
            self._error = exc

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


# ---- setup --------------------------------------------------------------------------------------


def read_examples(settings: SampleSettings) -> list[Example]:
    return to_examples(
        read_records(settings.data),
        prompt_field=settings.prompt_field,
        answer_field=settings.answer_field,
        reference_field=settings.reference_field,
    )


def make_client(settings: SampleSettings) -> RewardClient:
    return RewardClient(
        settings.reward_url,
        recipe=settings.recipe,
        weights=settings.weights,
        timeout_s=settings.reward_timeout_s,
        batch_size=settings.grade_batch,
        retry=LoggedRetryPolicy(max_retries=settings.reward_retries),
    )


def computed_components(client: RewardClient) -> list[str]:
    """The components the service computes under the chosen recipe or weights, asked with one
    tiny item: it also proves the service is there before any GPU time is spent."""
    client.grade([{"completion": "", "reference": {"answer": "0"}}])
    return sorted((client.last_recipe or {}).get("weights", {}))


def check_rule(conditions: Sequence[Condition], client: RewardClient) -> None:
    computed = computed_components(client)
    missing = unknown_names(conditions, computed)
    if missing:
        raise KeepRuleError(
            f"--keep uses {', '.join(missing)}, which the service does not compute with "
            f"{'these --weights' if client.weights else f'recipe {client.recipe!r}'} (it "
            f"computes {', '.join(computed) or 'nothing'}). Choose a --recipe or --weights "
            "that include it."
        )


def _dtype(name: str, device: torch.device) -> torch.dtype:
    if name == "auto":
        return torch.bfloat16 if device.type == "cuda" else torch.float32
    return getattr(torch, name)


def load_generator(settings: SampleSettings) -> tuple[Generator, Any]:
    """The generation backend the GRPO trainer uses, and the tokenizer."""
    from trainer_client.grpo.trainer import load_tokenizer

    tokenizer = load_tokenizer(settings.model)
    sampling = SamplingSettings(
        max_new_tokens=settings.max_new_tokens,
        temperature=settings.temperature,
        top_p=settings.top_p,
        top_k=settings.top_k,
    )
    if settings.backend == "vllm":
        generator: Generator = VLLMGenerator(
            settings.model,
            sampling,
            max_model_len=settings.max_prompt_length + settings.max_new_tokens,
            gpu_memory_utilization=settings.vllm_gpu_memory_utilization,
            dtype=settings.dtype,
            seed=settings.seed,
        )
        return generator, tokenizer
    from transformers import AutoModelForCausalLM

    auto = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(auto if settings.device == "auto" else settings.device)
    model = AutoModelForCausalLM.from_pretrained(
        settings.model, dtype=_dtype(settings.dtype, device)
    ).to(device)
    return HFGenerator(model.eval(), tokenizer, sampling), tokenizer


# ---- the loop -----------------------------------------------------------------------------------


def generate_groups(
    examples: Sequence[Example],
    settings: SampleSettings,
    generator: Generator,
    tokenizer: Any,
) -> list[Group]:
    # Tokenized exactly as the GRPO trainer does, so a model sees the prompts it was trained on.
    prompt_ids = [
        tokenizer(
            format_prompt(example.question, settings.template, tokenizer),
            add_special_tokens=False,
        )["input_ids"][-settings.max_prompt_length :]
        for example in examples
    ]
    k = settings.num_samples
    completions = generator.generate(prompt_ids, k)
    groups = []
    for index, example in enumerate(examples):
        own = completions[index * k : (index + 1) * k]
        texts = [tokenizer.decode(c.token_ids, skip_special_tokens=True) for c in own]
        groups.append(Group(example, texts, own))
    return groups


def grading_batches(
    examples: Sequence[Example],
    settings: SampleSettings,
    generator: Generator,
    tokenizer: Any,
) -> Iterator[list[Group]]:
    """Groups, generated a few prompts at a time and handed out in batches of about
    --grade_batch completions."""
    pending: list[Group] = []
    step = settings.prompts_per_generation()
    for start in range(0, len(examples), step):
        pending += generate_groups(examples[start : start + step], settings, generator, tokenizer)
        if len(pending) * settings.num_samples >= settings.grade_batch:
            yield pending
            pending = []
    if pending:
        yield pending


def grade(groups: Sequence[Group], client: RewardClient) -> list[RewardResult]:
    items = [
        group.example.reward_item(text, len(completion.token_ids))
        for group in groups
        for text, completion in zip(group.texts, group.completions, strict=True)
    ]
    return client.grade(items)


def _row(group: Group, verdict: Verdict, source: str) -> dict[str, Any]:
    result = verdict.candidate.result
    row: dict[str, Any] = {
        "prompt": group.example.question,
        "completion": verdict.candidate.text,
        "reward": result.reward,
        "components": result.components,
        "source": source,
        "reference": group.example.reference,
    }
    if group.example.task is not None:
        row["task"] = group.example.task
    if not verdict.kept:
        row["reasons"] = verdict.reasons
        if result.error:
            row["error"] = result.error
    return row


class Sampler:
    """Selects and writes graded batches, keeping count."""

    def __init__(
        self,
        settings: SampleSettings,
        conditions: Sequence[Condition],
        histories: dict[str, PromptHistory],
        writer: SampleWriter,
        summary: Summary,
    ) -> None:
        self.settings = settings
        self.conditions = conditions
        self.histories = histories
        self.writer = writer
        self.summary = summary
        self.source = settings.source or settings.model

    def finish(self, groups: Sequence[Group], results: Sequence[RewardResult]) -> None:
        kept, rejected, finished = [], [], []
        position = 0
        for group in groups:
            own = results[position : position + len(group.texts)]
            position += len(group.texts)
            candidates = [
                Candidate(text, completion.finished, result)
                for text, completion, result in zip(
                    group.texts, group.completions, own, strict=True
                )
            ]
            history = self.histories.setdefault(group.example.question, PromptHistory())
            verdicts = select(
                candidates,
                history,
                conditions=self.conditions,
                max_per_prompt=self.settings.max_per_prompt,
                keep_truncated=self.settings.keep_truncated,
            )
            self.summary.add(verdicts)
            for verdict in verdicts:
                (kept if verdict.kept else rejected).append(_row(group, verdict, self.source))
            finished.append(
                {
                    "prompt": group.example.question,
                    "generated": len(verdicts),
                    "kept": sum(v.kept for v in verdicts),
                }
            )
        self.writer.write_batch(kept, rejected, finished)


def resume_state(settings: SampleSettings) -> tuple[set[str], dict[str, PromptHistory]]:
    """The prompts already finished, and what each has kept."""
    if not settings.resume:
        return set(), {}
    kept_rows = read_lines(settings.out)
    finished = {row["prompt"] for row in read_lines(progress_path(settings.out))}
    histories: dict[str, PromptHistory] = {}
    for row in kept_rows:
        history = histories.setdefault(row["prompt"], PromptHistory())
        history.seen.add(normalized(str(row.get("completion", ""))))
        history.kept += 1
    return finished | set(histories), histories


def run_sampling(settings: SampleSettings) -> Summary:
    """The whole run. Raises KeepRuleError, OutputError or ValueError (bad input; nothing was
    generated), and RewardServiceError when the service stays away (what was written stays
    valid for --resume)."""
    from tqdm.auto import tqdm

    conditions = parse_keep(settings.keep)
    check_output(settings.out, resume=settings.resume, overwrite=settings.overwrite)
    examples = read_examples(settings)
    finished, histories = resume_state(settings)
    todo = [example for example in examples if example.question not in finished]
    summary = Summary(skipped=len(examples) - len(todo))
    torch.manual_seed(settings.seed)

    client = make_client(settings)
    writer = None
    try:
        check_rule(conditions, client)
        if not todo:
            return summary
        generator, tokenizer = load_generator(settings)
        if settings.overwrite:
            clear_output(settings.out, settings.rejects)
        writer = SampleWriter(settings.out, settings.rejects)
        sampler = Sampler(settings, conditions, histories, writer, summary)
        bar = tqdm(total=len(todo), desc="sampling", unit="prompt", disable=not settings.progress)
        with bar:
            # One batch is graded while the next is generated; they are written in order.
            in_flight: tuple[list[Group], InBackground[list[RewardResult]]] | None = None
            for groups in grading_batches(todo, settings, generator, tokenizer):
                if in_flight is not None:
                    _finish(sampler, bar, *in_flight)
                in_flight = (groups, InBackground(grade, groups, client))
            if in_flight is not None:
                _finish(sampler, bar, *in_flight)
    finally:
        client.close()
        if writer is not None:
            writer.close()
    return summary


def _finish(
    sampler: Sampler, bar: Any, groups: list[Group], grading: InBackground[list[RewardResult]]
) -> None:
    sampler.finish(groups, grading.result())
    bar.update(len(groups))
    bar.set_postfix(kept=sampler.summary.kept, generated=sampler.summary.generated)
