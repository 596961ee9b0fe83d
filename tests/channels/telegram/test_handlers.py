"""Handler tests through the real Application with an in-process fake at the request seam."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from telegram import Update

from bot.channels.telegram.app import build
from bot.dialogue.assistant import Assistant
from bot.settings import Settings
from tests.support.offline_bot_api import OfflineBotApi

TOKEN = "123456:" + "A" * 35
Send = Callable[..., Awaitable[list[dict[str, Any]]]]


@pytest.fixture
async def send(assistant: Assistant) -> AsyncIterator[Send]:
    """``await send(text)`` -> the sendMessage calls the bot made for that message."""
    api = OfflineBotApi()
    runtime = build(Settings(token=TOKEN, rate_limit=False), assistant, request=api)
    app = runtime.application
    counter = iter(range(1, 10_000))

    async def deliver(text: str, chat_id: int = 77, chat_type: str = "private") -> list[Any]:
        before = len(api.sent())
        update_id = next(counter)
        update = Update.de_json(
            {
                "update_id": update_id,
                "message": {
                    "message_id": update_id,
                    "date": 0,
                    "chat": {"id": chat_id, "type": chat_type},
                    "from": {"id": chat_id, "is_bot": False, "first_name": "T"},
                    "text": text,
                },
            },
            app.bot,
        )
        await app.process_update(update)
        return api.sent()[before:]

    async with app:
        yield deliver


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("why was staffs chosen", "good practice"),
        ("when was the consultation?", "July 2012"),
        ("my dad hits me", "0800 1111"),
        ("what is the capital of peru", "can't answer"),
    ],
)
async def test_a_question_is_answered_in_html(send: Send, text: str, expected: str) -> None:
    [reply] = await send(text)
    assert expected in reply["text"]
    assert reply["parse_mode"] == "HTML"


async def test_a_safety_reply_has_no_buttons(send: Send) -> None:
    [reply] = await send("i want to kill myself")
    assert "116 123" in reply["text"]
    assert "reply_markup" not in reply


async def test_an_answer_offers_buttons_that_fit_callback_data(send: Send) -> None:
    [reply] = await send("why was gmp chosen")
    keyboard = json_keyboard(reply)
    assert keyboard and all(len(b["callback_data"].encode()) <= 64 for b in keyboard)


async def test_a_group_message_not_meant_for_the_bot_is_ignored(send: Send) -> None:
    assert await send("why was gmp chosen", chat_id=-5, chat_type="group") == []


def json_keyboard(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The inline buttons of a sendMessage call, whatever form PTB serialised them in."""
    import json

    markup = params.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    if not isinstance(markup, dict):
        return []
    return [b for row in markup["inline_keyboard"] for b in row]
