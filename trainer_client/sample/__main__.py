"""python -m trainer_client.sample --model PATH --data prompts.jsonl --num_samples K --out OUT"""

from __future__ import annotations

import json
import logging
import sys

from trainer_client.client import RewardServiceError
from trainer_client.sample.keep import KeepRuleError
from trainer_client.sample.output import OutputError
from trainer_client.sample.run import run_sampling
from trainer_client.sample.settings import parse_settings

EXIT_DONE = 0
EXIT_FAILED = 1  # the service or the model failed; the output so far is valid for --resume
EXIT_USAGE = 2  # bad arguments, data or output file; nothing was generated
EXIT_INTERRUPTED = 130


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    settings = parse_settings(argv)  # exits 2 itself on bad flags
    try:
        summary = run_sampling(settings)
    except (KeepRuleError, OutputError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except RewardServiceError as exc:
        print(
            f"error: {exc}\nwhat was kept so far is in {settings.out}; rerun with --resume",
            file=sys.stderr,
        )
        return EXIT_USAGE if exc.status_code is not None and exc.status_code < 500 else EXIT_FAILED
    except ImportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"\ninterrupted; rerun with --resume to continue {settings.out}", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(summary.render())
    if settings.summary_json is not None:
        settings.summary_json.write_text(json.dumps(summary.to_dict(), indent=2) + "\n")
    return EXIT_DONE


if __name__ == "__main__":
    sys.exit(main())
