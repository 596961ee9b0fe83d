"""Typed, frozen records of the page's facts, loaded and validated from knowledge/*.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.lang.text import normalise
from bot.schema.facts import FactBook, load_facts
from bot.schema.safety import Safety, ScreenSpec, check_groups, load_safety, load_screen
from bot.schema.yamlfile import (
    DataError,
    Fields,
    Problem,
    YamlDoc,
    read_yaml,
    unfilled_placeholders,
)


@dataclass(frozen=True, slots=True)
class Source:
    """The page all facts come from."""

    publisher: str
    title: str
    citation: str
    period_start: str
    period_end: str
    url: str | None = None  # the page's address, when known: the source line links to it


@dataclass(frozen=True, slots=True)
class Report:
    """A published report the page names."""

    title: str
    date: str
    publisher: str  # a body id


@dataclass(frozen=True, slots=True)
class Findings:
    """What the inspectors found, as far as the page says."""

    summary: str
    impressed_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Force:
    """One police force in the pilot. ``None`` fields are ones the page is silent on."""

    id: str
    name: str
    short_name: str
    aliases: tuple[str, ...]
    local_authority: str
    area: str
    selection_reason: str
    findings: Findings | None
    report: Report | None
    ofsted_note: str | None
    lookup: dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Body:
    """An organisation the page names, with its standard full name."""

    id: str
    abbreviation: str
    page_name: str  # how the page itself names it
    full_name: str
    aliases: tuple[str, ...]
    on_page: str


@dataclass(frozen=True, slots=True)
class Consultation:
    """The July 2012 consultation."""

    date: str
    bodies: tuple[str, ...]
    subject: str


@dataclass(frozen=True, slots=True)
class Inspections:
    """The November 2012 police inspections."""

    date: str
    conducted_by: str
    announced: bool
    subject: str


@dataclass(frozen=True, slots=True)
class Deferral:
    """Ofsted's April 2013 deferral of the arrangements."""

    announced: str
    announced_by: str
    what: str
    deferred_until: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class PressRelease:
    """The Ofsted press release the page links."""

    publisher: str
    title: str
    date: str | None


@dataclass(frozen=True, slots=True)
class Renaming:
    """HMIC becoming HMICFRS."""

    date: str
    old_body: str
    new_body: str
    new_responsibility: str
    note: str


@dataclass(frozen=True, slots=True)
class BotTexts:
    """What the bot says about itself: Telegram's descriptions and the /privacy reply."""

    description: str
    short_description: str
    privacy_log_on: str  # with {retention_days}
    privacy_log_off: str


# Telegram's limits for setMyDescription and setMyShortDescription.
MAX_DESCRIPTION = 512
MAX_SHORT_DESCRIPTION = 120
# Placeholders a knowledge file may leave for the code to fill, by file.
FILLED_PLACEHOLDERS = {
    "bot.yaml": frozenset({"{retention_days}"}),
    "facts.yaml": frozenset({"{subject}"}),  # an attribute's `silent:` names its subject
}


@dataclass(frozen=True, slots=True)
class PageSentence:
    """One sentence of the page as published, and the force it is about (if any)."""

    text: str
    subject: str | None


@dataclass(frozen=True, slots=True)
class NotCovered:
    """A subject the page does not cover, and the words that raise it."""

    topic: str
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Knowledge:
    """Everything the bot knows."""

    source: Source
    summary: str
    consultation: Consultation
    pilot_description: str
    pilot_forces: tuple[str, ...]
    inspections: Inspections
    ofsted_timing: str
    ofsted_independence: str
    improvements: str
    improvement_details: str | None
    deferral: Deferral
    press_release: PressRelease
    renaming: Renaming
    forces: tuple[Force, ...]
    bodies: tuple[Body, ...]
    other_forces: tuple[str, ...]
    safety: Safety
    screen: ScreenSpec
    domain_words: tuple[str, ...]
    not_covered: tuple[NotCovered, ...]
    bot: BotTexts
    page: tuple[PageSentence, ...] = ()
    facts: FactBook = field(default_factory=FactBook)
    # ordinary words near a known word that are no typos of it ("filing" is no "failing")
    not_typos: tuple[str, ...] = ()

    # id -> record, so a look-up costs the same with 3 forces or 3,000
    _forces_by_id: dict[str, Force] = field(init=False, repr=False, compare=False)
    _bodies_by_id: dict[str, Body] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_forces_by_id", {f.id: f for f in self.forces})
        object.__setattr__(self, "_bodies_by_id", {b.id: b for b in self.bodies})

    def force(self, force_id: str) -> Force:
        """The force with id ``force_id`` (KeyError if there is none)."""
        return self._forces_by_id[force_id]

    def body(self, body_id: str) -> Body:
        """The body with id ``body_id`` (KeyError if there is none)."""
        return self._bodies_by_id[body_id]


