"""The question log: what it keeps, what it never keeps, and that it never gets in the way."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.dialogue.assistant import Assistant
from bot.dialogue.reply import Outcome, Reply, Trace
from bot.settings import DEFAULT_RETENTION_DAYS, QuestionLogSettings, SettingsError
from bot.storage.question_log import (
    MASKED_SINCE_VERSION,
    MIGRATIONS,
    RETRY_AFTER_SECONDS,
    SCHEMA_VERSION,
    ChatKind,
    NullQuestionLog,
    QuestionLog,
    QuestionLogError,
    Reason,
    chat_kind,
    reason_for,
)
from bot.storage.redact import mask_normalised

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LOGGER = "bot.storage.question_log"


def make_reply(
    outcome: Outcome = Outcome.FALLBACK,
    *,
    confidence: float = 0.0,
    intent: str = "fallback",
    text: str = "what rating did ofsted give rochdale",
    best: str | None = "ofsted_relation",
) -> Reply:
    return Reply(
        text="...",
        intent=intent,
        outcome=outcome,
        confidence=confidence,
        trace=Trace(
            normalised=text,
            score=2.5,
            best_intent=best,
            runner_up="force_findings",
            runner_up_score=1.0,
        ),
    )


class Clock:
    """A settable UTC clock and monotonic clock for one test."""

    def __init__(self, now: datetime = NOON) -> None:
        self.now = now
        self.ticks = 1000.0

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.ticks

    def advance(self, delta: timedelta) -> None:
        """Time passes: both clocks move on together."""
        self.now += delta
        self.ticks += delta.total_seconds()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def log(tmp_path: Path, clock: Clock) -> QuestionLog:
    return QuestionLog(
        tmp_path / "data" / "questions.sqlite3", clock=clock, monotonic=clock.monotonic
    )


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


# ------------------------------------------------------------------- what is recorded


def test_a_fallback_is_logged_with_its_text_kind_and_near_intent(log: QuestionLog) -> None:
    log.record(make_reply(), ChatKind.PRIVATE)
    [question] = log.questions(NOON - timedelta(days=1))
    assert question.text == "what rating did ofsted give rochdale"
    assert question.chat_kind == "private"
    assert question.reason == "fallback"
    assert question.outcome == "fallback"
    assert question.best_intent == "ofsted_relation"
    assert question.score == 2.5
    assert question.runner_up == "force_findings"
    assert question.asked_at == NOON


def test_nothing_about_the_asker_is_stored(log: QuestionLog) -> None:
    log.record(make_reply(), "private")
    columns = {row[1] for row in rows(log.path, "PRAGMA table_info(questions)")}
    columns |= {row[1] for row in rows(log.path, "PRAGMA table_info(daily_counts)")}
    assert not {c for c in columns if "user" in c or "chat_id" in c or "name" in c}
    assert columns >= {"text", "chat_kind", "asked_at", "best_intent", "score"}


def test_a_confident_answer_is_counted_but_its_text_is_not_kept(log: QuestionLog) -> None:
    log.record(make_reply(Outcome.ANSWER, confidence=0.9, intent="force_selection"), "group")
    assert log.questions(NOON - timedelta(days=1)) == []
    [count] = log.daily_counts(NOON.date())
    assert (count.day, count.chat_kind, count.outcome, count.intent, count.questions) == (
        date(2026, 3, 2),
        "group",
        "answer",
        "force_selection",
        1,
    )


def test_a_low_confidence_answer_is_logged_with_its_reason(log: QuestionLog) -> None:
    log.record(make_reply(Outcome.ANSWER, confidence=0.5, intent="ofsted_relation"), "inline")
    [question] = log.questions(NOON - timedelta(days=1))
    assert question.reason == Reason.LOW_CONFIDENCE
    assert question.intent == "ofsted_relation"


def test_which_replies_are_logged() -> None:
    assert reason_for(make_reply(Outcome.FALLBACK)) is Reason.FALLBACK
    assert reason_for(make_reply(Outcome.CLARIFY, confidence=0.9)) is Reason.CLARIFY
    assert reason_for(make_reply(Outcome.NOT_ON_PAGE, confidence=0.3)) is Reason.LOW_CONFIDENCE
    assert reason_for(make_reply(Outcome.ANSWER, confidence=0.59)) is Reason.LOW_CONFIDENCE
    assert reason_for(make_reply(Outcome.ANSWER, confidence=0.6)) is None
    assert reason_for(make_reply(Outcome.SMALLTALK, confidence=0.3)) is None
    assert reason_for(make_reply(Outcome.ANSWER, confidence=0.7), low_confidence=0.8)


def test_real_replies_carry_the_intent_they_nearly_matched(
    log: QuestionLog, assistant: Assistant
) -> None:
    log.record(assistant.reply("c1", "what did inspectors find"), ChatKind.TERMINAL)
    log.record(assistant.reply("c2", "what is the weather like"), ChatKind.TERMINAL)
    log.record(assistant.reply("c3", "why was staffs chosen?"), ChatKind.TERMINAL)
    logged = {q.text: q for q in log.questions(NOON - timedelta(days=1))}
    assert set(logged) == {"what did inspectors find", "what is the weather like"}
    assert logged["what did inspectors find"].reason == "clarify"
    assert logged["what did inspectors find"].best_intent == "force_findings"
    assert logged["what is the weather like"].reason == "fallback"
    assert sum(c.questions for c in log.daily_counts(NOON.date())) == 3


def test_an_empty_message_is_counted_without_a_row(log: QuestionLog) -> None:
    log.record(make_reply(text=""), "private")
    assert log.questions(NOON - timedelta(days=1)) == []
    assert log.daily_counts(NOON.date())[0].questions == 1


def test_phone_and_reference_numbers_are_masked() -> None:
    assert mask_normalised("call me on 07700900123 please") == "call me on <phone> please"
    assert mask_normalised("ring 0161 496 0000 about gmp") == "ring <phone> about gmp"
    assert mask_normalised("inspections in 2012 of 10 councils 2011 2013") == (
        "inspections in 2012 of 10 councils 2011 2013"
    )
    assert len(mask_normalised("word " * 1000)) == 500


def test_telegram_chat_types_map_to_kinds(
    log: QuestionLog, caplog: pytest.LogCaptureFixture
) -> None:
    assert chat_kind("supergroup") is ChatKind.GROUP
    assert chat_kind("channel") is ChatKind.GROUP
    assert chat_kind("private") is ChatKind.PRIVATE
    with caplog.at_level(logging.WARNING, LOGGER):
        log.record(make_reply(), "carrier-pigeon")  # a bug in an adapter: warned, not raised
    assert "unknown chat kind" in caplog.text
    assert not log.path.exists()


def test_counts_add_up_across_threads(log: QuestionLog) -> None:
    def ask_many() -> None:
        for _ in range(100):
            log.record(make_reply(Outcome.ANSWER, confidence=0.9, intent="deferral"), "private")

    threads = [threading.Thread(target=ask_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert log.daily_counts(NOON.date())[0].questions == 400


# ------------------------------------------------------------------- schema and retention


def test_a_new_log_has_the_current_schema_version(log: QuestionLog) -> None:
    log.record(make_reply(), "private")
    assert rows(log.path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


def test_an_old_schema_is_migrated_and_keeps_its_rows(log: QuestionLog) -> None:
    log.path.parent.mkdir(parents=True)
    with sqlite3.connect(log.path) as conn:
        conn.executescript(MIGRATIONS[0])
        conn.execute(
            "INSERT INTO questions (asked_at, chat_kind, reason, outcome, text, intent, "
            "best_intent, score, confidence, runner_up, runner_up_score) VALUES "
            "('2026-03-01T09:00:00Z', 'group', 'fallback', 'fallback', 'old question', "
            "'fallback', NULL, 0, 0, NULL, 0)"
        )
        conn.execute("PRAGMA user_version = 1")
    log.record(make_reply(), "private")
    assert rows(log.path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    texts = [q.text for q in log.questions(NOON - timedelta(days=7))]
    assert texts == ["old question", "what rating did ofsted give rochdale"]


def test_a_newer_schema_is_left_alone(log: QuestionLog, caplog: pytest.LogCaptureFixture) -> None:
    log.path.parent.mkdir(parents=True)
    with sqlite3.connect(log.path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with caplog.at_level(logging.WARNING, LOGGER):
        log.record(make_reply(), "private")
    assert "newer than this bot's" in caplog.text
    assert rows(log.path, "PRAGMA user_version") == [(SCHEMA_VERSION + 1,)]


def test_rows_older_than_the_retention_are_pruned_on_open(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "questions.sqlite3"
    old = QuestionLog(path, clock=clock)
    old.record(make_reply(text="asked long ago"), "private")
    old.close()
    clock.now = NOON + timedelta(days=DEFAULT_RETENTION_DAYS + 1)
    later = QuestionLog(path, clock=clock)
    later.record(make_reply(text="asked today"), "private")
    assert [q.text for q in later.questions(NOON - timedelta(days=1))] == ["asked today"]
    assert [c.day for c in later.daily_counts(NOON.date())] == [clock.now.date()]


def test_pruning_runs_at_most_once_a_day(log: QuestionLog, clock: Clock) -> None:
    log.record(make_reply(text="first"), "private")
    with sqlite3.connect(log.path) as conn:  # a row already past the retention
        conn.execute("UPDATE questions SET asked_at = '2025-01-01T00:00:00Z' WHERE text = 'first'")
    since = datetime(2024, 1, 1, tzinfo=UTC)
    clock.advance(timedelta(hours=23))
    log.record(make_reply(text="second"), "private")
    assert [q.text for q in log.questions(since)] == ["first", "second"]
    clock.advance(timedelta(hours=1))
    log.record(make_reply(text="third"), "private")
    assert [q.text for q in log.questions(since)] == ["second", "third"]


def test_a_forward_clock_jump_does_not_prune_the_log(
    log: QuestionLog, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    since = datetime(2024, 1, 1, tzinfo=UTC)
    log.record(make_reply(text="before the jump"), "private")
    clock.ticks += timedelta(days=1).total_seconds()  # a day passes...
    clock.now += timedelta(days=366)  # ...and the wall clock is set a year ahead
    log.record(make_reply(text="during the jump"), "private")
    assert [q.text for q in log.questions(since)] == ["before the jump", "during the jump"]
    assert "clock jumped 8760 hours ahead" in caplog.text  # 365 days more than a day
    clock.now -= timedelta(days=365)  # corrected: a day after the first question
    clock.advance(timedelta(days=1))
    log.record(make_reply(text="after the fix"), "private")
    assert "before the jump" in [q.text for q in log.questions(since)]


def test_a_clock_that_stays_ahead_is_believed_a_day_later(log: QuestionLog, clock: Clock) -> None:
    since = datetime(2024, 1, 1, tzinfo=UTC)
    log.record(make_reply(text="old"), "private")
    clock.ticks += timedelta(days=1).total_seconds()
    clock.now += timedelta(days=366)
    log.record(make_reply(text="new"), "private")
    assert [q.text for q in log.questions(since)] == ["old", "new"]
    clock.advance(timedelta(days=1))
    log.record(make_reply(text="newer"), "private")
    assert [q.text for q in log.questions(since)] == ["new", "newer"]


def test_a_wall_clock_set_back_does_not_stop_pruning(log: QuestionLog, clock: Clock) -> None:
    log.record(make_reply(text="first"), "private")
    with sqlite3.connect(log.path) as conn:  # a row already past the retention
        conn.execute("UPDATE questions SET asked_at = '2025-01-01T00:00:00Z' WHERE text = 'first'")
    clock.now -= timedelta(days=3)  # set back; a monotonic day still passes
    clock.advance(timedelta(days=1))
    log.record(make_reply(text="second"), "private")
    assert [q.text for q in log.questions(datetime(2024, 1, 1, tzinfo=UTC))] == ["second"]


# ------------------------------------------------------------------- settings


def test_settings_from_the_environment(tmp_path: Path) -> None:
    log = QuestionLog.open(
        QuestionLogSettings.from_env(
            {"BOT_DATA_DIR": str(tmp_path), "BOT_QUESTION_LOG_RETENTION_DAYS": "7"}
        )
    )
    assert isinstance(log, QuestionLog)
    assert log.path == tmp_path / "questions.sqlite3"
    assert log.retention == timedelta(days=7)
    default = QuestionLog.open(QuestionLogSettings.from_env({}))
    assert isinstance(default, QuestionLog)
    assert default.path == Path("data/questions.sqlite3")
    assert default.retention == timedelta(days=90)


@pytest.mark.parametrize("value", ["off", "OFF", "false", "no", "0"])
def test_the_log_can_be_switched_off(value: str, tmp_path: Path) -> None:
    log = QuestionLog.open(
        QuestionLogSettings.from_env({"BOT_QUESTION_LOG": value, "BOT_DATA_DIR": str(tmp_path)})
    )
    assert isinstance(log, NullQuestionLog)
    log.record(make_reply(), "private")
    assert list(tmp_path.iterdir()) == []
    assert log.questions(NOON) == []


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"BOT_QUESTION_LOG": "maybe"}, "BOT_QUESTION_LOG"),
        ({"BOT_QUESTION_LOG_RETENTION_DAYS": "ninety"}, "BOT_QUESTION_LOG_RETENTION_DAYS"),
        ({"BOT_QUESTION_LOG_RETENTION_DAYS": "0"}, "BOT_QUESTION_LOG_RETENTION_DAYS"),
        ({"BOT_QUESTION_LOG_RETENTION_DAYS": "-5"}, "BOT_QUESTION_LOG_RETENTION_DAYS"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], name: str) -> None:
    with pytest.raises(SettingsError, match=name):
        QuestionLogSettings.from_env(env)


# ------------------------------------------------------------------- never in the way


def test_a_locked_database_costs_little_and_warns_once(
    log: QuestionLog, caplog: pytest.LogCaptureFixture
) -> None:
    log.record(make_reply(text="before the lock"), "private")
    locker = sqlite3.connect(log.path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.WARNING, LOGGER):
            started = time.perf_counter()
            log.record(make_reply(text="while locked"), "private")
            log.record(make_reply(text="still locked"), "private")
            elapsed = time.perf_counter() - started
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert elapsed < 1.0  # two busy timeouts of 50 ms, not a hang
    assert caplog.text.count("question log") == 1
    assert "locked" in caplog.text
    log.record(make_reply(text="after the lock"), "private")  # busy is not a reason to pause
    texts = [q.text for q in log.questions(NOON - timedelta(days=1))]
    assert texts == ["before the lock", "after the lock"]


def test_a_directory_that_cannot_be_created_is_warned_about_and_retried_later(
    tmp_path: Path, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data directory should be")
    log = QuestionLog(blocker / "questions.sqlite3", clock=clock, monotonic=clock.monotonic)
    with caplog.at_level(logging.WARNING, LOGGER):
        log.record(make_reply(), "private")
        log.record(make_reply(), "private")
    assert caplog.text.count("question log") == 1
    blocker.unlink()
    clock.ticks += RETRY_AFTER_SECONDS - 1
    log.record(make_reply(text="too soon"), "private")
    assert not blocker.exists()  # still waiting: the file system is left alone
    clock.ticks += 2
    log.record(make_reply(text="retried"), "private")
    assert [q.text for q in log.questions(NOON - timedelta(days=1))] == ["retried"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only directories")
def test_a_read_only_directory_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    tmp_path.chmod(0o500)
    try:
        with caplog.at_level(logging.WARNING, LOGGER):
            QuestionLog(tmp_path / "questions.sqlite3").record(make_reply(), "private")
    finally:
        tmp_path.chmod(0o700)
    assert "the bot answers without logging" in caplog.text


def test_a_missing_directory_is_created(tmp_path: Path) -> None:
    log = QuestionLog(tmp_path / "new" / "deeper" / "questions.sqlite3")
    log.record(make_reply(), "private")
    assert log.path.is_file()


def test_a_corrupt_file_is_warned_about_and_left_untouched(
    log: QuestionLog, caplog: pytest.LogCaptureFixture
) -> None:
    log.path.parent.mkdir(parents=True)
    garbage = b"this is not a database\x00" * 100
    log.path.write_bytes(garbage)
    with caplog.at_level(logging.WARNING, LOGGER):
        log.record(make_reply(), "private")
    assert "move the file aside" in caplog.text
    assert log.path.read_bytes() == garbage
    with pytest.raises(QuestionLogError, match="not a database"):
        log.questions(NOON)


def test_the_bot_answers_while_the_log_is_broken(
    log: QuestionLog, assistant: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    log.path.parent.mkdir(parents=True)
    log.path.write_bytes(b"\xff" * 4096)

    def chat(text: str) -> str:
        reply = assistant.reply("broken", text)
        log.record(reply, ChatKind.PRIVATE)
        return reply.text

    with caplog.at_level(logging.WARNING, LOGGER):
        assert "good practice" in chat("why was staffs chosen?")
        assert "can't answer" in chat("what's the weather in leeds")
    assert caplog.text.count("question log") == 1


def test_reading_a_missing_log_is_empty_and_creates_nothing(tmp_path: Path) -> None:
    log = QuestionLog(tmp_path / "questions.sqlite3")
    assert log.questions(NOON) == []
    assert log.daily_counts(NOON.date()) == []
    assert not log.path.exists()


def test_text_stored_before_the_masks_is_masked_on_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "questions.sqlite3"
    with sqlite3.connect(path) as conn:  # a log written by a version before the masks
        for statement in ";".join(MIGRATIONS[: MASKED_SINCE_VERSION - 1]).split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {MASKED_SINCE_VERSION - 1}")
        conn.execute(
            "INSERT INTO questions (asked_at, chat_kind, reason, outcome, text, intent, "
            "best_intent, score, confidence, runner_up, runner_up_score) VALUES "
            "('2026-03-02T11:00:00Z', 'private', 'fallback', 'fallback', "
            "'my name is jane and my email is jane doe example com', 'fallback', NULL, "
            "0, 0, NULL, 0)"
        )
    conn.close()
    log = QuestionLog(path, clock=lambda: NOON)
    [question] = log.questions(NOON - timedelta(days=1))
    assert question.text == "my name is <name> and my email is <email>"
    assert rows(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
