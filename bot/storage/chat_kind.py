"""ChatKind: where a question was asked, in a module of its own so that the terminal
chat can name it without loading the question log (SQLite and the redaction masks)."""

from __future__ import annotations

from enum import StrEnum


class ChatKind(StrEnum):
    """Where a question was asked; the only thing stored about the asker."""

    PRIVATE = "private"
    GROUP = "group"
    INLINE = "inline"
    TERMINAL = "terminal"
