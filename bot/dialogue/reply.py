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


class Rule(StrEnum):
    """The policy rule that produced a reply: the first part of its trace."""

    SAFETY = "the safety screen flagged the message"
    IN_PARTS = "the message asks several questions: each answered in turn"
    EMPTY = "the message has no words to match"
    BARE_ENTITY = "only an entity and filler words: it continues the last question"
    OVERVIEW = "only an entity and filler words, with nothing to continue: an overview"
    BODY_ASKED = "an open question naming one body and nothing else it asks: the body's part"
    CHOICE_BY_POSITION = "picks a clarification choice by position"
    PENDING_FILLED = "names what the pending clarifying question asked for"
    OTHER_FORCES = "asks the last question about the other forces"
    TIMELINE = "moves along the page's timeline from the last answer"
    MORE = "asks for more: all the page says of the force just talked about, or what follows"
    NOT_COVERED = "raises a subject the page does not cover"
    HOW_TO = "asks how to do something: the page is a record, not instructions"
    SMALL_TALK = "small talk"
    TOO_WEAK = "no intent scored enough to answer"
    QUOTED = "quotes the page and asks which force: the forces of the sentences it quotes"
    PLACE_PICKS = "two forces offered, and a town of one of them: that force, by its area"
    FORCE_DESCRIBED = "names one force and words describing it: what the page says in them"
    PAGE_SENTENCE = "no intent scored enough, but one sentence of the page matches the question"
    OTHER_FORCE = "names a force the page does not cover"
    OTHER_BODY = "asks about an organisation the page does not name"
    FORCE_FOLLOW_UP = "a force named with this intent asks for its follow-up intent"
    FORCE_TOPIC = "asks a force's fact, when the best intent is a topic without a force"
    BEST_INTENT = "the best-scoring intent"
    CLARIFY = "the intent needs a force or body and none is known: asks which"
    NOTHING_ON_PAGE = "the intent scored enough, but the page has nothing for this question"
    COMMAND = "a bot command"
    FACT = "a fact record answers the question's subject and attribute"
    FACT_CHECK = "a yes/no question or claim checked against a fact record's typed value"
    FACT_SILENT = "the page is silent on the subject's attribute asked about"
    FACT_FOLLOW_UP = "an elliptical follow-up: the last fact question, about a new subject"


@dataclass(frozen=True, slots=True)
class Evidence:
    """A term that counted towards the chosen intent, with its weight (negative: against)."""

    term: str
    weight: float


@dataclass(frozen=True, slots=True)
class Trace:
    """How the reply was decided, kept apart from the answer: explain and eval format it."""

    rule: Rule | None = None
    normalised: str = ""
    best_intent: str | None = None  # the best-scoring intent, even when not answered
    score: float = 0.0
    runner_up: str | None = None
    runner_up_score: float = 0.0
    evidence: tuple[Evidence, ...] = ()
    missing_slot: str | None = None  # the slot whose absence was penalised, if any
    # the message as typed: only for the question log to mask (bot/storage/redact.py)
    typed: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    """One reply. ``text`` is plain text (adapters escape it); the rest is metadata."""

    text: str
    intent: str
    outcome: Outcome
    confidence: float
    source: str | None = None  # the citation, on answers from the page only
    source_url: str | None = None  # the page's address, when knowledge/source.yaml gives it
    suggestions: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    slots: dict[str, str] = field(default_factory=dict)
    safety: str | None = None  # the group at risk when the safety screen flagged the message
    sensitive: bool = False  # may be a disclosure: its text is never stored or logged
    trace: Trace = field(default_factory=Trace)
    # a button's short label where it differs from its question (the answer names the subject)
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, button: str) -> str:
        """What a button shows: its short label, else the question it asks."""
        return self.labels.get(button, button)

    @property
    def buttons(self) -> tuple[str, ...]:
        """The texts to offer as buttons: clarification choices first, else suggestions."""
        return self.choices or self.suggestions
