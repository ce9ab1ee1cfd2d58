# The modules this interpreter imported from source files with a cached .pyc, and those whose
# .pyc does not match its source: Python recompiles those at every start (in a read-only
# tree, every time). A timestamp .pyc records its source's mtime and size (PEP 552).
import importlib.util
import json
import os
import sys

checked, stale = 0, []
for name, module in sorted(sys.modules.items()):
    source = getattr(module, "__file__", None)
    if not source or not source.endswith(".py"):
        continue
    cached = importlib.util.cache_from_source(source)
    try:
        with open(cached, "rb") as pyc:
            header = pyc.read(16)
    except OSError:
        continue
    flags = int.from_bytes(header[4:8], "little")
    if flags & 1:  # hash-based: checked (or not) by hash, not by the source's times
        continue
    info = os.stat(source)
    checked += 1
    recorded = (int.from_bytes(header[8:12], "little"), int.from_bytes(header[12:16], "little"))
    if recorded != (int(info.st_mtime) & 0xFFFFFFFF, info.st_size & 0xFFFFFFFF):
        stale.append(name)
print(json.dumps({"checked": checked, "stale": stale}))
