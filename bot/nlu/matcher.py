"""Intent scoring by weighted fuzzy keywords, with entities, confidence and runner-up."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.bounded import BoundedCache
from bot.lang.text import stem, tokens
from bot.lang.vocabulary import Vocabulary
from bot.lang.words import MONTHS, QUESTION_WORDS, STOPWORDS
from bot.nlu.entities import Entity, EntityIndex
from bot.nlu.form import denied
from bot.schema.intents import IntentSpec, Term
from bot.schema.knowledge import DESCRIPTION_FACETS, Knowledge
from bot.tuning import TUNING

# Matches remembered, by message text and context kinds (least recently used forgotten).
MATCH_CACHE = 4096


@dataclass(frozen=True, slots=True)
class Scored:
    """One intent's score and the keywords that made it."""

    intent: str
    score: float
    matched: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class Match:
    """Everything the matcher found in one question."""

    normalised: str
    words: tuple[str, ...]  # after typo correction
    corrections: tuple[tuple[str, str], ...]
    unknown: tuple[str, ...]  # content words the bot has never seen
    entities: tuple[Entity, ...]
    ranking: tuple[Scored, ...]  # best first; only intents that are eligible
    lookup: dict[str, dict[str, float]] = field(default_factory=dict)
    not_covered: tuple[str, ...] = ()  # topics the page does not cover that the question raises
    typed: str = ""  # the message as typed (the question log masks it before storing)
    denied: frozenset[int] = frozenset()  # where the words deny a value ("not staffs")

    @property
    def best(self) -> Scored | None:
        """The best-scoring intent, if any intent was eligible."""
        return self.ranking[0] if self.ranking else None

    @property
    def runner_up(self) -> Scored | None:
        """The second-best intent."""
        return self.ranking[1] if len(self.ranking) > 1 else None

    def confidence(self, scored: Scored | None = None) -> float:
        """How sure the match is, 0..1, from the score and the unknown words."""
        scored = scored or self.best
        if scored is None or scored.score <= 0:
            return 0.0
        # long messages carry filler the bot cannot know: some unknown words are free
        free = len(self.words) // TUNING.words_per_free_unknown
        unknown = max(0, len(self.unknown) - free)
        doubt = TUNING.confidence_half + TUNING.unknown_word_cost * unknown
        return round(scored.score / (scored.score + doubt), 3)

    def ids(self, kind: str) -> tuple[str, ...]:
        """Distinct ids of entities of ``kind``, in the order they appear."""
        out: list[str] = []
        for entity in self.entities:
            if entity.kind == kind and entity.id not in out:
                out.append(entity.id)
        return tuple(out)

    def non_entity_words(self) -> tuple[str, ...]:
        """The corrected words that are not part of any entity, nor denied ("not staffs")."""
        covered = {i for e in self.entities for i in range(e.start, e.end)}
        gone = self.denied
        return tuple(
            w
            for i, w in enumerate(self.words)
            if i not in covered and not (i in gone or (w == "not" and i + 1 in gone))
        )


