"""Accuracy on the labelled question sets, and the evaluation report itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.dialogue.assistant import Assistant
from bot.tools.evaluation import evaluate, load_turns

DATA = Path(__file__).resolve().parents[1] / "data"
# The bar the labelled set must clear (issue: at least 97% with no wrong-fact answers).
MIN_ACCURACY = 0.97
# The other sets were written separately (holdout.yaml, then fresh.yaml, fresh2.yaml and
# fresh3.yaml by writers who never saw the bot's data); they guard against regressions.
MIN_HOLDOUT_ACCURACY = 0.88
# The blind content-labelled sets (tests/data/blind/): each file's header gives its
# first-run figure. These floors only stop regressions; they were set below today's scores.
BLIND_FLOORS = {
    "understanding_1.yaml": 0.89,
    "understanding_2.yaml": 0.91,
    "understanding_3.yaml": 0.90,
    "understanding_4.yaml": 0.90,
    "understanding_5.yaml": 0.86,
    "understanding_6.yaml": 0.93,
    "understanding_7.yaml": 0.87,
    "understanding_8.yaml": 0.81,
    "understanding_9.yaml": 0.82,
    "understanding_10.yaml": 0.91,
    "understanding_11.yaml": 0.91,
    "understanding_12.yaml": 0.90,
    "understanding_13.yaml": 0.92,
    "understanding_14.yaml": 0.92,
    # written at the start of the 2026-11-30 afternoon session (set 15, held out, joins at its
    # end), floors at their first runs
    "understanding_16.yaml": 0.91,
    "understanding_17.yaml": 0.92,
    "understanding_18.yaml": 0.93,
    "understanding_19.yaml": 0.92,
    "understanding_20.yaml": 0.91,
    "understanding_21.yaml": 0.93,
    "understanding_22.yaml": 0.90,
    "understanding_25.yaml": 0.94,
    "understanding_26.yaml": 0.94,
    # held out all session (set 15), and written after the work (23, 24): floors at their
    # runs at the end of the work
    "understanding_15.yaml": 0.92,
    "understanding_23.yaml": 0.90,
    "understanding_24.yaml": 0.96,
    "understanding_27.yaml": 0.92,
    # the session that began at 12:56 UTC: set 28 held out, 29-34 dev sets, 35-37 written
    # after the work; floors at the scores of the code they joined with
    "understanding_28.yaml": 0.92,
    "understanding_29.yaml": 0.92,
    "understanding_30.yaml": 0.96,
    "understanding_31.yaml": 0.94,
    "understanding_32.yaml": 0.92,
    "understanding_33.yaml": 0.96,
    "understanding_34.yaml": 0.93,
    "understanding_35.yaml": 0.90,
    "understanding_36.yaml": 0.92,
    "understanding_37.yaml": 0.93,
    "understanding_38.yaml": 0.93,
    "understanding_39.yaml": 0.92,
    "understanding_40.yaml": 0.93,
    # written after the work and run once at its end; read (and fixed from) only after that
    "understanding_41.yaml": 0.92,
    "understanding_42.yaml": 0.91,
    "understanding_43.yaml": 0.87,
    # written at the start of the next session (44-46, run on its starting code) and after
    # its first round (47-49, run at 9a20959), read only after those runs; floors at their
    # first runs
    "understanding_44.yaml": 0.93,
    "understanding_45.yaml": 0.90,
    "understanding_46.yaml": 0.95,
    "understanding_47.yaml": 0.94,
    "understanding_48.yaml": 0.93,
    "understanding_49.yaml": 0.91,
    # written after the same session's second (50-52), third (53-55) and last (56-58)
    # rounds, each run once on that round's last commit before it was read
    "understanding_50.yaml": 0.92,
    "understanding_51.yaml": 0.94,
    "understanding_52.yaml": 0.94,
    "understanding_53.yaml": 0.94,
    "understanding_54.yaml": 0.92,
    "understanding_55.yaml": 0.97,
    "understanding_56.yaml": 0.94,
    "understanding_57.yaml": 0.97,
    "understanding_58.yaml": 0.94,
}


def test_labelled_set_is_large_and_covers_every_intent(assistant: Assistant) -> None:
    conversations = load_turns(DATA / "questions.yaml")
    turns = [t for c in conversations for t in c]
    assert len(turns) >= 300
    labelled = {t.intent for t in turns}
    assert set(assistant.intents) <= labelled
    assert {"fallback", "clarify"} <= labelled
    assert sum(len(c) > 1 for c in conversations) >= 30


@pytest.mark.slow  # a whole labelled set
def test_accuracy_on_the_labelled_set(assistant: Assistant) -> None:
    report = evaluate(assistant, load_turns(DATA / "questions.yaml"))
    assert report.wrong_forces == []
    assert report.accuracy >= MIN_ACCURACY, report.format()
    assert report.off_topic_rejection >= 0.95


@pytest.mark.slow  # a whole labelled set
@pytest.mark.parametrize("name", ["holdout.yaml", "fresh.yaml", "fresh2.yaml", "fresh3.yaml"])
def test_accuracy_on_the_held_out_sets(assistant: Assistant, name: str) -> None:
    report = evaluate(assistant, load_turns(DATA / name))
    assert report.wrong_forces == []
    assert report.accuracy >= MIN_HOLDOUT_ACCURACY, report.format()


@pytest.mark.slow  # a whole labelled set
@pytest.mark.parametrize(
    "name", ["questions.yaml", "holdout.yaml", "fresh.yaml", "fresh2.yaml", "fresh3.yaml"]
)
def test_no_answer_gives_another_force_facts(assistant: Assistant, name: str) -> None:
    report = evaluate(assistant, load_turns(DATA / name))
    assert [r for r in report.results if r.wrong_force] == []


@pytest.mark.slow  # a whole labelled set
@pytest.mark.parametrize("name", sorted(BLIND_FLOORS))
def test_blind_sets_stay_above_their_floor_with_no_wrong_subject(
    assistant: Assistant, name: str
) -> None:
    report = evaluate(assistant, load_turns(DATA / "blind" / name))
    assert [r for r in report.results if r.wrong_fact] == [], name
    # no "Yes" where the answer is no, nor the other way round
    assert [r.turn.question for r in report.results if r.verdict and r.verdict.flipped] == []
    assert report.accuracy >= BLIND_FLOORS[name], report.format()


@pytest.mark.slow  # a whole labelled set
def test_report_lists_confusions_and_rates(assistant: Assistant) -> None:
    text = evaluate(assistant, load_turns(DATA / "holdout.yaml")).format()
    assert "confused pairs" in text
    assert "accuracy:" in text
    assert "off-topic rejection:" in text
