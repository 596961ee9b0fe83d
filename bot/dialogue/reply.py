"""The answer the core gives for one message: text, source, buttons and how sure it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    """What kind of reply the core decided to give."""

    ANSWER = "answer"  # a fact from the page
    NOT_ON_PAGE = "not_on_page"  # in the domain, but the page is silent: said plainly
    CLARIFY = "clarify"  # a needed detail is missing: a question with choices
    FALLBACK = "fallback"  # not understood or off-topic: what the bot can answer instead
    SMALLTALK = "smalltalk"  # greetings, thanks, help
    SAFETY = "safety"  # the safety screen flagged the message: help at once, never stored


@dataclass(frozen=True, slots=True)
class Reply:
    """One reply. ``text`` is plain text (adapters escape it); the rest is metadata."""

    text: str
    intent: str
    outcome: Outcome
    confidence: float
    source: str | None = None
    suggestions: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    slots: dict[str, str] = field(default_factory=dict)
    normalised: str = ""
    runner_up: str | None = None
    runner_up_score: float = 0.0
    score: float = 0.0
    best_intent: str | None = None  # the best-scoring intent, even when not answered
    safety: str | None = None  # the group at risk when the safety screen flagged the message
    sensitive: bool = False  # may be a disclosure: its text is never stored or logged

    @property
    def buttons(self) -> tuple[str, ...]:
        """The texts to offer as buttons: clarification choices first, else suggestions."""
        return self.choices or self.suggestions
