"""Rendering a Reply for Telegram: escaped HTML, the source in italics, clean splits, buttons."""

from __future__ import annotations

import pytest

from bot.channels.telegram.render import (
    MAX_CALLBACK_BYTES,
    MAX_MESSAGE_UNITS,
    keyboard,
    render_reply,
    render_text,
    split_text,
    utf16_units,
    visible_text,
)
from bot.dialogue.assistant import Assistant
from bot.dialogue.reply import Outcome, Reply
from tests.support.telegram_html import parse_telegram_html, validate_telegram_html

NASTY = [
    "</b><a href=x>",
    "<script>alert(1)</script> & &amp; &#0; &nbsp; <",
    "*bold* _it_ __u__ ~s~ ||spoiler|| `code` ```pre``` [l](http://x) \\ > # + - = | { } . !",
    "'; DROP TABLE chats; -- $(rm -rf /) `id`",
    "\u202eright-to-left\u202c \u200b\u200d zero-width \x00\x07 control",
    "🙂" * 10 + "👨‍👩‍👧" + "\U0001f3f3\ufe0f\u200d\U0001f308",
    "lone surrogate \ud800 here",
    "",
    "   ",
]


def reply(text: str, source: str | None = None, buttons: tuple[str, ...] = ()) -> Reply:
    return Reply(
        text=text,
        intent="x",
        outcome=Outcome.ANSWER,
        confidence=1.0,
        source=source,
        suggestions=buttons,
    )


def keys(text: str) -> str:
    return "k" + str(len(text))


@pytest.mark.parametrize("text", NASTY)
def test_any_text_renders_as_valid_telegram_html(text: str) -> None:
    for message in render_reply(reply(text, source=text or None), keys):
        assert validate_telegram_html(message.html) is None
        parsed = parse_telegram_html(message.html).text
        assert parsed == message.plain and parsed.strip()


def test_the_visible_text_is_the_core_text_and_the_source() -> None:
    r = reply('Ofsted & HMIC <inspected> "it"', source="HMIC, “Report” <2012>")
    (message,) = render_reply(r, keys)
    assert parse_telegram_html(message.html).text == visible_text(r)
    assert visible_text(r) == 'Ofsted & HMIC <inspected> "it"\n\nSource: HMIC, “Report” <2012>'
    assert message.html.endswith("<i>Source: HMIC, “Report” &lt;2012&gt;</i>")
    entities = parse_telegram_html(message.html).entities
    assert [e["type"] for e in entities] == ["italic"]


def test_every_core_reply_keeps_its_text(assistant: Assistant) -> None:
    questions = [
        "hi",
        "which forces were inspected?",
        "why was it chosen?",
        "West Mercia",
        "/help",
        "what is the weather",
        "when was the consultation?",
    ]
    for question in questions:
        r = assistant.reply("render", question)
        messages = render_reply(r, assistant.button_key)
        assert "\n\n".join(m.plain for m in messages) == visible_text(r)
        for m in messages:
            assert parse_telegram_html(m.html).text == m.plain


@pytest.mark.parametrize(
    "text",
    [
        "word " * 2000,
        "x" * 10_000,
        "🙂" * 4096,
        ("A sentence that ends. " * 300),
        ("para one\n\n" + "y" * 3000 + "\n\n") * 3,
    ],
)
def test_long_text_is_split_under_the_limit_without_losing_words(text: str) -> None:
    messages = render_text(text, source="HMIC")
    assert len(messages) >= 2
    for m in messages:
        assert 0 < utf16_units(parse_telegram_html(m.html).text) <= MAX_MESSAGE_UNITS
    assert "".join("".join(m.plain.split()) for m in messages) == "".join(
        (text + "Source: HMIC").split()
    )


def test_splits_prefer_paragraphs_then_sentences_then_words() -> None:
    paragraph = "a" * 3000
    assert split_text(f"{paragraph}\n\n{paragraph}") == [paragraph, paragraph]
    sentences = ("This is a sentence. " * 250).strip()
    first = split_text(sentences)[0]
    assert first.endswith("sentence.") and utf16_units(first) <= MAX_MESSAGE_UNITS
    assert split_text("short") == ["short"]
    assert split_text("ab" * 3, limit=1) == list("ababab")
    assert split_text("🙂🙂", limit=1) == ["🙂", "🙂"]  # terminates even below one character


def test_the_keyboard_uses_short_keys_and_maps_back(assistant: Assistant) -> None:
    r = assistant.reply("render-kb", "why was it chosen?")
    markup = render_reply(r, assistant.button_key)[-1].keyboard
    assert markup is not None
    pressed = [b for row in markup.inline_keyboard for b in row]
    assert [b.text for b in pressed] == list(r.buttons)
    for button in pressed:
        assert isinstance(button.callback_data, str)
        assert len(button.callback_data.encode()) <= MAX_CALLBACK_BYTES
        assert assistant.button_text(button.callback_data) == button.text


def test_buttons_whose_key_would_not_fit_are_left_out() -> None:
    markup = keyboard(["fits", "too long"], lambda t: "k" if t == "fits" else "x" * 65)
    assert markup is not None and [row[0].text for row in markup.inline_keyboard] == ["fits"]
    assert keyboard([], keys) is None and keyboard(["  "], keys) is None


def test_the_source_line_links_the_title_when_the_page_address_is_known() -> None:
    reply = Reply(
        "Ten.",
        "fact",
        Outcome.ANSWER,
        1.0,
        source="HMIC, <page>",
        source_url="https://example.org/a?b=1&c=2",
    )
    (message,) = render_reply(reply, lambda text: text)
    assert '<a href="https://example.org/a?b=1&amp;c=2">HMIC, &lt;page&gt;</a>' in message.html
    validate_telegram_html(message.html)
    assert message.plain.endswith("Source: HMIC, <page>")


@pytest.mark.parametrize(
    ("question", "has_source"),
    [
        ("how many councils does gmp cover", True),
        ("why was staffs chosen", True),
        ("who led the staffs inspection", True),  # what the page does say, from the page
        ("hi", False),
        ("thanks", False),
        ("what rating did ofsted give rochdale", False),  # not covered
        ("what about west midlands police", False),  # a force the page does not cover
        ("whats the weather like", False),
    ],
)
def test_the_source_line_is_on_answers_from_the_page_only(
    assistant: Assistant, question: str, has_source: bool
) -> None:
    reply = assistant.reply(question, question)
    assert (reply.source is not None) is has_source, (reply.trace.rule, reply.text)
