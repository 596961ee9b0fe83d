"""Differential tests: the indexed fast paths agree with a plain scan of everything."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from bot.dialogue.assistant import Assistant
from bot.lang import vocabulary
from bot.lang.vocabulary import Vocabulary
from bot.nlu import entities
from bot.nlu.entities import EntityIndex
from bot.schema.knowledge import Knowledge
from bot.settings import default_root
from bot.tuning import TUNING

pytestmark = pytest.mark.slow  # hypothesis, and a full scan to compare with

TYPOS = [
    "staffordsire",
    "deffered",
    "ofsteed",
    "insepctors",
    "manchster",
    "consultaion",
    "postponned",
    "hmci",
]
LETTERS = "abcdefghijklmnopqrstuvwxyz "


def test_first_letter_buckets_agree_when_the_first_letter_is_right(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = assistant.matcher.vocabulary
    monkeypatch.setattr(vocabulary, "LARGE_VOCABULARY", 0)
    large = Vocabulary(small.words, small.meaningful, small.names)
    for typo in TYPOS:
        assert large.correct(typo) == small.correct(typo), typo


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=LETTERS, min_size=6, max_size=30))
def test_length_bounded_alias_search_equals_a_full_scan(text: str) -> None:
    index = _index()
    full = process.extractOne(
        text,
        index.fuzzy_choices,
        scorer=fuzz.ratio,
        processor=None,
        score_cutoff=TUNING.fuzzy_alias_cutoff,
    )
    fast = index._closest_alias(text)
    assert (fast[1] if fast else None) == (full[1] if full else None)


def test_large_alias_index_still_finds_exact_and_near_aliases(
    knowledge: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(entities, "LARGE_ALIAS_INDEX", 0)
    index = EntityIndex(knowledge)
    found = index.find(("greatermanchester",), frozenset({0}))
    assert [e.id for e in found] == ["greater-manchester"]


_CACHE: dict[str, EntityIndex] = {}


def _index() -> EntityIndex:
    if "index" not in _CACHE:
        _CACHE["index"] = Assistant.load(default_root()).matcher.entities
    return _CACHE["index"]
