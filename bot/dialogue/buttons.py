"""Buttons: short, stable keys for the texts the bot offers as buttons, and the full list."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from functools import lru_cache

from bot.dialogue.answers import ANSWERS, Request
from bot.schema.intents import IntentSpec
from bot.schema.knowledge import Knowledge

KEY_PREFIX = "q"
# 6 bytes of BLAKE2b: 13 ASCII characters with the prefix, far inside Telegram's 64-byte
# callback_data, and no collision in any realistic set of button texts.
KEY_DIGEST_BYTES = 6


class ButtonCatalogue:
    """Maps each button text to a key derived from the text alone, so keys survive restarts."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self._texts: dict[str, str] = {}
        self._keys: dict[str, str] = {}  # text -> key, so a known text is hashed once
        self.add(texts)

    def add(self, texts: Iterable[str]) -> None:
        """Make ``texts`` known, so their keys resolve."""
        for text in texts:
            self.key(text)

    def key(self, text: str) -> str:
        """The key of ``text`` (and remember it)."""
        key = self._keys.get(text)
        if key is None:
            digest = hashlib.blake2b(text.encode("utf-8"), digest_size=KEY_DIGEST_BYTES).hexdigest()
            key = self._keys[text] = KEY_PREFIX + digest
            self._texts[key] = text
        return key

    def text(self, key: str) -> str | None:
        """The text of a key this catalogue issued, or None (forged or stale)."""
        return self._texts.get(key)


def all_button_texts(knowledge: Knowledge, intents: Mapping[str, IntentSpec]) -> list[str]:
    """Every button text the assistant can issue: choices, suggestions, help examples.

    Each distinct suggestion is expanded once for every force: the cost grows with
    suggestions + {force} templates x forces, not with intents x forces.
    """
    texts = dict.fromkeys(f.name for f in knowledge.forces)
    texts.update(dict.fromkeys(b.abbreviation for b in knowledge.bodies))
    for suggestion in dict.fromkeys(s for i in intents.values() for s in i.suggestions):
        if "{force}" not in suggestion:
            texts[suggestion] = None
            continue
        for force in knowledge.forces:
            texts[suggestion.replace("{force}", force.name)] = None
    help_spec = next((s for s in intents.values() if s.command == "help"), None)
    if help_spec is not None:
        help_suggestions = ANSWERS[help_spec.answer](knowledge, Request(help_spec)).suggestions
        texts.update(dict.fromkeys(help_suggestions or ()))
    return list(texts)


# Longest button label that narrow phone screens show whole.
MAX_LABEL_CHARS = 30
_PREPOSITIONS = (" at ", " for ", " on ", " about ", " of ", " in ")


@lru_cache(maxsize=4096)
def short_label(question: str, names: tuple[str, ...] = ()) -> str:
    """A button's label: the question without the subject the answer above already names.

    "What did inspectors find at Greater Manchester Police?" under an answer about that
    force is "What did inspectors find?". Pressing the button still asks the whole question.
    """
    label = question
    for name in sorted(names, key=len, reverse=True):
        for preposition in _PREPOSITIONS:
            label = label.replace(f"{preposition}{name}", "")
        label = label.replace(name, "it")  # "Why was Staffordshire Police chosen?"
    return label
