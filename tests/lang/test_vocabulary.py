"""Typo correction: misspellings reach known words; real words are left alone."""

from __future__ import annotations

import pytest

from bot.dialogue.assistant import Assistant
from bot.lang.text import stem


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("staffordsire", "staffordshire"),
        ("deffered", "deferred"),
        ("ofsteed", "ofsted"),
        ("insepctors", "inspectors"),
        ("manchster", "manchester"),
        ("consultaion", "consultation"),
        ("hmci", "hmic"),
        ("relase", "release"),
        ("postponned", "postponed"),
    ],
)
def test_misspellings_are_corrected(assistant: Assistant, typo: str, meant: str) -> None:
    corrected = assistant.matcher.vocabulary.correct(typo)
    assert corrected is not None
    # "postponned" already shares its stem with "postponed", which is all matching needs
    assert stem(corrected) == stem(meant)


@pytest.mark.parametrize("word", ["consulting", "inspecting", "deferring"])
def test_inflections_of_known_words_are_left_alone(assistant: Assistant, word: str) -> None:
    assert assistant.matcher.vocabulary.correct(word) == word


@pytest.mark.parametrize(
    "word", ["apply", "join", "rate", "referrals", "weather", "pivot", "prime", "won"]
)
def test_real_words_are_not_turned_into_other_words(assistant: Assistant, word: str) -> None:
    assert assistant.matcher.vocabulary.correct(word) in (None, word)


def test_a_words_ending_is_not_changed_for_another(assistant: Assistant) -> None:
    assert assistant.matcher.vocabulary.correct("reactive") != "reaction"


def test_vocabulary_yaml_not_typos_are_never_corrected(assistant: Assistant) -> None:
    assert assistant.matcher.vocabulary.correct("filing") is None  # no "failing"


def test_a_name_wins_a_tie_with_another_word(assistant: Assistant) -> None:
    # "mercai" is one swap from "mercia": the force's name, not another close word
    assert assistant.matcher.vocabulary.correct("mercai") == "mercia"
