"""Typed records of knowledge/safety.yaml (the replies) and safety_screen.yaml (the screen)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.schema.yamlfile import Fields, Problem, YamlDoc

_GAP = re.compile(r"^\.\.(\d+)$")


class ScreenSpecError(ValueError):
    """A pattern or concept in the screen's specification is invalid."""


@dataclass(frozen=True, slots=True)
class Step:
    """One concept in a sequence, and how many words may come between it and the last."""

    concept: str
    gap: int


@dataclass(frozen=True, slots=True)
class Rule:
    """One pattern: sequences that must all hold close together, unless a concept occurs."""

    group: str
    text: str
    parts: tuple[tuple[Step, ...], ...]
    unless: tuple[str, ...]

    @property
    def needs(self) -> frozenset[str]:
        """Every concept that must occur for the pattern to hold."""
        return frozenset(step.concept for part in self.parts for step in part)


def parse_rule(group: str, text: str) -> Rule:
    """Parse ``"a ..3 b + c unless d"``; raise ScreenSpecError on a malformed pattern."""
    body, _, unless_text = text.partition(" unless ")
    parts: list[tuple[Step, ...]] = []
    for part in body.split(" + "):
        steps: list[Step] = []
        gap: int | None = None  # a gap read and not yet followed by its concept
        for word in part.split():
            found = _GAP.match(word)
            if found is None:
                steps.append(Step(word, gap or 0))
                gap = None
            elif steps and gap is None:
                gap = int(found.group(1))
            else:
                raise ScreenSpecError(f"{text!r}: a gap must stand between two concepts")
        if not steps or gap is not None:
            raise ScreenSpecError(f"{text!r}: each part needs a concept after every gap")
        parts.append(tuple(steps))
    return Rule(group, text, tuple(parts), tuple(unless_text.split()))


def literal(word: str) -> str | None:
    """The word of a quoted literal concept ("'for'"), or None for a named concept."""
    if len(word) > 2 and word[0] == word[-1] == "'":
        return word[1:-1]
    return None


# The groups the screen must tell apart, each with a reply of its own (issue: safety first).
REQUIRED_GROUPS = ("self_harm", "child", "online", "adult")
# Words a "+" pattern's parts may lie apart by default, if safety_screen.yaml names none.
DEFAULT_WINDOW = 14


@dataclass(frozen=True, slots=True)
class SafetyReply:
    """What one group at risk is told: the text, and the numbers it must show."""

    group: str
    text: str
    numbers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Safety:
    """Where to get help (standard UK services, not from the page)."""

    not_a_channel: str
    in_brief: str
    in_doubt: str
    replies: tuple[SafetyReply, ...]

    def reply(self, group: str) -> SafetyReply:
        """The reply for ``group`` (KeyError if there is none)."""
        for item in self.replies:
            if item.group == group:
                return item
        raise KeyError(group)


@dataclass(frozen=True, slots=True)
class ScreenSpec:
    """The safety screen's words and patterns, as written in safety_screen.yaml."""

    window: int
    spellings: dict[str, str]
    emoji: dict[str, str]
    concepts: dict[str, tuple[str, ...]]
    rules: dict[str, tuple[str, ...]]
    hints: tuple[str, ...]
    not_typos: tuple[str, ...] = ()  # ordinary words never read as a screen word's typo


def load_safety(doc: YamlDoc, problems: list[Problem]) -> Safety:
    """The replies of safety.yaml; every required group present and showing its numbers."""
    root = Fields(doc, ("safety",), problems)
    replies_fields = root.child("replies")
    replies: list[SafetyReply] = []
    for group in replies_fields.data:
        item = replies_fields.child(str(group))
        text, numbers = item.text("text"), item.texts("numbers")
        for index, number in enumerate(numbers):
            if number not in text:
                item.fail("numbers", f"[{index}] {number!r} does not appear in the text")
        replies.append(SafetyReply(str(group), text, numbers))
    for group in REQUIRED_GROUPS:
        if group not in replies_fields.data:
            replies_fields.fail(group, "missing reply for this group")
    return Safety(
        root.text("not_a_channel"), root.text("in_brief"), root.text("in_doubt"), tuple(replies)
    )


def load_screen(doc: YamlDoc, problems: list[Problem]) -> ScreenSpec:
    """The screen's spellings, concepts and rules; patterns parsed and concepts resolved."""
    top = Fields(doc, (), problems)
    window = int(top.number("window", DEFAULT_WINDOW))
    spellings_fields = top.child("spellings")
    spellings = {str(k): str(v) for k, v in spellings_fields.data.items()}
    emoji_fields = top.optional_child("emoji")
    emoji = {str(k): str(v) for k, v in emoji_fields.data.items()} if emoji_fields else {}
    concepts_fields = top.child("concepts")
    concepts = {str(name): concepts_fields.texts(str(name)) for name in concepts_fields.data}
    rules_fields = top.child("rules")
    rules: dict[str, tuple[str, ...]] = {}
    for group in rules_fields.data:
        texts = rules_fields.texts(str(group))
        for index, text in enumerate(texts):
            try:
                rule = parse_rule(str(group), text)
            except ScreenSpecError as exc:
                rules_fields.fail(str(group), f"[{index}] {exc}")
                continue
            names = [s.concept for part in rule.parts for s in part] + list(rule.unless)
            for name in names:
                if literal(name) is None and name not in concepts:
                    rules_fields.fail(str(group), f"[{index}] {text!r}: unknown concept {name!r}")
        rules[str(group)] = texts
    for group in REQUIRED_GROUPS:
        if group not in rules:
            rules_fields.fail(group, "missing rules for this group")
    hints = top.texts("hints", required=False)
    for index, name in enumerate(hints):
        if name not in concepts:
            top.fail("hints", f"[{index}] unknown concept {name!r}")
    not_typos = top.texts("not_typos", required=False)
    return ScreenSpec(window, spellings, emoji, concepts, rules, hints, not_typos)


def check_groups(safety: Safety, screen: ScreenSpec, doc: YamlDoc, problems: list[Problem]) -> None:
    """Every group the screen can flag has a reply."""
    groups = {r.group for r in safety.replies}
    for group in screen.rules:
        if group not in groups:
            problems.append(
                Problem(doc.name, f"rules.{group}", "no reply for this group in safety.yaml")
            )
