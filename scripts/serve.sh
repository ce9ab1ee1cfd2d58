#!/usr/bin/env bash
# Set up and run the service in embedded mode: no Redis, no Docker needed.
# Code rewards use Docker when a daemon and the sandbox image are there, else bubblewrap.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e .
exec rewardd serve "$@"
