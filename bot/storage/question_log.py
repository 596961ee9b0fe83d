"""The question log: what people asked that the bot could not answer well, in SQLite.

Two tables, and nothing in either says who asked:

- ``questions``: one row per question that fell back, needed a clarifying question, or
  was answered with low confidence: the normalised text, UTC time, chat kind, outcome,
  and the best intent with its score. This is what ``python -m bot report`` groups.
- ``daily_counts``: every question counted by UTC day, chat kind, outcome and intent,
  without any text, so that /stats can give fallback rates and top intents.

Recording must never slow or break answering: a short busy timeout, every database error
caught and logged as a rate-limited warning, and a pause before retrying a broken file.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from bot.dialogue.reply import Outcome, Reply
from bot.settings import DEFAULT_RETENTION_DAYS, QuestionLogSettings
from bot.storage.chat_kind import ChatKind as ChatKind  # noqa: PLC0414 - re-exported: the log's callers name it
from bot.storage.files import narrow_if_present, private_dir, private_file
from bot.storage.redact import mask_normalised, mask_typed

logger = logging.getLogger(__name__)

# Answers below this confidence are logged too: in the labelled sets they are wrong about
# four times as often as answers above it (6 of 47, against 14 of 494).
DEFAULT_LOW_CONFIDENCE = 0.6
# A locked database delays an answer by about this long before the write is dropped.
BUSY_TIMEOUT_SECONDS = 0.05
# A report waits this long for a writer (WAL readers rarely wait at all).
READ_BUSY_TIMEOUT_SECONDS = 5.0
# While the log keeps failing, one warning per this many seconds, with a count of the rest.
WARNING_INTERVAL_SECONDS = 300.0
# After a database error other than "busy", leave the file alone this long before retrying.
RETRY_AFTER_SECONDS = 60.0
# Old rows are pruned when the log opens, then at most this often (by the monotonic clock,
# so a wall clock set back or forward neither stops nor hurries pruning).
PRUNE_INTERVAL = timedelta(days=1)
# The wall clock may run ahead of the monotonic clock by this much between prunes (NTP
# slews far less). More is a forward jump: that prune is skipped, so a clock set a year
# ahead for a moment does not delete the whole log. If the clock is still ahead at the
# next prune, a day later, it is believed.
MAX_CLOCK_JUMP = timedelta(hours=1)
# Files SQLite keeps beside the database; made before files were created 0600, they are
# narrowed when the log opens.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # UTC, sorts as text

# Each entry upgrades the schema by one version (PRAGMA user_version). Append; never edit.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        asked_at TEXT NOT NULL,
        chat_kind TEXT NOT NULL,
        reason TEXT NOT NULL,
        outcome TEXT NOT NULL,
        text TEXT NOT NULL,
        intent TEXT NOT NULL,
        best_intent TEXT,
        score REAL NOT NULL,
        confidence REAL NOT NULL,
        runner_up TEXT,
        runner_up_score REAL NOT NULL
    );
    CREATE INDEX questions_by_time ON questions (asked_at);
    """,
    """
    CREATE TABLE daily_counts (
        day TEXT NOT NULL,
        chat_kind TEXT NOT NULL,
        outcome TEXT NOT NULL,
        intent TEXT NOT NULL,
        questions INTEGER NOT NULL,
        PRIMARY KEY (day, chat_kind, outcome, intent)
    ) WITHOUT ROWID;
    """,
    # report and /stats count phrasings with GROUP BY text: an index scan, not a sort of
    # every row (0.3 s instead of 1.4 s at 200,000 rows)
    """
    CREATE INDEX questions_by_text ON questions (text, asked_at);
    """,
    # groups a keeper marked reviewed in the report, by their phrasings' similarity keys
    """
    CREATE TABLE reviewed (
        key TEXT PRIMARY KEY,
        reviewed_at TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
# The schema version that came with bot/storage/redact.py: migrating to it masks the text
# older versions stored.
MASKED_SINCE_VERSION = 4


class Reason(StrEnum):
    """Why a question was logged."""

    FALLBACK = "fallback"
    CLARIFY = "clarify"
    LOW_CONFIDENCE = "low_confidence"


# Telegram's Chat.type values that are not ours: a supergroup or channel is a group.
_TELEGRAM_KINDS = {"supergroup": ChatKind.GROUP, "channel": ChatKind.GROUP}


def chat_kind(value: ChatKind | str) -> ChatKind:
    """``value`` as a ChatKind; Telegram's "supergroup" and "channel" count as group."""
    return _TELEGRAM_KINDS.get(value) or ChatKind(value)


