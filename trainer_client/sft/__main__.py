"""python -m trainer_client.sft --model PATH --data sft.jsonl --output_dir OUT"""

from __future__ import annotations

import logging
import sys

from trainer_client.sft.settings import parse_settings

EXIT_DONE = 0
EXIT_FAILED = 1
EXIT_USAGE = 2  # bad arguments or data; nothing was trained


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    settings = parse_settings(argv)  # exits 2 itself on bad flags
    try:
        from trainer_client.sft.train import train
    except ImportError as exc:
        print(f"error: {exc} (pip install -e '.[train]')", file=sys.stderr)
        return EXIT_FAILED
    try:
        out = train(settings)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\ninterrupted; continue with --resume", file=sys.stderr)
        return 130
    print(f"done: the model is in {out}; metrics in {out}/metrics.jsonl")
    return EXIT_DONE


if __name__ == "__main__":
    sys.exit(main())
