"""/stats over a big question log, through the real Application: off the event loop."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import string
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.settings import QUESTION_LOG_FILENAME
from bot.storage.question_log import TIME_FORMAT, utc_now
from bot.storage.question_log import _migrate as migrate
from bot.tools import stats
from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram_fixtures import WAIT, running_bot

pytestmark = pytest.mark.slow  # the Telegram bot end to end

ADMIN = 90_002
OTHER = 4_242_777
ROWS = 5_000  # the figure at 200,000 is benchmarks/question_log.py's


def fill(path: Path, rows: int) -> None:
    """``rows`` distinct made-up questions from the last few days, and one asked three times."""
    rng = random.Random(3)
    now = utc_now()

    def word() -> str:
        return "".join(rng.choices(string.ascii_lowercase, k=7))

    values = [
        ((now - timedelta(minutes=i)).strftime(TIME_FORMAT), f"what about {word()} {word()}")
        for i in range(rows)
    ] + [(now.strftime(TIME_FORMAT), "who won the football")] * 3
    with sqlite3.connect(path) as conn:
        migrate(conn)
        conn.executemany(
            "INSERT INTO questions (asked_at, chat_kind, reason, outcome, text, intent, "
            "best_intent, score, confidence, runner_up, runner_up_score) "
            "VALUES (?, 'private', 'fallback', 'fallback', ?, 'fallback', NULL, 0, 0, NULL, 0)",
            values,
        )
    conn.close()


async def test_stats_over_a_big_log_answer_and_name_the_top_group(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    fill(data / QUESTION_LOG_FILENAME, ROWS)
    with FakeBotApi() as api:
        async with running_bot(api, BOT_DATA_DIR=str(data), BOT_ADMIN_IDS=str(ADMIN)) as bot:
            started = asyncio.get_running_loop().time()
            text = (await bot.ask(ADMIN, "/stats"))["visible_text"]
            assert asyncio.get_running_loop().time() - started < WAIT
    assert "Top unanswered:\n3 x who won the football" in text


async def test_stats_run_off_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/stats blocks until another chat is answered: that happens only if it is off the loop."""
    other_answered = threading.Event()
    real = stats.stats_text

    def waiting(log: object, now: datetime) -> str:
        if not other_answered.wait(WAIT):
            return "the other chat was not answered while /stats ran"
        return real(log, now)  # type: ignore[arg-type]

    monkeypatch.setattr("bot.channels.telegram.handlers.stats_text", waiting)
    with FakeBotApi() as api:
        async with running_bot(api, BOT_ADMIN_IDS=str(ADMIN)) as bot:
            api.push_message(ADMIN, "/stats")
            answer = await bot.ask(OTHER, "why was staffs chosen")
            assert "Staffordshire" in answer["visible_text"]
            other_answered.set()
            [reply] = await api.wait_for_messages_async(ADMIN, 1, WAIT)
    assert "Today (" in reply["visible_text"]