class QuestionLogError(Exception):
    """The question log could not be read (for report and /stats; recording never raises)."""


@dataclass(frozen=True, slots=True)
class LoggedQuestion:
    """One row of the questions table."""

    asked_at: datetime
    chat_kind: str
    reason: str
    outcome: str
    text: str
    intent: str
    best_intent: str | None
    score: float
    confidence: float
    runner_up: str | None


@dataclass(frozen=True, slots=True)
class Tally:
    """How often one phrasing was logged for one reason, nearest one intent."""

    text: str
    reason: str
    best_intent: str | None
    count: int
    last_asked: datetime


@dataclass(frozen=True, slots=True)
class DailyCount:
    """How many questions one UTC day had of one chat kind, outcome and intent."""

    day: date
    chat_kind: str
    outcome: str
    intent: str
    questions: int


class QuestionRecorder(Protocol):
    """What an adapter needs: record each reply, close at shutdown."""

    def record(self, reply: Reply, kind: ChatKind | str) -> None:
        """Count ``reply`` and log it if it was not a confident answer; never raises."""

    def close(self) -> None:
        """Release the database."""


def reason_for(reply: Reply, low_confidence: float = DEFAULT_LOW_CONFIDENCE) -> Reason | None:
    """Why ``reply`` belongs in the log, or None for a confident answer or small talk.

    Never a reason for a message the safety screen flagged: that text is never stored.
    """
    if reply.sensitive:
        return None
    if reply.outcome is Outcome.FALLBACK:
        return Reason.FALLBACK
    if reply.outcome is Outcome.CLARIFY:
        return Reason.CLARIFY
    if reply.outcome in (Outcome.ANSWER, Outcome.NOT_ON_PAGE) and reply.confidence < low_confidence:
        return Reason.LOW_CONFIDENCE
    return None


def counted_intent(reply: Reply) -> str:
    """The intent a reply is counted under: a safety reply by its group ("safety/child")."""
    return f"{reply.intent}/{reply.safety}" if reply.safety is not None else reply.intent


def near_intent(reply: Reply) -> str | None:
    """The intent a reply came closest to: its best-scoring one, or the one it asked about."""
    return reply.trace.best_intent or reply.slots.get("pending")


def stored_text(reply: Reply) -> str:
    """What the log keeps of a reply's question: normalised words, personal details masked."""
    if reply.sensitive:
        return ""
    if reply.trace.typed:
        return mask_typed(reply.trace.typed)
    return mask_normalised(reply.trace.normalised)


def utc_now() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)


class _Warnings:
    """Logs a warning at most once per interval, counting the ones it held back."""

    def __init__(self, interval: float, monotonic: Callable[[], float]) -> None:
        self.interval = interval
        self.monotonic = monotonic
        self.last: float | None = None
        self.held_back = 0

    def warn(self, message: str) -> None:
        now = self.monotonic()
        if self.last is not None and now - self.last < self.interval:
            self.held_back += 1
            return
        if self.held_back:
            message += f" ({self.held_back} similar warnings not shown)"
        self.last, self.held_back = now, 0
        logger.warning("%s", message)


class NullQuestionLog:
    """The log when BOT_QUESTION_LOG=off: records nothing, reads as empty."""

    enabled = False
    path: Path | None = None

    def record(self, reply: Reply, kind: ChatKind | str) -> None:
        """Do nothing."""

    def close(self) -> None:
        """Do nothing."""

    def questions(self, since: datetime) -> list[LoggedQuestion]:
        """No questions."""
        return []

    def daily_counts(self, since: date) -> list[DailyCount]:
        """No counts."""
        return []

    def tallies(self, since: datetime, max_texts: int) -> list[Tally]:
        """No tallies."""
        return []

    def count_questions(self, since: datetime) -> int:
        """None."""
        return 0

    def reviewed_keys(self) -> frozenset[str]:
        """Nothing reviewed."""
        return frozenset()

    def mark_reviewed(self, keys: Iterable[str]) -> None:
        """Nowhere to keep the mark."""
        raise QuestionLogError("the question log is off (BOT_QUESTION_LOG=off)")


