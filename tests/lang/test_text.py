"""Normalisation and stemming."""

from __future__ import annotations

import pytest

from bot.lang.text import MAX_INPUT_CHARS, normalise, stem, tokens


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Why was STAFFS chosen?!", "why was staffs chosen"),
        ("What’s West Mercia’s report called?", "what is west mercia report called"),
        ("didn't they find anything", "did not they find anything"),
        ("whats the date", "what is the date"),
        ("ten councils", "10 councils"),
        ("fire & rescue", "fire and rescue"),
        ("Stoke-on-Trent", "stoke on trent"),
        ("  lots\t of\n space ", "lots of space"),
        ("👍🏻👍", ""),
        ("ＧＭＰ", "gmp"),
        ("café", "cafe"),
        ("r u a bot", "are you a bot"),
        ("put back to twenty fifteen", "put back to 2015"),
        ("til when", "until when"),
        ("oct 2011 - mar 2013", "october 2011 march 2013"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_other_scripts_are_kept_not_crashed() -> None:
    assert tokens("مرحبا hello") == ("مرحبا", "hello")


def test_input_is_capped() -> None:
    assert len(tokens("a " * (MAX_INPUT_CHARS * 2))) <= MAX_INPUT_CHARS


@pytest.mark.parametrize(
    ("words", "same"),
    [
        (("inspected", "inspection", "inspections", "inspect"), True),
        (("deferred", "defer", "deferring"), True),
        (("improve", "improved", "improving"), True),
        (("selected", "selection", "select"), True),
        (("report", "reports"), True),
    ],
)
def test_stem_brings_word_forms_together(words: tuple[str, ...], same: bool) -> None:
    assert (len({stem(w) for w in words}) == 1) is same