class Matcher:
    """Scores questions against intents; built once from knowledge/ and intents.yaml."""

    def __init__(self, knowledge: Knowledge, intents: tuple[IntentSpec, ...]) -> None:
        self._cache: BoundedCache[tuple[str, frozenset[str]], Match] = BoundedCache(MATCH_CACHE)
        self.intents = {spec.id: spec for spec in intents}
        self._order = {spec.id: index for index, spec in enumerate(intents)}
        self._lookup_intents = {spec.id for spec in intents if spec.lookup}
        self.entities = EntityIndex(knowledge)
        meaningful = set(self.entities.words)
        for spec in intents:
            meaningful |= spec.surface_words
        for force in knowledge.forces:
            for phrases in force.lookup.values():
                for phrase in phrases:
                    meaningful.update(tokens(phrase))
        for item in knowledge.not_covered:
            for word in item.words:
                # long words only: "prime" must not become "price" and raise costs
                meaningful.update(
                    w for w in tokens(word) if len(w) >= TUNING.min_corrected_topic_word
                )
        self.vocabulary = Vocabulary(
            _known_words(knowledge, intents),
            meaningful,
            names=self.entities.words,
            not_typos=(w for text in knowledge.not_typos for w in tokens(text)),
        )
        # Every phrase worth finding, indexed by its first stem, so one pass over the
        # question finds them all: keywords (with their intents and weights), requirement
        # terms, and "which force" look-up phrases.
        self._weights: dict[Term, list[tuple[str, float]]] = {}
        self._lookup: dict[Term, list[tuple[str, str]]] = {}
        requirement_terms: set[Term] = set()
        for spec in intents:
            for term, weight in spec.keywords.items():
                self._weights.setdefault(term, []).append((spec.id, weight))
            requirement_terms |= spec.requires_any | spec.requires_also | spec.requires_none
        for force in knowledge.forces:
            for facet, phrases in force.lookup.items():
                for phrase in phrases:
                    term = tuple(stem(w) for w in tokens(phrase))
                    self._lookup.setdefault(term, []).append((force.id, facet))
        # first stem -> [(phrase, the set of its other stems)]
        self._by_first: dict[str, list[tuple[Term, frozenset[str]]]] = {}
        for term in sorted({*self._weights, *requirement_terms, *self._lookup}):
            if term:
                self._by_first.setdefault(term[0], []).append((term, frozenset(term[1:])))
        self._not_covered: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for item in knowledge.not_covered:
            for word in item.words:
                exact = tokens(word)
                if exact:
                    self._not_covered.setdefault(exact[0], []).append((item.topic, exact))

    def match(self, text: str, context: frozenset[str] = frozenset()) -> Match:
        """Normalise, correct, find entities and rank the intents for ``text``.

        ``context`` names the slot kinds ("force", "body") the chat's context could fill.
        A pure function of both: a message seen before (a button's question, a common
        question) is matched once.
        """
        key = (text, context)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._match(text, context)
        return found

    def _match(self, text: str, context: frozenset[str]) -> Match:
        raw = self._joined(tokens(text))
        words: list[str] = []
        corrections: list[tuple[str, str]] = []
        unknown_at: set[int] = set()
        unknown: list[str] = []
        for index, word in enumerate(raw):
            fixed = self.vocabulary.correct(word)
            if fixed is None:
                words.append(word)
                unknown_at.add(index)
                if word not in STOPWORDS and not word.isdigit() and len(word) > 1:
                    unknown.append(word)
            else:
                words.append(fixed)
                if fixed != word:
                    corrections.append((word, fixed))
        found = self.entities.find(tuple(words), frozenset(unknown_at))
        denied_at = denied(tuple(words))
        found = _without_denied(found, denied_at)
        # a word that turned out to be part of a fuzzy entity is not unknown
        covered = {words[i] for e in found for i in range(e.start, e.end)}
        unknown = [w for w in unknown if w not in covered]
        stems_ = tuple(stem(w) for w in words)
        entity_at = frozenset(i for e in found for i in range(e.start, e.end))
        present = self._present_terms(stems_, entity_at)
        lookup = self._lookup_scores(present)
        described = self._described(found, lookup, stems_)
        if described is not None:
            found = [*found, described]
        # a keyword next to a word the bot has never seen is that word's, in another
        # sense: "javascript framework", "airline pilot", "mot inspection" (after it), or
        # "deferred revenue", "pilot training" (before it, naming something else)
        named = any(e.kind in ("force", "body") for e in found)
        modified = frozenset(
            (stems_[i],)
            for i in range(len(stems_))
            if not named
            and (stems_[i],) in present
            and any(
                j in unknown_at and raw[j] in unknown
                for j in (i - 1, i + 1)
                # an unknown word after one may be a typo ("press releace"): only with
                # another unknown word beside ("deferred revenue ... in accounting")
                if j >= 0 and (j < i or len(unknown) >= TUNING.unknown_words_after_keyword)
            )
        )
        # a force named by its description is named, not looked up: "the force with the
        # ten councils - what impressed the inspectors" asks its findings
        ranked_lookup = {} if described is not None else lookup
        ranking = self._rank(present, found, len(words), ranked_lookup, context, modified=modified)
        return Match(
            normalised=" ".join(raw),
            words=tuple(words),
            corrections=tuple(corrections),
            unknown=tuple(unknown),
            entities=tuple(found),
            ranking=ranking,
            lookup=lookup,
            not_covered=self.topics_not_covered(raw, tuple(words)),
            typed=text,
            denied=denied_at,
        )

    def _joined(self, raw: tuple[str, ...]) -> tuple[str, ...]:
        """Two words joined where voice typing split a name: "rock dale", "hereford shire",
        "of sted" (one of them unknown, and together a word of a force's or body's name)."""
        known = self.vocabulary.words
        if all(w in known for w in raw):
            return raw
        out: list[str] = []
        i = 0
        while i < len(raw):
            pair = raw[i : i + 2]
            if len(pair) == 2 and not (pair[0] in known and pair[1] in known):
                joined = self.vocabulary.correct(pair[0] + pair[1])
                if joined is not None and joined in self.vocabulary.names:
                    out.append(joined)
                    i += 2
                    continue
            out.append(raw[i])
            i += 1
        return tuple(out)

    def topics_not_covered(self, *versions: tuple[str, ...]) -> tuple[str, ...]:
        """Topics of knowledge/not_covered.yaml whose words occur as exact phrases, as typed
        or after typo correction ("complian")."""
        topics: list[str] = []
        for words in versions:
            for start, word in enumerate(words):
                for topic, phrase in self._not_covered.get(word, ()):
                    if topic not in topics and words[start : start + len(phrase)] == phrase:
                        topics.append(topic)
        return tuple(topics)

    def _present_terms(
        self, stems_: tuple[str, ...], entity_at: frozenset[int]
    ) -> dict[Term, None]:
        """Every known phrase that occurs in the question (an ordered set)."""
        present: dict[Term, None] = {}
        seen = frozenset(stems_)
        for start, first in enumerate(stems_):
            for term, rest in self._by_first.get(first, ()):
                # a phrase is looked for only if all its words occur somewhere
                if term not in present and (
                    not rest or (rest <= seen and _phrase_at(stems_, start, term, entity_at))
                ):
                    present[term] = None
        return present

    def _described(
        self, found: list[Entity], lookup: dict[str, dict[str, float]], stems_: tuple[str, ...]
    ) -> Entity | None:
        """The force a message names by what the page says of it, when it names none and
        asks something else of it: "the complex force with all the councils, were the
        inspectors happy?" is about Greater Manchester Police. Only in a phrase such as
        "the ... force" or "the ... one", and not in "which force ...?", where the
        description is what is asked."""
        if any(e.kind in ("force", "other_force") for e in found) or _asks_which(stems_):
            return None
        singled = singled_out(lookup)
        if singled is None:
            return None
        force, best = singled
        for term, owners in self._lookup.items():
            if (force, owners[0][1]) not in owners or owners[0][1] not in DESCRIPTION_FACETS:
                continue
            for start in range(len(stems_) - len(term) + 1):
                if stems_[start : start + len(term)] == term and _in_description(stems_, start):
                    alias = " ".join(term)
                    return Entity("force", force, alias, best, start, start + len(term))
        return None

    def _lookup_scores(self, present: dict[Term, None]) -> dict[str, dict[str, float]]:
        scores: dict[str, dict[str, float]] = {}
        for term in present:
            for force_id, facet in self._lookup.get(term, ()):
                facets = scores.setdefault(force_id, {})
                facets[facet] = facets.get(facet, 0.0) + TUNING.lookup_weight * len(term)
        return scores

    def _rank(
        self,
        present: dict[Term, None],
        found: list[Entity],
        length: int,
        lookup: dict[str, dict[str, float]],
        context: frozenset[str],
        *,
        modified: frozenset[Term] = frozenset(),
    ) -> tuple[Scored, ...]:
        kinds = {e.kind for e in found}
        bodies = {e.id for e in found if e.kind == "body"}
        evidence: dict[str, list[tuple[str, float]]] = {}
        for term in present:
            factor = TUNING.modified_keyword_factor if term in modified else 1.0
            for intent, weight in self._weights.get(term, ()):
                evidence.setdefault(intent, []).append((" ".join(term), weight * factor))
        scored: list[Scored] = []
        for intent in evidence.keys() | (self._lookup_intents if lookup else set()):
            spec = self.intents[intent]
            if spec.max_tokens is not None and length > spec.max_tokens:
                continue
            if spec.requires_slot and spec.slot not in kinds:
                continue
            if spec.requires_any and not any(t in present for t in spec.requires_any):
                continue
            if spec.requires_also and not any(t in present for t in spec.requires_also):
                continue
            if spec.requires_none and any(t in present for t in spec.requires_none):
                continue
            if spec.forbid_bodies & bodies:
                continue
            if spec.lookup and not lookup and spec.slot not in kinds:
                continue  # "which force ...?" with nothing to single a force out
            matched = list(evidence.get(intent, ()))
            score = sum(w for _, w in matched)
            if spec.lookup and lookup:
                best_lookup = max(sum(f.values()) for f in lookup.values())
                matched.append(("(look-up)", best_lookup))
                score += best_lookup
            if score > 0 and spec.slot is not None:
                if spec.slot in kinds:
                    bonus = TUNING.optional_slot_bonus if spec.slot_optional else TUNING.slot_bonus
                    matched.append((f"({spec.slot} named)", bonus))
                    score += bonus
                elif spec.slot in context:
                    matched.append((f"({spec.slot} from context)", TUNING.context_slot_bonus))
                    score += TUNING.context_slot_bonus
                elif not spec.slot_optional:
                    matched.append((f"(no {spec.slot})", -TUNING.missing_slot_penalty))
                    score -= TUNING.missing_slot_penalty
            if score >= TUNING.priority_min_evidence and spec.priority:
                matched.append(("(priority)", spec.priority))
                score += spec.priority
            if score > 0:
                scored.append(Scored(spec.id, round(score, 3), tuple(matched)))
        # best first; ties go to the intent listed first in intents.yaml
        scored.sort(key=lambda s: (-s.score, self._order[s.intent]))
        return tuple(scored)