# What a "which force ...?" look-up phrase can point at: why it was selected, what was
# found, how it related to Ofsted's inspection, or its report.
LOOKUP_FACETS = ("selection", "findings", "ofsted", "report")
# The facets that describe a force well enough to name it ("the complex force", "the one
# praised for its work on sexual exploitation"); a month ("april 2013") names too much else.
DESCRIPTION_FACETS = ("selection", "findings")

KNOWLEDGE_FILES = (
    "source.yaml",
    "programme.yaml",
    "forces.yaml",
    "bodies.yaml",
    "other_forces.yaml",
    "safety.yaml",
    "safety_screen.yaml",
    "vocabulary.yaml",
    "not_covered.yaml",
    "page.yaml",
    "bot.yaml",
    "facts.yaml",
)


def load_knowledge(directory: Path) -> Knowledge:
    """Load and validate every file of ``directory``; raise DataError listing all problems."""
    problems: list[Problem] = []
    docs: dict[str, YamlDoc] = {}
    for filename in KNOWLEDGE_FILES:
        name = f"{directory.name}/{filename}"
        try:
            docs[filename] = read_yaml(directory / filename, name)
        except DataError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DataError(problems)

    def root(filename: str, key: str) -> Fields:
        return Fields(docs[filename], (key,), problems)

    src = root("source.yaml", "source")
    period = src.child("period")
    source = Source(
        publisher=src.text("publisher"),
        title=src.text("title"),
        citation=src.text("citation"),
        period_start=period.text("start"),
        period_end=period.text("end"),
        url=src.optional_text("url"),
    )
    if source.url is not None and not source.url.startswith("https://"):
        src.fail("url", f"{source.url!r} is not an https:// address")

    forces = tuple(_force(f) for f in Fields(docs["forces.yaml"], (), problems).items("forces"))
    bodies = tuple(_body(b) for b in Fields(docs["bodies.yaml"], (), problems).items("bodies"))
    force_ids = {f.id for f in forces}
    body_ids = {b.id for b in bodies}

    cons = root("programme.yaml", "consultation")
    pilot = root("programme.yaml", "pilot")
    insp = root("programme.yaml", "inspections")
    rel = root("programme.yaml", "ofsted_relation")
    imp = root("programme.yaml", "improvements")
    dfr = root("programme.yaml", "deferral")
    press = root("programme.yaml", "press_release")
    ren = root("programme.yaml", "renaming")
    safety = load_safety(docs["safety.yaml"], problems)
    screen = load_screen(docs["safety_screen.yaml"], problems)
    check_groups(safety, screen, docs["safety_screen.yaml"], problems)

    knowledge = Knowledge(
        source=source,
        summary=root("programme.yaml", "programme").text("summary"),
        consultation=Consultation(cons.text("date"), cons.texts("bodies"), cons.text("subject")),
        pilot_description=pilot.text("description"),
        pilot_forces=pilot.texts("forces"),
        inspections=Inspections(
            insp.text("date"),
            insp.text("conducted_by"),
            insp.flag("announced"),
            insp.text("subject"),
        ),
        ofsted_timing=rel.text("timing"),
        ofsted_independence=rel.text("independence"),
        improvements=imp.text("statement"),
        improvement_details=imp.optional_text("details"),
        deferral=Deferral(
            dfr.text("announced"),
            dfr.text("announced_by"),
            dfr.text("what"),
            dfr.text("deferred_until"),
            dfr.optional_text("reason"),
        ),
        press_release=PressRelease(
            press.text("publisher"), press.text("title"), press.optional_text("date")
        ),
        renaming=Renaming(
            ren.text("date"),
            ren.text("old_body"),
            ren.text("new_body"),
            ren.text("new_responsibility"),
            ren.text("note"),
        ),
        forces=forces,
        bodies=bodies,
        other_forces=Fields(docs["other_forces.yaml"], (), problems).texts("other_forces"),
        safety=safety,
        screen=screen,
        domain_words=Fields(docs["vocabulary.yaml"], (), problems).texts("domain_words"),
        not_typos=Fields(docs["vocabulary.yaml"], (), problems).texts("not_typos", required=False),
        not_covered=tuple(
            NotCovered(item.text("topic"), item.texts("words"))
            for item in Fields(docs["not_covered.yaml"], (), problems).items("not_covered")
        ),
        bot=_bot_texts(root("bot.yaml", "bot")),
        page=tuple(
            PageSentence(item.text("text"), item.optional_text("subject"))
            for item in Fields(docs["page.yaml"], (), problems).items("page")
        ),
    )

    knowledge = replace(
        knowledge,
        facts=load_facts(
            docs["facts.yaml"],
            problems,
            force_ids=frozenset(force_ids),
            body_ids=frozenset(body_ids),
            page=tuple(p.text for p in knowledge.page),
        ),
    )
    # Cross-references: every id a record names must exist.
    for fields, key, ids, known in (
        (cons, "bodies", knowledge.consultation.bodies, body_ids),
        (pilot, "forces", knowledge.pilot_forces, force_ids),
    ):
        for index, ref in enumerate(ids):
            if ref not in known:
                fields.fail(
                    key, f"[{index}] {ref!r} is not a known id ({', '.join(sorted(known))})"
                )
    for fields, key, known in (
        (insp, "conducted_by", body_ids),
        (dfr, "announced_by", body_ids),
        (press, "publisher", body_ids),
        (ren, "old_body", body_ids),
        (ren, "new_body", body_ids),
        (src, "publisher", body_ids),
    ):
        value: object = fields.raw(key)
        if isinstance(value, str) and value not in known:
            fields.fail(key, f"{value!r} is not a known body id ({', '.join(sorted(known))})")

    for index, sentence in enumerate(knowledge.page):
        if sentence.subject is not None and sentence.subject not in force_ids:
            Fields(docs["page.yaml"], ("page", index), problems).fail(
                "subject", f"{sentence.subject!r} is not a known force id"
            )
    for index, force in enumerate(forces):
        if force.report is not None and force.report.publisher not in body_ids:
            Fields(docs["forces.yaml"], ("forces", index, "report"), problems).fail(
                "publisher", f"{force.report.publisher!r} is not a known body id"
            )
    _check_unique_ids(docs["forces.yaml"], "forces", [f.id for f in forces], problems)
    _check_unique_ids(docs["bodies.yaml"], "bodies", [b.id for b in bodies], problems)
    _check_aliases(docs, forces, bodies, knowledge.other_forces, problems)
    for filename, doc in docs.items():
        problems.extend(doc.unknown_keys())
        problems.extend(unfilled_placeholders(doc, FILLED_PLACEHOLDERS.get(filename, frozenset())))
    if problems:
        raise DataError(problems)
    return knowledge


