"""Confirm-after-answer polling and the handled-updates file behind it."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bot.storage.handled import HANDLED_FILE, LOG_HEADER, LOG_MAX_AGE, HandledLog
from tests.support.fake_bot_api import FakeBotApi, Params
from tests.support.telegram_fixtures import WAIT, running_bot

pytestmark = pytest.mark.slow  # the Telegram bot end to end


def test_handled_ids_survive_a_restart(tmp_path: Path) -> None:
    log = HandledLog.open(tmp_path)
    log.add(10)
    log.add(11)
    again = HandledLog.open(tmp_path)
    assert 10 in again and 11 in again and 12 not in again
    assert [p.name for p in tmp_path.iterdir()] == [HANDLED_FILE]  # no temporary left


def test_confirmed_ids_are_forgotten(tmp_path: Path) -> None:
    log = HandledLog.open(tmp_path)
    for update_id in range(10, 20):
        log.add(update_id)
    log.confirmed(15)
    assert len(log) == 5 and 14 not in log and 15 in log
    log.close()  # written compactly
    assert len(HandledLog.open(tmp_path)) == 5
    assert len((tmp_path / HANDLED_FILE).read_text().splitlines()) == 1 + 5


def test_a_stale_file_is_ignored(tmp_path: Path) -> None:
    HandledLog.open(tmp_path).add(10)
    long_ago = time.time() - LOG_MAX_AGE - 1
    os.utime(tmp_path / HANDLED_FILE, (long_ago, long_ago))
    assert 10 not in HandledLog.open(tmp_path)


@pytest.mark.parametrize("content", ["{not json", "[]", "handled-updates v9\n10\n", "", "\x00"])
def test_a_corrupt_or_foreign_file_is_ignored(tmp_path: Path, content: str) -> None:
    (tmp_path / HANDLED_FILE).write_text(content, encoding="utf-8")
    assert len(HandledLog.open(tmp_path)) == 0


def test_a_line_cut_short_is_skipped(tmp_path: Path) -> None:
    (tmp_path / HANDLED_FILE).write_text(f"{LOG_HEADER}\n10\n11\n1x", encoding="utf-8")
    log = HandledLog.open(tmp_path)
    assert 10 in log and 11 in log and len(log) == 2


def test_an_unwritable_directory_does_not_stop_answers(tmp_path: Path) -> None:
    log = HandledLog.open(tmp_path)
    log.path = tmp_path / "missing" / HANDLED_FILE
    log.add(10)  # logged, not raised
    assert 10 in log


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


async def test_the_offset_never_passes_an_update_still_being_answered() -> None:
    api = HoldChat(held=1)
    api.start()
    try:
        async with running_bot(api) as bot:
            slow = api.push_message(1, "when was the consultation?")
            for chat in range(2, 6):
                await bot.ask(chat, "when were the inspections?")
            assert api.confirmed_offset <= slow  # later updates answered, none confirmed
            api.release.set()
            await bot.settled(slow + 4)
            assert api.pending_count() == 0
    finally:
        api.release.set()
        api.stop()


async def test_updates_already_handled_are_not_answered_again(tmp_path: Path) -> None:
    api = FakeBotApi().start()
    try:
        first = api.push_message(1, "hello")
        second = api.push_message(1, "when was the consultation?")
        HandledLog.open(tmp_path).add(first)  # as if answered just before a crash
        async with running_bot(api, BOT_DATA_DIR=str(tmp_path)) as bot:
            await bot.settled(second)
        assert len(api.sent_texts(1)) == 1 and "July 2012" in api.sent_texts(1)[0]
    finally:
        api.stop()
