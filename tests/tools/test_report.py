"""``python -m bot report``: unanswered questions grouped by fuzzy similarity."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rapidfuzz import process

from bot.cli import main
from bot.dialogue.assistant import Assistant
from bot.storage.question_log import ChatKind, LoggedQuestion, NullQuestionLog, QuestionLog
from bot.tools.report import (
    BLOCK_PREFIXES,
    MAX_BLOCK_LEADERS,
    build_report,
    cluster,
    format_text,
    group_questions,
    similarity_key,
    to_json,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

UNANSWERED = [
    "what rating did ofsted give rochdale",
    "what rating did ofsted give rochdale",
    "What rating did Ofsted give Rochdale?",
    "ofsted rating for rochdale?",
    "rochdale ofsted ratings",
    "what rating did ofsted give staffordshire",
    "whats the weather in leeds",
    "weather in leeds today",
    "who is the chief inspector now",
]


def logged(
    text: str, best: str | None = None, reason: str = "fallback", hours: int = 0
) -> LoggedQuestion:
    return LoggedQuestion(
        asked_at=NOW - timedelta(hours=hours),
        chat_kind="private",
        reason=reason,
        outcome="fallback",
        text=text,
        intent="fallback",
        best_intent=best,
        score=0.0,
        confidence=0.0,
        runner_up=None,
    )


@pytest.fixture
def filled_log(tmp_path: Path, assistant: Assistant) -> QuestionLog:
    """A log holding the replies the real assistant gave to UNANSWERED, a day apart."""
    clock = {"now": NOW - timedelta(days=len(UNANSWERED))}
    log = QuestionLog(tmp_path / "questions.sqlite3", clock=lambda: clock["now"])
    for index, question in enumerate(UNANSWERED):
        log.record(assistant.reply(f"chat-{index}", question), ChatKind.PRIVATE)
        clock["now"] += timedelta(days=1)
    return log


def test_the_key_keeps_meaning_words_and_question_words_in_order() -> None:
    key = similarity_key("what rating did ofsted give rochdale").split()
    assert key == sorted(key)
    assert {"what", "rating", "ofsted", "rochdale"} <= set(key)
    assert "did" not in key
    assert similarity_key("rochdale ofsted rating") == "ofsted rating rochdale"
    assert similarity_key("is it") == "is it"  # all stop words: the words themselves


def test_typos_and_reordering_group_but_different_subjects_do_not() -> None:
    keys = [
        similarity_key(q)
        for q in (
            "what rating did ofsted give rochdale",
            "what ratng did ofsted give rochdale",
            "rochdale ofsted ratings",
            "what rating did ofsted give staffordshire",
            "whats the weather in leeds",
        )
    ]
    assert cluster(keys) == [0, 0, 0, 3, 4]


def test_groups_are_counted_with_example_near_intent_and_variants() -> None:
    questions = [
        logged("what rating did ofsted give rochdale", "ofsted_relation"),
        logged("what rating did ofsted give rochdale", "ofsted_relation"),
        logged("rochdale ofsted ratings", "force_findings", reason="low_confidence", hours=5),
        logged("ofsted rating for rochdale", "ofsted_relation"),
        logged("weather in leeds", None),
    ]
    first, second = group_questions(questions)
    assert first.count == 4
    assert first.example == "what rating did ofsted give rochdale"
    assert first.near_intent == "ofsted_relation"
    assert first.reasons == {"fallback": 3, "low_confidence": 1}
    assert set(first.variants) == {"rochdale ofsted ratings", "ofsted rating for rochdale"}
    assert first.last_asked == NOW
    assert (second.count, second.example, second.near_intent) == (1, "weather in leeds", None)


@pytest.mark.slow
def test_ten_thousand_distinct_questions_are_not_compared_pairwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(6)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocabulary = ["".join(rng.choices(letters, k=rng.randint(4, 9))) for _ in range(2000)]
    texts = [" ".join(rng.choices(vocabulary, k=rng.randint(2, 6))) for _ in range(10_000)]
    compared = 0
    real = process.extractOne

    def counting(query: str, choices: list[str], **kwargs: Any) -> Any:
        nonlocal compared
        compared += len(choices)
        return real(query, choices, **kwargs)

    monkeypatch.setattr(process, "extractOne", counting)
    groups = group_questions([logged(t) for t in texts])
    assert sum(g.count for g in groups) == 10_000
    assert compared < 10_000 * 10_000 // 2 // 50  # a small fraction of all pairs


def test_report_from_a_real_log(filled_log: QuestionLog) -> None:
    report = build_report(filled_log, NOW)
    assert report.total == len(UNANSWERED)
    top = report.groups[0]
    assert top.count == 5
    assert top.example == "what rating did ofsted give rochdale"
    assert top.near_intent == "ofsted_relation"
    examples = [g.example for g in report.groups]
    assert "what rating did ofsted give staffordshire" in examples
    text = format_text(report)
    assert text.splitlines()[0].startswith(
        f"Unanswered questions since 2026-01-31: {len(UNANSWERED)}"
    )
    assert "nearly ofsted_relation; fallback: " in text


def test_since_limits_the_report_to_recent_days(filled_log: QuestionLog) -> None:
    report = build_report(filled_log, NOW, since_days=3)
    assert report.total == 3
    assert "rochdale" not in format_text(report)
    assert "who is the chief inspector now" in format_text(report)


def test_json_has_every_group_field(filled_log: QuestionLog) -> None:
    data = to_json(build_report(filled_log, NOW))
    assert data["total"] == len(UNANSWERED)
    groups = data["groups"]
    assert isinstance(groups, list)
    assert set(groups[0]) == {
        "id",
        "reviewed",
        "count",
        "example",
        "near_intent",
        "reasons",
        "variants",
        "last_asked",
    }
    json.dumps(data)  # serialisable as it is


def test_an_empty_or_switched_off_log_says_so(tmp_path: Path) -> None:
    missing = build_report(QuestionLog(tmp_path / "questions.sqlite3"), NOW)
    assert "does not exist yet" in format_text(missing)
    off = build_report(NullQuestionLog(), NOW)
    assert "BOT_QUESTION_LOG=off" in format_text(off)


# ------------------------------------------------------------------- the command


def test_report_command_prints_groups(
    filled_log: QuestionLog, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_DATA_DIR", str(filled_log.path.parent))
    monkeypatch.setenv("BOT_QUESTION_LOG_RETENTION_DAYS", "3650")  # NOW is fixed, the clock is not
    monkeypatch.setattr("bot.storage.question_log.utc_now", lambda: NOW)
    assert main(["report"]) == 0
    out = capsys.readouterr().out
    assert "what rating did ofsted give rochdale" in out
    assert main(["report", "--json", "--since", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 2


def test_report_command_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path))
    (tmp_path / "questions.sqlite3").write_bytes(b"garbage" * 200)
    assert main(["report"]) == 1
    assert "cannot read the question log" in capsys.readouterr().err
    monkeypatch.setenv("BOT_QUESTION_LOG_RETENTION_DAYS", "lots")
    assert main(["report"]) == 2
    assert "BOT_QUESTION_LOG_RETENTION_DAYS" in capsys.readouterr().err


def test_questions_sharing_common_words_are_compared_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every question begins "what about": blocking on those words would compare all pairs.
    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyz"
    texts = [
        "what about " + " ".join("".join(rng.choices(letters, k=6)) for _ in range(3))
        for _ in range(5_000)
    ]
    compared = 0
    real = process.extractOne

    def counting(query: str, choices: list[str], **kwargs: Any) -> Any:
        nonlocal compared
        compared += len(choices)
        return real(query, choices, **kwargs)

    monkeypatch.setattr(process, "extractOne", counting)
    keys = [similarity_key(t) for t in texts]
    cluster(keys)
    assert compared <= len(keys) * BLOCK_PREFIXES * MAX_BLOCK_LEADERS


def test_only_the_most_asked_phrasings_are_grouped_and_the_rest_are_counted(
    tmp_path: Path, assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.tools.report.MAX_GROUPED_PHRASINGS", 2)
    log = QuestionLog(tmp_path / "questions.sqlite3", clock=lambda: NOW)
    asked = ["whats the weather in leeds"] * 3 + ["who is the chief inspector now"] * 2
    for index, question in enumerate([*asked, "what is the capital of peru"]):
        log.record(assistant.reply(f"chat-{index}", question), ChatKind.PRIVATE)
    report = build_report(log, NOW)
    assert report.total == 6
    assert [g.count for g in report.groups] == [3, 2]
    assert report.ungrouped == 1
    assert "1 more questions" in format_text(report)
    assert to_json(report)["ungrouped"] == 1


def test_tallies_rank_phrasings_by_count_then_recency(tmp_path: Path, assistant: Assistant) -> None:
    clock = {"now": NOW - timedelta(hours=3)}
    log = QuestionLog(tmp_path / "questions.sqlite3", clock=lambda: clock["now"])
    for question in ["whats the weather in leeds", "who is the chief inspector now"] * 2 + [
        "what is the capital of peru"
    ]:
        log.record(assistant.reply("chat", question), ChatKind.PRIVATE)
        clock["now"] += timedelta(minutes=1)
    top = log.tallies(NOW - timedelta(days=1), max_texts=2)
    assert {t.text for t in top} == {
        "what is the weather in leeds",
        "who is the chief inspector now",
    }
    assert sum(t.count for t in top) == 4
    assert log.count_questions(NOW - timedelta(days=1)) == 5
