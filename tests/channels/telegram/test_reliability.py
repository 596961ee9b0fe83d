"""Issue 12 through the real Application: isolation between chats, bounded delivery, health
that means answers go out, flood control by the message's date, and 409 between instances."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from pathlib import Path

import pytest

from bot.channels.telegram.handlers import USER_FLOOD_WARNING
from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram_fixtures import (
    WAIT,
    BotProcess,
    bot_env,
    run_cli,
    running_bot,
    wait_polling,
)

pytestmark = pytest.mark.slow  # the Telegram bot, its poller or its workers, in real time

QUESTION = "when was the consultation?"
OTHER_CHATS = 30
PER_CHAT = 5  # 150 questions: more than one getUpdates batch (100) behind the slow chat


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt into PTB's future RetryAfter.retry_after type, as the bot's main() does."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.mark.slow
async def test_a_chat_whose_sends_keep_stalling_holds_up_no_other_chat() -> None:
    with FakeBotApi() as api:
        api.fail_chat(1, "stall", times=3, seconds=1.0)
        async with running_bot(api, BOT_FLOOD_BURST="0", BOT_RATE_LIMIT="off"):
            api.push_message(1, QUESTION)
            api.push_message(1, "why was west mercia chosen?")
            for round_ in range(PER_CHAT):
                for chat in range(2, 2 + OTHER_CHATS):
                    api.push_message(chat, f"{QUESTION} {round_}")
            others = OTHER_CHATS * PER_CHAT
            assert await api.wait_for_async(lambda: api.sent_count() >= others, WAIT)
            assert api.messages_for(1) == []  # all answered while chat 1 is still stalled
            first, second = await api.wait_for_messages_async(1, 2, WAIT)
            assert "July 2012" in first["visible_text"]  # chat 1 answered, in order
            assert "West Mercia" in second["visible_text"]
            assert api.chat_faults_injected == 3


async def test_a_429_longer_than_the_budget_drops_that_answer_and_names_no_chat(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with FakeBotApi() as api:
        api.fail_chat(777, "429", retry_after=5)
        async with running_bot(api, BOT_DELIVERY_BUDGET="2", BOT_RATE_LIMIT="off") as bot:
            with caplog.at_level(logging.WARNING, logger="bot"):
                dropped = api.push_message(777, QUESTION)
                await bot.settled(dropped)
            assert "West Mercia" in (await bot.ask(777, "why was west mercia chosen?"))["text"]
            assert bot.runtime.handlers.delivery.stats.dropped == 1
        [line] = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
        assert "777" not in line and "1 dropped" in line
        assert len(api.messages_for(777)) == 1


async def test_flood_control_counts_from_when_a_message_was_sent() -> None:
    """Messages Telegram held back (dated before the last answer) count as talking over,
    however late they reach the bot, one by one."""
    async with running_bot(BOT_FLOOD_BURST="3", BOT_FLOOD_PER_MINUTE="1") as bot:
        before = int(time.time()) - 5
        await bot.ask(5, "hi")
        for i in range(8):
            await bot.settled(bot.api.push_message(5, f"{QUESTION} {i}", date=before))
        texts = bot.api.sent_texts(5)
        assert texts.count(USER_FLOOD_WARNING) == 1
        assert len(texts) == 1 + 3 + 1  # hi, the burst, the warning; the rest dropped


@pytest.mark.slow
async def test_health_fails_while_an_answer_cannot_go_out(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        api.fail_chat(1, "stall", times=1, seconds=3.0)
        env = {"BOT_DATA_DIR": str(tmp_path), "BOT_HEALTH_MAX_WAIT": "1"}
        async with running_bot(api, BOT_DATA_DIR=str(tmp_path)) as bot:
            assert (await bot.ask(2, "hi"))["text"]
            assert (await asyncio.to_thread(run_cli, env, "health")).returncode == 0
            api.push_message(1, QUESTION)
            await asyncio.sleep(1.5)
            sick = await asyncio.to_thread(run_cli, env, "health")
            assert sick.returncode == 1, sick.stdout
            assert "1 updates not answered in time" in sick.stdout
            await api.wait_for_messages_async(1, 1, WAIT)
            assert (await asyncio.to_thread(run_cli, env, "health")).returncode == 0


@pytest.mark.slow
def test_a_second_instance_on_the_same_token_exits_with_a_clear_message(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        settings = bot_env(api, tmp_path / "first", BOT_CONFLICT_TIMEOUT="1", LOG_LEVEL="WARNING")
        with BotProcess(settings) as first:
            wait_polling(api, 0)
            time.sleep(1.2)  # polled undisturbed for longer than BOT_CONFLICT_TIMEOUT
            api.push_message(1, "hi")
            api.wait_for_messages(1, 1, WAIT)
            second_settings = {**settings, "BOT_DATA_DIR": str(tmp_path / "second")}
            with BotProcess(second_settings) as second:
                assert second.wait(WAIT) == 1
                assert "409 Conflict" in second.output
                assert "another instance is polling" in second.output
            api.push_message(1, QUESTION)
            assert "July 2012" in api.wait_for_messages(1, 2, WAIT)[-1]["visible_text"]
            first.signal(signal.SIGTERM)
            assert first.wait() == 0
