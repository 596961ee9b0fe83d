"""Question analysis at the level of facts: form, subjects, attribute and asserted values.

Read off the matcher's corrected words with the phrases of knowledge/facts.yaml. Attribute
words are shared by every subject, so "how many ...?" or "since when?" reaches any fact
with that attribute without a keyword per question.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.bounded import BoundedCache
from bot.lang.text import says, stem, tokens
from bot.lang.words import (
    ACTOR_GAP,
    ACTOR_VERBS,
    DEED_VERBS,
    FOLLOW_UP_FILLER,
    HEDGES,
    LOCATIVES,
    MOTION_TO,
    NEGATION_GAP,
    NEGATIONS,
    QUESTION_WORDS,
    REFERENTS,
    RELATIVE,
    VAGUE_PLURAL,
    WHAT_ABOUT,
)
from bot.nlu.entities import Entity
from bot.nlu.form import Assertion, Form, assertion, question_form, without_filler
from bot.nlu.matcher import Match
from bot.schema.facts import ValueType
from bot.schema.knowledge import Knowledge

# Numbers a question may assert about a count (years are dates, not counts). One is left
# out: "which one ...?" is read as 1 by the normaliser.
MIN_COUNT, MAX_COUNT = 2, 1000

_SUBJECT, _ATTRIBUTE, _NEGATIVE, _OPTION, _REQUIRED, _PLACE, _OTHER_BODY, _EXCLUDED = range(8)
Phrase = tuple[str, ...]
# Analyses remembered, by matched words and entities (least recently used forgotten).
ANALYSIS_CACHE = 4096


@dataclass(frozen=True, slots=True)
class Asserted:
    """Values the question states, to be checked against a fact."""

    months: frozenset[str] = frozenset()
    years: frozenset[str] = frozenset()
    numbers: frozenset[int] = frozenset()
    places: tuple[str, ...] = ()
    # what the question denies ("in bolton not rochdale"): checked apart from the above
    denied_months: frozenset[str] = frozenset()
    denied_years: frozenset[str] = frozenset()
    denied_places: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()  # forces, bodies and other bodies named (ids)
    other_forces: tuple[str, ...] = ()  # forces the page does not cover, by name
    plural: bool = False  # "several", "many": more than one, no figure
    # a body said to have done it: "ofsted inspected the forces", "done by ofsted"
    actor: str | None = None
    by_actor: bool = False  # said in the passive ("done by ofsted"): the claim is who did it

    def kinds(self) -> frozenset[str]:
        """The kinds of value asserted: date, number, place, entity."""
        out: set[str] = set()
        if self.months or self.years:
            out.add("date")
        if self.numbers:
            out.add("number")
        if self.places:
            out.add("place")
        if self.entities or self.other_forces:
            out.add("entity")
        return frozenset(out)


@dataclass(frozen=True, slots=True)
class AttributeHit:
    """An attribute the question asks about, and what it asserts of it."""

    id: str
    strength: int  # words in the longest phrase that named it
    polarity: bool | None = None  # yes_no: True for its words, False for its negative ones
    option: str | None = None  # choice: the option the question names
    turned: bool = False  # choice: the option said of the other side, turned round
    carried: bool = False  # from the chat's last question ("hmi probation too?")


@dataclass(frozen=True, slots=True)
class Analysis:
    """One question read at the level of facts."""

    form: Form
    subjects: tuple[str, ...]  # forces, events and bodies named, in that order
    attributes: tuple[AttributeHit, ...]  # strongest first
    asserted: Asserted
    stems: frozenset[str]  # every stem of the question, for checks against text values
    words: tuple[str, ...]
    elliptical: bool = False  # only names and filler: "and west mercia?", "in hereford too?"
    refers_back: bool = False  # "that", "they", "there": points at what was just said
    asks: ValueType | None = None  # only a question word: "how many?" asks for a number
    unknown: bool = False  # has words the bot has never seen ("best pizza in rochdale")
    # events named by a phrase of STRONG_SUBJECT_WORDS or more ("the councils' child
    # protection services"): an open question about one is answered from its facts
    strong_subjects: frozenset[str] = frozenset()
    # where each subject is first named (a word index), in the order of ``subjects``
    positions: tuple[int, ...] = ()
    # attributes named whose required words are missing ("was it exactly the same time
    # there?" names the timing against Ofsted's without naming Ofsted): the chat's topic
    # may supply them
    unmet: tuple[AttributeHit, ...] = ()

    @property
    def attribute(self) -> AttributeHit | None:
        """The strongest attribute hit, if any."""
        return self.attributes[0] if self.attributes else None


class Analyser:
    """Reads questions against the phrases of facts.yaml; built once at load."""

    def __init__(self, knowledge: Knowledge) -> None:
        book = knowledge.facts
        self.book = book
        self._force_ids = frozenset(f.id for f in knowledge.forces)
        self._phrases: dict[str, list[tuple[Phrase, int, str, str]]] = {}
        for subject in book.subjects:
            for phrase in subject.words:
                self._add(phrase, _SUBJECT, subject.id)
        for attribute in book.attributes:
            for phrase in attribute.words:
                self._add(phrase, _ATTRIBUTE, attribute.id)
            for phrase in attribute.negative:
                self._add(phrase, _NEGATIVE, attribute.id)
            for option, phrases in attribute.options:
                for phrase in phrases:
                    self._add(phrase, _OPTION, attribute.id, option)
            for phrase in attribute.requires_any:
                self._add(phrase, _REQUIRED, attribute.id)
            for phrase in attribute.requires_none:
                self._add(phrase, _EXCLUDED, attribute.id)
        for place in book.places:
            self._add(place, _PLACE, place)
        for body in book.other_bodies:
            for phrase in (body.name, *body.aliases):
                self._add(phrase, _OTHER_BODY, body.id)
        self._asks = {tokens(p): kind for kind, phrases in book.asks for p in phrases}
        # a choice said the other way round: the words of the other side; its required
        # words name this side (Ofsted's, for the timing against Ofsted's inspection)
        self._converse_when = {
            a.id: frozenset(tokens(p) for p in a.converse_when)
            for a in book.attributes
            if a.converse
        }
        self._this_side = {
            a.id: frozenset(tokens(p) for p in a.requires_any)
            for a in book.attributes
            if a.converse
        }
        self._cache: BoundedCache[tuple[object, ...], Analysis] = BoundedCache(ANALYSIS_CACHE)

    def _add(self, text: str, kind: int, owner: str, extra: str = "") -> None:
        phrase = tuple(stem(w) for w in tokens(text))
        if phrase:
            self._phrases.setdefault(phrase[0], []).append((phrase, kind, owner, extra))

    def analyse(self, match: Match) -> Analysis:
        """The form, subjects, attributes and asserted values of one matched question.

        A pure function of the matched words and entities: the same question asked again
        (the usual case for a bot's most asked questions) is read once.
        """
        marked = match.typed.rstrip().endswith("?")
        key = (match.words, match.entities, marked)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._analyse(match, marked)
        return cached

    def _analyse(self, match: Match, marked: bool = False) -> Analysis:
        words = match.words
        stems_ = tuple(stem(w) for w in words)
        found: list[tuple[int, int, int, str, str]] = []  # start, end, kind, owner, extra
        for start, first in enumerate(stems_):
            for phrase, kind, owner, extra in self._phrases.get(first, ()):
                if stems_[start : start + len(phrase)] == phrase:
                    found.append((start, start + len(phrase), kind, owner, extra))
        found.extend(self._around_names(stems_, match))
        # a word inside another organisation's name names nothing of the page's: "police"
        # in "the police federation"
        others_at = {i for s, e, kind, _, _ in found if kind == _OTHER_BODY for i in range(s, e)}
        if others_at:
            found = [
                f
                for f in found
                if f[2] not in (_SUBJECT, _ATTRIBUTE, _NEGATIVE)
                or not set(range(f[0], f[1])) <= others_at
            ]

        def place_at(entity: Entity) -> list[str]:
            # "in Rochdale" is a place; "in Greater Manchester" is still the force
            return [
                owner
                for s, e, kind, owner, _ in found
                if kind == _PLACE and s == entity.start and e == entity.end
            ]

        # a force named twice, once by a place: "it was rochdale for gmp, wasn't it?"
        # asserts the place of the force
        by_name = {e.id for e in match.entities if e.kind == "force" and not place_at(e)}
        # a place is asserted only after "in", "at", ... (or "was", with a force named):
        # "merging with Warwickshire" is no claim about where an inspection was
        places = _places(
            [
                f
                for f in found
                if f[2] != _PLACE
                or _after_locative(words, f[0])
                or (by_name and f[0] > 0 and words[f[0] - 1] in COPULAS)
                or _offered(words, f[0], f[1])  # "rochdale or oldham for the gmp one?"
            ]
        )
        subjects: list[str] = []
        entities: list[str] = []
        asserted_places = list(places)
        for entity in match.entities:
            if entity.kind == "other_force":
                continue
            # a place with its own force named too ("rochdale ... gmp") or another force
            # named ("rochdale was inspected by west mercia") is asserted of that force
            locative = _after_locative(words, entity.start) or bool(by_name)
            inside = place_at(entity)
            if entity.kind == "force" and locative and inside:
                # "in rochdale": a place asserted; the force is not what is asked about
                asserted_places.extend(p for p in inside if p not in asserted_places)
                continue
            if entity.kind == "force":
                asserted_places = [p for p in asserted_places if p not in inside]
            if entity.id not in subjects:
                subjects.append(entity.id)
            if entity.id not in entities:
                entities.append(entity.id)
        forces = [s for s in subjects if s in self._force_ids]
        others = [s for s in subjects if s not in self._force_ids]
        # events named by a phrase of three words or more come first: "who was inspecting
        # the councils' child protection services" is about Ofsted's inspections, whatever
        # "inspecting" alone names
        named_events = sorted(
            ((s, e, owner) for s, e, kind, owner, _ in found if kind == _SUBJECT),
            key=lambda x: (-(x[1] - x[0]), x[0]),  # the most specific name first
        )
        events = [owner for _, _, owner in named_events]
        strong = frozenset(owner for s, e, owner in named_events if e - s >= STRONG_SUBJECT_WORDS)
        # "gmp and west mercia both ... - what about west mercia's area?": the force asked
        # about comes first
        about = [
            e.id
            for e in match.entities
            if e.kind == "force" and e.start >= 2 and words[e.start - 2 : e.start] in _ABOUT
        ]
        forces = _unique([*about, *forces]) if about else forces
        ordered = _unique([*forces, *events, *others])
        first_at: dict[str, int] = {}
        for start, _, owner in named_events:
            first_at[owner] = min(first_at.get(owner, start), start)
        for entity in match.entities:
            first_at[entity.id] = min(first_at.get(entity.id, entity.start), entity.start)
        other_bodies = _unique([owner for _, _, kind, owner, _ in found if kind == _OTHER_BODY])
        months_years, denied_dates, denied_places = _said(words, found, match.denied)
        asserted_places = [p for p in asserted_places if p not in denied_places]
        asserted = Asserted(
            months=months_years.months,
            years=months_years.years,
            numbers=frozenset(
                int(w)
                for w in words
                if w.isascii()
                and w.isdigit()
                and MIN_COUNT <= int(w) < MAX_COUNT
                and w not in months_years.years
            ),
            places=tuple(asserted_places),
            denied_months=denied_dates.months,
            denied_years=denied_dates.years,
            denied_places=denied_places,
            entities=tuple(_unique([*entities, *other_bodies])),
            # (a county after "in" is a place: "inspected in hertfordshire")
            other_forces=tuple(
                _unique(
                    [
                        e.id
                        for e in match.entities
                        if e.kind == "other_force"
                        and not (_after_locative(words, e.start) and place_at(e))
                    ]
                )
            ),
            plural=says(words, VAGUE_PLURAL),
            actor=_actor(words, match.entities),
            by_actor=_actor(words, match.entities, passive=True) is not None,
        )
        named_at = {
            i
            for s, e, kind, _, _ in found
            if kind in (_PLACE, _OTHER_BODY, _SUBJECT)
            for i in range(s, e)
        }
        named_at |= {i for e in match.entities for i in range(e.start, e.end)}
        elliptical = bool(named_at) and all(
            w in FOLLOW_UP_FILLER for i, w in enumerate(words) if i not in named_at
        )
        attributes, unmet = self._named(found, words, match)
        form = question_form(words, marked=marked)
        if (
            form is Form.OPEN
            and marked
            and not match.not_covered  # "results of the joint targeted area inspection ...?"
            and self._put_to(words, attributes, asserted)
        ):
            form = Form.YES_NO
        return Analysis(
            form=form,
            subjects=tuple(ordered),
            attributes=attributes,
            asserted=asserted,
            stems=frozenset(stems_),
            words=words,
            elliptical=elliptical,
            refers_back=any(w in REFERENTS for w in words),
            asks=self._asks.get(without_filler(words)),
            unknown=bool(match.unknown),
            strong_subjects=strong,
            positions=tuple(first_at.get(s, len(words)) for s in ordered),
            unmet=unmet,
        )

    def _named(
        self, found: list[tuple[int, int, int, str, str]], words: tuple[str, ...], match: Match
    ) -> tuple[tuple[AttributeHit, ...], tuple[AttributeHit, ...]]:
        """The attributes named, and those named without their required words."""
        forces_at = frozenset(e.start for e in match.entities if e.kind == "force")
        attributes = self._attributes(found, words, forces_at)
        ids = {a.id for a in attributes}
        every = self._attributes(found, words, forces_at, required=False)
        return attributes, tuple(h for h in every if h.id not in ids)

    def _put_to(
        self,
        words: tuple[str, ...],
        attributes: tuple[AttributeHit, ...],
        asserted: Asserted,
    ) -> bool:
        """Whether a question typed with a question mark and neither a question word nor a
        verb puts a date, place or body to an attribute it names, asking yes or no: "gmp report
        april 2013?", "cqc part of the consultation?" (not "report date?", "gmp area?")."""
        if not attributes or "or" in words or QUESTION_WORDS.intersection(words):
            return False
        types = {self.book.attribute(h.id).type for h in attributes}
        if (asserted.months or asserted.years) and ValueType.DATE in types:
            return True  # (a number may count what is asked: "two things hmic liked?")
        if asserted.places and ValueType.PLACE in types:
            return True  # not a place said in passing ("outcome for kids in staffs?")
        # a body put to a list of members ("hmi probation one of the consultation lot?",
        # "cqc part of it??"), not a force asked about ("gmp area?")
        bodies = [e for e in asserted.entities if e not in self._force_ids]
        return ValueType.ENTITIES in types and bool(bodies)

    def _around_names(
        self, stems_: tuple[str, ...], match: Match
    ) -> list[tuple[int, int, int, str, str]]:
        """Attribute phrases with a body's name or a hedge inside them: "what does HMI
        Probation do" has "what does do", as "what does it do" would, with or without the
        name's article ("what does the cqc inspect"); "who actually did them" has "who did
        them". (Not a force's name: "the gmp report say hmic" asks about the renaming, not
        the report's contents.)"""
        named = {i for e in match.entities if e.kind == "body" for i in range(e.start, e.end)}
        hedges = {i for i, w in enumerate(match.words) if w in HEDGES}
        if not (named or hedges):
            return []
        articles = {i - 1 for i in named if i > 0 and match.words[i - 1] == "the"}
        gaps = [named, named | articles, named | hedges, named | articles | hedges]
        out: list[tuple[int, int, int, str, str]] = []
        for gap in dict.fromkeys(frozenset(g) for g in gaps if g):
            kept = [i for i in range(len(stems_)) if i not in gap]
            rest = tuple(stems_[i] for i in kept)
            for start, first in enumerate(rest):
                for phrase, kind, owner, extra in self._phrases.get(first, ()):
                    end = start + len(phrase)
                    if (
                        kind == _ATTRIBUTE
                        and len(phrase) > 1
                        and rest[start:end] == phrase
                        and kept[end - 1] - kept[start] >= len(phrase)  # a name inside it
                    ):
                        out.append((kept[start], kept[start] + len(phrase), kind, owner, extra))
        return out

    def _turned(
        self, attribute: str, end: int, words: tuple[str, ...], forces_at: frozenset[int]
    ) -> bool:
        """Whether a choice's option at ``end`` is said of the other side: "before the
        police", "before west mercia was inspected"."""
        side = self._converse_when.get(attribute)
        if not side:
            return False
        # up to the first word of this side ("after ofsted in herefordshire" is not turned)
        this_side = self._this_side[attribute]
        reach = end + CONVERSE_REACH
        for i in range(end, min(len(words), reach)):
            if any(words[i : i + len(p)] == p for p in this_side):
                reach = i
                break
        if any(end <= i < reach for i in forces_at):
            return True
        return _followed_by(words[:reach], end, side)

    def _attributes(
        self,
        found: list[tuple[int, int, int, str, str]],
        words: tuple[str, ...] = (),
        forces_at: frozenset[int] = frozenset(),
        *,
        required: bool = True,
    ) -> tuple[AttributeHit, ...]:
        """The attributes named, strongest first; ``required``: only those whose required
        words are there too (else those whose required words are missing as well)."""
        present = {owner for _, _, kind, owner, _ in found if kind == _REQUIRED}
        excluded = {owner for _, _, kind, owner, _ in found if kind == _EXCLUDED}
        best: dict[str, AttributeHit] = {}
        for start, end, kind, owner, extra in found:
            if kind not in (_ATTRIBUTE, _NEGATIVE, _OPTION):
                continue
            attribute = self.book.attribute(owner)
            if owner in excluded or (required and attribute.requires_any and owner not in present):
                continue
            strength = end - start
            polarity = None
            if attribute.type is ValueType.YES_NO:
                polarity = kind != _NEGATIVE
                if NEGATIONS.intersection(_before(words, start)):
                    polarity = not polarity  # "were not being protected", "never announced"
            elif attribute.type is ValueType.ENTITIES and NEGATIONS.intersection(
                _before(words, start)
            ):
                polarity = False  # "hmi prisons wasn't involved": membership denied
            option = extra or None
            turned = option is not None and self._turned(attribute.id, end, words, forces_at)
            if option is not None and turned:
                option = dict(attribute.converse).get(option, option)
            hit = AttributeHit(owner, strength, polarity, option, turned)
            old = best.get(owner)
            if old is None or strength > old.strength:
                best[owner] = hit
        order = {a.id: i for i, a in enumerate(self.book.attributes)}
        return tuple(sorted(best.values(), key=lambda h: (-h.strength, order[h.id])))


def _followed_by(words: tuple[str, ...], end: int, phrases: frozenset[tuple[str, ...]]) -> bool:
    """Whether one of ``phrases`` starts within CONVERSE_REACH words after ``end``."""
    for start in range(end, min(len(words), end + CONVERSE_REACH)):
        if any(words[start : start + len(p)] == p for p in phrases):
            return True
    return False


def _actor(
    words: tuple[str, ...], entities: tuple[Entity, ...], *, passive: bool = False
) -> str | None:
    """The one body said to have done it: named right before a verb of doing ("ofsted
    inspected the forces") or right after "by" ("the inspections were done by ofsted");
    ``passive``: only the latter."""
    actors = {
        e.id
        for e in entities
        if e.kind == "body"
        and (
            (not passive and _does(words[e.end : e.end + 7]))
            or (e.start > 0 and words[e.start - 1] == "by")
        )
    }
    # "by hmic and ofsted", "hmic and ofsted did the inspections": both, so no one body
    starts = {e.start: e.id for e in entities if e.kind == "body"}
    for e in entities:
        joined = words[e.end : e.end + 1] in (("and",), ("&",), ("n",))
        partner = starts.get(e.end + 1)
        if joined and partner is not None and (e.id in actors or partner in actors):
            actors.update((e.id, partner))
    return next(iter(actors)) if len(actors) == 1 else None


def _before(words: tuple[str, ...], start: int) -> list[str]:
    """The NEGATION_REACH words before ``start``, not counting words that only join or
    stress ("found nothing at all that needed improving")."""
    out: list[str] = []
    for word in reversed(words[:start]):
        out.append(word)
        if word not in NEGATION_GAP and len([w for w in out if w not in NEGATION_GAP]) >= (
            NEGATION_REACH
        ):
            break
    return out


def _does(after: tuple[str, ...]) -> bool:
    """Whether the words after a name say it did something: "ofsted inspected", "hmic then
    did", "hmic who deferred"."""
    if after[:4] in _THE_ONE:
        after = after[4:]  # "ofsted was the one that did the police inspections"
    elif after[:3] in _THE_ONE_ASKED:
        after = after[3:]  # "was ofsted the one that did the police inspections"
    if after[:1] and after[0] in ACTOR_GAP:
        after = after[1:]
    return bool(after[:1]) and (after[0] in ACTOR_VERBS or after[0] in DEED_VERBS)


# "was <body> the one that <did it>": the same, asked.
_THE_ONE_ASKED = frozenset(
    ("the", one, rel) for one in ("1", "ones") for rel in ("that", "who", "which")
)
# "<body> was the one that <did it>": the body is said to have done it.
_THE_ONE = frozenset(
    (aux, "the", one, rel)
    for aux in ("was", "were", "is")
    for one in ("1", "ones")
    for rel in ("that", "who", "which")
)


def _said(
    words: tuple[str, ...],
    found: list[tuple[int, int, int, str, str]],
    denied_at: frozenset[int],
) -> tuple[Assertion, Assertion, tuple[str, ...]]:
    """The months and years the words assert, those they deny, and the places they deny
    ("in bolton not rochdale"); a date after "since", "after" ... is neither (it dates
    another event)."""
    kept = [(i, w) for i, w in enumerate(words) if not _relative(words, i)]
    starts = {s: owner for s, _, kind, owner, _ in found if kind == _PLACE}
    return (
        assertion(tuple(w for i, w in kept if i not in denied_at)),
        assertion(tuple(w for i, w in kept if i in denied_at)),
        tuple(_unique([starts[i] for i in sorted(denied_at) if i in starts])),
    )


def _offered(words: tuple[str, ...], start: int, end: int) -> bool:
    """Whether the words at start:end are one of two or more offered with "or" ("rochdale
    or oldham", "worcs, shropshire or hereford")."""
    return (end < len(words) and words[end] == "or") or (start > 0 and words[start - 1] == "or")


def _relative(words: tuple[str, ...], i: int) -> bool:
    """Whether the word at ``i`` follows "since", "after", "again" ..., right before it or
    with "in" between ("inspected again in 2016"): a date there dates another event."""
    before = words[max(0, i - 2) : i]
    return bool(before) and (
        before[-1] in RELATIVE or (len(before) == 2 and before[1] == "in" and before[0] in RELATIVE)
    )


def _places(found: list[tuple[int, int, int, str, str]]) -> list[str]:
    """Places named, longest match first where two overlap ("stoke on trent", "stoke")."""
    spans = sorted(
        ((s, e, owner) for s, e, kind, owner, _ in found if kind == _PLACE),
        key=lambda x: (x[0], -(x[1] - x[0])),
    )
    out: list[str] = []
    end = -1
    for s, e, owner in spans:
        if s >= end:
            out.append(owner)
            end = e
    return out


# How many words after a choice's option the side it is said of may start ("before the
# police inspection").
CONVERSE_REACH = 3
# How many words before a yes/no attribute word a negation (lang/words.py) turns it around.
NEGATION_REACH = 2
# Words in a row that name an event specifically enough to be what an open question asks.
STRONG_SUBJECT_WORDS = 3
# "it was bolton for gmp": a place after these is asserted when a force is named.
COPULAS = frozenset({"was", "is", "were"})


def _after_locative(words: tuple[str, ...], start: int) -> bool:
    """Whether the word at ``start`` follows "in", "at" ... (or "in the")."""
    before = words[max(0, start - 2) : start]
    return bool(before) and (
        before[-1] in LOCATIVES
        or (len(before) == 2 and before == (before[0], "the") and before[0] in LOCATIVES)
        or before in MOTION_TO  # "hmic went to rochdale"
    )


# Words before a force that make it the one asked about ("what about west mercia").
_ABOUT = WHAT_ABOUT | {("and", "for"), ("but", "for")}


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
