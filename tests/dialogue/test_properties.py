"""Property-based tests: whatever people send, the core replies, deterministically, and
the reply renders as valid Telegram HTML within the message limit."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.telegram.render import render_reply, utf16_units
from bot.dialogue.assistant import Assistant
from bot.dialogue.reply import Outcome, Reply
from bot.schema.intents import IntentSpec
from bot.schema.knowledge import Knowledge
from tests.support.telegram_html import parse_telegram_html, validate_telegram_html

pytestmark = pytest.mark.slow  # hypothesis: hundreds of generated messages per test

MAX_TEXT = 4096

NASTY = [
    "",
    " ",
    "\t\n  \r\n",
    "👍👍👍🔥",
    "مرحبا، لماذا تم اختيار ستافوردشاير؟",
    "\u200b\u200c\u200d\ufeff",
    "\x00\x01\x02\x1b[31mred",
    "a" * MAX_TEXT,
    "<b>bold</b> & <i>why gmp?</i>",
    "</b><a href=x>",
    "*_[]()~`>#+-=|{}.!\\",
    "'; DROP TABLE questions; --",
    "$(rm -rf /) `reboot` && echo pwned",
    "Стаффордшир why staffs 日本語 mixed",
    "w" * 10 + " " + "x" * 3000,
    "?" * 500,
    "\u202ewhy was gmp chosen",
    "STAFFS STAFFS STAFFS STAFFS",
]


def check(assistant: Assistant, text: str) -> None:
    reply = assistant.reply("prop", text)
    assert isinstance(reply.text, str) and reply.text
    assert len(reply.text) <= MAX_TEXT
    assert 0.0 <= reply.confidence <= 1.0
    assert reply.outcome in Outcome
    assert all(b for b in reply.buttons)


def test_nasty_inputs(assistant: Assistant) -> None:
    for text in NASTY:
        check(assistant, text)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=MAX_TEXT))
def test_any_unicode_text_gets_a_reply(
    knowledge: Knowledge, intents: tuple[IntentSpec, ...], text: str
) -> None:
    check(Assistant(knowledge, intents), text)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    history=st.lists(
        st.sampled_from(
            ["why gmp", "and staffs?", "what did they find", "hi", "2", "report?", "mercia"]
        )
        | st.text(max_size=40),
        max_size=4,
    ),
    text=st.text(max_size=200),
)
def test_same_input_in_same_context_gives_same_reply(
    knowledge: Knowledge, intents: tuple[IntentSpec, ...], history: list[str], text: str
) -> None:
    first, second = Assistant(knowledge, intents), Assistant(knowledge, intents)
    for message in history:
        first.reply("a", message)
        second.reply("b", message)
    assert first.reply("a", text) == second.reply("b", text)


def _check_rendered(assistant: Assistant, reply_: Reply) -> None:
    messages = render_reply(reply_, assistant.button_key)
    assert messages
    for message in messages:
        assert validate_telegram_html(message.html) is None, message.html
        assert len(parse_telegram_html(message.html).text) <= MAX_TEXT
        assert utf16_units(message.plain) <= MAX_TEXT


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=MAX_TEXT))
def test_any_reply_renders_as_valid_telegram_html(assistant: Assistant, text: str) -> None:
    """The core's reply to any text, and any text as a reply, render within Telegram's rules."""
    _check_rendered(assistant, assistant.reply("render", text))
    as_reply = Reply(
        text=text or " ", intent="x", outcome=Outcome.ANSWER, confidence=1.0, source=text
    )
    _check_rendered(assistant, as_reply)


def test_nasty_inputs_render(assistant: Assistant) -> None:
    for text in NASTY:
        _check_rendered(assistant, assistant.reply("render", text))
