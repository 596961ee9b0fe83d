"""The words the bot knows, and typo correction of unknown words onto them (rapidfuzz)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.lang.text import stem
from bot.lang.words import STOPWORDS


class Vocabulary:
    """Known words, with a cached typo corrector from unknown words to known ones.

    Among equally close words, ``names`` (words of forces' and bodies' names) win, then
    ``meaningful`` words (keywords), then words that only occur in the knowledge's prose:
    "repot" becomes "report", not "repeat".
    """

    def __init__(
        self,
        words: Iterable[str],
        meaningful: Iterable[str] = (),
        names: Iterable[str] = (),
        not_typos: Iterable[str] = (),
    ) -> None:
        self.words = frozenset(w for w in words if w) | STOPWORDS
        # ordinary words close to a known word, never corrected to it ("filing", "failing")
        self.not_typos = frozenset(not_typos)
        self.names = frozenset(names)  # words of entity names: "mercai" means "mercia"
        self.meaningful = frozenset(meaningful) | self.names
        # Candidates for correction: real words, not digits or one-letter tokens.
        # by (first letter or "", length): a large vocabulary looks for a typo only among
        # words that start the same, so an unknown word costs a scan of a few hundred words
        # (a typo in the first letter then goes uncorrected); a small one scans them all
        candidates = sorted(
            w for w in self.words | self.meaningful if len(w) >= 3 and not w.isdigit()
        )
        self._by_first_letter = len(candidates) > LARGE_VOCABULARY
        self._by_start: dict[tuple[str, int], list[str]] = {}
        for word in candidates:
            self._by_start.setdefault((self._bucket(word), len(word)), []).append(word)
        self.words |= self.meaningful
        # "consulting" is no typo when "consult" is known: it is left alone, not turned
        # into "conducting"
        self.stems = frozenset(stem(w) for w in self.words)
        self._name_stems = {stem(w): w for w in sorted(self.names, key=len, reverse=True)}
        self.correct = lru_cache(maxsize=16384)(self._correct)

    def _bucket(self, word: str) -> str:
        return word[0] if self._by_first_letter else ""

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def _correct(self, word: str) -> str | None:
        """The known word ``word`` most likely misspells, or None if there is none."""
        if word in self.words:
            return word
        if len(word) < 3 or word.isdigit() or not word.isascii() or word in self.not_typos:
            return None
        named = self._name_stems.get(stem(word))
        if named is not None:
            return named  # "staffordshir" is "staffordshire", not a word of its own
        if stem(word) in self.stems:
            return word
        for spoken, written in _SOUNDS_LIKE:
            # "consultashun", "inspecshuns": spelt as said
            if spoken in word:
                respelt = word.replace(spoken, written)
                if respelt in self.words:
                    return respelt
        edits = max_edits(len(word))
        candidates: list[str] = []
        for length in range(len(word) - edits, len(word) + edits + 1):
            candidates.extend(self._by_start.get((self._bucket(word), length), ()))
        found = process.extract(
            word, candidates, scorer=OSA.distance, processor=None, score_cutoff=edits, limit=8
        )
        if len(word) <= SHORT_WORD:
            # a short word is only corrected for swapped letters after its first: "hmci",
            # "waht" ("won" is no "own")
            found = [m for m in found if sorted(m[0]) == sorted(word) and m[0][0] == word[0]]
        elif len(word) <= MAX_SUBSTITUTION_FREE:
            # nor is a mid-length word turned into another by one changed letter ("pivot"
            # is not "pilot", "prime" is not "price"); letters added, dropped or swapped
            # are fine ("ofsteed", "pilto")
            found = [m for m in found if len(m[0]) != len(word) or sorted(m[0]) == sorted(word)]
        # two edits are allowed in long words only if the first letter is right:
        # "staffordsire" -> "staffordshire", but "referrals" never becomes "deferral"
        found = [m for m in found if m[1] < 2 or m[0][0] == word[0]]
        # nor is a word's ending changed for another ("reactive" is no "reaction")
        found = [m for m in found if m[1] < 2 or len(m[0]) != len(word) or m[0][-2:] == word[-2:]]
        # nor is a letter added or dropped at the front: "election" is no "selection"
        found = [m for m in found if m[0][0] == word[0] or len(m[0]) == len(word)]
        if not found:
            return None
        best = min(
            found,
            key=lambda m: (
                m[1],
                m[0][0] != word[0],
                m[0] not in self.names,
                m[0] not in self.meaningful,
                -fuzz.ratio(word, m[0]),
                m[0],
            ),
        )
        return best[0]


# Endings spelt as they sound, tried before any fuzzy correction.
_SOUNDS_LIKE = (("shun", "tion"), ("shon", "tion"), ("cshun", "ction"), ("zhun", "sion"))

# Known words past which typo correction looks only among words with the same first
# letter: today's knowledge has about 2,000; a knowledge base 100 times larger would make
# every unknown word a scan of all of them (benchmarks/scale.py).
LARGE_VOCABULARY = 20_000
# Words this short are corrected only when two letters are swapped: any other single edit
# turns one real word into another ("join" -> "joint", "rate" -> "date").
SHORT_WORD = 4


# Words up to this long are not corrected for one changed letter (see _correct).
MAX_SUBSTITUTION_FREE = 7


def max_edits(length: int) -> int:
    """Edits (OSA distance: insert, delete, substitute, swap) allowed for a word this long."""
    if length <= SHORT_WORD:
        return 1
    if length <= 7:
        return 1  # "ofsteed" -> "ofsted", "pilto" -> "pilot"; "apply" never becomes "happy"
    return 2  # "deffered" -> "deferred", "staffordsire" -> "staffordshire"
