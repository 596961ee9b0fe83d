"""Loading and validating knowledge/ and intents.yaml: errors name file, line, entry and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.dialogue.answers import ANSWERS
from bot.schema.intents import load_intents
from bot.schema.knowledge import Knowledge, load_knowledge
from tests.support.knowledge_files import copy_knowledge, edit, load_errors

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A writable copy of knowledge/ and intents.yaml."""
    return copy_knowledge(tmp_path)


def test_the_repository_knowledge_is_valid(knowledge: Knowledge) -> None:
    assert [f.id for f in knowledge.forces] == [
        "staffordshire",
        "greater-manchester",
        "west-mercia",
    ]


def test_broken_yaml_names_file_and_line(root: Path) -> None:
    edit(
        root / "knowledge" / "forces.yaml",
        "    short_name: Staffordshire\n",
        "    short_name: [Staffordshire\n",
    )
    message = load_errors(root)
    assert "knowledge/forces.yaml:" in message
    assert "invalid YAML" in message


def test_missing_field_names_entry_and_field(root: Path) -> None:
    edit(
        root / "knowledge" / "forces.yaml",
        "    selection_reason: >-\n      it was identified as a complex",
        "    why: >-\n      it was identified as a complex",
    )
    text = (root / "knowledge" / "forces.yaml").read_text(encoding="utf-8")
    line = text[: text.index("  - id: greater-manchester")].count("\n") + 1  # the entry
    assert (
        f"knowledge/forces.yaml:{line}: forces[1].selection_reason: missing field"
        in load_errors(root)
    )


def test_wrong_type(root: Path) -> None:
    edit(root / "knowledge" / "programme.yaml", "  announced: false", "  announced: sometimes")
    assert "inspections.announced: expected true or false, got text" in load_errors(root)


def test_duplicate_id(root: Path) -> None:
    edit(root / "knowledge" / "forces.yaml", "  - id: west-mercia", "  - id: staffordshire")
    assert "forces[2].id: duplicate id 'staffordshire' (also forces[0])" in load_errors(root)


def test_alias_claimed_by_two_entities(root: Path) -> None:
    edit(
        root / "knowledge" / "forces.yaml", "      - hereford\n", "      - hereford\n      - gmp\n"
    )
    assert "forces[2].aliases: 'gmp' is already an alias of greater-manchester" in load_errors(root)


def test_unknown_reference(root: Path) -> None:
    edit(root / "knowledge" / "programme.yaml", "  announced_by: ofsted", "  announced_by: ofstead")
    assert "deferral.announced_by: 'ofstead' is not a known body id" in load_errors(root)


def test_intent_naming_a_missing_handler(root: Path) -> None:
    edit(root / "intents.yaml", "    answer: force_report\n", "    answer: force_reprot\n")
    message = load_errors(root)
    assert "intents.yaml:" in message
    assert "answer: no answer builder named 'force_reprot'" in message


def test_duplicate_intent_id(root: Path) -> None:
    edit(root / "intents.yaml", "  - id: thanks\n", "  - id: greeting\n")
    assert "id: duplicate id 'greeting'" in load_errors(root)


def test_missing_file(root: Path) -> None:
    (root / "knowledge" / "bodies.yaml").unlink()
    assert "knowledge/bodies.yaml: cannot read file" in load_errors(root)


def test_every_problem_is_reported_at_once(root: Path) -> None:
    edit(root / "knowledge" / "programme.yaml", "  announced: false", "  announced: 3")
    edit(
        root / "knowledge" / "programme.yaml",
        "  deferred_until: April 2015",
        "  deferred_until: [1]",
    )
    message = load_errors(root)
    assert "inspections.announced" in message
    assert "deferral.deferred_until" in message


def test_every_handler_is_used_and_every_intent_has_examples() -> None:
    specs = load_intents(ROOT / "intents.yaml", ANSWERS.keys())
    assert {s.answer for s in specs} == set(ANSWERS)
    assert all(s.examples for s in specs)


def test_every_force_has_every_field(knowledge: Knowledge) -> None:
    for force in knowledge.forces:
        assert force.name and force.short_name and force.aliases and force.area
        assert force.selection_reason and force.local_authority


def test_knowledge_loads_with_a_fresh_directory_name(root: Path) -> None:
    shutil.move(root / "knowledge", root / "kb")
    assert load_knowledge(root / "kb").forces


def test_intent_naming_an_unknown_body(root: Path) -> None:
    edit(root / "intents.yaml", "forbid_bodies: [ofsted,", "forbid_bodies: [ofsteed,")
    assert "forbid_bodies: 'ofsteed' is not a body in knowledge/bodies.yaml" in load_errors(root)


def test_duplicate_yaml_key_is_refused(root: Path) -> None:
    edit(root / "knowledge" / "source.yaml", "  title:", "  publisher: hmic\n  title:")
    assert "source.publisher: duplicate key" in load_errors(root)


def test_a_misspelt_knowledge_key_is_refused_with_the_nearest_valid_one(root: Path) -> None:
    edit(root / "knowledge" / "forces.yaml", "    ofsted_note:", "    ofsted_not:")
    message = load_errors(root)
    assert "knowledge/forces.yaml:" in message
    assert "forces[0].ofsted_not: unknown field" in message
    assert "did you mean 'ofsted_note'?" in message


def test_a_misspelt_intent_key_is_refused_with_the_nearest_valid_one(root: Path) -> None:
    edit(root / "intents.yaml", "    requires_none:", "    require_none:")
    message = load_errors(root)
    assert "intents.yaml:" in message and "require_none: unknown field" in message
    assert "did you mean 'requires_none'?" in message


def test_a_placeholder_nothing_fills_is_refused(root: Path) -> None:
    edit(
        root / "intents.yaml", "      - Why was {force} chosen?", "      - Why was {forse} chosen?"
    )
    assert "{forse} is a placeholder nothing fills" in load_errors(root)


def test_a_fourth_force_warns_where_text_says_three(root: Path) -> None:
    from bot.schema.knowledge import force_count_warnings

    path = root / "intents.yaml"
    edit(path, "  - id: overview", "  # the three forces of the pilot\n  - id: overview")
    warnings = force_count_warnings([path], 4)
    assert len(warnings) == 1 and "'three forces'" in warnings[0]
    assert force_count_warnings([path], 3) == []
