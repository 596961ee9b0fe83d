"""The words the bot knows, and typo correction of unknown words onto them (rapidfuzz)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.lang.text import stem

# Function words and chat filler: known, but carrying no meaning for matching.
STOPWORDS = frozenset(
    """
    a about above actually after again against all also am an and any anyone anything
    are around as at be been before being below between both but by can could did do
    does doing done down during each either else even ever every few for from further
    get gets getting go going gone got had has have having he her here hers herself him
    himself his how i if in into is it its itself just kind know let like likely lot
    lots made make many may maybe me might mine more most much must my myself need no
    nor not now of off often oh ok okay on once one only or other others our ours
    ourselves out over own please quite rather really said same say says see seem seems
    she should so some something sort still such sure tell than that the their theirs
    them themselves then there these they thing things think this those though through
    to too under until up upon us very via want wanted wants was way we well were what
    whatever when where whether which while who whom whose why will with within without
    would yes yeah yep you your yours yourself yourselves hi hello hey thanks thank
    cheers bye anyway basically exactly question questions wondering wonder wondered
    curious possibly perhaps kindly help could hoping hope hoped quick quickly again
    right alright great good nice cool lol haha hmm um uh er erm ah mate guys folks bot
    chatbot dear sir madam interested interesting understand understood explain
    explaining wanna gonna gotta dunno idk tbh btw fyi asap pls please ok k kk plus ask
    asking asked answer told tell telling know knowing knew look looking read reading
    find finding student students essay assignment dissertation project research
    researching journalist writing write piece article councillor officer work working
    job course uni university class homework mum dad friend someone people person
    grateful greatly enlighten confused confusing recall remember served serve regard
    regards respect view opinion day today summer winter spring autumn deadline confirm
    clarify kindly sorry apologies excuse pardon wondered wondering anybody somebody
    everyone everybody tho though nah yeah ya ye hmm okey oki alright fine simply simple
    short shortly brief briefly quite bit little whole entire story again back yet
    already also however therefore thus hence etc might must shall may ought matter
    matters mattered important importance relevant significant
    stuff thingy thing things whatever kinda sorta heard hear hears seen saw see sees
    said say says tell told go goes went gone come comes came give gave given take took
    taken put keep kept mean meant show showed shown try tried use used call called
    happen happened let leave left feel felt seem seemed become became bring brought
    begin began run ran hold held stand stood turn turned live lived believe believed
    never always sometimes usually already soon later early earlier late long short
    new old big small high low good bad best worst better worse first last next
    previous other another same different own real true false sure clear
    """.split()  # noqa: SIM905
)


class Vocabulary:
    """Known words, with a cached typo corrector from unknown words to known ones.

    Among equally close words, ``names`` (words of forces' and bodies' names) win, then
    ``meaningful`` words (keywords), then words that only occur in the knowledge's prose:
    "repot" becomes "report", not "repeat".
    """

    def __init__(
        self, words: Iterable[str], meaningful: Iterable[str] = (), names: Iterable[str] = ()
    ) -> None:
        self.words = frozenset(w for w in words if w) | STOPWORDS
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
        self.correct = lru_cache(maxsize=16384)(self._correct)

    def _bucket(self, word: str) -> str:
        return word[0] if self._by_first_letter else ""

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def _correct(self, word: str) -> str | None:
        """The known word ``word`` most likely misspells, or None if there is none."""
        if word in self.words:
            return word
        if len(word) < 3 or word.isdigit() or not word.isascii():
            return None
        if stem(word) in self.stems:
            return word
        edits = max_edits(len(word))
        candidates: list[str] = []
        for length in range(len(word) - edits, len(word) + edits + 1):
            candidates.extend(self._by_start.get((self._bucket(word), length), ()))
        found = process.extract(
            word, candidates, scorer=OSA.distance, processor=None, score_cutoff=edits, limit=8
        )
        if len(word) <= SHORT_WORD:
            # a short word is only corrected for swapped letters: "hmci", "waht"
            found = [m for m in found if sorted(m[0]) == sorted(word)]
        elif len(word) <= MAX_SUBSTITUTION_FREE:
            # nor is a mid-length word turned into another by one changed letter ("pivot"
            # is not "pilot", "prime" is not "price"); letters added, dropped or swapped
            # are fine ("ofsteed", "pilto")
            found = [m for m in found if len(m[0]) != len(word) or sorted(m[0]) == sorted(word)]
        # two edits are allowed in long words only if the first letter is right:
        # "staffordsire" -> "staffordshire", but "referrals" never becomes "deferral"
        found = [m for m in found if m[1] < 2 or m[0][0] == word[0]]
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
