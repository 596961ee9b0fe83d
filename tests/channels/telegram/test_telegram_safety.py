"""End to end: someone at risk gets help on every Telegram path, and nothing of it is kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram_fixtures import WAIT, BotProcess, bot_env, running_bot, wait_polling

pytestmark = pytest.mark.slow  # the Telegram bot end to end

PRIVATE = 601
GROUP = -100_888
BOT_USERNAME = "inspection_qa_bot"
CHILDLINE = "0800 1111"
SAMARITANS = "116 123"
DISCLOSURE = "my stepdad hits me and im scared to go home"


async def test_a_private_disclosure_gets_the_childs_reply_without_buttons() -> None:
    async with running_bot() as bot:
        reply = await bot.ask(PRIVATE, "ma dad h1ts me plz help rn")
        assert reply["visible_text"].startswith(f"Childline: {CHILDLINE}")
        assert "no person reads these messages" in reply["visible_text"]
        assert not reply.get("reply_markup")
        assert "Source:" not in reply["visible_text"]


async def test_in_a_group_a_mention_or_a_reply_to_the_bot_gets_help() -> None:
    async with running_bot() as bot:
        mentioned = await bot.ask(
            GROUP, f"@{BOT_USERNAME} i want to kill myself", chat_type="supergroup"
        )
        assert SAMARITANS in mentioned["visible_text"]
        replied = await bot.ask(GROUP, DISCLOSURE, chat_type="supergroup", reply_to_bot=True)
        assert CHILDLINE in replied["visible_text"]


async def test_inline_mode_offers_the_safety_result_first() -> None:
    async with running_bot() as bot:
        bot.api.push_inline("someone online is asking me for pictures")
        assert await bot.api.wait_for_async(lambda: len(bot.api.inline_answers) == 1, WAIT)
        first = bot.api.inline_answers[0]["results"][0]
        assert "CEOP" in first["input_message_content"]["message_text"]


async def test_flood_control_never_silences_a_safety_reply() -> None:
    async with running_bot(BOT_FLOOD_BURST="2", BOT_FLOOD_PER_MINUTE="1") as bot:
        ids = [bot.api.push_message(PRIVATE, f"{DISCLOSURE} {'!' * i}") for i in range(10)]
        await bot.settled(ids[-1])
        texts = bot.api.sent_texts(PRIVATE)
        assert sum(CHILDLINE in t for t in texts) == 10
        # ordinary questions are still held back by the same limits
        more = [bot.api.push_message(PRIVATE, f"when was the consultation {i}") for i in range(8)]
        await bot.settled(more[-1])
        assert len(bot.api.sent_texts(PRIVATE)) < 10 + 8


def test_flagged_text_reaches_no_log_line_and_no_file(tmp_path: Path) -> None:
    secret_words = "stepdad hits me"
    with FakeBotApi() as api:
        api.push_message(PRIVATE, DISCLOSURE)
        api.push_message(PRIVATE, "blah blah qwerty zork")  # a fallback: logged as a question
        settings = bot_env(api, tmp_path, LOG_LEVEL="DEBUG")
        with BotProcess(settings) as process:
            wait_polling(api, 0)
            assert api.wait_for(lambda: len(api.sent) == 2 and api.pending_count() == 0, 30)
            process.signal(__import__("signal").SIGTERM)
            assert process.wait() == 0
            output = process.output
    assert "DEBUG" in output  # the run logged in detail
    assert secret_words not in output and "stepdad" not in output
    database = next(tmp_path.rglob("*.sqlite3"))
    with sqlite3.connect(database) as conn:
        stored = conn.execute("SELECT text FROM questions").fetchall()
        counted = conn.execute("SELECT intent, questions FROM daily_counts").fetchall()
    assert all("stepdad" not in row[0] for row in stored)
    assert ("safety/child", 1) in counted
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert b"stepdad" not in path.read_bytes()
