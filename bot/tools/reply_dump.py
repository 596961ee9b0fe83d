"""Replies of the bot in some folder to labelled questions, as JSON: the other side of a diff.

``python -m bot eval --diff REF`` extracts REF's ``bot/``, ``knowledge/`` and
``intents.yaml`` into a temporary folder and runs this file there with the same Python:

    python bot/tools/reply_dump.py FOLDER  < questions.json  > replies.json

It imports ``bot`` from FOLDER (that commit's code), never from this checkout, and uses
only what every version has: ``Assistant.load``, ``reply`` and ``reset``. Input:
``{"conversations": [[text, ...], ...], "messages": [text, ...]}``; output: the same shape
with each text replaced by ``{"text", "intent", "outcome", "slots", "safety"}``. Judging
happens in the caller, with today's labels and rules, so both sides are judged alike.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Protocol


class _Assistant(Protocol):
    def reply(self, chat_id: str, text: str) -> Any: ...

    def reset(self, chat_id: str) -> None: ...


def _record(reply: Any) -> dict[str, Any]:
    outcome = getattr(reply, "outcome", None)
    return {
        "text": str(getattr(reply, "text", "")),
        "intent": str(getattr(reply, "intent", "")),
        "outcome": str(getattr(outcome, "value", outcome or "")),
        "slots": {str(k): str(v) for k, v in dict(getattr(reply, "slots", {}) or {}).items()},
        "safety": getattr(reply, "safety", None),
    }


def replies(assistant: _Assistant, questions: dict[str, Any]) -> dict[str, Any]:
    """Each conversation in a fresh chat, each message alone, as ``evaluate`` runs them."""
    conversations = []
    for index, turns in enumerate(questions.get("conversations", [])):
        chat = f"eval-{index}"
        assistant.reset(chat)
        conversations.append([_record(assistant.reply(chat, text)) for text in turns])
        assistant.reset(chat)
    messages = []
    for index, text in enumerate(questions.get("messages", [])):
        chat = f"safety-eval-{index}"
        messages.append(_record(assistant.reply(chat, text)))
        assistant.reset(chat)
    return {"conversations": conversations, "messages": messages}


def main(argv: list[str]) -> int:
    """FOLDER on the command line, questions on stdin, replies on stdout."""
    folder = Path(argv[1]).resolve()
    sys.path.insert(0, str(folder))
    from bot.dialogue.assistant import Assistant  # noqa: PLC0415 - that folder's code, now

    questions = json.load(sys.stdin)
    json.dump(replies(Assistant.load(folder), questions), sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
