"""Results of the hooks' per-page work, kept between builds in `.cache/<name>/` (shared code, not a hook).

A hook looks an entry up by a key that hashes every input of the work (`Memo.key`), and hands over the entries it
had to compute. They are written when the build ends, and only if it logged no warning or error, so a reused result
is always one that passed a strict build with the same inputs. An entry unused for `UNUSED_DAYS` days is deleted.
The warning count is kept by one handler per process, so that `mkdocs serve` adds no handler per rebuild.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from pathlib import Path

UNUSED_DAYS = 30


class _Problems(logging.Handler):
    """Counts the warnings and errors MkDocs and its plugins log."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.count = 0

    def emit(self, record):
        self.count += 1


_problems = _Problems()
logging.getLogger("mkdocs").addHandler(_problems)


class Memo:
    """One hook's cache for one build: `get` and `put` by key, then `save` in `on_post_build`."""

    def __init__(self, config, name: str):
        self.folder = Path(config.config_file_path).parent.resolve() / ".cache" / name
        self.fresh: dict[str, object] = {}
        self.problems_before = _problems.count

    @staticmethod
    def key(*parts: object) -> str:
        """A key covering `parts`: strings as they are, anything else as sorted JSON."""
        text = "\0".join(p if isinstance(p, str) else json.dumps(p, sort_keys=True, default=str) for p in parts)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def get(self, key: str):
        """The entry stored under `key`, or None."""
        path = self.folder / f"{key}.json"
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        os.utime(path)  # used: kept for another UNUSED_DAYS
        return value

    def put(self, key: str, value) -> None:
        self.fresh[key] = value

    def save(self) -> None:
        """Write this build's new entries, unless it logged a problem; delete long-unused ones."""
        if _problems.count > self.problems_before:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for key, value in self.fresh.items():
            (self.folder / f"{key}.json").write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
        self.fresh.clear()
        cutoff = time.time() - UNUSED_DAYS * 86400
        for entry in os.scandir(self.folder):
            if entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
