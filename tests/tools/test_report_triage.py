"""``report`` triage through the CLI: --recheck, --review/--all, --add-example."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.dialogue.assistant import Assistant
from bot.storage.question_log import TIME_FORMAT, ChatKind, QuestionLog
from bot.tools.evaluation import load_turns
from bot.tools.labelled import LabelError, append_example, check_intent
from bot.tools.report import build_report, group_id

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
STILL_UNANSWERED = "whats the weather in leeds"
# Answered well today; logged as a fallback by an older version of the knowledge.
FIXED_SINCE = "why was staffordshire chosen"


@pytest.fixture
def data_dir(tmp_path: Path, assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data directory whose log holds one question still unanswered and one fixed since."""
    data = tmp_path / "data"
    log = QuestionLog(data / "questions.sqlite3", clock=lambda: NOW - timedelta(hours=1))
    for _ in range(2):
        log.record(assistant.reply("c", STILL_UNANSWERED), ChatKind.PRIVATE)
    log.close()
    with sqlite3.connect(data / "questions.sqlite3") as conn:
        conn.execute(
            "INSERT INTO questions (asked_at, chat_kind, reason, outcome, text, intent, "
            "best_intent, score, confidence, runner_up, runner_up_score) "
            "VALUES (?, 'private', 'fallback', 'fallback', ?, 'fallback', NULL, 0, 0, NULL, 0)",
            ((NOW - timedelta(hours=2)).strftime(TIME_FORMAT), FIXED_SINCE),
        )
    conn.close()
    monkeypatch.setenv("BOT_DATA_DIR", str(data))
    monkeypatch.setenv("BOT_QUESTION_LOG_RETENTION_DAYS", "3650")  # NOW is fixed, the clock not
    monkeypatch.setattr("bot.storage.question_log.utc_now", lambda: NOW)
    return data


def report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["report", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.slow  # every labelled set, or the whole CLI
def test_recheck_shows_which_groups_are_answered_now(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = report(capsys, "--recheck")
    assert status == 0
    blocks = {b.splitlines()[0].split(None, 1)[1]: b for b in out.split("\n\n")[1:3]}
    assert "now: still fallback" in blocks[STILL_UNANSWERED.replace("whats", "what is")]
    assert "now: fixed, answer force_selection" in blocks[FIXED_SINCE]
    assert "Rechecked now: 1 of 2 groups are answered." in out
    _, out, _ = report(capsys, "--recheck", "--json")
    now = {g["example"]: g["now"] for g in json.loads(out)["groups"]}
    assert now[FIXED_SINCE]["fixed"] is True
    assert now[FIXED_SINCE]["intent"] == "force_selection"
    assert now["what is the weather in leeds"] == {
        "outcome": "fallback",
        "intent": "fallback",
        "confidence": 0.0,
        "fixed": False,
    }


def test_a_reviewed_group_stops_coming_back_until_all_is_asked_for(
    data_dir: Path, assistant: Assistant, capsys: pytest.CaptureFixture[str]
) -> None:
    weather = group_id("what is the weather in leeds")
    status, out, _ = report(capsys, "--review", weather)
    assert (status, out) == (
        0,
        f"reviewed [{weather}] what is the weather in leeds (2 questions)\n",
    )
    _, out, _ = report(capsys)
    assert "weather" not in out
    assert "1 groups marked reviewed are not shown (--all shows them)." in out
    _, out, _ = report(capsys, "--all")
    assert f"[{weather}] (reviewed) nearly" in out
    _, out, _ = report(capsys, "--json")
    assert json.loads(out)["hidden"] == 1
    # a new phrasing that joins the group later is still the reviewed group
    log = QuestionLog(data_dir / "questions.sqlite3", clock=lambda: NOW, retention_days=3650)
    log.record(assistant.reply("c2", "whats the wether in leeds"), ChatKind.PRIVATE)
    later = build_report(log, NOW)
    log.close()
    assert later.hidden == 1
    assert [g.example for g in later.groups] == [FIXED_SINCE]


def test_an_unknown_group_id_is_a_usage_error(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = report(capsys, "--review", "abcdef")
    assert status == 2
    assert "no group 'abcdef'" in err
    assert "report --all" in err


def test_add_example_appends_to_a_labelled_set_in_its_format(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labelled = tmp_path / "set.yaml"
    labelled.write_text(
        "# hand-written, with comments\nconversations:\n  - id: c009\n    turns:\n"
        '      - q: "hi"\n        intent: greeting\n',
        encoding="utf-8",
    )
    weather = group_id("what is the weather in leeds")
    status, out, _ = report(capsys, "--add-example", weather, "fallback", "--to", str(labelled))
    assert status == 0
    assert "(c010)" in out
    text = labelled.read_text(encoding="utf-8")
    assert text.startswith("# hand-written, with comments\n")
    assert text.endswith(
        '  - id: c010\n    turns:\n      - q: "what is the weather in leeds"\n'
        "        intent: fallback\n"
    )
    [_, [turn]] = load_turns(labelled)
    assert (turn.question, turn.intent) == ("what is the weather in leeds", "fallback")
    status, _, err = report(capsys, "--add-example", weather, "fallback", "--to", str(labelled))
    assert status == 2
    assert "already there" in err


def test_add_example_refuses_an_unknown_intent_naming_the_nearest(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labelled = tmp_path / "set.yaml"
    fixed = group_id(FIXED_SINCE)
    status, _, err = report(
        capsys, "--add-example", fixed, "force_selectoin", "--to", str(labelled)
    )
    assert status == 2
    assert "unknown intent 'force_selectoin'; the nearest are force_selection" in err
    assert not labelled.exists()


def test_check_intent_and_append_example_directly(tmp_path: Path) -> None:
    check_intent("deferral", ["deferral", "deferral_reason"])
    with pytest.raises(LabelError, match="deferral, deferral_reason"):
        check_intent("defferal", ["deferral", "deferral_reason", "greeting"])
    new = tmp_path / "new.yaml"
    assert append_example(new, 'a "quoted" question', "greeting") == "c001"
    [[turn]] = load_turns(new)
    assert turn.question == 'a "quoted" question'
    bad = tmp_path / "bad.yaml"
    bad.write_text("intents:\n  - x\n", encoding="utf-8")
    with pytest.raises(LabelError, match="not a labelled set"):
        append_example(bad, "q", "greeting")
