"""Polling through the journal: confirmed at once, answered per chat, replayed after a crash."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from bot.storage.journal import Journal
from tests.support.fake_bot_api import FakeBotApi, Params
from tests.support.telegram_fixtures import WAIT, running_bot


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
