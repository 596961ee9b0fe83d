"""The bot as a process: SIGKILL and restart mid-stream loses nothing; SIGTERM ends cleanly."""

from __future__ import annotations

import random
import re
import signal
import threading
import time
from pathlib import Path

import pytest

from bot.channels.telegram.render import visible_text
from bot.dialogue.assistant import Assistant
from bot.settings import default_root
from tests.support.fake_bot_api import FakeBotApi, FaultPlan
from tests.support.telegram_fixtures import WAIT, BotProcess, bot_env, sent_count, wait_polling

pytestmark = pytest.mark.slow  # bot subprocesses killed and restarted

# Self-contained questions with different answers: each answer names its question.
QUESTIONS = (
    "when was the consultation?",
    "why was west mercia chosen?",
    "which forces were inspected?",
    "why was staffordshire police chosen?",
    "when did the inspections take place?",
    "why was greater manchester police chosen?",
)
CHATS = 40
ROUNDS = 15  # messages per chat: 600 in all
KILLS = 3
# Answers repeated after a SIGKILL are only those sent but not yet marked done in the
# journal at that instant (the target: under 1%).
MAX_DUPLICATE_SHARE = 0.01
# Seconds between pushes: about 80 messages a second, well above Telegram's 30 a second for
# a whole bot. A SIGKILL can repeat only answers that were on the wire at that instant; the
# bot keeps as few in hand as the rate needs (workers.py), so there are few of those.
STREAM_GAP = 0.012
ALL_ANSWERED_WAIT = 60.0
IN_HAND = re.compile(r"(\d+) answers were in hand")  # the journal's count after each kill


def quiet_settings(api: FakeBotApi, data: Path, level: str = "WARNING") -> dict[str, str]:
    """Settings for a local Bot API: no rate limiter, no flood control."""
    return bot_env(api, data, BOT_RATE_LIMIT="off", BOT_FLOOD_BURST="0", LOG_LEVEL=level)


def collapse(texts: list[str]) -> list[str]:
    """``texts`` with immediate repeats (duplicated answers) removed."""
    return [t for i, t in enumerate(texts) if i == 0 or texts[i - 1] != t]


@pytest.mark.slow
def test_sigkill_and_restart_mid_stream_loses_no_message(tmp_path: Path) -> None:
    core = Assistant.load(default_root())
    answers = {q: visible_text(core.reply(f"ref-{q}", q)) for q in QUESTIONS}
    assert len(set(answers.values())) == len(QUESTIONS)
    plan = {
        chat: [QUESTIONS[(chat + r) % len(QUESTIONS)] for r in range(ROUNDS)]
        for chat in range(1, CHATS + 1)
    }
    total = CHATS * ROUNDS
    chaos = random.Random(5)
    with FakeBotApi() as api:
        settings = quiet_settings(api, tmp_path)

        def stream() -> None:
            for r in range(ROUNDS):
                for chat, questions in plan.items():
                    api.push_message(chat, questions[r])
                    time.sleep(STREAM_GAP)

        feeder = threading.Thread(target=stream)
        process = BotProcess(settings)
        interrupted: list[str] = []
        try:
            wait_polling(api, 0)
            feeder.start()
            for _ in range(KILLS):
                time.sleep(chaos.uniform(0.3, 0.7))  # a kill at an arbitrary moment
                process.signal(signal.SIGKILL)
                assert process.wait() == -signal.SIGKILL
                interrupted.append(process.output)
                process.close()
                polls = len(api.calls_to("getUpdates"))
                process = BotProcess(settings)
                wait_polling(api, polls)
            feeder.join()
            assert api.wait_for(
                lambda: sent_count(api) >= total and api.pending_count() == 0,
                ALL_ANSWERED_WAIT,
            ), f"{sent_count(api)} of {total} answered; log: {process.output[-2000:]}"
            process.signal(signal.SIGTERM)
            assert process.wait() == 0
            interrupted.append(process.output)
        finally:
            process.close()
        duplicates = sent_count(api) - total
        in_hand = [int(n) for out in interrupted for n in IN_HAND.findall(out)]
        for chat, questions in plan.items():
            assert collapse(api.sent_texts(chat)) == [answers[q] for q in questions]
        assert duplicates < MAX_DUPLICATE_SHARE * total, (duplicates, in_hand)


@pytest.mark.slow
def test_sigterm_finishes_answers_in_flight_confirms_them_and_exits_0(tmp_path: Path) -> None:
    faults = FaultPlan(rate=0.3, kinds=("429",), retry_after=1, seed=4)
    with FakeBotApi(faults=faults) as api:
        process = BotProcess(quiet_settings(api, tmp_path, "DEBUG"))
        try:
            wait_polling(api, 0)
            last = max(
                api.push_message(chat, "when was the consultation?") for chat in range(1, 11)
            )
            assert api.wait_for(lambda: faults.injected["429"] > 0, 10)  # answers now in flight
            process.signal(signal.SIGTERM)
            assert process.wait() == 0
            output = process.output
        finally:
            process.close()
        assert sent_count(api) == 10  # every answer in flight was finished ...
        assert api.confirmed_offset > last, output  # ... and confirmed before exiting
        assert api.pending_count() == 0


def test_ctrl_c_stops_cleanly(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        process = BotProcess(quiet_settings(api, tmp_path))
        try:
            wait_polling(api, 0)
            api.push_message(1, "hi")
            api.wait_for_messages(1, 1)
            process.signal(signal.SIGINT)
            assert process.wait() == 0
            assert "Traceback" not in process.output
        finally:
            process.close()


def test_an_unreadable_update_is_skipped_not_redelivered_forever(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        chat = {"id": 5, "type": "private", "first_name": "Test"}
        api.push_raw({"message": {"message_id": 1, "date": "yesterday", "chat": chat}})
        good = api.push_message(5, "when was the consultation?")
        process = BotProcess(quiet_settings(api, tmp_path))
        try:
            assert api.wait_for(lambda: api.confirmed_offset > good, 15), process.output
            assert "July 2012" in api.wait_for_messages(5, 1, WAIT)[-1]["visible_text"]
            assert "cannot be read: skipped" in process.output
        finally:
            process.close()
