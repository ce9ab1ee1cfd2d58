"""Sampling completions: one small interface, two backends.

- `HFGenerator` samples with the policy itself through `transformers`' `generate`. It runs on a
  CPU and is what the tests use.
- `VLLMGenerator` keeps a colocated vLLM engine in this process, on the same GPU as the policy,
  and pushes the policy's weights into it before sampling whenever they changed. It needs vLLM and
  a CUDA GPU and is not exercised by the tests (no GPU on the CI machines).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Protocol

import torch


@dataclass(frozen=True)
class SamplingSettings:
    max_new_tokens: int
    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int = 0  # 0: no top-k cut-off


@dataclass(frozen=True)
class Completion:
    token_ids: list[int]  # the sampled tokens, ending with EOS when the model stopped by itself
    finished: bool  # False when cut off at max_new_tokens (a truncated completion)


class Generator(Protocol):
    def generate(self, prompt_ids: list[list[int]], n: int) -> list[Completion]:
        """`n` completions for each prompt, grouped by prompt: prompt 0's n first, and so on."""
        ...

    def load_weights(self, model: torch.nn.Module) -> None:
        """Make the next `generate` sample from `model`'s current weights."""
        ...


def _cut_at_eos(token_ids: list[int], eos_ids: set[int], pad_id: int | None) -> Completion:
    for position, token in enumerate(token_ids):
        if token in eos_ids:
            return Completion(token_ids=token_ids[: position + 1], finished=True)
    if pad_id is not None:
        while token_ids and token_ids[-1] == pad_id:
            token_ids = token_ids[:-1]
    return Completion(token_ids=token_ids, finished=False)


class HFGenerator:
    """Samples with the policy model itself, so there are no weights to push."""

    def __init__(self, model: Any, tokenizer: Any, settings: SamplingSettings) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.settings = settings
        eos = tokenizer.eos_token_id
        self.eos_ids = set(eos if isinstance(eos, list) else [eos])
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos

    @torch.no_grad()
    def generate(self, prompt_ids: list[list[int]], n: int) -> list[Completion]:
        repeated = [ids for ids in prompt_ids for _ in range(n)]
        width = max(len(ids) for ids in repeated)
        device = next(self.model.parameters()).device
        input_ids = torch.full((len(repeated), width), self.pad_id, dtype=torch.long)
        attention_mask = torch.zeros((len(repeated), width), dtype=torch.long)
        for row, ids in enumerate(repeated):  # left padding: every prompt ends at the same column
            input_ids[row, width - len(ids) :] = torch.tensor(ids)
            attention_mask[row, width - len(ids) :] = 1
        was_training = self.model.training
        self.model.eval()
        try:
            output = self.model.generate(
                input_ids=input_ids.to(device),
                attention_mask=attention_mask.to(device),
                generation_config=self._generation_config(),
            )
        finally:
            self.model.train(was_training)
        return [
            _cut_at_eos(row[width:].tolist(), self.eos_ids, self.pad_id) for row in output.cpu()
        ]

    def _generation_config(self) -> Any:
        """Sampling from exactly π_θ / temperature: the model's own generation_config.json
        (often with top_k, top_p or a repetition penalty) must not reshape the distribution the
        loss assumes."""
        from transformers import GenerationConfig

        return GenerationConfig(
            do_sample=True,
            temperature=self.settings.temperature,
            top_p=self.settings.top_p,
            top_k=self.settings.top_k,  # 0: off
            repetition_penalty=1.0,
            max_new_tokens=self.settings.max_new_tokens,
            eos_token_id=sorted(self.eos_ids),
            pad_token_id=self.pad_id,
        )

    def load_weights(self, model: torch.nn.Module) -> None:
        self.model = model


VLLM_MISSING = (
    "the 'vllm' generation backend needs vLLM and a CUDA GPU (pip install vllm). "
    "vLLM was not found in this environment; on a CPU use --backend hf."
)


class VLLMGenerator:
    """A vLLM engine colocated with the trainer: same process, same GPU.

    vLLM takes `gpu_memory_utilization` of the GPU for its weights and KV cache; the policy and
    optimizer use the rest. The engine runs in this process
    (VLLM_ENABLE_V1_MULTIPROCESSING=0) so that `load_weights` can reach its model directly, as
    TRL's colocate mode does.
    """

    def __init__(
        self,
        model_path: str,
        settings: SamplingSettings,
        *,
        max_model_len: int,
        gpu_memory_utilization: float = 0.3,
        dtype: str = "auto",
        seed: int = 0,
    ) -> None:
        # Before vLLM reads it: keep the engine in this process, where load_weights reaches it.
        os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
        try:
            import vllm
        except ImportError as exc:
            raise ImportError(VLLM_MISSING) from exc
        self._vllm = vllm
        self.settings = settings
        self.llm = vllm.LLM(
            model=model_path,
            gpu_memory_utilization=gpu_memory_utilization,
            max_model_len=max_model_len,
            dtype=dtype,
            seed=seed,
            enable_prefix_caching=True,
        )

    def generate(self, prompt_ids: list[list[int]], n: int) -> list[Completion]:
        params = self._vllm.SamplingParams(
            n=n,
            temperature=self.settings.temperature,
            top_p=self.settings.top_p,
            top_k=self.settings.top_k or -1,
            max_tokens=self.settings.max_new_tokens,
        )
        prompts = [{"prompt_token_ids": ids} for ids in prompt_ids]
        outputs = self.llm.generate(prompts, sampling_params=params, use_tqdm=False)
        return [
            Completion(token_ids=list(sample.token_ids), finished=sample.finish_reason != "length")
            for output in outputs
            for sample in output.outputs
        ]

    def load_weights(self, model: torch.nn.Module) -> None:
        engine_model = self.llm.llm_engine.model_executor.driver_worker.worker.model_runner.model
        engine_model.load_weights(
            (name, param.detach()) for name, param in model.state_dict().items()
        )
        # Cached prefixes were computed with the old weights.
        self.llm.reset_prefix_cache()
