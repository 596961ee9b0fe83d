"""A cache of parsed YAML files as JSON, keyed by their bytes: an unchanged file is not parsed.

One JSON file per data file (named by a hash of the data file's path, so an edit replaces
its entry instead of adding one), holding the key of the bytes it was parsed from and the
data. Only files that parsed without a problem are stored, so every refusal (anchors,
duplicate keys, invalid YAML) comes from the parser, as without a cache. Best effort: a
directory that cannot be created or written, or that belongs to someone else, turns the
cache off; an unreadable, partial or stale entry is a miss and is written again.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from bot import __version__

# Bump when what read_yaml makes of the same bytes changes, so older entries are misses.
CACHE_FORMAT = 1
DIR_MODE = 0o700  # the bot's user alone may list, read or create entries
FILE_MODE = 0o600  # what mkstemp creates: the bot's user alone may read an entry
# How a mapping whose keys are not all text is stored ("2011: 1.0" in a keyword list: JSON
# keys are text): {PAIRS: [[key, value], ...]}. A file with this key in its own data is
# not cached.
PAIRS = "\x00pairs"
_SCALARS = (str, int, float, bool, type(None))


class _NotJson(Exception):
    """The data holds something JSON cannot give back exactly (a date, a set, bytes)."""


def _encode(value: Any) -> Any:
    """``value`` as JSON can hold it, mappings with keys other than text as PAIRS."""
    kind = type(value)
    if kind is list:
        return [_encode(item) for item in value]
    if kind is dict:
        if all(type(key) is str for key in value):
            if PAIRS in value:
                raise _NotJson
            return {key: _encode(item) for key, item in value.items()}
        if not all(type(key) in _SCALARS for key in value):
            raise _NotJson
        return {PAIRS: [[key, _encode(item)] for key, item in value.items()]}
    if kind in _SCALARS:
        return value
    raise _NotJson


def _decode_mapping(mapping: dict[str, Any]) -> Any:
    """A json object_hook: a PAIRS mapping back to the mapping it was."""
    if PAIRS in mapping:
        return dict(mapping[PAIRS])
    return mapping


class YamlCache:
    """Parsed data files under ``directory``, each with the key of the bytes it came from."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._usable: bool | None = None  # found out at the first look-up

    @staticmethod
    def key(raw: bytes) -> str:
        """The key of a data file's bytes, for this format and this version of the bot."""
        digest = hashlib.blake2b(f"{CACHE_FORMAT}:{__version__}:".encode(), digest_size=32)
        digest.update(raw)
        return digest.hexdigest()

    def _entry(self, path: Path) -> Path:
        name = hashlib.blake2b(os.fsencode(path.absolute()), digest_size=16).hexdigest()
        return self.directory / f"{name}.json"

    def _ready(self) -> bool:
        """Whether the directory exists (created 0700 if not), is ours and is 0700."""
        if self._usable is None:
            self._usable = False
            try:
                self.directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
                info = self.directory.stat()
                if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
                    return False
                if stat.S_IMODE(info.st_mode) & ~DIR_MODE:
                    self.directory.chmod(DIR_MODE)
                self._usable = os.access(self.directory, os.W_OK | os.X_OK)
            except OSError:
                return False
        return self._usable

    def get(self, path: Path, key: str) -> tuple[bool, Any]:
        """(True, data) when the entry for ``path`` was parsed from bytes with ``key``;
        (False, None) otherwise."""
        if not self._ready():
            return False, None
        try:
            with self._entry(path).open("rb") as file:
                entry = json.loads(file.read(), object_hook=_decode_mapping)
        except (OSError, ValueError, RecursionError):  # missing, partial, not JSON
            return False, None
        if not isinstance(entry, dict) or entry.get("key") != key or "data" not in entry:
            return False, None
        return True, entry["data"]

    def put(self, path: Path, key: str, data: Any) -> None:
        """Store ``data`` as the entry for ``path``, parsed from bytes with ``key``; nothing
        when it cannot be stored exactly or the directory cannot be written."""
        if not self._ready():
            return
        try:
            text = json.dumps(
                {"key": key, "data": _encode(data)}, ensure_ascii=True, separators=(",", ":")
            )
        except (_NotJson, RecursionError, ValueError):
            return
        import tempfile  # noqa: PLC0415 - only when an entry is written, never on a hit

        entry = self._entry(path)
        try:
            # a new file (0600) renamed over the entry: a reader never sees half of one
            handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            try:
                with os.fdopen(handle, "w", encoding="ascii") as file:
                    file.write(text)
                Path(temporary).replace(entry)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            return
