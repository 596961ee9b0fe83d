"""The update journal: each fetched update on disk until it has been answered.

The poller writes every update it fetches here (durably, in one transaction per batch)
and only then confirms it to Telegram, so the offset never waits for a slow chat and a
hard kill loses nothing: at start-up the unfinished entries are replayed. Entries are
keyed by ``update_id``, so an update Telegram delivers twice is journaled once.

Bounded: an entry's text (the raw update) is erased as soon as it is answered, the id is
kept only until Telegram has accepted an offset past it, entries older than Telegram's
own retention are dropped, and an entry that was being answered when the bot died
``MAX_ATTEMPTS`` times is dropped too (a message that kills the bot must not kill it
forever). Each drop is counted in a log line with no chat id or text.

SQLite in WAL mode: the batch written before confirming is synced to disk (FULL); the
"started" and "done" marks are not (a power cut may repeat an answer, never lose one).
A journal that cannot be written is logged once and the bot carries on answering from
memory: answering matters more than surviving a crash.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

JOURNAL_FILE = "journal.sqlite3"
SCHEMA_VERSION = 1
FILE_MODE = 0o600  # the raw updates hold what people typed: readable by the bot's user only
# Telegram keeps an unconfirmed update for 24 hours; an entry older than that is a question
# nobody is waiting for any more.
MAX_AGE = 24 * 60 * 60.0
# Times an entry may be in hand when the bot dies before it is dropped as poisonous.
MAX_ATTEMPTS = 3
# A locked database (the health check reading) delays a write by at most this long.
BUSY_TIMEOUT_MS = 2000
SUFFIXES = ("", "-wal", "-shm")

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    update_id INTEGER PRIMARY KEY,
    chat TEXT NOT NULL,
    body TEXT,
    received REAL NOT NULL,
    started REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS entries_pending ON entries (chat, update_id) WHERE done = 0;
"""

Clock = Callable[[], float]
Raw = dict[str, Any]


class JournalError(Exception):
    """The journal file is not one this version can use."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One journaled update still to be answered: its id, ordering key and arrival time."""

    update_id: int
    chat: str
    received: float


@dataclass(frozen=True, slots=True)
class Waiting:
    """What the health check reports: updates not being answered in time."""

    count: int
    oldest: float  # seconds the longest-waiting of them has waited


