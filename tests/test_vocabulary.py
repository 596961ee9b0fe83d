"""Typo correction: misspellings reach known words; real words are left alone."""

from __future__ import annotations

import pytest

from bot.conversation import Assistant


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
    assert assistant.matcher.vocabulary.correct(typo) == meant


@pytest.mark.parametrize("word", ["apply", "join", "rate", "referrals", "weather"])
def test_real_words_are_not_turned_into_other_words(assistant: Assistant, word: str) -> None:
    assert assistant.matcher.vocabulary.correct(word) in (None, word)
