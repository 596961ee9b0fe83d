"""Frames an answer by the question's form: "Yes." or "No — April 2013, not May." first.

A yes/no question or a claim is checked against the facts of the answer it gets, and only
where the check is unambiguous: an answer stating one date, or a list of bodies. Anywhere
else the answer is given as it is: a wrong "Yes" is worse than none.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.dialogue.reply import Outcome, Reply
from bot.lang.text import stem, tokens
from bot.lang.words import NEGATIONS, STOPWORDS
from bot.nlu.form import Assertion, Form, said_date
from bot.schema.knowledge import Knowledge

# A date as the answers write them: "July 2012", or a year alone.
_DATE_RE = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|"
    r"December)?\s*((?:19|20)\d\d)\b"
)
# A list: an answer naming at least this many bodies is the page's list of them, and
# settles membership both ways. An answer naming one body settles only a "No" for one
# other body asked about ("did Ofsted carry out the inspections?" of "HMIC conducted ...").
MIN_LISTED_BODIES = 3
SILENT_OPENING = "The page"
# Fewest content words a question must have for "every word is in the answer" to mean Yes.
MIN_ENTAILED_WORDS = 2
BEYOND_OPENING = "The page doesn't give that detail. It says only this:"


def states_a_date(text: str) -> bool:
    """Whether ``text`` gives a month and year ("April 2013")."""
    return any(found.group(1) for found in _DATE_RE.finditer(text))


def frame(
    reply: Reply,
    words: tuple[str, ...],
    form: Form,
    asserted: Assertion,
    *,
    bodies_asked: tuple[str, ...],
    knowledge: Knowledge,
    beyond: bool = False,
) -> Reply:
    """``reply`` with "Yes." or "No — ..." in front where the question's form asks for it.

    ``beyond``: the question asks for more detail than the page gives (the exact day, who
    led): the answer says so plainly, then what the page does say.
    """
    if beyond and reply.outcome is Outcome.ANSWER:
        return replace(
            reply,
            text=f"{BEYOND_OPENING} {reply.text}",
            outcome=Outcome.NOT_ON_PAGE,
        )
    if form is Form.OPEN:
        return reply
    if reply.outcome is Outcome.NOT_ON_PAGE:
        if reply.text.startswith(SILENT_OPENING):
            return reply
        return replace(reply, text=f"The page doesn't say. {reply.text}")
    if reply.outcome is not Outcome.ANSWER:
        return reply
    verdict = (
        _check_date(reply.text, asserted)
        or _check_membership(reply.text, bodies_asked, knowledge)
        or (None if asserted.any else _check_entailed(words, reply.text))
    )
    return replace(reply, text=f"{verdict} {reply.text}") if verdict else reply


def _check_date(text: str, asserted: Assertion) -> str | None:
    """ "Yes." or "No — <the date>, not <the asserted one>." for an answer with one date."""
    if not asserted.any:
        return None
    dates = {(m.group(1) or "", m.group(2)) for m in _DATE_RE.finditer(text)}
    if len(dates) > 1 and len(asserted.months) + len(asserted.years) > 2:
        # "october 2011 to march 2013, right?": a range, Yes when the answer gives both ends
        months = {m.lower() for m, _ in dates if m}
        years = {y for _, y in dates}
        both = asserted.months <= months and asserted.years <= years
        return "Yes." if both else None
    if len(dates) != 1:
        return None
    month, year = next(iter(dates))
    month_ok = not asserted.months or {month.lower()} == set(asserted.months)
    year_ok = not asserted.years or {year} == set(asserted.years)
    if month_ok and year_ok:
        return "Yes."
    stated = f"{month} {year}".strip()
    said = said_date(asserted.months, asserted.years)
    return f"No \u2014 {stated}, not {said}."


def _check_entailed(words: tuple[str, ...], text: str) -> str | None:
    """ "Yes." when every content word of the question is in the answer, and there are some.

    Conservative by design: one word the answer lacks ("announced" against "unannounced",
    a body it does not name) and there is no verdict.
    """
    content = {stem(w) for w in words if w not in STOPWORDS and not w.isdigit() and len(w) > 2}
    if len(content) < MIN_ENTAILED_WORDS:
        return None
    if any(w.isdigit() for w in words):
        return None  # a number the words do not check: "hmic inspected 4 forces"
    answer_words = tokens(text)
    said = {stem(w) for w in answer_words}
    if any(stem(f"un{w}") in said and stem(w) not in said for w in words):
        return "No."  # "were they announced?" of "unannounced inspections"
    if NEGATIONS & set(answer_words):
        return (
            None  # "neither inspection affected the findings": the words are there, the yes is not
        )
    return "Yes." if content <= said else None


def _check_membership(text: str, bodies_asked: tuple[str, ...], knowledge: Knowledge) -> str | None:
    """ "Yes." or "No." for a body asked about against a list of bodies in the answer."""
    if not bodies_asked:
        return None
    named = {b.id for b in knowledge.bodies if _names(text, b.abbreviation, b.page_name)}
    asked = set(bodies_asked)
    if len(named) >= MIN_LISTED_BODIES:
        return "Yes." if asked <= named else "No."
    if len(asked) == 1 and len(named) == 1 and asked != named:
        return "No."  # one body asked about, another one named as doing it
    return None


def _names(text: str, *names: str) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text) for n in names if n)


def compare(
    reply: Reply, words: tuple[str, ...], others: tuple[str, ...], names: frozenset[str]
) -> Reply:
    """ "Yes." or "No." for a yes/no question about one subject, by the words it uses.

    ``others`` are the answers to the same question about the other subjects. A content
    word of the question found only in this answer supports it; one found only in another
    answer contradicts it. Both, or neither: no verdict.
    """
    asked = {stem(w) for w in words if w not in STOPWORDS and w not in names and len(w) > 2}
    own = {stem(w) for w in tokens(reply.text)}
    elsewhere = {stem(w) for text in others for w in tokens(text)} - own
    supports = asked & (own - {stem(w) for text in others for w in tokens(text)})
    contradicts = asked & elsewhere
    if supports and not contradicts:
        verdict = "Yes."
    elif contradicts and not supports:
        verdict = "No."
    else:
        return reply
    return replace(reply, text=f"{verdict} {reply.text}")
