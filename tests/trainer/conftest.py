"""Fixtures for the trainer_client tests: a real `rewardd serve` on 127.0.0.1, and the toy model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import ROOT as REPO


def subprocess_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    # On a busy 2-core machine one thread per process is faster than two fighting for a core.
    env.setdefault("OMP_NUM_THREADS", "1")
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def rewardd_url(embedded_url: str) -> str:
    """The session's real embedded-mode service (tests/conftest.py), started as a user would."""
    return embedded_url


@pytest.fixture(scope="session")
def toy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The toy model, tokenizer and prompts, saved with save_pretrained like a user's."""
    from trainer_client.grpo.toy import write_toy

    directory = tmp_path_factory.mktemp("toy")
    write_toy(directory)
    return directory
