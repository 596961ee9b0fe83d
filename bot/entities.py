"""Finding forces and bodies in a question from the aliases in knowledge/."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.knowledge import Knowledge
from bot.text import tokens

# Longest alias, in words, tried against the question.
MAX_ALIAS_WORDS = 6
# A whole phrase that is not an exact alias must be this close to one (fuzz.ratio) to
# count: "greatermanchester" and "west mercia polic" do; "west midlands" does not.
FUZZY_ALIAS_CUTOFF = 88.0
# Shortest phrase worth comparing fuzzily: short strings match everything.
MIN_FUZZY_CHARS = 6


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
        for name in knowledge.other_forces:
            words = tokens(name)
            self.exact.setdefault(words, ("other_force", name))
            # "West Midlands" as well as "West Midlands Police"
            if len(words) > 1 and words[-1] in ("police", "constabulary"):
                self.exact.setdefault(words[:-1], ("other_force", name))
        self.exact.pop((), None)
        # id -> alias text: rapidfuzz compares the values and hands back the key
        self.fuzzy_choices: dict[tuple[str, ...], str] = {
            words: " ".join(words)
            for words in self.exact
            if len(" ".join(words)) >= MIN_FUZZY_CHARS
        }
        self.words = frozenset(w for words in self.exact for w in words)

    def find(self, words: tuple[str, ...], unknown: frozenset[int] = frozenset()) -> list[Entity]:
        """Entities in ``words`` (already corrected), longest alias first, no overlaps.

        Exact alias matches come first; a fuzzy match is tried only where it can help and
        costs little: a long unknown word ("greatermanchester") or a two-word phrase with
        one alias word in it ("west mercer").
        """
        taken = [False] * len(words)
        found: list[Entity] = []
        for size in range(min(MAX_ALIAS_WORDS, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                end = start + size
                if any(taken[start:end]):
                    continue
                gram = words[start:end]
                hit = self.exact.get(gram)
                score = 100.0
                alias = " ".join(gram)
                if hit is None and self._worth_fuzzy(gram, start, unknown):
                    match = process.extractOne(
                        alias,
                        self.fuzzy_choices,
                        scorer=fuzz.ratio,
                        processor=None,
                        score_cutoff=FUZZY_ALIAS_CUTOFF,
                    )
                    if match is not None:
                        alias, score, key = match
                        hit = self.exact[key]
                if hit is None:
                    continue
                kind, entity_id = hit
                found.append(Entity(kind, entity_id, alias, score, start, end))
                for i in range(start, end):
                    taken[i] = True
        found.sort(key=lambda e: e.start)
        return found

    def _worth_fuzzy(self, gram: tuple[str, ...], start: int, unknown: frozenset[int]) -> bool:
        if len(" ".join(gram)) < MIN_FUZZY_CHARS:
            return False
        if len(gram) == 1:
            return start in unknown
        if len(gram) == 2:
            return any(w in self.words for w in gram) and any(
                i in unknown for i in range(start, start + 2)
            )
        return False
