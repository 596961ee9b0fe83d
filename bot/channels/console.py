"""Terminal adapters: an interactive chat and a JSON-lines mode for scripts."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

from bot.dialogue.assistant import Assistant
from bot.dialogue.reply import Reply
from bot.storage.chat_kind import ChatKind

if TYPE_CHECKING:
    # only a type: the question log (SQLite and the redaction masks) is not loaded for `ask`
    from bot.storage.question_log import QuestionRecorder

TERMINAL_CHAT = "terminal"
WRAP = 88  # columns for wrapped answers in the terminal


def render_text(reply: Reply) -> str:
    """A reply as plain terminal text: the answer, its source, and numbered buttons."""
    lines = [w for line in reply.text.split("\n") for w in textwrap.wrap(line, WRAP) or [""]]
    if reply.source:
        lines += textwrap.wrap(f"(Source: {reply.source})", WRAP)
    for number, button in enumerate(reply.buttons, 1):
        lines.append(f"  [{number}] {button}")
    return "\n".join(lines)


def to_json(chat: str, reply: Reply) -> dict[str, object]:
    """The JSON-lines record for one reply (keys fixed by DESIGN.md, plus outcome and slots)."""
    return {
        "chat": chat,
        "text": reply.text,
        "intent": reply.intent,
        "confidence": reply.confidence,
        "choices": list(reply.choices),
        "suggestions": list(reply.suggestions),
        "source": reply.source,
        "labels": reply.labels,
        "outcome": str(reply.outcome),
        "slots": reply.slots,
    }


def run_jsonl(assistant: Assistant, lines: Iterable[str], out: TextIO) -> int:
    """Answer ``{"chat", "text"}`` lines; one JSON line out per line in. Returns bad lines."""
    bad = 0
    for line in lines:
        if not line.strip():
            continue
        try:
            message = json.loads(line)
            if not isinstance(message, dict):
                raise TypeError("expected a JSON object")
            chat = str(message.get("chat", "jsonl"))
            text = message.get("text")
            if not isinstance(text, str):
                raise TypeError('"text" must be a string')
        except (ValueError, TypeError) as exc:
            bad += 1
            out.write(json.dumps({"error": f"bad input line: {exc}"}) + "\n")
            out.flush()
            continue
        out.write(json.dumps(to_json(chat, assistant.reply(chat, text)), ensure_ascii=False) + "\n")
        out.flush()
    return bad


def run_chat(
    assistant: Assistant,
    stdin: TextIO,
    out: TextIO,
    *,
    interactive: bool,
    log: QuestionRecorder | None = None,
) -> None:
    """An interactive chat: type a question, a button number, /reset, or /quit.

    Questions the bot could not answer well go to ``log`` (the question log), if given.
    """
    greeting = assistant.command("start")
    out.write(render_text(greeting) + "\n")
    out.write("(Type a question, a button number, /help, /reset or /quit.)\n")
    last = greeting
    while True:
        if interactive:
            out.write("> ")
        out.flush()
        line = stdin.readline()
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        if text in ("/quit", "/exit", "quit", "exit"):
            break
        if text == "/reset":
            assistant.reset(TERMINAL_CHAT)
            out.write("Context cleared.\n")
            continue
        command = text.removeprefix("/")
        if text.startswith("/") and command in ("start", "help", "sources", "about"):
            last = assistant.command(command)
        else:
            if text.isascii() and text.isdigit() and 1 <= int(text) <= len(last.buttons):
                text = last.buttons[int(text) - 1]
                out.write(f"> {text}\n")
            last = assistant.reply(TERMINAL_CHAT, text)
            if log is not None:
                log.record(last, ChatKind.TERMINAL)
        out.write(render_text(last) + "\n")
