"""Webhook mode: PTB's webhook server behind a secret token, against the fake Bot API."""

from __future__ import annotations

import asyncio
import json
import resource
import socket
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.channels.telegram.app import serve_webhook
from bot.channels.telegram.webhook import MAX_BODY_BYTES, SECRET_HEADER
from bot.dialogue.assistant import Assistant
from bot.settings import Settings, default_root
from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram_fixtures import WAIT, bot_env

pytestmark = pytest.mark.slow  # the Telegram bot end to end

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


def message(text: str, update_id: int | None = None) -> dict[str, object]:
    """A private message update as Telegram would post it."""
    return {
        **({"update_id": update_id} if update_id is not None else {}),
        "message": {
            "message_id": 7,
            "date": 0,
            "chat": {"id": CHAT, "type": "private", "first_name": "Test"},
            "from": {"id": CHAT, "is_bot": False, "first_name": "Test"},
            "text": text,
        },
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


def raw_post(url: str, headers: dict[str, str], body: bytes, claimed: int | None = None) -> str:
    """POST with a Content-Length of ``claimed`` (default: the body's) but send only ``body``;
    the status line, or "closed" when the server hung up without one."""
    rest = url.removeprefix("http://")
    host, _, path = rest.partition("/")
    address, _, port = host.partition(":")
    length = len(body) if claimed is None else claimed
    head = [f"POST /{path} HTTP/1.1", f"Host: {host}", f"Content-Length: {length}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection((address, int(port)), timeout=WAIT) as conn:
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode("ascii") + body)
        answer = conn.recv(200).decode("latin-1")
    return answer.split("\r\n", 1)[0] if answer else "closed"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


async def test_the_webhook_listens_on_this_host_only_by_default() -> None:
    with FakeBotApi() as api:
        env = bot_env(
            api,
            Path("unused"),
            BOT_MODE="webhook",
            WEBHOOK_URL="https://example.org/telegram",
            WEBHOOK_SECRET=SECRET,
        )
        hook = Settings.from_env(env).webhook
    assert hook is not None and hook.listen == "127.0.0.1"


async def test_a_body_over_the_limit_is_refused_from_its_headers_unread() -> None:
    """90 MB announced, only the headers and 64 KB sent: 413 at once, memory unchanged."""
    json_headers = {"Content-Type": "application/json", SECRET_HEADER: SECRET}
    with FakeBotApi() as api:
        api.register_chat(CHAT)
        async with webhook_bot(api) as url:
            rss = peak_rss_mib()
            started = time.monotonic()
            for _ in range(4):
                status = await asyncio.to_thread(
                    raw_post, url, json_headers, b"x" * 65536, 90_000_000
                )
                assert status == "HTTP/1.1 413 Request Entity Too Large"
                without_secret = await asyncio.to_thread(
                    raw_post, url, {"Content-Type": "application/json"}, b"x" * 65536, 90_000_000
                )
                assert without_secret == "HTTP/1.1 403 Forbidden"
            assert time.monotonic() - started < WAIT
            assert peak_rss_mib() - rss < 20
            # just under the limit is read (and refused as not an update)
            small = json.dumps({"padding": "x" * (MAX_BODY_BYTES - 100)}).encode()
            assert len(small) <= MAX_BODY_BYTES
            assert await asyncio.to_thread(raw_post, url, json_headers, small) == (
                "HTTP/1.1 400 Bad Request"
            )
            # and the bot still answers
            assert await post(api, url, "when was the consultation?", SECRET) == 200
            assert (
                "July 2012" in (await api.wait_for_messages_async(CHAT, 1, WAIT))[0]["visible_text"]
            )


async def test_a_replayed_update_is_answered_once() -> None:
    with FakeBotApi() as api:
        api.register_chat(CHAT)
        async with webhook_bot(api) as url:
            update = message("when was the consultation?", update_id=5000)
            for _ in range(3):  # Telegram re-sends when it did not see the 200 in time
                status = await asyncio.to_thread(api.post_update_to_webhook, url, update, SECRET)
                assert status == 200
            await api.wait_for_messages_async(CHAT, 1, WAIT)
            assert await post(api, url, "who led the inspections?", SECRET) == 200
            await api.wait_for_messages_async(CHAT, 2, WAIT)
        texts = [m["visible_text"] for m in api.messages_for(CHAT)]
        assert len(texts) == 2 and "July 2012" in texts[0]