def _phrase_at(
    stems_: tuple[str, ...], start: int, term: Term, entity_at: frozenset[int] = frozenset()
) -> bool:
    """Whether ``term`` occurs from ``start``, allowing a few words inside the phrase.

    After a question word the words skipped may not be part of an entity: "what about
    staffordshire police" does not contain "what police", but "was gmp good" has "was
    good".
    """
    position = start
    for previous, word in itertools.pairwise(term):
        asks = previous in QUESTION_WORDS
        gap = TUNING.max_question_word_gap if asks else TUNING.max_phrase_gap
        for candidate in range(position + 1, min(position + 2 + gap, len(stems_))):
            if stems_[candidate] == word:
                position = candidate
                break
            if asks and candidate in entity_at:
                return False
        else:
            return False
    return True


def _without_denied(found: list[Entity], at: frozenset[int]) -> list[Entity]:
    """The entities found, less a force at a denied word (``at``) when another is named
    ("sorry i meant manchester not staffs" is about Greater Manchester Police alone)."""
    if not at:
        return found
    kept = [e for e in found if not (e.kind == "force" and e.start in at)]
    named = {e.id for e in kept if e.kind == "force"}
    dropped = {e.id for e in found if e.kind == "force"} - named
    return kept if named and dropped else found


def _known_words(knowledge: Knowledge, intents: tuple[IntentSpec, ...]) -> set[str]:
    """Every word of the intents' keywords and examples and of the knowledge's text."""
    words: set[str] = set()
    for spec in intents:
        words |= spec.surface_words
        for text in (*spec.examples, *spec.suggestions, spec.reply or ""):
            words.update(tokens(text))
    for text in (*_knowledge_texts(knowledge), *knowledge.domain_words):
        words.update(tokens(text))
    return words | MONTHS  # every month is a date, not an unknown word ("september")


