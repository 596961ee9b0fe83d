"""The intent specs from intents.yaml, validated against the answer builders that exist."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from bot.lang.text import stems, tokens
from bot.schema.knowledge import Knowledge
from bot.schema.yamlfile import DataError, Fields, Problem, read_yaml, unfilled_placeholders

SLOT_TYPES = ("force", "body")
# What an intent is to the dialogue policy (intents.yaml's `kind:`), so no intent id is
# written into the code: small talk never changes the chat's topic; an overview answers a
# bare entity with nothing to continue; a lookup finds the force that fits a description;
# a roster lists the forces inspected; a question is everything else.
KINDS = ("question", "small_talk", "overview", "lookup", "roster")
# Every field an intent may have (intents.yaml's header documents each).
INTENT_FIELDS = (
    "id",
    "answer",
    "kind",
    "command",
    "slot",
    "slot_optional",
    "all_when_unnamed",
    "requires_slot",
    "keywords",
    "requires_any",
    "requires_also",
    "requires_none",
    "forbid_bodies",
    "max_tokens",
    "priority",
    "lookup",
    "reply",
    "reply_again",
    "topic",
    "force_follow_up",
    "next",
    "examples",
    "suggestions",
)
# Bot commands an intent may answer (`command:`), as in /start, /help, /sources, /about.
COMMANDS = ("start", "help", "sources", "about")

Term = tuple[str, ...]  # a keyword as a sequence of word stems


@dataclass(frozen=True, slots=True)
class IntentSpec:
    """One intent: how to recognise it and which answer builder answers it."""

    id: str
    answer: str  # the answer builder in bot/dialogue/answers.py
    keywords: dict[Term, float]
    slot: str | None = None
    slot_optional: bool = False
    all_when_unnamed: bool = False  # no force named or in context: every force's answer
    requires_slot: bool = False
    requires_any: frozenset[Term] = frozenset()
    requires_also: frozenset[Term] = frozenset()
    requires_none: frozenset[Term] = frozenset()
    forbid_bodies: frozenset[str] = frozenset()
    max_tokens: int | None = None
    priority: float = 0.0
    lookup: bool = False
    reply: str | None = None
    reply_again: str | None = None  # small talk said a second time in one chat: shorter
    topic: str | None = None
    force_follow_up: str | None = None
    next: str | None = None  # the intent about what happened next on the page's timeline
    examples: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    surface_words: frozenset[str] = frozenset()
    kind: str = "question"
    command: str | None = None


def to_term(text: str) -> Term:
    """A keyword's stems, after the same normalisation user text gets."""
    return stems(tokens(text))


def load_intents(path: Path, answers: Collection[str]) -> tuple[IntentSpec, ...]:
    """Load intents.yaml; raise DataError naming file, entry and field for each problem."""
    doc = read_yaml(path, path.name)
    problems: list[Problem] = []
    specs: list[IntentSpec] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(Fields(doc, (), problems).items("intents")):
        spec = _spec(item, answers)
        if spec is None:
            continue
        if spec.id in seen:
            item.fail("id", f"duplicate id {spec.id!r} (also intents[{seen[spec.id]}])")
        seen.setdefault(spec.id, index)
        specs.append(spec)
    problems.extend(doc.unknown_keys())
    # "{force}" is filled with the force an answer was about; nothing fills any other
    problems.extend(unfilled_placeholders(doc, frozenset({"{force}"})))
    if problems:
        raise DataError(problems)
    return tuple(specs)


def _terms(item: Fields, key: str) -> frozenset[Term]:
    out = set()
    for index, text in enumerate(item.texts(key, required=False)):
        term = to_term(text)
        if term:
            out.add(term)
        else:
            item.fail(key, f"[{index}] {text!r} has no words after normalisation")
    return frozenset(out)


