"""Webhook mode: PTB's webhook server behind a secret token, against the fake Bot API."""

from __future__ import annotations

import asyncio
import socket
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.channels.telegram.app import serve_webhook
from bot.dialogue.assistant import Assistant
from bot.settings import Settings, default_root
from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram_fixtures import WAIT, bot_env

SECRET = "webhook-Secret_42"
CHAT = 321


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def webhook_bot(api: FakeBotApi) -> AsyncIterator[str]:
    """The bot in webhook mode; yields the URL Telegram would post to."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    with tempfile.TemporaryDirectory() as data:
        env = bot_env(
            api,
            Path(data),
            BOT_MODE="webhook",
            WEBHOOK_URL=url,
            WEBHOOK_LISTEN="127.0.0.1",
            WEBHOOK_PORT=str(port),
            WEBHOOK_SECRET=SECRET,
        )
        stop, ready = asyncio.Event(), asyncio.Event()
        serving = serve_webhook(
            Settings.from_env(env), Assistant.load(default_root()), stop=stop, ready=ready
        )
        task = asyncio.create_task(serving)
        try:
            await asyncio.wait_for(ready.wait(), WAIT)
            yield url
        finally:
            stop.set()
            assert await asyncio.wait_for(task, WAIT) == 0


def message(text: str) -> dict[str, object]:
    """A private message update as Telegram would post it."""
    return {
        "message": {
            "message_id": 7,
            "date": 0,
            "chat": {"id": CHAT, "type": "private", "first_name": "Test"},
            "from": {"id": CHAT, "is_bot": False, "first_name": "Test"},
            "text": text,
        }
    }


async def post(api: FakeBotApi, url: str, text: str, secret: str | None) -> int:
    """POST one update to the webhook from a worker thread; the HTTP status."""
    return await asyncio.to_thread(api.post_update_to_webhook, url, message(text), secret)


async def test_webhook_is_registered_with_the_secret_and_a_narrow_update_list() -> None:
    with FakeBotApi() as api:
        async with webhook_bot(api) as url:
            hook = api.webhook
            assert hook["url"] == url
            assert hook["secret_token"] == SECRET
            assert hook["allowed_updates"] == [
                "message",
                "edited_message",
                "callback_query",
                "inline_query",
            ]


async def test_requests_without_the_secret_are_refused_and_with_it_answered() -> None:
    with FakeBotApi() as api:
        api.register_chat(CHAT)
        async with webhook_bot(api) as url:
            assert await post(api, url, "when was the consultation?", None) == 403
            assert await post(api, url, "when was the consultation?", "wrong-secret") == 403
            assert api.messages_for(CHAT) == []
            assert await post(api, url, "when was the consultation?", SECRET) == 200
            answer = (await api.wait_for_messages_async(CHAT, 1, WAIT))[0]
            assert "July 2012" in answer["visible_text"]
        assert len(api.messages_for(CHAT)) == 1