def _knowledge_texts(knowledge: Knowledge) -> list[str]:
    texts = [
        knowledge.source.title,
        knowledge.summary,
        knowledge.consultation.subject,
        knowledge.consultation.date,
        knowledge.pilot_description,
        knowledge.inspections.subject,
        knowledge.ofsted_timing,
        knowledge.ofsted_independence,
        knowledge.improvements,
        knowledge.deferral.what,
        knowledge.press_release.title,
        knowledge.renaming.new_responsibility,
        knowledge.renaming.note,
    ]
    for force in knowledge.forces:
        texts += [force.area, force.selection_reason, force.ofsted_note or ""]
        if force.findings:
            texts += [force.findings.summary, *force.findings.impressed_by]
        if force.report:
            texts.append(force.report.title)
        for phrases in force.lookup.values():
            texts += phrases
    for body in knowledge.bodies:
        texts += [body.full_name, body.on_page]
    return texts + knowledge.facts.words()


def singled_out(lookup: dict[str, dict[str, float]]) -> tuple[str, float] | None:
    """The one force, and its evidence, that look-up words of the describing facets
    (selection, findings) point to by a clear margin: "domestic abuse" is Greater
    Manchester Police's."""
    totals = sorted(
        (
            (sum(v for facet, v in facets.items() if facet in DESCRIPTION_FACETS), force)
            for force, facets in lookup.items()
        ),
        reverse=True,
    )
    if not totals or totals[0][0] < TUNING.min_description_score:
        return None
    best, force = totals[0]
    if len(totals) > 1 and best < TUNING.lookup_margin * totals[1][0]:
        return None
    return force, best


# Words that ask which force a description fits: "which force ...", "what one ...", "who
# was it" (stemmed).
_WHICH = frozenset({"which", "what", "whose"})
_WHICH_OF = frozenset({"forc", "force", "forces", "one", "polic", "police", "1"})


# Nouns a description of a force is built on ("the complex force", "the rural one"), and
# how far from them its look-up words may be.
_DESCRIBED = frozenset({"forc", "force", "one", "1", "polic", "police", "lot", "crowd"})
DESCRIPTION_REACH = 4


def _in_description(stems_: tuple[str, ...], start: int) -> bool:
    """Whether the look-up word at ``start`` is in a phrase like "the ... force"."""
    for i, word in enumerate(stems_):
        if word in _DESCRIBED and abs(i - start) <= DESCRIPTION_REACH:
            opening = min(i, start) - 1
            if opening >= 0 and stems_[opening] in ("the", "that", "this"):
                return True
    return False


def _asks_which(stems_: tuple[str, ...]) -> bool:
    """Whether the message asks which force fits a description."""
    for i, word in enumerate(stems_):
        if word == "whose" or (word in _WHICH and _WHICH_OF.intersection(stems_[i + 1 : i + 3])):
            return True
        if word == "who" and stems_[i + 1 : i + 2] in (("was",), ("were",), ("is",)):
            return True
    return False
