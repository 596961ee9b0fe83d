"""Reading data files: anchors, aliases and oversized files are refused with file and line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.schema.yamlfile import MAX_FILE_BYTES, DataError, read_yaml

# Nine aliases per level, seven levels: 9**7 (4.8 million) nodes if it were expanded.
LEVELS = 7


def laughs() -> str:
    lines = ['a0: &a0 "lol"']
    for level in range(1, LEVELS + 1):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_an_anchor_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "forces.yaml"
    path.write_text("forces:\n  - id: a\n    aliases: &names [x, y]\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_yaml(path, "knowledge/forces.yaml")
    assert str(caught.value) == (
        "knowledge/forces.yaml:3: YAML anchor &names is not allowed: write the value out in full"
    )


def test_an_alias_is_refused_naming_its_line(tmp_path: Path) -> None:
    path = tmp_path / "intents.yaml"
    # the anchor comes first, so it is named; an alias alone is not even valid YAML
    path.write_text("a: &x 1\nb: *x\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"intents\.yaml:1: YAML anchor &x"):
        read_yaml(path, "intents.yaml")


def test_a_billion_laughs_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "page.yaml"
    path.write_text(laughs(), encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(DataError, match="anchor &a0 is not allowed"):
        read_yaml(path, "page.yaml")
    assert time.perf_counter() - started < 1.0


def test_ampersands_and_asterisks_in_text_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "bot.yaml"
    path.write_text('title: "Q&A"\nnote: "5 * 2, R&D"\nplain: Q & A *really*\n', encoding="utf-8")
    assert read_yaml(path, "bot.yaml").data == {
        "title": "Q&A",
        "note": "5 * 2, R&D",
        "plain": "Q & A *really*",
    }


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "forces.yaml"
    with path.open("w", encoding="utf-8") as file:
        file.write("forces:\n")
        file.write("# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    with pytest.raises(DataError, match=r"forces\.yaml: file is larger than 1024 KiB"):
        read_yaml(path, "forces.yaml")


def test_the_repository_files_are_well_under_the_limit() -> None:
    root = Path(__file__).resolve().parents[2]
    files = [
        *root.glob("knowledge/*.yaml"),
        root / "intents.yaml",
        *root.glob("tests/data/**/*.yaml"),
    ]
    assert files
    assert max(f.stat().st_size for f in files) < MAX_FILE_BYTES // 4
