"""python -m trainer_client.grpo --model PATH --data prompts.jsonl [--config run.yaml] [...]"""

from __future__ import annotations

import logging
import sys

from trainer_client.client import RewardServiceError
from trainer_client.grpo.config import parse_config
from trainer_client.grpo.trainer import train


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    config = parse_config(argv)
    try:
        final = train(config)
    except (RewardServiceError, ImportError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"done: final checkpoint in {final}; metrics in {config.output_dir}/metrics.jsonl")
    return 0


if __name__ == "__main__":
    sys.exit(main())