def _force(f: Fields) -> Force:
    findings_fields = f.optional_child("findings")
    report_fields = f.optional_child("report")
    lookup_fields = f.optional_child("lookup")
    lookup: dict[str, tuple[str, ...]] = {}
    if lookup_fields is not None:
        for facet in lookup_fields.data:
            if facet not in LOOKUP_FACETS:
                lookup_fields.fail(
                    str(facet), f"unknown facet (expected one of {', '.join(LOOKUP_FACETS)})"
                )
            lookup[str(facet)] = lookup_fields.texts(str(facet), required=False)
    return Force(
        id=f.text("id"),
        name=f.text("name"),
        short_name=f.text("short_name"),
        aliases=f.texts("aliases"),
        local_authority=f.text("local_authority"),
        area=f.text("area"),
        selection_reason=f.text("selection_reason"),
        findings=(
            Findings(findings_fields.text("summary"), findings_fields.texts("impressed_by"))
            if findings_fields
            else None
        ),
        report=(
            Report(
                report_fields.text("title"),
                report_fields.text("date"),
                report_fields.text("publisher"),
            )
            if report_fields
            else None
        ),
        ofsted_note=f.optional_text("ofsted_note"),
        lookup=lookup,
    )


def _bot_texts(b: Fields) -> BotTexts:
    texts = BotTexts(
        b.text("description"),
        b.text("short_description"),
        b.text("privacy_log_on"),
        b.text("privacy_log_off"),
    )
    for key, limit in (
        ("description", MAX_DESCRIPTION),
        ("short_description", MAX_SHORT_DESCRIPTION),
    ):
        if len(getattr(texts, key)) > limit:
            b.fail(key, f"is {len(getattr(texts, key))} characters; Telegram allows {limit}")
    return texts


