"""Bot API faults end to end: 5xx, HTML 502s, 429s, stalls, refusals, crashes, blocked users."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest

from bot.channels.telegram import polling
from bot.channels.telegram.handlers import chat_ref
from bot.channels.telegram.render import visible_text
from bot.dialogue.assistant import Assistant
from bot.tools.evaluation import load_turns
from tests.support.fake_bot_api import ApiError, FakeBotApi, FaultPlan, Params, bad_request
from tests.support.telegram_fixtures import ROOT, WAIT, running_bot, sent_count

pytestmark = pytest.mark.slow  # the Telegram bot end to end, with faults

FAULT_RATE = 0.2  # the share of failing calls
STALL = 1.5  # seconds a stalled call hangs ...
READ_TIMEOUT = "1"  # ... past the bot's read time-out, set low to keep the test short
MAX_DUPLICATE_SHARE = 0.01


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt into PTB's future RetryAfter.retry_after type, as the bot's main() does."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


def conversations(count: int) -> list[list[str]]:
    """``count`` labelled multi-turn conversations (follow-ups need the chat's context)."""
    turns = load_turns(ROOT / "tests" / "data" / "questions.yaml")
    longest = sorted(turns, key=len, reverse=True)[:count]
    return [[turn.question for turn in conversation] for conversation in longest]


def expected_texts(talks: list[list[str]]) -> list[list[str]]:
    """What each chat should read, from a fresh core (the terminal's answers)."""
    core = Assistant.load(ROOT)
    return [[visible_text(core.reply(f"ref{i}", q)) for q in talk] for i, talk in enumerate(talks)]


async def test_a_fifth_of_sends_failing_loses_nothing_and_duplicates_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    plan = FaultPlan(
        rate=FAULT_RATE,
        kinds=("500", "502_html", "429", "stall"),
        stall_seconds=STALL,
        stall_then_process=False,  # the stalled request never reached Telegram
        seed=3,
    )
    talks = [talk * 2 for talk in conversations(16)]
    expected = expected_texts(talks)
    api = FakeBotApi(faults=plan).start()
    try:
        async with running_bot(api, TELEGRAM_READ_TIMEOUT=READ_TIMEOUT, BOT_FLOOD_BURST="0") as bot:
            for chat, talk in enumerate(talks, start=1):
                for question in talk:
                    api.push_message(chat, question)
            total = sum(map(len, talks))
            assert await api.wait_for_async(lambda: sent_count(api) >= total, 60)
            stats = bot.runtime.handlers.delivery.stats
            assert bot.task.done() is False  # the process never exits
        for chat, texts in enumerate(expected, start=1):
            assert api.sent_texts(chat) == texts  # all answered, in order, none twice
        assert sent_count(api) - total <= MAX_DUPLICATE_SHARE * total
        assert set(api.fault_counts) == {"500", "502_html", "429", "stall"}
        assert stats.gave_up == 0 and stats.retries >= sum(api.fault_counts.values())
        ours = [r for r in caplog.records if r.name.startswith(("bot.", "telegram.ext.AIORate"))]
        assert [r.getMessage() for r in ours if r.levelno >= logging.ERROR] == []
    finally:
        api.stop()


async def test_a_stall_telegram_processed_late_is_counted_as_a_possible_duplicate() -> None:
    plan = FaultPlan(rate=0.3, kinds=("stall",), stall_seconds=STALL, seed=1)
    api = FakeBotApi(faults=plan).start()
    try:
        async with running_bot(api, TELEGRAM_READ_TIMEOUT=READ_TIMEOUT) as bot:
            for chat in range(1, 7):
                api.push_message(chat, "when was the consultation?")
            assert await api.wait_for_async(lambda: len(api.sent) >= 6 + plan.injected["stall"])
            stats = bot.runtime.handlers.delivery.stats
        late = sum(1 for message in api.sent if message["stalled"])
        assert late == plan.injected["stall"] > 0
        assert stats.possible_duplicates == late  # every duplicate is accounted for
        assert all(api.sent_texts(chat) for chat in range(1, 7))
    finally:
        api.stop()


async def test_a_slow_server_within_the_read_timeout_causes_no_duplicates() -> None:
    plan = FaultPlan(rate=0.5, kinds=("stall",), stall_seconds=0.3, seed=2)
    api = FakeBotApi(faults=plan).start()
    try:
        async with running_bot(api) as bot:  # the default read time-out waits for slow answers
            for chat in range(1, 7):
                api.push_message(chat, "when was the consultation?")
            assert await api.wait_for_async(lambda: len(api.sent) >= 6)
            assert bot.runtime.handlers.delivery.stats.possible_duplicates == 0
        assert plan.injected["stall"] > 0
        assert [len(api.sent_texts(chat)) for chat in range(1, 7)] == [1] * 6
    finally:
        api.stop()


class StallOneChat(FakeBotApi):
    """sendMessage to one chat hangs until released; other chats are served at once."""

    def __init__(self, slow_chat: int) -> None:
        super().__init__()
        self.slow_chat = slow_chat
        self.release = threading.Event()

    def _send_message(self, params: Params) -> dict[str, Any]:
        if int(params["chat_id"]) == self.slow_chat:
            self.release.wait(WAIT)
        return super()._send_message(params)


async def test_one_stalled_chat_does_not_hold_up_the_others() -> None:
    api = StallOneChat(slow_chat=1)
    api.start()
    try:
        async with running_bot(api):
            api.push_message(1, "when was the consultation?")
            api.push_message(1, "why was west mercia chosen?")
            started = time.monotonic()
            for chat in range(2, 12):
                api.push_message(chat, "when were the inspections?")
            for chat in range(2, 12):
                await api.wait_for_messages_async(chat, 1)
            assert time.monotonic() - started < WAIT / 2
            assert api.messages_for(1) == []
            api.release.set()
            first, second = await api.wait_for_messages_async(1, 2)
            assert "July 2012" in first["visible_text"]  # chat 1 still in order
            assert second["visible_text"] != first["visible_text"]
    finally:
        api.release.set()
        api.stop()


class RefuseHtmlOnce(FakeBotApi):
    """Refuses the first HTML message as Telegram refuses markup it cannot parse."""

    refused = 0

    def _send_message(self, params: Params) -> dict[str, Any]:
        if params.get("parse_mode") == "HTML" and not self.refused:
            self.refused += 1
            raise bad_request('can\'t parse entities: Unsupported start tag "x" at byte offset 0')
        return super()._send_message(params)


async def test_html_telegram_refuses_is_resent_as_plain_text() -> None:
    api = RefuseHtmlOnce().start()
    try:
        async with running_bot(api, check_errors=False) as bot:
            message = await bot.ask(1, "why was staffordshire chosen?")
            assert message["parse_mode"] is None
            assert "Source: HMIC" in message["text"]
            assert bot.runtime.handlers.delivery.stats.plain_fallbacks == 1
    finally:
        api.stop()


class BlockedBy(FakeBotApi):
    """Answers 403 to messages for one chat, like a user who blocked the bot."""

    def __init__(self, blocked: int) -> None:
        super().__init__()
        self.blocked = blocked

    def _send_message(self, params: Params) -> dict[str, Any]:
        if int(params["chat_id"]) == self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return super()._send_message(params)


async def test_a_user_who_blocked_the_bot_is_logged_and_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = BlockedBy(blocked=7).start()
    try:
        async with running_bot(api) as bot:
            with caplog.at_level(logging.INFO, logger="bot"):
                update = api.push_message(7, "hello")
                await bot.settled(update)
                assert (await bot.ask(8, "hello"))["visible_text"]
        assert any(
            f"chat {chat_ref(7)}" in r.getMessage() and "blocked" in r.getMessage()
            for r in caplog.records
        )
        assert not any("chat 7" in r.getMessage() for r in caplog.records)  # no chat id
    finally:
        api.stop()


async def test_a_crashing_handler_is_reported_confirmed_and_the_chat_carries_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    core = Assistant.load(ROOT)
    answer = core.reply

    def fragile(chat_id: str, text: str) -> Any:
        if text == "boom":
            raise RuntimeError("a bug in the core")
        return answer(chat_id, text)

    core.reply = fragile  # type: ignore[method-assign]
    async with running_bot(assistant=core) as bot:
        with caplog.at_level(logging.ERROR, logger="bot"):
            crash = bot.api.push_message(3, "boom")
            after = await bot.ask(3, "when was the consultation?")
            await bot.settled(crash)
        assert "July 2012" in after["visible_text"]
    failures = [r for r in caplog.records if r.exc_info]
    assert failures and "update" in failures[0].getMessage()
    assert f"chat {chat_ref(3)}" in failures[0].getMessage()
    assert "chat 3 " not in failures[0].getMessage()  # the reference, never the chat id


async def test_get_updates_failures_are_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(polling, "FETCH_BACKOFF_START", 0.05)
    plan = FaultPlan(rate=0.5, kinds=("500", "502_html", "disconnect"), methods=("getUpdates",))
    api = FakeBotApi(faults=plan).start()
    try:
        async with running_bot(api) as running:
            for chat in range(1, 6):
                assert (await running.ask(chat, "hi"))["visible_text"]
        assert sum(plan.injected.values()) > 0
    finally:
        api.stop()


def test_a_chats_log_reference_is_stable_in_a_run_and_hides_its_id() -> None:
    assert chat_ref(123456789) == chat_ref(123456789)
    assert chat_ref(123456789) != chat_ref(123456780)
    assert "123456789" not in chat_ref(123456789)
