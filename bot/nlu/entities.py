"""Finding forces and bodies in a question from the aliases in knowledge/."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.lang.text import tokens
from bot.schema.knowledge import Knowledge
from bot.tuning import TUNING

# Aliases past which a fuzzy look-up compares only aliases with the same first letter
# (today there are about 100; benchmarks/scale.py builds 100,000).
LARGE_ALIAS_INDEX = 5_000
# A word longer than this ending in "s" is also looked up without it, as a possessive
# typed without its apostrophe ("mercias", "gmps"); short words ("bus") are not.
MIN_POSSESSIVE = 3


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity found in the question."""

    kind: str  # "force", "body" or "other_force"
    id: str
    alias: str  # the alias that matched
    score: float  # 100 for an exact match
    start: int  # token span in the corrected question
    end: int


class EntityIndex:
    """All aliases, normalised once at load, keyed by their words."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.exact: dict[tuple[str, ...], tuple[str, str]] = {}
        for force in knowledge.forces:
            for alias in (force.name, force.short_name, *force.aliases):
                self.exact.setdefault(tokens(alias), ("force", force.id))
        for body in knowledge.bodies:
            for alias in (body.abbreviation, body.full_name, *body.aliases):
                self.exact.setdefault(tokens(alias), ("body", body.id))
        # words of the inspected forces' names and places ("metropolitan" in "Rochdale
        # Metropolitan Borough"): alone, they never name another force
        ours = {w for key, (kind, _) in self.exact.items() if kind == "force" for w in key}
        for name in knowledge.other_forces:
            words = tokens(name)
            self.exact.setdefault(words, ("other_force", name))
            # "West Midlands" as well as "West Midlands Police"
            short = words[:-1]
            ambiguous = len(short) == 1 and short[0] in ours
            if len(words) > 1 and words[-1] in ("police", "constabulary") and not ambiguous:
                self.exact.setdefault(short, ("other_force", name))
        self.exact.pop((), None)
        # id -> alias text: rapidfuzz compares the values and hands back the key
        self.fuzzy_choices: dict[tuple[str, ...], str] = {
            words: " ".join(words)
            for words in self.exact
            if len(" ".join(words)) >= TUNING.min_fuzzy_chars
        }
        # the same choices by (first letter, length), so a fuzzy look-up compares only the
        # aliases it could match: fuzz.ratio cannot reach the cut-off between lengths
        # further apart (see _closest_alias), and a typo in the first letter is rare enough
        # not to pay for a scan of every alias on each unknown word
        # (a small index is bucketed by length only, so first-letter typos still match)
        self._by_first_letter = len(self.fuzzy_choices) > LARGE_ALIAS_INDEX
        self._fuzzy_buckets: dict[tuple[str, int], dict[tuple[str, ...], str]] = {}
        for key, text in self.fuzzy_choices.items():
            self._fuzzy_buckets.setdefault((self._bucket(text), len(text)), {})[key] = text
        self.words = frozenset(w for words in self.exact for w in words)
        # first word of an alias -> its longest alias, in words
        self._longest: dict[str, int] = {}
        for words in self.exact:
            self._longest[words[0]] = max(self._longest.get(words[0], 0), len(words))

    def find(self, words: tuple[str, ...], unknown: frozenset[int] = frozenset()) -> list[Entity]:
        """Entities in ``words`` (already corrected), left to right, longest alias first.

        Exact alias matches are looked up only where an alias can start; a fuzzy match is
        tried only where it can help and costs little: a long unknown word
        ("greatermanchester") or a two-word phrase with one alias word in it.
        """
        found: list[Entity] = []
        start = 0
        while start < len(words):
            entity = self._exact_at(words, start)
            if entity is None and unknown:  # fuzzy matching only ever helps unknown words
                entity = self._fuzzy_at(words, start, unknown)
            if entity is None:
                start += 1
                continue
            found.append(entity)
            start = entity.end
        return found

    def _exact_at(self, words: tuple[str, ...], start: int) -> Entity | None:
        first = words[start]
        longest = max(self._longest.get(first, 0), self._longest.get(first[:-1], 0))
        for size in range(min(longest, len(words) - start), 0, -1):
            gram = words[start : start + size]
            hit = self.exact.get(gram)
            if hit is None and len(gram[-1]) > MIN_POSSESSIVE and gram[-1].endswith("s"):
                # a possessive typed without its apostrophe: "west mercias area"
                hit = self.exact.get((*gram[:-1], gram[-1][:-1]))
            if hit is not None:
                alias = " ".join(gram)
                return Entity(hit[0], hit[1], alias, 100.0, start, start + size)
        return None

    def _fuzzy_at(
        self, words: tuple[str, ...], start: int, unknown: frozenset[int]
    ) -> Entity | None:
        for size in (2, 1):
            gram = words[start : start + size]
            if len(gram) < size or not self._worth_fuzzy(gram, start, unknown):
                continue
            match = self._closest_alias(" ".join(gram))
            if match is not None:
                alias, score, key = match
                kind, entity_id = self.exact[key]
                return Entity(kind, entity_id, alias, score, start, start + size)
        return None

    def _closest_alias(self, text: str) -> tuple[str, float, tuple[str, ...]] | None:
        """The alias most like ``text`` (fuzz.ratio, at least TUNING.fuzzy_alias_cutoff), if any.

        Only aliases with the same first letter and a length the cut-off allows are
        compared: fuzz.ratio is 100 * (1 - indel / (a + b)) and indel >= |a - b|, so a
        ratio of c (as a share) needs c / (2 - c) <= b / a <= (2 - c) / c.
        """
        share = TUNING.fuzzy_alias_cutoff / 100
        best: tuple[str, float, tuple[str, ...]] | None = None
        low = math.ceil(len(text) * share / (2 - share))
        high = math.floor(len(text) * (2 - share) / share)
        for length in range(low, high + 1):
            bucket = self._fuzzy_buckets.get((self._bucket(text), length))
            if not bucket:
                continue
            match = process.extractOne(
                text,
                bucket,
                scorer=fuzz.ratio,
                processor=None,
                score_cutoff=best[1] if best else TUNING.fuzzy_alias_cutoff,
            )
            if match is not None and (best is None or match[1] > best[1]):
                best = match
        return best

    def _bucket(self, text: str) -> str:
        return text[0] if self._by_first_letter else ""

    def _worth_fuzzy(self, gram: tuple[str, ...], start: int, unknown: frozenset[int]) -> bool:
        if len(" ".join(gram)) < TUNING.min_fuzzy_chars:
            return False
        if len(gram) == 1:
            return start in unknown
        if len(gram) == 2:
            return any(w in self.words for w in gram) and any(
                i in unknown for i in range(start, start + 2)
            )
        return False
