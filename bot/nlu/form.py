"""The form of a question: open, yes/no, or a claim to confirm; and the values it asserts.

Pure functions of the normalised words, shared by every subject and attribute: "was the
consultation in July?" and "the West Mercia report came out in May 2013, didn't it?" are
read the same way whatever they are about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.lang.text import says, spellings_of
from bot.lang.words import (
    AUXILIARIES,
    CHANGE_VERBS,
    CLAIM_OPENERS,
    CLAIM_TAGS,
    DEFINITE,
    DENIAL_ENDS,
    DENIAL_REACH,
    DENIALS,
    DOCUMENT_NOUNS,
    HOW_TO,
    HOW_TO_PAGE,
    INTERJECTIONS,
    LEADING_FILLER,
    LEADING_PREPOSITIONS,
    MAX_LEADING_WORDS,
    MAX_OR_OTHERS_WORDS,
    MIN_STATEMENT_WORDS,
    MONTH_NAMES,
    MONTHS,
    OR_OTHERS,
    QUESTION_WORDS,
    RELAYED,
    REQUESTS,
    SAYING_VERBS,
    STATEMENT_VERBS,
    TAG_PRONOUNS,
    WENT_AHEAD,
    WHAT_ABOUT,
)

_TAGS = frozenset(CLAIM_TAGS)
# "..., or what?", "..., or not?": a yes/no question's ending, not a choice between two
_OR_TAGS = frozenset({("or", "what"), ("or", "not"), ("or", "no"), ("or", "nah")})
_OPENERS = frozenset(CLAIM_OPENERS)
# Years a question may assert about this page's events.
FIRST_YEAR, LAST_YEAR = 2000, 2030


class Form(StrEnum):
    """How a question wants its answer framed."""

    OPEN = "open"  # what, when, why ...: the fact itself
    YES_NO = "yes_no"  # "did HMI Probation take part?": Yes or No first
    CLAIM = "claim"  # "it was May, wasn't it?": confirm or correct


@dataclass(frozen=True, slots=True)
class Assertion:
    """Values a yes/no question or claim asserts, to be checked against the facts."""

    months: frozenset[str] = frozenset()
    years: frozenset[str] = frozenset()

    @property
    def any(self) -> bool:
        """Whether anything checkable is asserted."""
        return bool(self.months or self.years)


def question_form(words: tuple[str, ...], *, marked: bool = False) -> Form:
    """The form of a question from its normalised words; ``marked``: typed with a question
    mark, which makes a statement a yes/no question ("so older reports say hmic?")."""
    if words[-2:] in _OR_TAGS and len(words) > 2:
        words = words[:-2]  # "did they do one combined inspection or what": yes or no
    if words[-3:] == ("or", "vice", "versa") and len(words) > 3:
        words = words[:-3]  # "did ofsted's change hmic's findings or vice versa": yes or no
    words = _without_or_others(words)
    words = _without_all_fine(words)
    words = _introduced(_relative_why(words))
    if not words or "or" in words:
        return Form.OPEN  # "november or december?" asks for a choice, not a yes or no
    if words[-1] in QUESTION_WORDS and len(words) > 1:
        return Form.OPEN  # "in rochdale the kids were protected from what", "by who?"
    if _marked_claim(words) or _states_then_relates(without_filler(words)):
        return Form.CLAIM
    start = len(words) - len(without_filler(words))
    if words[start : start + 2] in WHAT_ABOUT and len(words) > start + 2:
        # "what about herefordshire, same time there too?": the words after it decide
        start += 2
        if words[-1:] == ("too",) or words[-2:] == ("as", "well"):
            return Form.YES_NO
    first = words[start]
    if first in QUESTION_WORDS:
        return Form.OPEN
    if first in AUXILIARIES:
        # "could you tell me ...", "would you explain ...": a request, not a yes/no question
        following = words[start + 1] if start + 1 < len(words) else ""
        return Form.OPEN if following == "you" else Form.YES_NO
    rest = words[start:]
    if first in LEADING_PREPOSITIONS:
        for at, word in enumerate(rest[1 : MAX_LEADING_WORDS + 1], start=1):
            if word in QUESTION_WORDS:
                break
            if word in AUXILIARIES and rest[at - 1] not in TAG_PRONOUNS:
                # "in staffordshire did hmic ... at the same time?" (not "for a piece i am
                # filing tonight": a pronoun before it is statement order)
                return Form.YES_NO
    if (
        len(rest) >= MIN_STATEMENT_WORDS
        and first not in REQUESTS
        and not QUESTION_WORDS.intersection(rest)
        and (STATEMENT_VERBS.intersection(rest[1:]) or says(rest, WENT_AHEAD))
        and not _asks_the_bot(rest)
    ):
        return Form.CLAIM  # "staffs was only chosen cos it was a failing force"
    if (
        marked
        and len(rest) >= MIN_STATEMENT_WORDS
        and not QUESTION_WORDS.intersection(rest)
        and (STATEMENT_VERBS | SAYING_VERBS).intersection(rest)
    ):
        return Form.YES_NO  # "so reports before then say hmic?"; not "headline finding?"
    return Form.OPEN


def _without_all_fine(words: tuple[str, ...]) -> tuple[str, ...]:
    """The words without a closing "or was it all fine" ("was there stuff that needed
    improving or was it all rosy"): the other side of a yes or no, not a choice of values."""
    if "or" not in words:
        return words
    at = len(words) - 1 - words[::-1].index("or")
    tail = words[at + 1 :]
    if at > 1 and 1 < len(tail) <= MAX_ALL_FINE_WORDS and tail[-1] in ALL_FINE:
        return words[:at]
    return words


# The last word of "or was it all fine"-like endings, and how long such an ending may be.
ALL_FINE = frozenset({"fine", "rosy", "perfect", "ok", "okay", "good", "great", "well", "grand"})
MAX_ALL_FINE_WORDS = 5


def _relative_why(words: tuple[str, ...]) -> tuple[str, ...]:
    """The words with a "why" that only relates ("that's why", "which is why") read as
    "because": "west mercia is a rural force, that's why they were chosen" asks nothing."""
    return tuple(
        "because" if w == "why" and words[max(i - 2, 0) : i] in _RELATIVE_WHY else w
        for i, w in enumerate(words)
    )


_RELATIVE_WHY = frozenset({("that", "is"), ("which", "is"), ("this", "is")})


def _without_or_others(words: tuple[str, ...]) -> tuple[str, ...]:
    """The words before "or were others in on it too", "or anyone else": a yes/no
    question's ending that offers no choice ("was it just ofsted doing the consultation or
    were others in on it too")."""
    if "or" not in words:
        return words
    at = len(words) - 1 - words[::-1].index("or")
    tail = words[at + 1 :]
    if at > 0 and 0 < len(tail) <= MAX_OR_OTHERS_WORDS and OR_OTHERS.intersection(tail):
        return words[:at]
    return words


def _introduced(words: tuple[str, ...]) -> tuple[str, ...]:
    """The words after the asker says who they are, when a question follows: "i am a
    herefordshire cllr was the hmic inspection independent ..." asks "was the ..."."""
    return words[_introduction_end(words) :]


def _introduction_end(words: tuple[str, ...]) -> int:
    """Where the question starts after the asker says who they are ("i am a councillor in
    hereford, was our council ..." -> at "was"); 0 when it does not."""
    if words[:3] not in _INTRODUCTIONS:
        return 0
    for at in range(4, min(len(words) - 1, 3 + MAX_INTRODUCTION_WORDS + 2)):
        if words[at] in AUXILIARIES or words[at] in QUESTION_WORDS:
            return at
    return 0


_INTRODUCTIONS = frozenset({("i", "am", "a"), ("i", "am", "an")})
# How many words may say who the asker is ("a herefordshire cllr", "a councillor in
# hereford") before the question.
MAX_INTRODUCTION_WORDS = 3


def _states_then_relates(words: tuple[str, ...]) -> bool:
    """Whether a statement comes first and a question word only opens a clause after it:
    "it was 2014 right when hmic did these inspections", "hmic changed its name in 2015
    when it took over fire services" (not "gmp was inspected where exactly")."""
    if not words or words[0] in QUESTION_WORDS or words[0] in AUXILIARIES:
        return False
    if words[0] in REQUESTS:
        return False
    at = next((i for i, w in enumerate(words) if w in QUESTION_WORDS), None)
    if at is None or at < MIN_STATEMENT_WORDS - 1 or len(words) - at - 1 < RELATIVE_CLAUSE_WORDS:
        return False
    # only "when" then a clause in statement order ("when it took over", not "when was it";
    # "in which council area" asks)
    if words[at + 1] in AUXILIARIES:
        return False
    if words[at] == "who" and not words[at + 1].endswith("ed"):
        return False  # "it was hmic who deferred them", not "who was it"
    if words[at] == "how" and words[at + 1] in ("many", "much", "long", "often"):
        return False
    if words[at] == "what" and words[at - 1] in CHANGE_VERBS:
        return not _asks_the_bot(words[:at])  # "the police inspection changed what ofsted found"
    if words[at] not in ("when", "who", "how"):
        return False  # ("unhappy with how kids in rochdale were protected")
    return bool(STATEMENT_VERBS.intersection(words[1:at])) and not _asks_the_bot(words[:at])


# Words a clause after a question word needs for the word to be relative, not a question.
RELATIVE_CLAUSE_WORDS = 2


def _asks_the_bot(words: tuple[str, ...]) -> bool:
    """Whether a request to the bot comes after an opening ("journalist - can you confirm
    the month ..."): an auxiliary then "you"."""
    return any(words[i] in AUXILIARIES and words[i + 1] == "you" for i in range(len(words) - 1))


def is_statement(words: tuple[str, ...]) -> bool:
    """Whether the words state something without asking ("hmic inspected staffs in
    staffordshire, gmp in rochdale"): a claim with no tag or opener to confirm it."""
    return question_form(words) is Form.CLAIM and not _marked_claim(words)


def _marked_claim(words: tuple[str, ...]) -> bool:
    """Whether a question tag or a claim's opener marks the words as a claim to confirm
    ("..., right?", "i heard ...", "my mate reckons ...")."""
    if _tagged(words):
        return True
    asks = [
        i
        for i, w in enumerate(words)
        if w in QUESTION_WORDS
        and not (i > 0 and words[i - 1] in CHANGE_VERBS)
        and words[max(0, i - 2) : i] != ("because", "of")  # "because of what ofsted found"
    ]
    if (
        words[:1] in (("my",), ("a",), ("someone",))
        and RELAYED.intersection(words[1:4])
        and not asks
    ):
        return True  # "my mate reckons ...", "a colleague told me ..." (asking nothing after)
    return any(
        (len(words) > size and words[-size:] in _TAGS) or words[:size] in _OPENERS
        for size in (1, 2, 3, 4, 5)
    )


def _tagged(words: tuple[str, ...]) -> bool:
    """Whether the words end in a question tag: "did not it", "do not they", "is not there"."""
    return (
        len(words) > 3
        and words[-3] in AUXILIARIES
        and words[-2] == "not"
        and words[-1] in TAG_PRONOUNS
    )


def asks_how_to(words: tuple[str, ...]) -> bool:
    """Whether the words ask for instructions ("how do i join west mercia police", "how to
    get a pilot licence") rather than about the page ("how do i cite the report", "how can
    i find out when it was published")."""
    words = without_filler(words)
    for size in (2, 3):
        if words[:size] in HOW_TO:
            rest = words[size:]
            if rest[:1] == ("report",):
                return True  # "how do i report something to the police": the verb, no page
            return bool(rest) and not _about_the_page(rest) and QUESTION_WORDS.isdisjoint(rest)
    return False


def _about_the_page(words: tuple[str, ...]) -> bool:
    """Whether a request for instructions is about the page's documents: "cite the report",
    "read them", not "write a good lab report" (a report, not the one the page names)."""
    for i, word in enumerate(words):
        if word not in HOW_TO_PAGE:
            continue
        if word not in DOCUMENT_NOUNS or DEFINITE.intersection(words[max(0, i - 2) : i]):
            return True
    return False


# Where one message asks a second question: after a question mark, or at "and" (or a comma)
# before a question word or a yes/no opening ("and were they ..."), with at most one softener
# between ("..., and roughly when?").
def _either(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_SOFTENERS = "roughly|also|then|so|exactly|approximately|about"
_ASKING = _either(spellings_of(QUESTION_WORDS))  # "when", and "wen" as typed
_AND = _either(spellings_of({"and"}) | {"&"})
_YES_NO = "(?:was|were|did|is|are|has|have|had|does|do) (?:the|it|they|there|he|she|its)"
_SECOND_QUESTION = re.compile(
    rf"\?+\s*|[,;]?\s+(?:{_AND})\s+(?=(?:(?:{_SOFTENERS})\s+)?(?:{_ASKING}|{_YES_NO})\b)",
    re.IGNORECASE,
)
# Fewest words the first of two questions needs: "when and where were they" is one question.
MIN_FIRST_QUESTION_WORDS = 3


def question_parts(text: str) -> tuple[str, ...]:
    """The questions one message asks, in order: "which force was it and roughly when?" is
    "which force was it" then "roughly when". One part when it asks one."""
    parts = [p.strip(" ,;") for p in _SECOND_QUESTION.split(text)]
    parts = [p for p in parts if p]
    # "... part of the consultation?? really": an interjection is the last question's tag
    for i in range(len(parts) - 1, 0, -1):
        if all(w in INTERJECTIONS for w in re.findall(r"[a-z']+", parts[i].lower())):
            parts[i - 1] = f"{parts[i - 1]} {parts.pop(i)}"
    if len(parts) < 2 or len(parts[0].split()) < MIN_FIRST_QUESTION_WORDS:
        return (text,)
    return tuple(parts)


def without_filler(words: tuple[str, ...]) -> tuple[str, ...]:
    """The words without leading "and", "so", "ok" ... ("and how many?" -> "how many")."""
    start = 0
    while start < len(words) - 1 and words[start] in LEADING_FILLER:
        start += 1
    return words[start:]


def assertion(words: tuple[str, ...]) -> Assertion:
    """The months and years the words name."""
    months = frozenset(w for w in words if w in MONTHS)
    years = frozenset(
        w for w in words if w.isascii() and w.isdigit() and FIRST_YEAR <= int(w) <= LAST_YEAR
    )
    return Assertion(months, years)


def chronological(date: str) -> tuple[int, int]:
    """ "April 2013" -> (2013, 4), for ordering; a date without a month sorts first, and
    text that is no date is (0, 0)."""
    month, _, year = date.lower().rpartition(" ")
    number = MONTH_NAMES.index(month) + 1 if month in MONTH_NAMES else 0
    return (int(year) if year.isascii() and year.isdigit() else 0, number)


def said_date(months: frozenset[str], years: frozenset[str]) -> str:
    """The date a question asserts, as an answer writes it: "October 2012", "2014"."""
    return " ".join([*(m.capitalize() for m in sorted(months)), *sorted(years)])


def denied(words: tuple[str, ...]) -> frozenset[int]:
    """Where the words deny a value: up to DENIAL_REACH words after "not" (unless the "not"
    belongs to a verb or a question tag), "rather than", "instead of" ..."""
    out: set[int] = set()
    for start in range(1, len(words)):
        for denial in DENIALS:
            if words[start : start + len(denial)] != denial:
                continue
            before = words[start - 1]
            if denial == ("not",) and (before in AUXILIARIES or before in TAG_PRONOUNS):
                continue  # "was it not rochdale", "wasn't it"
            for i in range(
                start + len(denial), min(len(words), start + len(denial) + DENIAL_REACH)
            ):
                if words[i] in DENIAL_ENDS:
                    break
                out.add(i)
    return frozenset(out)
