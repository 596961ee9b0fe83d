"""Polling through the journal: confirmed at once, answered per chat, replayed after a crash."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from telegram.error import TimedOut
from telegram.request import RequestData

from bot.channels.telegram.app import build
from bot.channels.telegram.polling import (
    DEFAULT_POLL_TIMEOUT,
    FETCH_TIMEOUT,
    POLL_READ_MARGIN,
    POLL_RETRY,
    Poller,
)
from bot.dialogue.assistant import Assistant
from bot.settings import Settings
from bot.storage.journal import Journal
from tests.support.fake_bot_api import FakeBotApi, Params
from tests.support.offline_bot_api import OfflineBotApi
from tests.support.telegram_fixtures import ROOT, WAIT, running_bot

pytestmark = pytest.mark.slow  # the Telegram bot, its poller or its workers, in real time


class HoldChat(FakeBotApi):
    """sendMessage to one chat waits until released."""

    def __init__(self, held: int) -> None:
        super().__init__()
        self.held = held
        self.release = threading.Event()

    def _send_message(self, params: Params) -> dict[str, Any]:
        if int(params["chat_id"]) == self.held:
            self.release.wait(WAIT)
        return super()._send_message(params)


async def test_updates_are_confirmed_at_once_even_while_a_chat_is_held() -> None:
    api = HoldChat(held=1)
    api.start()
    try:
        async with running_bot(api) as bot:
            slow = api.push_message(1, "when was the consultation?")
            for chat in range(2, 6):
                await bot.ask(chat, "when were the inspections?")
            # confirmed although chat 1 is not answered yet
            assert await api.wait_for_async(lambda: api.confirmed_offset > slow + 4, WAIT)
            assert api.messages_for(1) == []
            api.release.set()
            assert "July 2012" in (await api.wait_for_messages_async(1, 1))[0]["visible_text"]
    finally:
        api.release.set()
        api.stop()


async def test_updates_already_answered_are_not_answered_again(tmp_path: Path) -> None:
    api = FakeBotApi().start()
    try:
        first = api.push_message(1, "hello")
        second = api.push_message(1, "when was the consultation?")
        journal = Journal.open(tmp_path)  # as if answered just before a crash, unconfirmed
        journal.add([(first, "chat:1", {"update_id": first})])
        journal.done(first)
        journal.close()
        async with running_bot(api, BOT_DATA_DIR=str(tmp_path)) as bot:
            await bot.settled(second)
            await api.wait_for_messages_async(1, 1)
        assert len(api.sent_texts(1)) == 1 and "July 2012" in api.sent_texts(1)[0]
    finally:
        api.stop()


async def test_updates_journaled_but_unanswered_are_answered_after_a_restart(
    tmp_path: Path,
) -> None:
    api = FakeBotApi().start()
    try:
        api.register_chat(3)
        journal = Journal.open(tmp_path)  # a run that journaled and confirmed, then died
        chat = {"id": 3, "type": "private", "first_name": "Test"}
        for uid, text in ((501, "when was the consultation?"), (502, "why was gmp chosen?")):
            message = {"message_id": uid, "date": 1, "chat": chat, "text": text}
            journal.add([(uid, "chat:3", {"update_id": uid, "message": message})])
        async with running_bot(api, BOT_DATA_DIR=str(tmp_path)):
            first, second = await api.wait_for_messages_async(3, 2, WAIT)
        assert "July 2012" in first["visible_text"]  # in order
        assert "Greater Manchester" in second["visible_text"]
        assert Journal.open(tmp_path).pending() == []
    finally:
        api.stop()


HELLO = {
    "update_id": 700,
    "message": {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 1, "type": "private", "first_name": "Test"},
        "from": {"id": 1, "is_bot": False, "first_name": "Test"},
        "text": "hi",
    },
}


class TimingOutPolls(OfflineBotApi):
    """getUpdates times out a few times, then waits its long-poll timeout with no news."""

    def __init__(self, timeouts: int) -> None:
        super().__init__()
        self.timeouts = timeouts
        self.delivered = False
        self.polls: list[tuple[float, object, float]] = []  # (when, timeout, read_timeout)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        if url.endswith("/getUpdates"):
            params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
            self.polls.append((time.monotonic(), params.get("timeout"), float(read_timeout)))
            if self.timeouts:
                self.timeouts -= 1
                raise TimedOut("read timed out")
            if not self.delivered:
                self.delivered = True
                return 200, json.dumps({"ok": True, "result": [HELLO]}).encode()
            await asyncio.sleep(min(float(params.get("timeout") or 0), 0.2))
        return await super().do_request(url, method, request_data)


@pytest.mark.slow
async def test_a_poll_that_times_out_is_tried_again_after_a_second(tmp_path: Path) -> None:
    fake = TimingOutPolls(timeouts=2)
    settings = Settings.from_env(
        {"TELEGRAM_BOT_TOKEN": "123456:" + "a" * 35, "BOT_DATA_DIR": str(tmp_path)}
    )
    runtime = build(settings, Assistant.load(ROOT), request=fake)
    stop = asyncio.Event()
    async with runtime.application:
        poller = Poller(runtime.application, Journal.open(tmp_path))
        task = asyncio.create_task(poller.run(stop))
        await asyncio.sleep(POLL_RETRY * 2 + 0.5)
        stop.set()
        await task
    (first, timeout, long_read), (second, *_), (third, *_) = fake.polls[:3]
    assert timeout == DEFAULT_POLL_TIMEOUT and long_read == DEFAULT_POLL_TIMEOUT + POLL_READ_MARGIN
    assert POLL_RETRY <= second - first < POLL_RETRY * 1.5  # no growing back-off
    assert POLL_RETRY <= third - second < POLL_RETRY * 1.5
    *_, (_, last_timeout, last_read) = fake.polls  # the confirmation on the way out
    assert last_timeout == 0 and last_read == FETCH_TIMEOUT
    assert len(fake.sent()) == 1  # and the update that came was answered


class OneBatch(OfflineBotApi):
    """getUpdates returns ``updates`` once, then waits with no news."""

    def __init__(self, updates: list[dict[str, Any]]) -> None:
        super().__init__()
        self.updates = updates

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        if url.endswith("/getUpdates"):
            batch, self.updates = self.updates, []
            if batch:
                return 200, json.dumps({"ok": True, "result": batch}).encode()
            await asyncio.sleep(0.05)
        return await super().do_request(url, method, request_data)


def hello(uid: int, chat: int) -> dict[str, Any]:
    who = {"id": chat, "is_bot": False, "first_name": "Test"}
    message = {"message_id": uid, "date": 0, "chat": {**who, "type": "private"}, "from": who}
    return {"update_id": uid, "message": {**message, "text": "hi"}}


async def test_a_chat_with_a_full_line_has_further_updates_dropped_and_counted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    fake = OneBatch([hello(800 + i, 1) for i in range(5)] + [hello(900, 2)])
    settings = Settings.from_env(
        {"TELEGRAM_BOT_TOKEN": "123456:" + "a" * 35, "BOT_DATA_DIR": str(tmp_path)}
    )
    runtime = build(settings, Assistant.load(ROOT), request=fake)
    stop = asyncio.Event()
    journal = Journal.open(tmp_path)
    async with runtime.application:
        poller = Poller(runtime.application, journal, max_line=2)
        task = asyncio.create_task(poller.run(stop))
        while len(fake.sent()) < 3:
            await asyncio.sleep(0.01)
        stop.set()
        await task
    assert sorted(p["chat_id"] for p in fake.sent()) == [1, 1, 2]
    assert poller.dropped == 3
    assert "dropped 1 updates from chats with more than 2 waiting" in caplog.text  # the first
    assert "3 dropped" in caplog.text  # all of them, in the line at the stop
    assert Journal.open(tmp_path).pending() == []  # dropped ones are done, not replayed
