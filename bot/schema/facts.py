"""Facts as records: subject, attribute, typed value and the page sentence it comes from.

Loaded from knowledge/facts.yaml. A keeper adds an attribute, or a fact about any subject,
in YAML alone: the question analysis reads attribute words for every subject, and the
answers are built from the value's type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from bot.schema.yamlfile import Fields, Problem, YamlDoc


class ValueType(StrEnum):
    """What kind of value an attribute has, which decides how claims are checked."""

    DATE = "date"  # "July 2012"
    NUMBER = "number"  # 10
    ENTITIES = "entities"  # ids of forces or bodies: [ofsted, cqc]
    PLACE = "place"  # one of the places in facts.yaml: "Rochdale"
    YES_NO = "yes_no"  # true / false
    CHOICE = "choice"  # one of the attribute's options: "same time", "after"
    TEXT = "text"  # free text, checked only through its `not:` phrases and other subjects


# What an attribute may be implied by, when the question asserts such a value and names
# no attribute ("gmp was inspected in bolton, right?": a place, so the area).
IMPLIED_KINDS = ("date", "number", "place", "entity")
_DATE_RE = re.compile(
    r"^(?:(January|February|March|April|May|June|July|August|September|October|November|"
    r"December) )?((?:19|20)\d\d)$"
)

FactValue = str | int | bool | tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class EventSubject:
    """An event the page describes, and the words that name it."""

    id: str
    name: str
    words: tuple[str, ...]
    # the events the page says this one followed, where it gives this one no date ("a
    # pilot inspection programme was subsequently carried out": after the consultation)
    after: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Attribute:
    """Something that can be asked of a subject, and the words that ask it."""

    id: str
    type: ValueType
    words: tuple[str, ...]
    silent: str  # "The page doesn't say <silent>."
    negative: tuple[str, ...] = ()  # yes_no: words that assert "no"
    options: tuple[tuple[str, tuple[str, ...]], ...] = ()  # choice: value -> words
    requires_any: tuple[str, ...] = ()
    requires_none: tuple[str, ...] = ()  # the attribute does not count with any of these
    implied_by: str | None = None
    first: int = 0  # a fact, not an intent, answers open questions naming it in this many words
    intent: str | None = None  # the intents.yaml topic its answers belong to
    reason: str | None = None  # the attribute a "why ...?" about this one asks for
    # a date attribute of the same subject: this one's value holds before that date
    # ("in 2012 it was still called HMIC" holds before the July 2017 renaming)
    holds_before: str | None = None
    # choice: the options turned round when said of the other side ("did ofsted go in before
    # the police?" says the police went after), and the words that name that side
    converse: tuple[tuple[str, str], ...] = ()
    converse_when: tuple[str, ...] = ()
    noun: str | None = None  # what a value dates or describes: "report" ("GMP's report")
    actor: bool = False  # entities: who did it, checked against a body said to have done it
    # actor: words naming what this deed was done to ("council"): a claim naming them and
    # this deed's doer is about this deed ("ofsted went into herefordshire council")
    done_to: tuple[str, ...] = ()
    asked_by_name: bool = False  # yes_no: asked by a yes/no question naming only an event


@dataclass(frozen=True, slots=True)
class Fact:
    """One statement of the page. ``value`` None: the page is silent; ``note`` says what
    it does say instead."""

    subject: str
    attribute: str
    value: FactValue
    sentence: int  # index into Knowledge.page
    note: str | None = None
    contradicted_by: tuple[str, ...] = ()
    intent: str | None = None  # the intents.yaml topic of its answer (else its attribute's)
    # a number the page does not give, only that it is at least this ("a range of local
    # authority boundaries": more than one)
    at_least: int | None = None


@dataclass(frozen=True, slots=True)
class OtherBody:
    """An organisation the page does not name (so it is in none of the page's lists)."""

    id: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FactBook:
    """Every fact, by subject and attribute."""

    subjects: tuple[EventSubject, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    facts: tuple[Fact, ...] = ()
    places: tuple[str, ...] = ()
    other_bodies: tuple[OtherBody, ...] = ()
    asks: tuple[tuple[ValueType, tuple[str, ...]], ...] = ()  # type -> bare question words
    voices: frozenset[str] = frozenset()  # bodies the page speaks for (HMIC)
    place_attribute: str | None = None  # each force's inspected area
    page_subject: str | None = None  # the page itself: naming it asks about no event
    _by_key: dict[tuple[str, str], Fact] = field(init=False, repr=False, compare=False)
    _attributes: dict[str, Attribute] = field(init=False, repr=False, compare=False)
    _holders: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    _events: dict[str, EventSubject] = field(init=False, repr=False, compare=False)
    _of: dict[str, tuple[Fact, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {(f.subject, f.attribute): f for f in self.facts})
        object.__setattr__(self, "_attributes", {a.id: a for a in self.attributes})
        holders: dict[str, list[str]] = {}
        of: dict[str, list[Fact]] = {}
        for fact in self.facts:
            holders.setdefault(fact.attribute, []).append(fact.subject)
            of.setdefault(fact.subject, []).append(fact)
        object.__setattr__(self, "_holders", {a: tuple(s) for a, s in holders.items()})
        object.__setattr__(self, "_of", {s: tuple(f) for s, f in of.items()})
        object.__setattr__(self, "_events", {s.id: s for s in self.subjects})

    def fact(self, subject: str, attribute: str) -> Fact | None:
        """The fact of ``subject``'s ``attribute``, if the page states or notes one."""
        return self._by_key.get((subject, attribute))

    def value(self, subject: str, attribute: str) -> FactValue | None:
        """The value of ``subject``'s ``attribute``; None if the page is silent on it."""
        fact = self._by_key.get((subject, attribute))
        return fact.value if fact is not None else None

    def facts_of(self, subject: str) -> tuple[Fact, ...]:
        """Every fact of ``subject``."""
        return self._of.get(subject, ())

    def attribute(self, attribute_id: str) -> Attribute:
        """The attribute with id ``attribute_id`` (KeyError if there is none)."""
        return self._attributes[attribute_id]

    def subjects_with(self, attribute: str) -> tuple[str, ...]:
        """The subjects that have a fact (or a noted silence) for ``attribute``."""
        return self._holders.get(attribute, ())

    def event(self, subject_id: str) -> EventSubject | None:
        """The event subject with id ``subject_id``, if it is one."""
        return self._events.get(subject_id)

    def intents(self) -> list[tuple[str, str]]:
        """(where, intent id) for every intent the book names, to check against intents.yaml."""
        out = [(f"attributes[{a.id}].intent", a.intent) for a in self.attributes if a.intent]
        out += [
            (f"facts[{f.subject}.{f.attribute}].intent", f.intent) for f in self.facts if f.intent
        ]
        return out

    def words(self) -> list[str]:
        """Every phrase the book uses, for the vocabulary that corrects typos."""
        out: list[str] = []
        for subject in self.subjects:
            out += [subject.name, *subject.words]
        for attribute in self.attributes:
            out += [*attribute.words, *attribute.negative, *attribute.requires_any]
            out += attribute.requires_none
            for _, words in attribute.options:
                out += words
        for body in self.other_bodies:
            out += [body.name, *body.aliases]
        for _, phrases in self.asks:
            out += phrases
        return out + list(self.places)


def load_facts(
    doc: YamlDoc,
    problems: list[Problem],
    *,
    force_ids: frozenset[str],
    body_ids: frozenset[str],
    page: tuple[str, ...],
) -> FactBook:
    """Read and check facts.yaml; every problem names file, entry and field."""
    top = Fields(doc, (), problems)
    subjects = tuple(
        EventSubject(
            s.text("id"), s.text("name"), s.texts("words"), s.texts("after", required=False)
        )
        for s in top.items("subjects")
    )
    event_ids = {e.id for e in subjects}
    for index, event in enumerate(subjects):
        for earlier in event.after:
            if earlier not in event_ids:
                Fields(doc, ("subjects", index), problems).fail(
                    "after", f"{earlier!r} is not an event of facts.yaml"
                )
    attributes = tuple(_attribute(a) for a in top.items("attributes"))
    places = top.texts("places")
    other_bodies = tuple(
        OtherBody(b.text("id"), b.text("name"), b.texts("aliases"))
        for b in top.items("other_bodies")
    )
    asks = _by_type(top.optional_child("asks"))
    attribute_ids = {a.id for a in attributes}
    for index, declared in enumerate(attributes):
        if declared.reason is not None and declared.reason not in attribute_ids:
            Fields(doc, ("attributes", index), problems).fail(
                "reason", f"{declared.reason!r} is not an attribute of facts.yaml"
            )
        before = declared.holds_before
        if before is not None and not any(
            a.id == before and a.type is ValueType.DATE for a in attributes
        ):
            Fields(doc, ("attributes", index), problems).fail(
                "holds_before", f"{before!r} is not a date attribute of facts.yaml"
            )
    known_subjects = force_ids | body_ids | {s.id for s in subjects}
    by_id = {a.id: a for a in attributes}
    entity_ids = force_ids | body_ids | {b.id for b in other_bodies}
    facts: list[Fact] = []
    seen: set[tuple[str, str]] = set()
    for item in top.items("facts"):
        item.known("subject", "attribute", "value", "source", "note", "not", "intent", "at_least")
        raw_subject = item.raw("subject")
        subject_ids = raw_subject if isinstance(raw_subject, list) else [raw_subject]
        attribute_id = item.text("attribute")
        attribute = by_id.get(attribute_id)
        if attribute is None and attribute_id:
            item.fail("attribute", f"{attribute_id!r} is not an attribute of facts.yaml")
        sentence = _sentence(item, page)
        value = _value(item, attribute, places, entity_ids) if attribute else None
        at_least = _at_least(item, attribute, value)
        for subject in subject_ids:
            if not isinstance(subject, str) or subject not in known_subjects:
                item.fail(
                    "subject",
                    f"{subject!r} is not a force, body or event id ("
                    + ", ".join(sorted(known_subjects))
                    + ")",
                )
                continue
            if (subject, attribute_id) in seen:
                item.fail("subject", f"{subject!r} already has a fact for {attribute_id!r}")
                continue
            seen.add((subject, attribute_id))
            facts.append(
                Fact(
                    subject,
                    attribute_id,
                    value,
                    sentence,
                    item.optional_text("note"),
                    item.texts("not", required=False),
                    item.optional_text("intent") or (attribute.intent if attribute else None),
                    at_least,
                )
            )
    voices = top.texts("voices", required=False)
    for voice in voices:
        if voice not in body_ids:
            top.fail("voices", f"{voice!r} is not a body id ({', '.join(sorted(body_ids))})")
    place_attribute = top.optional_text("place_attribute")
    if place_attribute is not None and place_attribute not in by_id:
        top.fail("place_attribute", f"{place_attribute!r} is not an attribute of facts.yaml")
    page_subject = top.optional_text("page_subject")
    if page_subject is not None and page_subject not in {s.id for s in subjects}:
        top.fail("page_subject", f"{page_subject!r} is not a subject of facts.yaml")
    return FactBook(
        subjects,
        attributes,
        tuple(facts),
        places,
        other_bodies,
        tuple(asks),
        frozenset(voices),
        place_attribute,
        page_subject,
    )


def _at_least(item: Fields, attribute: Attribute | None, value: FactValue) -> int | None:
    """A fact's ``at_least``: only for a number the page does not give (value null)."""
    raw = item.raw("at_least")
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        item.fail("at_least", f"{raw!r} is not a whole number of at least 1")
        return None
    if attribute is None or attribute.type is not ValueType.NUMBER or value is not None:
        item.fail("at_least", "only for a number attribute whose value is null")
        return None
    return raw


def _by_type(fields: Fields | None) -> list[tuple[ValueType, tuple[str, ...]]]:
    """A mapping of value type -> phrases (``asks:``)."""
    out: list[tuple[ValueType, tuple[str, ...]]] = []
    if fields is None:
        return out
    for name in list(fields.data):
        try:
            kind = ValueType(str(name))
        except ValueError:
            fields.fail(str(name), f"{name!r} is not a type")
            continue
        out.append((kind, fields.texts(str(name))))
    return out


def _attribute(a: Fields) -> Attribute:
    a.known(
        "id",
        "type",
        "words",
        "negative",
        "options",
        "requires_any",
        "requires_none",
        "implied_by",
        "first",
        "silent",
        "intent",
        "reason",
        "holds_before",
        "converse",
        "converse_when",
        "noun",
        "actor",
        "done_to",
        "asked_by_name",
    )
    raw_type = a.text("type")
    try:
        kind = ValueType(raw_type)
    except ValueError:
        a.fail("type", f"{raw_type!r} is not a type ({', '.join(t.value for t in ValueType)})")
        kind = ValueType.TEXT
    options: list[tuple[str, tuple[str, ...]]] = []
    opts = a.optional_child("options")
    if kind is ValueType.CHOICE:
        if opts is None:
            a.fail("options", "a choice attribute needs options")
        else:
            for name in list(opts.data):
                options.append((str(name), opts.texts(str(name))))
    converse: list[tuple[str, str]] = []
    turned = a.optional_child("converse")
    if turned is not None:
        names = {name for name, _ in options}
        for name in list(turned.data):
            other = turned.text(str(name))
            if str(name) not in names or other not in names:
                a.fail("converse", f"{name!r} -> {other!r}: both must be options")
            converse.append((str(name), other))
    implied = a.optional_text("implied_by")
    if implied is not None and implied not in IMPLIED_KINDS:
        a.fail("implied_by", f"{implied!r} is not one of {', '.join(IMPLIED_KINDS)}")
    words = a.texts("words", required=kind is not ValueType.CHOICE)
    actor = a.flag("actor", default=False)
    done_to = a.texts("done_to", required=False)
    if done_to and not actor:
        a.fail("done_to", "only an actor attribute (actor: true) names what it was done to")
    return Attribute(
        id=a.text("id"),
        type=kind,
        words=words,
        silent=a.text("silent"),
        negative=a.texts("negative", required=False),
        options=tuple(options),
        requires_any=a.texts("requires_any", required=False),
        requires_none=a.texts("requires_none", required=False),
        implied_by=implied,
        first=_first(a),
        intent=a.optional_text("intent"),
        reason=a.optional_text("reason"),
        holds_before=a.optional_text("holds_before"),
        converse=tuple(converse),
        converse_when=a.texts("converse_when", required=False),
        noun=a.optional_text("noun"),
        actor=actor,
        done_to=done_to,
        asked_by_name=a.flag("asked_by_name", default=False),
    )


# `first: true` means a phrase of at least this many words ("how many councils", not
# "councils" alone, as in "council ratings"); a number says how many instead.
FIRST_WORDS = 2


def _first(a: Fields) -> int:
    raw = a.raw("first")
    if raw is None or raw is False:
        return 0
    if raw is True:
        return FIRST_WORDS
    if isinstance(raw, int) and raw > 0:
        return raw
    a.fail("first", f"expected true, false or a number of words, got {raw!r}")
    return 0


def _sentence(item: Fields, page: tuple[str, ...]) -> int:
    fragment = item.text("source")
    if not fragment:
        return 0
    found = [i for i, text in enumerate(page) if fragment in text]
    if len(found) != 1:
        where = "no sentence" if not found else f"{len(found)} sentences"
        item.fail("source", f"{fragment!r} is in {where} of page.yaml; it must be in exactly one")
        return 0
    return found[0]


def _value(
    item: Fields, attribute: Attribute, places: tuple[str, ...], entity_ids: frozenset[str]
) -> FactValue:
    raw = item.raw("value")
    if raw is None:
        return None
    kind = attribute.type
    if kind is ValueType.DATE and isinstance(raw, str) and _DATE_RE.match(raw):
        return raw
    if kind is ValueType.NUMBER and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if kind is ValueType.YES_NO and isinstance(raw, bool):
        return raw
    if kind is ValueType.PLACE and isinstance(raw, str):
        if raw in places:
            return raw
        item.fail("value", f"{raw!r} is not in places")
        return None
    if kind is ValueType.CHOICE and isinstance(raw, str):
        names = [name for name, _ in attribute.options]
        if raw in names:
            return raw
        item.fail("value", f"{raw!r} is not an option of {attribute.id} ({', '.join(names)})")
        return None
    if kind is ValueType.ENTITIES and isinstance(raw, list):
        bad = [v for v in raw if not isinstance(v, str) or v not in entity_ids]
        if bad:
            item.fail("value", f"{', '.join(map(repr, bad))}: not a force, body or other body id")
            return None
        return tuple(raw)
    if kind is ValueType.TEXT and isinstance(raw, str) and raw.strip():
        return raw.strip()
    expected = {
        ValueType.DATE: "a month and year such as 'July 2012'",
        ValueType.NUMBER: "a whole number",
        ValueType.ENTITIES: "a list of ids",
        ValueType.PLACE: "a place",
        ValueType.YES_NO: "true or false",
        ValueType.CHOICE: "an option",
        ValueType.TEXT: "text",
    }[kind]
    item.fail("value", f"expected {expected} for a {kind.value} attribute, got {raw!r}")
    return None