def _spec(item: Fields, answers: Collection[str]) -> IntentSpec | None:
    item.known(*INTENT_FIELDS)
    intent_id = item.text("id")
    answer = item.text("answer")
    if answer and answer not in answers:
        item.fail(
            "answer", f"no answer builder named {answer!r} (known: {', '.join(sorted(answers))})"
        )
    slot = item.optional_text("slot")
    if slot is not None and slot not in SLOT_TYPES:
        item.fail("slot", f"unknown slot {slot!r} (expected one of {', '.join(SLOT_TYPES)})")
    keywords: dict[Term, float] = {}
    surface: set[str] = set()
    raw = item.raw("keywords")
    if not isinstance(raw, dict) or not raw:
        item.fail("keywords", "expected a mapping of term: weight with at least one term")
    else:
        for term_text, weight in raw.items():
            term = to_term(str(term_text))
            if not term:
                item.fail("keywords", f"{term_text!r} has no words after normalisation")
            elif not isinstance(weight, int | float) or isinstance(weight, bool):
                item.fail("keywords", f"weight of {term_text!r} must be a number, got {weight!r}")
            else:
                # "report" and "reports" share a stem: the stronger weight counts
                keywords[term] = max(float(weight), keywords.get(term, float("-inf")))
                surface.update(tokens(str(term_text)))
    reply = item.optional_text("reply")
    if answer == "canned" and reply is None:
        item.fail("reply", "missing field (the canned answer needs a reply text)")
    max_tokens = item.raw("max_tokens")
    if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
        item.fail("max_tokens", f"expected a positive whole number, got {max_tokens!r}")
        max_tokens = None
    kind = item.optional_text("kind") or "question"
    if kind not in KINDS:
        item.fail("kind", f"unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
    command = item.optional_text("command")
    if command is not None and command not in COMMANDS:
        item.fail("command", f"unknown command {command!r} (expected one of {', '.join(COMMANDS)})")
    examples = item.texts("examples")
    if not examples:
        item.fail("examples", "needs at least one example question")
    if not intent_id or not answer:
        return None
    return IntentSpec(
        id=intent_id,
        answer=answer,
        keywords=keywords,
        slot=slot,
        slot_optional=item.flag("slot_optional", default=False),
        all_when_unnamed=item.flag("all_when_unnamed", default=False),
        requires_slot=item.flag("requires_slot", default=False),
        requires_any=_terms(item, "requires_any"),
        requires_also=_terms(item, "requires_also"),
        requires_none=_terms(item, "requires_none"),
        forbid_bodies=frozenset(item.texts("forbid_bodies", required=False)),
        max_tokens=max_tokens,
        priority=item.number("priority", 0.0),
        lookup=item.flag("lookup", default=False),
        reply=reply,
        reply_again=item.optional_text("reply_again"),
        topic=item.optional_text("topic"),
        force_follow_up=item.optional_text("force_follow_up"),
        next=item.optional_text("next"),
        examples=examples,
        suggestions=item.texts("suggestions", required=False),
        surface_words=frozenset(surface),
        kind=kind,
        command=command,
    )


def check_references(specs: tuple[IntentSpec, ...], knowledge: Knowledge) -> None:
    """Raise DataError if an intent names a body or intent that does not exist."""
    known = {body.id for body in knowledge.bodies}
    ids = {spec.id for spec in specs}
    problems = [
        Problem(
            "intents.yaml",
            f"intents[{index}].force_follow_up",
            f"{spec.force_follow_up!r} is not an intent id",
        )
        for index, spec in enumerate(specs)
        if spec.force_follow_up and spec.force_follow_up not in ids
    ]
    problems += [
        Problem("intents.yaml", f"intents[{index}].next", f"{spec.next!r} is not an intent id")
        for index, spec in enumerate(specs)
        if spec.next and spec.next not in ids
    ]
    problems += [
        Problem(
            "intents.yaml",
            f"intents[{index}].forbid_bodies",
            f"{body!r} is not a body in knowledge/bodies.yaml ({', '.join(sorted(known))})",
        )
        for index, spec in enumerate(specs)
        for body in sorted(spec.forbid_bodies - known)
    ]
    problems += [
        Problem("knowledge/facts.yaml", where, f"{intent!r} is not an intent id in intents.yaml")
        for where, intent in knowledge.facts.intents()
        if intent not in ids
    ]
    if problems:
        raise DataError(problems)