class Journal:
    """Fetched updates kept until answered; see the module docstring."""

    def __init__(self, path: Path, clock: Clock = time.time) -> None:
        self.path = path
        self._clock = clock
        self._db: sqlite3.Connection | None = None
        self._memory: dict[int, tuple[str, str, float]] = {}  # used when the file fails
        self._failed = False
        self.dropped_old = 0
        self.dropped_poisonous = 0
        self.interrupted = 0  # answers in hand when the last run died (may be repeated)

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls, directory: Path, clock: Clock = time.time, *, max_age: float = MAX_AGE
    ) -> Journal:
        """Open (or create) the journal in ``directory``; an unusable file is replaced.

        Entries that were being answered when the bot stopped count one attempt more;
        those past MAX_ATTEMPTS or older than ``max_age`` are dropped, with a count logged.
        """
        journal = cls(directory / JOURNAL_FILE, clock)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            try:
                journal._connect()
            except (sqlite3.DatabaseError, JournalError) as error:
                log.warning("journal %s is unusable (%s): starting a new one", journal.path, error)
                journal._close_db()
                for suffix in SUFFIXES:
                    with contextlib.suppress(FileNotFoundError):
                        Path(f"{journal.path}{suffix}").unlink()
                journal._connect()
            journal._recover(max_age)
        except (OSError, sqlite3.Error) as error:
            journal._fail(error)
        return journal

    def _connect(self) -> None:
        if not self.path.exists():  # created private, before SQLite opens it
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db = db
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        if version not in (0, SCHEMA_VERSION) or (version == 0 and tables):
            raise JournalError(f"not an update journal of version {SCHEMA_VERSION}")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA secure_delete = ON")  # erased texts do not linger in free pages
        db.executescript(SCHEMA)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _recover(self, max_age: float) -> None:
        with self._transaction() as db:
            interrupted = db.execute(
                "UPDATE entries SET attempts = attempts + 1 WHERE done = 0 AND started IS NOT NULL"
            ).rowcount
            old = db.execute(
                "DELETE FROM entries WHERE done = 0 AND received < ?", (self._clock() - max_age,)
            ).rowcount
            poisonous = db.execute(
                "DELETE FROM entries WHERE done = 0 AND attempts >= ?", (MAX_ATTEMPTS,)
            ).rowcount
            db.execute("UPDATE entries SET started = NULL WHERE done = 0")
        self.dropped_old += old
        self.dropped_poisonous += poisonous
        self.interrupted = interrupted
        if interrupted:
            log.warning(
                "journal: %d answers were in hand when the bot last stopped; they are answered "
                "again (one that had already gone out is repeated)",
                interrupted,
            )
        if old:
            log.warning("journal: dropped %d unanswered updates older than %.0f s", old, max_age)
        if poisonous:
            log.error(
                "journal: dropped %d updates the bot died answering %d times",
                poisonous,
                MAX_ATTEMPTS,
            )

    # ------------------------------------------------------------------ writing

    def add(self, updates: Iterable[tuple[int, str, Raw]]) -> list[int]:
        """Journal ``(update_id, chat key, raw update)`` triples durably; the new ids, in order.

        An id journaled before (answered or not) is not new: Telegram sent it again.
        """
        now = self._clock()
        rows = [(uid, chat, json.dumps(raw, ensure_ascii=False), now) for uid, chat, raw in updates]
        if not rows:
            return []
        if self._db is not None:
            try:
                new: list[int] = []
                with self._transaction(durable=True) as db:
                    for row in rows:
                        cursor = db.execute(
                            "INSERT OR IGNORE INTO entries (update_id, chat, body, received) "
                            "VALUES (?, ?, ?, ?)",
                            row,
                        )
                        if cursor.rowcount:
                            new.append(row[0])
                return new
            except sqlite3.Error as error:
                self._fail(error)
        fresh = [row for row in rows if row[0] not in self._memory]
        for uid, chat, body, received in fresh:
            self._memory[uid] = (chat, body, received)
        return [row[0] for row in fresh]

    def start(self, update_id: int) -> None:
        """Mark an entry as being answered now (what the health check reads)."""
        now = self._clock()
        self._write("UPDATE entries SET started = ? WHERE update_id = ?", (now, update_id))

    def release(self, update_id: int) -> None:
        """The bot is stopping before this entry was answered: not an attempt that failed."""
        self._write("UPDATE entries SET started = NULL WHERE update_id = ?", (update_id,))

    def done(self, update_id: int) -> None:
        """Mark an entry answered (or given up) and erase its text."""
        if self._memory.pop(update_id, None) is None:
            self._write(
                "UPDATE entries SET done = 1, body = NULL, started = NULL WHERE update_id = ?",
                (update_id,),
            )

    def confirmed(self, offset: int) -> None:
        """Telegram accepted ``offset``: answered ids below it will never come again."""
        self._write("DELETE FROM entries WHERE done = 1 AND update_id < ?", (offset,))

    # ------------------------------------------------------------------ reading

    def pending(self) -> list[Entry]:
        """Every unanswered entry, oldest update first (for the replay at start-up)."""
        entries = [Entry(uid, chat, received) for uid, (chat, _, received) in self._memory.items()]
        if self._db is not None:
            try:
                rows = self._db.execute(
                    "SELECT update_id, chat, received FROM entries WHERE done = 0"
                ).fetchall()
                entries.extend(Entry(int(u), str(c), float(r)) for u, c, r in rows)
            except sqlite3.Error as error:
                self._fail(error)
        return sorted(entries, key=lambda entry: entry.update_id)

    def body(self, update_id: int) -> Raw | None:
        """The raw update of an unanswered entry, or None if it is gone or unreadable."""
        kept = self._memory.get(update_id)
        text: str | None = kept[1] if kept else None
        if text is None and self._db is not None:
            try:
                row = self._db.execute(
                    "SELECT body FROM entries WHERE update_id = ? AND done = 0", (update_id,)
                ).fetchone()
            except sqlite3.Error as error:
                self._fail(error)
                return None
            text = row[0] if row else None
        if text is None:
            return None
        try:
            raw = json.loads(text)
        except ValueError:
            return None
        return raw if isinstance(raw, dict) else None

    def __len__(self) -> int:
        """Unanswered entries."""
        return len(self.pending())

    def close(self) -> None:
        """Checkpoint the write-ahead log into the file and close it."""
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._close_db()

    # ------------------------------------------------------------------ helpers

    @contextlib.contextmanager
    def _transaction(self, *, durable: bool = False) -> Iterator[sqlite3.Connection]:
        db = self._db
        if db is None:
            raise sqlite3.OperationalError("the journal is closed")
        db.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _write(self, sql: str, parameters: tuple[object, ...]) -> None:
        if self._db is None:
            return
        try:
            with self._transaction() as db:
                db.execute(sql, parameters)
        except sqlite3.Error as error:
            self._fail(error)

    def _fail(self, error: Exception) -> None:
        """Log once and keep going from memory (answers are no longer crash-safe)."""
        if not self._failed:
            log.error(
                "cannot use the journal %s (%s): answering without it; a crash now may lose "
                "the questions in hand",
                self.path,
                error,
            )
        self._failed = True
        self._close_db()

    def _close_db(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None


def waiting(directory: Path, max_wait: float, now: float | None = None) -> Waiting | None:
    """Updates not being answered in time, read from the journal by another process.

    An update is late when its answer has been in hand for more than ``max_wait`` seconds,
    or when it is first in its chat's line, not yet begun, and arrived more than
    ``max_wait`` seconds ago (no worker took it up). Updates queued behind an earlier one
    of the same chat are not late: that chat is slow, not the bot. None when nothing is
    late or there is no journal.
    """
    path = directory / JOURNAL_FILE
    if not path.exists():
        return None
    moment = time.time() if now is None else now
    limit = moment - max_wait
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=rw", uri=True)) as db:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            row = db.execute(
                """
                SELECT COUNT(*), MIN(COALESCE(started, received)) FROM entries AS e
                WHERE done = 0 AND (
                    (started IS NOT NULL AND started < :limit)
                    OR (started IS NULL AND received < :limit AND NOT EXISTS (
                        SELECT 1 FROM entries AS f
                        WHERE f.done = 0 AND f.chat = e.chat AND f.update_id < e.update_id))
                )
                """,
                {"limit": limit},
            ).fetchone()
    except sqlite3.Error:
        return None
    count, oldest = row
    if not count:
        return None
    return Waiting(int(count), moment - float(oldest))
