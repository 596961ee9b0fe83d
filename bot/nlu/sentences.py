"""The page's sentences as a last resort: the one whose words best match a question.

Word overlap weighted by how rare each word is on the page (a word in every sentence says
nothing), tolerant of typos through the matcher's corrected words. Pure after building.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from bot.lang.text import stem, tokens
from bot.lang.words import STOPWORDS
from bot.schema.knowledge import PageSentence
from bot.tuning import TUNING


@dataclass(frozen=True, slots=True)
class Found:
    """The best sentence for a question, and how much of the question it covers."""

    sentence: PageSentence
    coverage: float  # share of the question's word weight found in the sentence
    matched: int  # content words of the question found in it


def content_stems(words: tuple[str, ...]) -> list[str]:
    """The stems of the words that carry meaning."""
    return [stem(w) for w in words if w not in STOPWORDS and len(w) > 1]


class SentenceIndex:
    """Finds the page sentence that answers a question no fact record does."""

    def __init__(self, sentences: tuple[PageSentence, ...]) -> None:
        self.sentences = sentences
        self._stems = [frozenset(content_stems(tokens(s.text))) for s in sentences]
        size = TUNING.min_quoted_words
        self._runs = [
            frozenset(t[i : i + size] for i in range(len(t) - size + 1))
            for t in (tokens(s.text) for s in sentences)
        ]
        counts = Counter(w for stems in self._stems for w in stems)
        total = max(len(sentences), 1)
        self._idf = {w: math.log((total + 1) / (n + 0.5)) for w, n in counts.items()}
        self._unseen = math.log(total + 1)  # a word the page never uses

    def quoted(self, words: tuple[str, ...]) -> tuple[PageSentence, ...]:
        """The sentences a question quotes: a run of at least TUNING.min_quoted_words of its
        words, in order, as the sentence has them ("each authority responsible for
        individual child protection arrangements - which forces?")."""
        size = TUNING.min_quoted_words
        asked = {words[i : i + size] for i in range(len(words) - size + 1)}
        if not asked:
            return ()
        return tuple(
            sentence
            for sentence, runs in zip(self.sentences, self._runs, strict=True)
            if asked & runs
        )

    def best(
        self,
        words: tuple[str, ...],
        forces: tuple[str, ...] = (),
        names: frozenset[str] = frozenset(),
    ) -> Found | None:
        """The sentence covering the question best, if it covers enough; never one about a
        force other than the ``forces`` the question names.

        ``names`` are the words of the forces and bodies the question names: they choose
        among sentences but are not evidence that a sentence answers the question.
        """
        asked = set(content_stems(tuple(w for w in words if w not in names)))
        if not asked:
            return None
        weight = {w: self._idf.get(w, self._unseen) for w in asked}
        total = sum(weight.values())
        ranked: list[tuple[float, int, int]] = []
        for index, stems in enumerate(self._stems):
            subject = self.sentences[index].subject
            if forces and subject is not None and subject not in forces:
                continue
            found = asked & stems
            ranked.append((sum(weight[w] for w in found) / total, len(found), index))
        if not ranked:
            return None
        ranked.sort(reverse=True)
        coverage, matched, index = ranked[0]
        if coverage < TUNING.sentence_min_coverage or matched < TUNING.sentence_min_words:
            return None
        close = [i for c, _, i in ranked if coverage - c < TUNING.sentence_margin]
        subjects = {self.sentences[i].subject for i in close}
        if len(subjects - {None}) > 1:
            return None  # as close for two forces: which one is not the bot's to guess
        general = [i for i in close if self.sentences[i].subject is None]
        chosen = min(general) if general else index
        return Found(self.sentences[chosen], coverage, matched)
