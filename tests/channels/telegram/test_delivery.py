"""Bounded retries: what is retried, how long it waits, and what is counted."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channels.telegram.delivery import (
    BACKOFF_MAX,
    BACKOFF_START,
    DEFAULT_ATTEMPTS,
    DEFAULT_BUDGET,
    MAX_FLOOD_WAITS,
    MAX_RETRY_AFTER,
    RETRY_AFTER_MARGIN,
    BudgetSpent,
    Delivery,
    retry_after_seconds,
)
from tests.support.telegram_fixtures import WAIT


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt into PTB's future RetryAfter.retry_after type, as the bot's main() does."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


class Script:
    """A Bot API call that fails with the given errors in turn, then returns "ok"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def timed_out(cause: Exception) -> TimedOut:
    """A TimedOut raised from an httpx time-out, as PTB's HTTPXRequest raises it."""
    try:
        raise TimedOut from cause
    except TimedOut as error:
        return error


class FakeTime:
    """A clock that only moves when Delivery sleeps (or a test moves it)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def delivery(
    attempts: int = DEFAULT_ATTEMPTS, budget: float = DEFAULT_BUDGET
) -> tuple[Delivery, list[float]]:
    """A Delivery whose sleeps are recorded (and move its clock) instead of slept."""
    waits: list[float] = []
    clock = FakeTime()

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.now += seconds

    return Delivery(sleep=sleep, attempts=attempts, budget=budget, clock=clock), waits


async def run(d: Delivery, make: Callable[[], Awaitable[str]]) -> str:
    return await d.call("sendMessage", make)


async def test_server_errors_are_retried_with_growing_bounded_waits() -> None:
    d, waits = delivery(attempts=8, budget=60)
    script = Script(*[NetworkError("Internal Server Error")] * 7)
    assert await run(d, script) == "ok"
    assert waits[0] == BACKOFF_START
    assert waits == sorted(waits) and max(waits) == BACKOFF_MAX
    assert d.stats.retries == 7 and d.stats.gave_up == 0


async def test_retry_after_is_respected() -> None:
    d, waits = delivery()
    assert await run(d, Script(RetryAfter(3))) == "ok"
    assert waits == [3 + RETRY_AFTER_MARGIN]
    assert d.stats.flood_waits == 1
    assert retry_after_seconds(RetryAfter(timedelta(seconds=2))) == 2.0


async def test_flood_waits_have_their_own_bounded_budget() -> None:
    d, _ = delivery(attempts=2, budget=60)
    script = Script(NetworkError("Bad Gateway"), *[RetryAfter(1)] * MAX_FLOOD_WAITS)
    assert await run(d, script) == "ok"
    with pytest.raises(RetryAfter):
        await run(d, Script(*[RetryAfter(1)] * (MAX_FLOOD_WAITS + 1)))
    assert d.stats.gave_up == 1


async def test_an_absurd_retry_after_is_not_waited_for() -> None:
    d, waits = delivery()
    with pytest.raises(RetryAfter):
        await run(d, Script(RetryAfter(int(MAX_RETRY_AFTER) + 60)))
    assert waits == [] and d.stats.gave_up == 1


async def test_read_timeouts_count_as_possible_duplicates_connect_timeouts_do_not() -> None:
    d, _ = delivery()
    script = Script(
        timed_out(httpx.ReadTimeout("slow")),
        timed_out(httpx.ConnectTimeout("down")),
        timed_out(httpx.PoolTimeout("busy")),
    )
    assert await run(d, script) == "ok"
    assert d.stats.possible_duplicates == 1
    assert d.stats.retries == 3


@pytest.mark.parametrize(
    "error", [BadRequest("Message is too long"), Forbidden("bot was blocked by the user")]
)
async def test_refusals_are_not_retried(error: Exception) -> None:
    d, waits = delivery()
    script = Script(error)
    with pytest.raises(type(error)):
        await run(d, script)
    assert script.calls == 1 and waits == []


async def test_retries_are_bounded_and_the_last_error_is_raised() -> None:
    d, waits = delivery(attempts=3)
    script = Script(*[NetworkError("Bad Gateway")] * 5)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await run(d, script)
    assert script.calls == 3 and len(waits) == 2 and d.stats.gave_up == 1


async def test_a_retry_after_past_the_budget_drops_the_answer_without_naming_the_chat(
    caplog: pytest.LogCaptureFixture,
) -> None:
    d, waits = delivery(budget=30)
    with caplog.at_level(logging.WARNING), pytest.raises(BudgetSpent):
        await run(d, Script(RetryAfter(20), RetryAfter(20)))
    assert waits == [20 + RETRY_AFTER_MARGIN]  # the first wait fits, the second does not
    assert d.stats.dropped == 1 and d.stats.gave_up == 1
    [line] = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert "chat" not in line and "1 dropped" in line


async def test_retries_stop_at_the_budget_however_many_attempts_are_left() -> None:
    d, waits = delivery(attempts=100, budget=10)
    with pytest.raises(BudgetSpent):
        await run(d, Script(*[NetworkError("Bad Gateway")] * 100))
    assert sum(waits) <= 10


async def test_an_attempt_still_running_when_the_budget_ends_is_cut_off() -> None:
    d = Delivery(budget=0.2)

    async def hang() -> str:
        await asyncio.sleep(WAIT)
        return "never"

    started = time.monotonic()
    with pytest.raises(BudgetSpent):
        await run(d, hang)
    assert time.monotonic() - started < WAIT / 2
    assert d.stats.dropped == 1 and d.stats.possible_duplicates == 1
