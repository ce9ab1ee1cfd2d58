#!/usr/bin/env bash
# Set up and run the whole test suite (what CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_test_env.sh
export REQUIRE_DOCKER=1 REQUIRE_REDIS=1 REQUIRE_BWRAP=1
ruff check .
ruff format --check .
exec python3 -m pytest -q -ra "$@"
