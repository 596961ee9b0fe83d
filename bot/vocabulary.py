"""The words the bot knows, and typo correction of unknown words onto them (rapidfuzz)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz, process

# Function words and chat filler: known, but carrying no meaning for matching.
STOPWORDS = frozenset(
    """
    a about above actually after again against all also am an and any anyone anything are
    around as at be been before being below between both but by can could did do does doing
    done down during each either else even ever every few for from further get gets getting
    go going gone got had has have having he her here hers herself him himself his how i if
    in into is it its itself just kind know let like likely lot lots made make many may maybe
    me might mine more most much must my myself need no nor not now of off often oh ok okay
    on once one only or other others our ours ourselves out over own please quite rather
    really said same say says see seem seems she should so some something sort still such
    sure tell than that the their theirs them themselves then there these they thing things
    think this those though through to too under until up upon us very via want wanted wants
    was way we well were what whatever when where whether which while who whom whose why will
    with within without would yes yeah yep you your yours yourself yourselves hi hello hey
    thanks thank cheers bye anyway basically exactly question questions wondering wonder
    wondered curious possibly perhaps kindly help could hoping hope hoped quick quickly
    again right alright great good nice cool lol haha hmm um uh er erm ah mate guys folks
    bot chatbot dear sir madam interested interesting understand understood explain
    explaining wanna gonna gotta dunno idk tbh btw fyi asap pls please ok k kk plus ask
    asking asked answer told tell telling know knowing knew look looking read reading find
    finding student students essay assignment dissertation project research researching
    journalist writing write piece article councillor officer work working job course uni
    university class homework mum dad friend someone people person
    """.split()
)


class Vocabulary:
    """Known words, with a cached typo corrector from unknown words to known ones."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(w for w in words if w) | STOPWORDS
        # Candidates for correction: real words, not digits or one-letter tokens.
        self._by_length: dict[int, list[str]] = {}
        for word in self.words:
            if len(word) >= 3 and not word.isdigit():
                self._by_length.setdefault(len(word), []).append(word)
        self.correct = lru_cache(maxsize=16384)(self._correct)

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def _correct(self, word: str) -> str | None:
        """The known word ``word`` most likely misspells, or None if there is none."""
        if word in self.words:
            return word
        if len(word) < 3 or word.isdigit() or not word.isascii():
            return None
        cutoff = _cutoff(len(word))
        candidates: list[str] = []
        for length in range(len(word) - 2, len(word) + 3):
            candidates.extend(self._by_length.get(length, ()))
        found = process.extract(
            word, candidates, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff, limit=4
        )
        if not found:
            return None
        best = max(found, key=lambda m: (m[1], m[0][0] == word[0], -abs(len(m[0]) - len(word))))
        return best[0]


def _cutoff(length: int) -> float:
    """How similar a misspelling must be: stricter for short words, where one edit is a lot."""
    if length <= 3:
        return 85.0  # "whn" -> "when", but "rat" never becomes "date"
    if length == 4:
        return 88.0  # one insertion only: "hmci" is not enough, "reprt" is
    if length <= 6:
        return 80.0  # "ofsted" <- "ofsteed", "pilto" -> "pilot"
    return 84.0  # "deffered" -> "deferred", "staffordsire" -> "staffordshire"
