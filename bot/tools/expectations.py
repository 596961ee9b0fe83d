"""Judges a reply against a content label (expect, about, must_say), as blind sets write them.

Intent labels tie a set to today's intent names; these labels say what a person needs
from the reply: the fact stated, "Yes"/"No" first, the page's silence said plainly, or a
polite refusal. Written so that any version of the bot can be judged the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

# What a turn may expect.
ANSWER = "answer"
YES = "yes"
NO = "no"
PAGE_SILENT = "page_silent"
NOT_COVERED = "not_covered"
OFF_TOPIC = "off_topic"
SMALL_TALK = "small_talk"
CLARIFY = "clarify"
EXPECTATIONS = (ANSWER, YES, NO, PAGE_SILENT, NOT_COVERED, OFF_TOPIC, SMALL_TALK, CLARIFY)

# Reply outcomes (bot.dialogue.reply.Outcome values), as text so any version can be judged.
_FACTS = frozenset({"answer", "not_on_page"})
_DECLINED = frozenset({"fallback", "not_on_page"})
# How a reply says the page is silent.
_SILENT_RE = re.compile(
    r"\b(does not|doesn't|do not|don't|not) (say|give|name|cover|mention|state|record)"
)
_PLAIN = str.maketrans("\u2019\u2018\u201c\u201d\u2013\u2014", "''\"\"--")
_NUMBERS = {"10": "ten", "3": "three", "5": "five", "2": "two", "4": "four"}


class Judged(Protocol):
    """What the judge reads of a reply."""

    @property
    def text(self) -> str: ...

    @property
    def slots(self) -> Mapping[str, str]: ...


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a reply meets its label, and if not, why."""

    ok: bool
    why: str = ""
    wrong_subject: bool = False
    # "Yes" where the label says no, or "No" where it says yes: a wrong answer, not a miss
    flipped: bool = False


def fold(text: str) -> str:
    """Lower-case words separated by single spaces; curly quotes and dashes made plain."""
    text = text.lower().translate(_PLAIN)
    words = re.findall(r"[a-z0-9&']+", text)
    return " ".join(_NUMBERS.get(w, w) for w in words)


def judge(
    reply: Judged,
    outcome: str,
    expect: str,
    about: str | None = None,
    must_say: Sequence[str] = (),
) -> Verdict:
    """Judge one reply (``outcome`` is the Outcome's value) against its label."""
    forces = {f for f in reply.slots.get("force", "").split(",") if f}
    if about and outcome in _FACTS and forces and forces != {about}:
        return Verdict(False, f"about {sorted(forces)}, not {about}", wrong_subject=True)
    text = fold(reply.text)
    missing = [p for p in must_say if fold(p) not in text]
    if expect == ANSWER:
        if outcome != "answer":
            return Verdict(False, f"{outcome}, not an answer")
    elif expect in (YES, NO):
        if not text.startswith(expect):
            opposite = NO if expect == YES else YES
            flipped = text.startswith(opposite)
            return Verdict(False, f"does not start {expect.capitalize()}", flipped=flipped)
    elif expect == PAGE_SILENT:
        if outcome != "not_on_page" and not _SILENT_RE.search(text):
            return Verdict(False, f"{outcome}, without saying the page is silent")
    elif expect in (NOT_COVERED, OFF_TOPIC):
        return Verdict(outcome in _DECLINED, "" if outcome in _DECLINED else f"{outcome}")
    elif expect == SMALL_TALK:
        return Verdict(outcome == "smalltalk", "" if outcome == "smalltalk" else outcome)
    elif expect == CLARIFY:
        return Verdict(outcome == "clarify", "" if outcome == "clarify" else outcome)
    else:
        return Verdict(False, f"unknown expectation {expect!r}")
    if missing:
        return Verdict(False, f"does not say {', '.join(repr(m) for m in missing)}")
    return Verdict(True)
