"""A content-addressed cache of item results.

Key: the item's content (everything but its id and group; its `params` included) and the
weights.  Group components are scored after the cache (rewardd.groups), so that the group
an item was graded in does not stick to its cached result.
GRPO sends the same completion many times (retries, repeated samples), and the same
batch twice on resume.
Results with an error are never stored: a timeout today may be a grade tomorrow.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

# Bump when grading semantics change, so that no stale verdict survives an upgrade.
GRADING_VERSION = "2"  # 2: contract v2 math reading (markers, multi-part golds)


def item_key(item: Mapping[str, Any], weights: Mapping[str, float]) -> str:
    content = {key: value for key, value in item.items() if key not in ("id", "group")}
    blob = json.dumps([GRADING_VERSION, content, weights], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


class ResultCache:
    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            result = self._entries.get(key)
            if result is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return result

    def put(self, key: str, result: dict[str, Any]) -> None:
        if self.max_entries == 0 or result.get("error") is not None:
            return
        with self._lock:
            self._entries[key] = result
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
