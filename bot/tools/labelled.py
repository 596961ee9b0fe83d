"""Adding a question to a labelled set (``report --add-example``), keeping the file's format.

The labelled sets (``tests/data/questions.yaml`` and the like) are YAML written by hand,
with comments: a new conversation is appended as text in the same layout, never by
re-dumping the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.tools.evaluation import load_turns

# How many valid intents an unknown one's error message suggests.
SUGGESTIONS = 3
# A conversation's id line: "  - id: c296" (prefix letters, then a number).
_ID_LINE = re.compile(r"^\s*- id: ([A-Za-z_-]*)(\d+)\s*$", re.MULTILINE)
_HEADER = "conversations:\n"


class LabelError(ValueError):
    """The example cannot be added: an unknown intent, a duplicate, a file of another shape."""


def check_intent(intent: str, valid: Iterable[str]) -> None:
    """Raise LabelError naming the nearest valid intents if ``intent`` is not one of them."""
    choices = sorted(set(valid))
    if intent in choices:
        return
    near = process.extract(intent, choices, scorer=fuzz.ratio, processor=None, limit=SUGGESTIONS)
    raise LabelError(
        f"unknown intent {intent!r}; the nearest are {', '.join(c for c, _, _ in near)} "
        f"(intents.yaml lists them all)"
    )


def append_example(path: Path, question: str, intent: str) -> str:
    """Append ``question`` labelled ``intent`` as a new conversation; return its id.

    The file is created if it does not exist. Raises LabelError if the question is
    already there or the file is not a labelled set.
    """
    text = path.read_text(encoding="utf-8") if path.exists() else _HEADER
    if not text.lstrip().startswith(("#", "conversations:")) or _HEADER not in text:
        raise LabelError(f"{path}: not a labelled set (no 'conversations:' list)")
    if path.exists() and any(t.question == question for c in load_turns(path) for t in c):
        raise LabelError(f"{path}: {question!r} is already there")
    numbers = [(m.group(1), m.group(2)) for m in _ID_LINE.finditer(text)]
    prefix, last = numbers[-1] if numbers else ("c", "000")
    top = max((int(n) for p, n in numbers if p == prefix), default=0)
    new_id = f"{prefix}{top + 1:0{len(last)}d}"
    entry = (
        f"  - id: {new_id}\n"
        f"    turns:\n"
        f"      - q: {json.dumps(question, ensure_ascii=False)}\n"
        f"        intent: {intent}\n"
    )
    path.write_text(text + ("" if text.endswith("\n") else "\n") + entry, encoding="utf-8")
    return new_id
