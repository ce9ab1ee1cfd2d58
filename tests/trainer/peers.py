"""The peers' own installed code, for tests/trainer/test_peer_*.py."""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest


def require_peer(module: str) -> ModuleType:
    """The peer's module; a missing peer fails in CI (REQUIRE_PEERS or CI set), else skips."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        if os.environ.get("CI") or os.environ.get("REQUIRE_PEERS"):
            raise
        pytest.skip(f"{module} is not installed ({error}); see docs/integrations.md")