def _body(b: Fields) -> Body:
    return Body(
        id=b.text("id"),
        abbreviation=b.text("abbreviation"),
        page_name=b.text("page_name"),
        full_name=b.text("full_name"),
        aliases=b.texts("aliases"),
        on_page=b.text("on_page"),
    )


def _check_unique_ids(doc: YamlDoc, key: str, ids: list[str], problems: list[Problem]) -> None:
    seen: dict[str, int] = {}
    for index, entry_id in enumerate(ids):
        if entry_id in seen:
            path = (key, index, "id")
            problems.append(
                Problem(
                    doc.name,
                    f"{key}[{index}].id",
                    f"duplicate id {entry_id!r} (also {key}[{seen[entry_id]}])",
                    doc.line(path),
                )
            )
        elif entry_id:
            seen[entry_id] = index


def _check_aliases(
    docs: dict[str, YamlDoc],
    forces: tuple[Force, ...],
    bodies: tuple[Body, ...],
    other_forces: tuple[str, ...],
    problems: list[Problem],
) -> None:
    """One alias, after normalisation, may name one entity only."""
    owner: dict[str, str] = {}
    for filename, key, entries in (
        ("forces.yaml", "forces", [(f.id, (f.name, f.short_name, *f.aliases)) for f in forces]),
        ("bodies.yaml", "bodies", [(b.id, (b.abbreviation, *b.aliases)) for b in bodies]),
    ):
        doc = docs[filename]
        for index, (entity_id, names) in enumerate(entries):
            for alias_index, alias in enumerate(names):
                norm = normalise(alias)
                if not norm:
                    continue
                previous = owner.setdefault(norm, entity_id)
                if previous != entity_id:
                    offset = alias_index - (len(names) - len(entries[index][1]))
                    path = (
                        key,
                        index,
                        "aliases",
                        max(offset - 2 if key == "forces" else offset - 1, 0),
                    )
                    problems.append(
                        Problem(
                            doc.name,
                            f"{key}[{index}].aliases",
                            f"{alias!r} is already an alias of {previous}",
                            doc.line(path),
                        )
                    )
    doc = docs["other_forces.yaml"]
    for index, name in enumerate(other_forces):
        norm = normalise(name)
        if norm in owner:
            problems.append(
                Problem(
                    doc.name,
                    f"other_forces[{index}]",
                    f"{name!r} is already an alias of {owner[norm]}",
                    doc.line(("other_forces", index)),
                )
            )


_COUNT_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_FORCE_COUNT_RE = re.compile(
    r"\b(" + "|".join(_COUNT_WORDS) + r"|\d+)\s+(?:police\s+)?forces\b", re.IGNORECASE
)


def force_count_warnings(paths: list[Path], count: int) -> list[str]:
    """Lines of ``paths`` that state a number of forces other than ``count``.

    Adding a fourth force needs YAML only, but text such as "the three forces" would then
    be wrong; ``python -m bot check`` prints these as warnings.
    """
    out: list[str] = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for found in _FORCE_COUNT_RE.finditer(line):
                word = found.group(1).lower()
                said = (
                    int(word) if word.isascii() and word.isdigit() else _COUNT_WORDS.index(word) + 1
                )
                if said != count:
                    out.append(
                        f"{path.parent.name}/{path.name}:{number}: says {found.group(0)!r} but "
                        f"there are {count} forces"
                    )
    return out
