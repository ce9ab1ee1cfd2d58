"""A small byte-level BPE tokenizer with chat-template special tokens, built in memory.

The peers' own code (OpenRLHF's remote-reward client, verl's reward managers) tokenizes and
decodes; a byte-level tokenizer round-trips any text exactly, as real ones do, with nothing to
download.
"""

from __future__ import annotations

from typing import Any

CHAT_SPECIALS = ["<|im_start|>", "<|im_end|>", "<|endoftext|>"]

_CORPUS = [
    "<think>3 plus 4 is 7.</think><answer>7</answer>",
    "What is 3 + 4? Please reason step by step.",
    "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.",
    "计算三加四等于多少。先想一想，然后回答。",
    "system user assistant",
]


def byte_level_tokenizer() -> Any:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=CHAT_SPECIALS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    core.train_from_iterator(_CORPUS, trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=core, eos_token="<|im_end|>", pad_token="<|endoftext|>"
    )
