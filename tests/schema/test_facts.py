"""facts.yaml: typed fact records, and errors that name the file, entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.dialogue.assistant import Assistant
from bot.schema.facts import ValueType
from bot.schema.knowledge import Knowledge
from tests.support.knowledge_files import copy_knowledge, load_errors
from tests.support.knowledge_files import edit as edit_file


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_knowledge(tmp_path)


def edit(root: Path, old: str, new: str) -> None:
    edit_file(root / "knowledge" / "facts.yaml", old, new)


def test_every_fact_has_a_typed_value_or_a_noted_silence(knowledge: Knowledge) -> None:
    book = knowledge.facts
    assert book.fact("greater-manchester", "local_authority_count") is not None
    for fact in book.facts:
        kind = book.attribute(fact.attribute).type
        if fact.value is None:
            continue
        expected = {
            ValueType.DATE: str,
            ValueType.NUMBER: int,
            ValueType.ENTITIES: tuple,
            ValueType.PLACE: str,
            ValueType.YES_NO: bool,
            ValueType.CHOICE: str,
            ValueType.TEXT: str,
        }[kind]
        assert isinstance(fact.value, expected), fact
        assert 0 <= fact.sentence < len(knowledge.page)


def test_every_fact_quotes_a_sentence_that_states_its_value(knowledge: Knowledge) -> None:
    for fact in knowledge.facts.facts:
        sentence = knowledge.page[fact.sentence].text
        if isinstance(fact.value, str) and knowledge.facts.attribute(fact.attribute).type in (
            ValueType.DATE,
            ValueType.PLACE,
        ):
            assert fact.value in sentence, (fact, sentence)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    attribute: local_authority_count\n    value: 10\n",
            "    attribute: local_authority_count\n    value: ten\n",
            "facts[",
        ),
        (
            "    attribute: area\n    value: Rochdale\n",
            "    attribute: area\n    value: Ro\n",
            "'Ro' is not in places",
        ),
        (
            "  - subject: deferral\n    attribute: deferred_until\n",
            "  - subject: defferal\n    attribute: deferred_until\n",
            "'defferal' is not a force, body or event id",
        ),
        (
            "    attribute: deferred_until\n",
            "    attribute: deferred_untill\n",
            "'deferred_untill' is not an attribute",
        ),
        (
            "    source: In April 2013 Ofsted announced\n",
            "    source: In May 2013 Ofsted announced\n",
            "must be in exactly one",
        ),
        ("    value: April 2015\n", "    value: April 2015\n    nott: [x]\n", "unknown field"),
        ("    value: April 2015\n", "    value: 2015-04\n", "expected a month and year"),
        ("    first: 1\n", "    first: some\n", "expected true, false or a number of words"),
        ("voices: [hmic]\n", "voices: [hmik]\n", "'hmik' is not a body id"),
        ("place_attribute: area\n", "place_attribute: areas\n", "'areas' is not an attribute"),
        ("    holds_before: date\n", "    holds_before: area\n", "'area' is not a date attribute"),
        (
            "    actor: true\n    words: [council side,",
            "    words: [council side,",
            "only an actor attribute",
        ),
        (
            "    after: [consultation]\n",
            "    after: [consultaton]\n",
            "'consultaton' is not an event",
        ),
        (
            "    converse: {after: before, before: after}\n",
            "    converse: {after: later, before: after}\n",
            "both must be options",
        ),
        ("    at_least: 2\n", "    at_least: two\n", "'two' is not a whole number"),
        (
            "    value: April 2015\n",
            "    value: April 2015\n    at_least: 2\n",
            "only for a number attribute whose value is null",
        ),
    ],
)
def test_a_bad_record_is_named_with_its_field(root: Path, old: str, new: str, message: str) -> None:
    edit(root, old, new)
    text = load_errors(root)
    assert "knowledge/facts.yaml:" in text
    assert message in text


def test_a_fact_naming_an_unknown_intent_is_refused(root: Path) -> None:
    edit(root, "    intent: deferral\n", "    intent: defferal\n")
    assert "'defferal' is not an intent id" in load_errors(root)


def test_a_new_attribute_needs_only_yaml(root: Path) -> None:
    """A keeper adds an attribute and a fact; the bot answers it with no code change."""
    edit(
        root,
        "\nfacts:\n",
        "\n  - id: colour\n    type: text\n    words: [what colour, which colour]\n"
        "    first: true\n    silent: what colour it was\n\nfacts:\n",
    )
    edit(
        root,
        "\n# voices: the bodies",
        "\n  - subject: consultation\n    attribute: colour\n    value: null\n"
        "    note: It names no colours.\n    source: In July 2012, a consultation exercise\n"
        "\n# voices: the bodies",
    )
    bot = Assistant.load(root)
    reply = bot.reply("c", "what colour was the consultation")
    assert reply.text == "The page doesn't say what colour it was. It names no colours."
    assert reply.outcome.value == "not_on_page"
