"""Normalisation's fast path against the full one, on generated text (hypothesis: slow tier)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.lang.text import _plain_tokens, _tokens_full

pytestmark = pytest.mark.slow  # hypothesis: hundreds of generated messages


PLAIN_WORDS = st.sampled_from(
    [
        "im",
        "dont",
        "u",
        "r",
        "ten",
        "twelve",
        "one",
        "why",
        "was",
        "gmp",
        "2012",
        "whats",
        "staffs",
        "report",
        "la",
        "b4",
        "cops",
        "x",
        "a1",
        "12",
    ]
)


@given(st.lists(PLAIN_WORDS, min_size=1, max_size=8))
def test_the_plain_fast_path_equals_the_full_normalisation(words: list[str]) -> None:
    text = " ".join(words)
    assert _plain_tokens(text) == _tokens_full(text)
