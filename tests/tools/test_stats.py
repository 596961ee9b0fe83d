"""Admin commands' logic: who is an admin, and what /stats says."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.dialogue.assistant import Assistant
from bot.settings import parse_admin_ids
from bot.storage.question_log import ChatKind, NullQuestionLog, QuestionLog
from bot.tools.report import similarity_key
from bot.tools.stats import is_admin, log_refused, stats_text

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "ids"),
    [
        ("123456789", {123456789}),
        ("1, 22 ,333", {1, 22, 333}),
        ("", set()),
        (" , ", set()),
        ("5,5", {5}),
    ],
)
def test_admin_ids_are_parsed(value: str, ids: set[int]) -> None:
    assert parse_admin_ids(value) == frozenset(ids)


@pytest.mark.parametrize("value", ["abc", "12;34", "-5", "1.5", "0", "@someone"])
def test_bad_admin_ids_name_the_variable(value: str) -> None:
    with pytest.raises(ValueError, match="BOT_ADMIN_IDS"):
        parse_admin_ids(value)


def test_only_listed_users_are_admins() -> None:
    admins = parse_admin_ids("42,7")
    assert is_admin(42, admins)
    assert not is_admin(8, admins)
    assert not is_admin(None, admins)  # e.g. a message from a channel
    assert not is_admin(42, frozenset())


def test_a_refused_attempt_is_logged_without_the_user(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, "bot.tools.stats"):
        log_refused("reload")
    assert "/reload" in caplog.text
    assert "BOT_ADMIN_IDS" in caplog.text


@pytest.fixture
def busy_log(tmp_path: Path, assistant: Assistant) -> QuestionLog:
    """A log with questions today, earlier this week and before the week."""
    when = {"now": NOW}
    log = QuestionLog(tmp_path / "questions.sqlite3", clock=lambda: when["now"])
    asked = {
        NOW: [
            "why was staffs chosen?",
            "why was gmp chosen?",
            "what rating did ofsted give rochdale",
            "what rating did ofsted give rochdale?",
            "what did the inspectors find",
        ],
        NOW - timedelta(days=3): [
            "why was west mercia chosen?",
            "whats the weather in leeds",
            "when was the consultation",
        ],
        NOW - timedelta(days=8): ["what rating did ofsted give rochdale"] * 5,
    }
    for moment, questions in asked.items():
        when["now"] = moment
        for index, question in enumerate(questions):
            log.record(assistant.reply(f"{moment}-{index}", question), ChatKind.PRIVATE)
    when["now"] = NOW
    return log


def test_stats_give_counts_rates_top_intents_and_unanswered(busy_log: QuestionLog) -> None:
    lines = stats_text(busy_log, NOW).splitlines()
    assert lines[0] == (
        "Today (2026-03-02 UTC): 5 questions, 40% fell back (2), 1 needed a clarifying question."
    )
    assert lines[1] == (
        "Last 7 days: 8 questions, 38% fell back (3), 1 needed a clarifying question."
    )
    assert lines[2] == "Top intents: force_selection 3, consultation 1."
    assert lines[3] == "Top unanswered:"
    assert lines[4] == "2 x what rating did ofsted give rochdale (nearly ofsted_relation)"
    assert len(lines) == 7  # the clarify question and the weather


def test_stats_when_the_log_is_off_or_unreadable(tmp_path: Path) -> None:
    assert "BOT_QUESTION_LOG=off" in stats_text(NullQuestionLog(), NOW)
    (tmp_path / "questions.sqlite3").write_bytes(b"garbage" * 100)
    broken = QuestionLog(tmp_path / "questions.sqlite3")
    assert stats_text(broken, NOW).startswith("The question log cannot be read:")


def test_stats_of_a_quiet_week(tmp_path: Path) -> None:
    text = stats_text(QuestionLog(tmp_path / "questions.sqlite3"), NOW)
    assert text == "Today (2026-03-02 UTC): no questions.\nLast 7 days: no questions."


def test_stats_leave_out_groups_marked_reviewed(busy_log: QuestionLog) -> None:
    busy_log.mark_reviewed([similarity_key("what rating did ofsted give rochdale")])
    text = stats_text(busy_log, NOW)
    assert "rochdale" not in text
    assert "Top unanswered:" in text  # the others are still there
