"""The files a rejection-sampling run writes, and what `--resume` reads back from them.

- OUT (`sft.jsonl`): one JSON line per kept sample.
- OUT.progress.jsonl: one line per finished prompt, whatever it kept, so that a resumed run
  also skips the prompts that kept nothing. It is written after the prompt's samples, so a
  prompt that appears in either file is finished.
- `--rejects PATH` (optional): one line per rejected completion, with the reasons.

Lines are appended and flushed a batch at a time. A run killed in the middle of a write leaves
at most a torn last line, which `--resume` cuts off.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

log = logging.getLogger("trainer_client.sample")


class OutputError(ValueError):
    """An output file that cannot be resumed from (or may not be overwritten)."""


def progress_path(out: Path) -> Path:
    return out.with_name(out.name + ".progress.jsonl")


def read_lines(path: Path) -> list[dict[str, Any]]:
    """The JSON objects of a JSONL file this tool wrote; a torn last line is cut off the file."""
    if not path.exists():
        return []
    text = path.read_text()
    lines = text.split("\n")
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == len(lines):  # the last line, with no newline after it: a torn write
                log.warning("%s: cutting off a torn last line (%d bytes)", path, len(line))
                path.write_text(text[: len(text) - len(line)])
                break
            raise OutputError(f"{path}:{number}: not a JSON line ({exc}); cannot resume") from exc
        if not isinstance(row, dict) or not isinstance(row.get("prompt"), str):
            raise OutputError(f"{path}:{number}: not a sample line (no 'prompt'); cannot resume")
        rows.append(row)
    return rows


def normalized(completion: str) -> str:
    """What makes two completions the same: their words, whatever the white space."""
    return " ".join(completion.split())


class SampleWriter:
    """Appends kept samples, finished prompts and (optionally) rejects, batch by batch."""

    def __init__(self, out: Path, rejects: Path | None) -> None:
        out.parent.mkdir(parents=True, exist_ok=True)
        self._kept = out.open("a")
        self._progress = progress_path(out).open("a")
        self._rejects = rejects.open("a") if rejects is not None else None

    def write_batch(
        self,
        kept: Iterable[dict[str, Any]],
        rejected: Iterable[dict[str, Any]],
        finished: Iterable[dict[str, Any]],
    ) -> None:
        # Samples first, then the prompts they finish: a crash in between leaves prompts whose
        # samples are written, which --resume skips as it should.
        _write(self._kept, kept)
        if self._rejects is not None:
            _write(self._rejects, rejected)
        _write(self._progress, finished)

    def close(self) -> None:
        for stream in (self._kept, self._progress, self._rejects):
            if stream is not None:
                stream.close()


def _write(stream: TextIO, rows: Iterable[dict[str, Any]]) -> None:
    stream.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    stream.flush()
    os.fsync(stream.fileno())


def check_output(out: Path, *, resume: bool, overwrite: bool) -> None:
    """Refuses to mix a new run into an old output, unless told to resume or overwrite it."""
    if (out.exists() or progress_path(out).exists()) and not (resume or overwrite):
        raise OutputError(
            f"{out} already exists: pass --resume to continue that run, or --overwrite to "
            "start afresh"
        )


def clear_output(out: Path, rejects: Path | None) -> None:
    """--overwrite: done only once the run is known to start, so a refused run loses nothing."""
    for path in (out, progress_path(out), rejects):
        if path is not None and path.exists():
            path.unlink()
