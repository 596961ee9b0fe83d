"""Writable copies of knowledge/ and intents.yaml, edits to them, and the errors they give."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.dialogue.assistant import Assistant
from bot.schema.yamlfile import DataError

ROOT = Path(__file__).resolve().parents[2]


def copy_knowledge(directory: Path) -> Path:
    """A copy of the repository's knowledge/ and intents.yaml in ``directory``."""
    shutil.copytree(ROOT / "knowledge", directory / "knowledge")
    shutil.copy(ROOT / "intents.yaml", directory / "intents.yaml")
    return directory


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in ``path`` with ``new``; ``old`` must be there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}: the test needs updating"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def load_errors(root: Path) -> str:
    """The message of the DataError that loading ``root`` raises."""
    with pytest.raises(DataError) as caught:
        Assistant.load(root)
    return str(caught.value)
