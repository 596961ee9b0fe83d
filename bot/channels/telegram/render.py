"""A core ``Reply`` as Telegram messages: escaped HTML, split under the limit, with buttons."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.dialogue.reply import Reply

log = logging.getLogger(__name__)

# Telegram counts the limit after entity parsing; counting UTF-16 code units is never less
# than counting code points, so a chunk that fits by this measure fits by either reading.
MAX_MESSAGE_UNITS = int(MessageLimit.MAX_TEXT_LENGTH)
MAX_CALLBACK_BYTES = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)
SOURCE_LABEL = "Source: "
PARAGRAPH = "\n\n"  # between the answer and its source, as the terminal prints them
# A clean break (paragraph, line, sentence, word) is only taken if it keeps at least this
# share of the limit; otherwise the text is cut hard rather than sent as a sliver.
MIN_CHUNK_SHARE = 0.5
BREAKS = ("\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT_CHARACTER = "\ufffd"  # what Telegram cannot carry (a lone surrogate) becomes this
EMPTY_TEXT = "…"  # Telegram refuses an empty message; this stands in for one

KeyFor = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class Rendered:
    """One Telegram message: HTML to send, the same text plain, and an optional keyboard."""

    html: str
    plain: str
    keyboard: InlineKeyboardMarkup | None = None


def utf16_units(text: str) -> int:
    """Length in UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def clean(text: str) -> str:
    """Text Telegram can carry: lone surrogates replaced."""
    return LONE_SURROGATE.sub(REPLACEMENT_CHARACTER, text)


def escape(text: str) -> str:
    """Text for Telegram HTML: only <, > and & need escaping outside attributes."""
    return html.escape(clean(text), quote=False)


def visible_text(reply: Reply) -> str:
    """What the person reads: the answer, then the source on its own paragraph."""
    text = clean(reply.text)
    if reply.source:
        text += PARAGRAPH + SOURCE_LABEL + clean(reply.source)
    return text


def _fit(text: str, limit: int) -> int:
    """The largest index i such that text[:i] fits in ``limit`` UTF-16 units."""
    units = 0
    for index, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = MAX_MESSAGE_UNITS) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` UTF-16 units at the cleanest break."""
    chunks: list[str] = []
    rest = text
    while utf16_units(rest) > limit:
        end = max(_fit(rest, limit), 1)  # always progress, even past a silly limit
        cut = end
        for mark in BREAKS:
            at = rest.rfind(mark, 0, end)
            if at >= limit * MIN_CHUNK_SHARE:
                cut = at + len(mark.rstrip()) if mark.strip() else at
                break
        head, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if head:
            chunks.append(head)
    if rest.strip():
        chunks.append(rest)
    return chunks


def keyboard(
    buttons: Sequence[str], key_for: KeyFor, labels: Mapping[str, str] | None = None
) -> InlineKeyboardMarkup | None:
    """One button per row; callback_data is the core's short key, never the text itself.

    ``labels`` gives a shorter label for a button (the question it asks stays the same).
    """
    rows: list[list[InlineKeyboardButton]] = []
    for text in buttons:
        label = clean((labels or {}).get(text, text)).strip()
        if not label:
            continue
        key = key_for(text)
        if not 1 <= len(key.encode("utf-8")) <= MAX_CALLBACK_BYTES:
            log.warning("button skipped: its key does not fit Telegram's callback_data")
            continue
        rows.append([InlineKeyboardButton(label, callback_data=key)])
    return InlineKeyboardMarkup(rows) if rows else None


def render_text(
    text: str,
    *,
    source: str | None = None,
    url: str | None = None,
    limit: int = MAX_MESSAGE_UNITS,
) -> list[Rendered]:
    """Plain ``text`` (and an optional italic source line, linked to ``url`` when given)
    as messages within ``limit``."""
    body = split_text(clean(text), limit) or ([] if source else [EMPTY_TEXT])
    messages = [Rendered(escape(chunk), chunk) for chunk in body]
    if source:
        line = SOURCE_LABEL + clean(source)
        last = messages[-1].plain if messages else ""
        joined = last + PARAGRAPH + line if last else line
        linked = escape(SOURCE_LABEL) + (
            f'<a href="{html.escape(url, quote=True)}">{escape(source)}</a>'
            if url
            else escape(source)
        )
        if messages and utf16_units(joined) <= limit:
            messages[-1] = Rendered(messages[-1].html + PARAGRAPH + f"<i>{linked}</i>", joined)
        elif utf16_units(line) <= limit:
            messages.append(Rendered(f"<i>{linked}</i>", line))
        else:
            messages += [
                Rendered(f"<i>{escape(part)}</i>", part) for part in split_text(line, limit)
            ]
    return messages


def render_reply(
    reply: Reply, key_for: KeyFor, *, limit: int = MAX_MESSAGE_UNITS
) -> list[Rendered]:
    """A reply as Telegram messages; the keyboard goes on the last one."""
    messages = render_text(reply.text, source=reply.source, url=reply.source_url, limit=limit)
    markup = keyboard(reply.buttons, key_for, reply.labels)
    if markup is not None:
        last = messages[-1]
        messages[-1] = Rendered(last.html, last.plain, markup)
    return messages