class QuestionLog:
    """The question log in one SQLite file; opened on first use, safe to share by threads."""

    enabled = True

    def __init__(
        self,
        path: Path,
        *,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        low_confidence: float = DEFAULT_LOW_CONFIDENCE,
        clock: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self.retention = timedelta(days=retention_days)
        self.low_confidence = low_confidence
        self._clock = clock
        self._monotonic = monotonic
        self._warnings = _Warnings(WARNING_INTERVAL_SECONDS, monotonic)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._retry_at = 0.0
        self._pruned_at: float | None = None  # monotonic
        self._reference: tuple[datetime, float] | None = None  # wall and monotonic clocks
        self._jump_seen = False

    @classmethod
    def open(cls, settings: QuestionLogSettings) -> QuestionLog | NullQuestionLog:
        """The log ``settings`` describe, or a log that keeps nothing when it is off."""
        if not settings.enabled:
            return NullQuestionLog()
        return cls(settings.path, retention_days=settings.retention_days)

    # ---------------------------------------------------------------- writing

    def record(self, reply: Reply, kind: ChatKind | str) -> None:
        """Count ``reply`` and log it if it was not a confident answer; never raises."""
        try:
            where = chat_kind(kind)
        except ValueError:
            self._warnings.warn(f"question log: unknown chat kind {kind!r}; question not counted")
            return
        now = self._clock()
        reason = reason_for(reply, self.low_confidence)
        text = stored_text(reply) if reason is not None else ""  # masking only what is kept
        with self._lock:
            if self._monotonic() < self._retry_at:
                return
            try:
                conn = self._open(now)
                conn.execute("BEGIN")
                try:
                    self._count(conn, now, where, reply)
                    if reason is not None and text:
                        self._insert(conn, now, where, reason=reason, text=text, reply=reply)
                    conn.execute("COMMIT")
                finally:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
            except (sqlite3.Error, OSError) as exc:
                self._failed(exc)

    def close(self) -> None:
        """Close the database; the next use opens it again."""
        with self._lock:
            self._close()

    # ---------------------------------------------------------------- reading

    def questions(self, since: datetime) -> list[LoggedQuestion]:
        """The logged questions asked at or after ``since``, oldest first."""
        rows = self._read(
            "SELECT asked_at, chat_kind, reason, outcome, text, intent, best_intent, score, "
            "confidence, runner_up FROM questions WHERE asked_at >= ? ORDER BY asked_at, id",
            (since.astimezone(UTC).strftime(TIME_FORMAT),),
        )
        return [
            LoggedQuestion(datetime.fromisoformat(row[0]), *row[1:])  # 30x strptime's speed
            for row in rows
        ]

    def tallies(self, since: datetime, max_texts: int) -> list[Tally]:
        """Each phrasing logged since ``since`` with its count, for the ``max_texts`` most asked.

        Bounded whatever the log holds: the phrasings are ranked by count, then by how
        recently they were asked, in SQLite (an index scan), and only the top ones are read.
        """
        after = since.astimezone(UTC).strftime(TIME_FORMAT)
        rows = self._read(
            "WITH top AS (SELECT text FROM questions WHERE asked_at >= ? GROUP BY text "
            "ORDER BY COUNT(*) DESC, MAX(asked_at) DESC, text LIMIT ?) "
            "SELECT text, reason, best_intent, COUNT(*), MAX(asked_at) FROM questions "
            "WHERE asked_at >= ? AND text IN top GROUP BY text, reason, best_intent",
            (after, max_texts, after),
        )
        return [
            Tally(row[0], row[1], row[2], int(row[3]), datetime.fromisoformat(row[4]))
            for row in rows
        ]

    def count_questions(self, since: datetime) -> int:
        """How many questions were logged since ``since``."""
        rows = self._read(
            "SELECT COUNT(*) FROM questions WHERE asked_at >= ?",
            (since.astimezone(UTC).strftime(TIME_FORMAT),),
        )
        return int(rows[0][0]) if rows else 0

    def reviewed_keys(self) -> frozenset[str]:
        """The similarity keys of the phrasings in groups marked reviewed."""
        return frozenset(row[0] for row in self._read("SELECT key FROM reviewed", ()))

    def mark_reviewed(self, keys: Iterable[str]) -> None:
        """Mark these similarity keys reviewed (kept as long as questions are)."""
        now = self._clock()
        stamp = now.astimezone(UTC).strftime(TIME_FORMAT)
        try:
            with self._lock:
                self._open(now)  # created and migrated if need be
            conn = sqlite3.connect(self.path, timeout=READ_BUSY_TIMEOUT_SECONDS)
            try:
                with conn:
                    conn.executemany(
                        "INSERT INTO reviewed (key, reviewed_at) VALUES (?, ?) "
                        "ON CONFLICT (key) DO UPDATE SET reviewed_at = excluded.reviewed_at",
                        [(key, stamp) for key in keys],
                    )
            finally:
                conn.close()
        except (sqlite3.Error, OSError) as exc:
            raise QuestionLogError(f"{self.path}: {_describe(exc)}") from exc

    def daily_counts(self, since: date) -> list[DailyCount]:
        """The per-day counts from ``since`` (a UTC day) on."""
        rows = self._read(
            "SELECT day, chat_kind, outcome, intent, questions FROM daily_counts "
            "WHERE day >= ? ORDER BY day",
            (since.isoformat(),),
        )
        return [DailyCount(date.fromisoformat(row[0]), *row[1:]) for row in rows]

    def _read(self, sql: str, params: tuple[str | int, ...]) -> list[tuple[Any, ...]]:
        """Run a query; an absent file reads as empty and is not created.

        The query runs on a connection of its own, outside the lock: a long read for the
        report or /stats never holds up recording, which answering waits for.
        """
        if self._conn is None and not self.path.exists():
            return []
        try:
            with self._lock:
                self._open(self._clock())  # migrated and pruned first
            if not self.path.exists():  # deleted under us: connecting would make an empty one
                raise sqlite3.OperationalError("the file was deleted while the bot ran")
            reader = sqlite3.connect(self.path, timeout=READ_BUSY_TIMEOUT_SECONDS)
            try:
                rows: list[tuple[Any, ...]] = reader.execute(sql, params).fetchall()
            finally:
                reader.close()
        except (sqlite3.Error, OSError) as exc:
            with self._lock:
                self._close()
            raise QuestionLogError(f"{self.path}: {_describe(exc)}") from exc
        return rows

    # ---------------------------------------------------------------- internals

    def _open(self, now: datetime) -> sqlite3.Connection:
        """The connection, opened, migrated and pruned if this is its first use."""
        if self._conn is None:
            private_dir(self.path.parent)
            private_file(self.path)  # SQLite gives its -wal and -shm files this file's mode
            for companion in SQLITE_COMPANIONS:
                narrow_if_present(self.path.with_name(self.path.name + companion))
            conn = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_SECONDS,
                isolation_level=None,  # transactions are explicit
                check_same_thread=False,  # guarded by self._lock
            )
            try:
                _migrate(conn)
                # WAL: the report can read while the bot writes; NORMAL: no fsync per question
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        ticks = self._monotonic()
        if self._pruned_at is None or ticks - self._pruned_at >= PRUNE_INTERVAL.total_seconds():
            if self._clock_believed(now, ticks):
                self._prune(self._conn, now)
            self._pruned_at = ticks
        return self._conn

    def _clock_believed(self, now: datetime, ticks: float) -> bool:
        """Whether the wall clock kept pace with the monotonic one since the last prune.

        A forward jump of more than MAX_CLOCK_JUMP is not believed once: that prune is
        skipped with a warning. Still ahead at the next prune, the clock is believed.
        """
        reference, self._reference = self._reference, (now, ticks)
        if reference is None:
            return True
        wall, mono = reference
        ahead = (now - wall).total_seconds() - (ticks - mono)
        if ahead <= MAX_CLOCK_JUMP.total_seconds() or self._jump_seen:
            self._jump_seen = False
            return True
        self._jump_seen = True
        self._reference = reference  # keep measuring from before the jump
        logger.warning(
            "question log: the clock jumped %.0f hours ahead; old questions are not pruned "
            "until it has stayed there for a day",
            ahead / 3600,
        )
        return False

    def _prune(self, conn: sqlite3.Connection, now: datetime) -> None:
        cutoff = now - self.retention
        conn.execute("BEGIN")
        try:
            conn.execute(
                "DELETE FROM questions WHERE asked_at < ?", (cutoff.strftime(TIME_FORMAT),)
            )
            conn.execute("DELETE FROM daily_counts WHERE day < ?", (cutoff.date().isoformat(),))
            conn.execute(
                "DELETE FROM reviewed WHERE reviewed_at < ?", (cutoff.strftime(TIME_FORMAT),)
            )
            conn.execute("COMMIT")
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")

    def _count(self, conn: sqlite3.Connection, now: datetime, kind: ChatKind, reply: Reply) -> None:
        conn.execute(
            "INSERT INTO daily_counts (day, chat_kind, outcome, intent, questions) "
            "VALUES (?, ?, ?, ?, 1) ON CONFLICT (day, chat_kind, outcome, intent) "
            "DO UPDATE SET questions = questions + 1",
            (now.date().isoformat(), str(kind), str(reply.outcome), counted_intent(reply)),
        )

    def _insert(
        self,
        conn: sqlite3.Connection,
        now: datetime,
        kind: ChatKind,
        *,
        reason: Reason,
        text: str,
        reply: Reply,
    ) -> None:
        conn.execute(
            "INSERT INTO questions (asked_at, chat_kind, reason, outcome, text, intent, "
            "best_intent, score, confidence, runner_up, runner_up_score) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                now.strftime(TIME_FORMAT),
                str(kind),
                str(reason),
                str(reply.outcome),
                text,
                reply.intent,
                near_intent(reply),
                reply.trace.score,
                reply.confidence,
                reply.trace.runner_up,
                reply.trace.runner_up_score,
            ),
        )

    def _failed(self, exc: sqlite3.Error | OSError) -> None:
        """Warn (rate-limited); unless the file was merely busy, pause before retrying."""
        busy = getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
        if not busy:
            self._close()
            self._retry_at = self._monotonic() + RETRY_AFTER_SECONDS
        self._warnings.warn(
            f"question log {self.path}: {_describe(exc)}; the bot answers without logging"
        )

    def _close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None
            self._pruned_at = None


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema up to SCHEMA_VERSION, one version per transaction."""
    version = _user_version(conn)
    if version > SCHEMA_VERSION:
        raise sqlite3.DatabaseError(
            f"schema version {version} is newer than this bot's {SCHEMA_VERSION}; "
            f"upgrade the bot or move the file aside"
        )
    while version < SCHEMA_VERSION:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = _user_version(conn)  # another process may have migrated meanwhile
            if version < SCHEMA_VERSION:
                for statement in MIGRATIONS[version].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                if version + 1 == MASKED_SINCE_VERSION:
                    _mask_old_rows(conn)
                version += 1
                conn.execute(f"PRAGMA user_version = {version:d}")
            conn.execute("COMMIT")
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")


def _mask_old_rows(conn: sqlite3.Connection) -> None:
    """Mask the text that versions before the masks stored (only digit runs were masked)."""
    conn.create_function("mask", 1, mask_normalised, deterministic=True)
    conn.execute("UPDATE questions SET text = mask(text)")


def _user_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def _describe(exc: BaseException) -> str:
    """A database error in words, with what to do about a corrupt file."""
    text = str(exc) or type(exc).__name__
    if "not a database" in text or "malformed" in text:
        text += " (move the file aside: a new log is created in its place)"
    return text
