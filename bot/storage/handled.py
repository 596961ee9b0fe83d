"""Ids of updates already handled, kept in a small file so a restart does not answer twice."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from bot.storage.files import open_private, private_dir, write_private

log = logging.getLogger(__name__)

# Telegram keeps undelivered updates for 24 hours; a log untouched for longer is stale.
LOG_MAX_AGE = 24 * 60 * 60.0
MAX_REMEMBERED = 10_000  # handled ids kept at most (normally only the unconfirmed few)
# The file is appended to (one short write per update, cheap and safe against SIGKILL) and
# rewritten atomically, without the confirmed ids, once it has grown past this many lines.
COMPACT_AFTER_LINES = 512
HANDLED_FILE = "handled_updates.txt"
LOG_HEADER = "handled-updates v1"  # first line: the format, so a foreign file is refused


class HandledLog:
    """Ids of updates handled but maybe not yet confirmed, kept in a small file on disk."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._ids: set[int] = set()
        self._lines = 0
        self._file: IO[str] | None = None
        self._write_failed = False

    @classmethod
    def open(cls, directory: Path, clock: Callable[[], float] = time.time) -> HandledLog:
        """Load the log from ``directory`` (created if missing); a bad or stale file is ignored."""
        private_dir(directory)
        handled = cls(directory / HANDLED_FILE, clock)
        handled._load()
        handled._rewrite()
        return handled

    def __contains__(self, update_id: object) -> bool:
        return update_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, update_id: int) -> None:
        """Remember one handled update, written to the file before returning."""
        self._ids.add(update_id)
        if len(self._ids) > MAX_REMEMBERED:
            self._ids = set(sorted(self._ids)[-MAX_REMEMBERED:])
        self._guard(self._append, update_id)

    def confirmed(self, offset: int) -> None:
        """Telegram accepted ``offset``: ids below it will never come again."""
        kept = {i for i in self._ids if i >= offset}
        if kept != self._ids:
            self._ids = kept
            if self._lines > COMPACT_AFTER_LINES:
                self._rewrite()

    def close(self) -> None:
        """Write the compact form and close the file."""
        self._rewrite()
        if self._file is not None:
            self._file.close()
            self._file = None

    def _append(self, update_id: int) -> None:
        if self._file is None:
            self._file = open_private(self.path, "a")
        self._file.write(f"{update_id}\n")
        self._file.flush()  # in the kernel now: a killed process cannot lose it
        self._lines += 1

    def _rewrite(self) -> None:
        """Replace the file atomically (temporary file, then rename) with the kept ids."""

        def write(_: int) -> None:
            temporary = self.path.with_name(self.path.name + ".tmp")
            body = "".join(f"{i}\n" for i in sorted(self._ids))
            write_private(temporary, f"{LOG_HEADER}\n{body}")
            if self._file is not None:
                self._file.close()
                self._file = None
            temporary.replace(self.path)
            self._lines = len(self._ids)

        self._guard(write, 0)

    def _guard(self, action: Callable[[int], None], value: int) -> None:
        """Run a file operation; a failure is logged once and the bot carries on."""
        try:
            action(value)
        except OSError as error:  # answering matters more than remembering
            if not self._write_failed:
                log.error("cannot write %s (%s): restarts may repeat answers", self.path, error)
            self._write_failed = True
        else:
            self._write_failed = False

    def _load(self) -> None:
        try:
            age = self._clock() - self.path.stat().st_mtime
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as error:
            log.warning("ignoring unreadable %s: %s", self.path, error)
            return
        if not lines or lines[0] != LOG_HEADER:
            log.warning("ignoring %s: not a handled-updates file of this version", self.path)
            return
        if age > LOG_MAX_AGE:
            log.info("ignoring %s: older than Telegram keeps updates", self.path)
            return
        # A line cut short by a crash (power loss) is skipped; whole lines are ids.
        self._ids = {int(line) for line in lines[1:] if line.isdigit()}
