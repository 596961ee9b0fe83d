"""The safety screen: recognises a person at risk before anything else reads the message.

It is its own stage, not an intent: no score threshold, unknown-word penalty or
small-talk rule applies to it. Words, spellings and patterns come from
``knowledge/safety_screen.yaml``; this module only reads text against them. Pure after
construction: no I/O, nothing from Telegram.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.lang.text import tokens
from bot.schema.safety import Rule, ScreenSpecError, Step, literal, parse_rule

# Shortest word that may be a typo of a screen word: shorter ones ("hit", "die") have too
# many real neighbours ("his", "did") to correct safely.
MIN_FUZZY_LENGTH = 5
# Shortest base form ("hurrt" of "hurrting") compared with the screen's words.
MIN_FUZZY_BASE = 4
# From this length two edits are allowed ("strangeled"), below it one ("batterd").
TWO_EDIT_LENGTH = 8
# Most words of one message the screen reads: a disclosure is said early, and this bounds
# the work on a pasted essay.
MAX_WORDS = 400
# Most combinations tried for one "+" pattern, so a long message cannot blow up the search.
MAX_COMBINATIONS = 4096
# ... past which each part keeps only its first matches: a disclosure is said early.
MAX_MATCHES_PER_PART = 8

# Letters typed as digits or symbols inside a word: "h1ts", "h@te", "$cared".
_LEET = str.maketrans(
    {"1": "i", "0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
_SYMBOL_IN_WORD = re.compile(r"(?<=[a-z])[@$](?=[a-z])|(?<=\s)[@$](?=[a-z])", re.IGNORECASE)


@dataclass(slots=True)
class _Node:
    """One word of the phrase trie: the words that may follow, and concepts ending here."""

    children: dict[str, _Node] = field(default_factory=dict)
    concepts: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Screening:
    """What the screen found: the group at risk and the pattern that held."""

    group: str
    rule: str


# Endings after which English adds "es" for a plural or a verb ("boxes", "watches").
_ES_PLURAL = ("s", "x", "z", "ch", "sh", "o")


def _bases(word: str) -> set[str]:
    """``word`` and what it may be an inflection of: hits, hitting, hittin, batterd -> hit."""
    out = {word}
    if not word.isalpha() or len(word) < 4:
        return out
    for suffix in ("ing", "in", "ed", "d", "es", "s", "ies", "ied"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            base = word[: -len(suffix)]
            if suffix == "es" and not base.endswith(_ES_PLURAL):
                continue  # "planes" is "plane"s, not "plan"; "watches" is "watch"es
            out.add(base)
            if suffix in ("ies", "ied"):
                out.add(base + "y")
            if suffix in ("ing", "in", "ed"):
                out.add(base + "e")
                if len(base) >= 3 and base[-1] == base[-2]:
                    out.add(base[:-1])  # hitting -> hit, grabbed -> grab
    return out


class SafetyScreen:
    """Reads a message for signs that someone is at risk, and who."""

    def __init__(
        self,
        *,
        spellings: Mapping[str, str],
        emoji: Mapping[str, str],
        concepts: Mapping[str, Sequence[str]],
        rules: Mapping[str, Sequence[str]],
        window: int,
        hints: Sequence[str] = (),
        not_typos: Sequence[str] = (),
    ) -> None:
        self.window = window
        # ordinary words a screen word is one letter from ("noise", "noose")
        self._not_typos = frozenset(not_typos)
        self._hints = tuple(hints)
        self._emoji = {k: f" {v} " for k, v in emoji.items()}
        self.groups = tuple(rules)
        self._spellings = {
            tuple(key.split()): tuple(value.split()) for key, value in spellings.items()
        }
        self._rules = tuple(
            parse_rule(group, text) for group, texts in rules.items() for text in texts
        )
        concept_words: dict[str, list[tuple[str, ...]]] = {
            name: [self._respell(tokens(str(p))) for p in phrases]
            for name, phrases in concepts.items()
        }
        for name in self._hints:
            if name not in concept_words:
                raise ScreenSpecError(f"hints: unknown concept {name!r}")
        for rule in self._rules:
            for name in _rule_concepts(rule):
                word = literal(name)
                if word is not None:
                    concept_words.setdefault(name, [(word,)])
                elif name not in concept_words:
                    raise ScreenSpecError(f"{rule.group}: {rule.text!r}: unknown concept {name!r}")
        # a trie of phrases: one dict look-up per word form, however many phrases there are
        self._trie = _Node()
        for name, phrases in concept_words.items():
            for phrase in phrases:
                node = self._trie
                for word in phrase:
                    node = node.children.setdefault(word, _Node())
                if phrase:
                    node.concepts.add(name)
        words = {w for phrases in concept_words.values() for p in phrases for w in p}
        self._known = frozenset(words)
        self._fuzzy_targets = sorted(w for w in words if len(w) >= MIN_FUZZY_BASE and w.isalpha())
        self._needs = tuple((rule, rule.needs) for rule in self._rules)
        self._read = lru_cache(maxsize=4096)(self._read_uncached)
        self._forms_cached = lru_cache(maxsize=65536)(self._forms_uncached)

    @property
    def concepts(self) -> frozenset[str]:
        """Every concept a rule names (for checks)."""
        return frozenset(name for rule in self._rules for name in _rule_concepts(rule))

    def screen(self, text: str) -> Screening | None:
        """The group at risk in ``text``, or None when the screen sees no one at risk."""
        return self._read(text)[0]

    def hints(self, text: str) -> bool:
        """Whether ``text`` has any word of risk at all, though no pattern held.

        A message the screen does not flag but that says "hurt" or "scared" is not
        answered with a fact; its fallback also names where help is (see Assistant).
        """
        return self._read(text)[1]

    def _read_uncached(self, text: str) -> tuple[Screening | None, bool]:
        """One pass over ``text``: the group a rule flags, and whether a hint word occurs."""
        words = self.words(text)
        spans = self._spans(words) if words else {}
        present = spans.keys()
        hinted = any(name in present for name in self._hints)
        for rule, needs in self._needs:
            if needs <= present and self._holds(rule, spans):
                return Screening(rule.group, rule.text), hinted
        return None, hinted

    # ------------------------------------------------------------------ reading

    def words(self, text: str) -> tuple[str, ...]:
        """The message's words, with text-speak spelled out."""
        text = _SYMBOL_IN_WORD.sub(lambda m: m.group(0).translate(_LEET), text)
        for symbol, word in self._emoji.items():
            if symbol in text:
                text = text.replace(symbol, word)
        raw = tokens(text)
        return self._respell(raw[:MAX_WORDS])

    def _respell(self, raw: tuple[str, ...]) -> tuple[str, ...]:
        out: list[str] = []
        i = 0
        while i < len(raw):
            pair = self._spellings.get(raw[i : i + 2]) if i + 1 < len(raw) else None
            if pair is not None:
                out.extend(pair)
                i += 2
                continue
            out.extend(self._spellings.get(raw[i : i + 1], raw[i : i + 1]))
            i += 1
        return tuple(out)

    def _forms(self, word: str) -> frozenset[str]:
        """What ``word`` may be: itself, its bases, and a screen word it is a typo of."""
        return self._forms_cached(word)

    def _forms_uncached(self, word: str) -> frozenset[str]:
        forms = _bases(word)
        if any(c.isdigit() for c in word) and any(c.isalpha() for c in word):
            forms |= _bases(word.translate(_LEET))
        if forms & self._known or word in self._not_typos:
            return frozenset(forms)
        if len(word) >= MIN_FUZZY_LENGTH and word.isalpha():
            for base in sorted(forms):
                if len(base) < MIN_FUZZY_BASE:
                    continue
                limit = 2 if len(base) >= TWO_EDIT_LENGTH else 1
                found = process.extractOne(
                    base,
                    self._fuzzy_targets,
                    scorer=OSA.distance,
                    processor=None,
                    score_cutoff=limit,
                )
                if found is not None and found[0][0] == word[0]:
                    forms.add(found[0])
                    break
        return frozenset(forms)

    def _spans(self, words: tuple[str, ...]) -> dict[str, list[tuple[int, int]]]:
        """concept -> the (start, end) word spans where one of its phrases occurs."""
        forms = [self._forms(w) for w in words]
        found: dict[str, set[tuple[int, int]]] = {}
        for start in range(len(words)):
            frontier = [self._trie]
            end = start
            while frontier and end < len(words):
                following: list[_Node] = []
                for node in frontier:
                    for form in forms[end]:
                        child = node.children.get(form)
                        if child is not None:
                            following.append(child)
                            for concept in child.concepts:
                                found.setdefault(concept, set()).add((start, end + 1))
                frontier = following
                end += 1
        return {concept: sorted(spans) for concept, spans in found.items()}

    # ------------------------------------------------------------------ rules

    def _holds(self, rule: Rule, spans: Mapping[str, list[tuple[int, int]]]) -> bool:
        if any(name in spans for name in rule.unless):
            return False
        matches = [_sequence(part, spans) for part in rule.parts]
        if any(not m for m in matches):
            return False
        if len(matches) == 1:
            return True
        count = 1
        for m in matches:
            count *= len(m)
        if count > MAX_COMBINATIONS:
            matches = [m[:MAX_MATCHES_PER_PART] for m in matches]
        for combo in product(*matches):
            if len(set(combo)) < len(combo):
                continue  # one word read as two parts ("my phone" as a place and a gift)
            if max(end for _, end in combo) - min(start for start, _ in combo) <= self.window:
                return True
        return False


def _sequence(
    steps: tuple[Step, ...], spans: Mapping[str, list[tuple[int, int]]]
) -> list[tuple[int, int]]:
    """Every (start, end) where the steps occur in order within their gaps."""
    current = [(s, e, s) for s, e in spans.get(steps[0].concept, ())]
    for step in steps[1:]:
        following = spans.get(step.concept, ())
        current = [
            (s, e2, first)
            for _, e, first in current
            for s, e2 in following
            if 0 <= s - e <= step.gap
        ]
        if not current:
            return []
    return [(first, end) for _, end, first in current]


def _rule_concepts(rule: Rule) -> Iterable[str]:
    for part in rule.parts:
        for step in part:
            yield step.concept
    yield from rule.unless
