"""The worker pool sized by Little's law: rate times the time an answer takes."""

from __future__ import annotations

import asyncio

import pytest

from bot.channels.telegram.workers import MIN_PATIENCE, Workers

pytestmark = pytest.mark.slow  # the Telegram bot, its poller or its workers, in real time


async def test_the_pool_follows_the_time_an_answer_takes() -> None:
    workers = Workers(minimum=2, maximum=16, rate=30)  # MAX_PATIENCE 1 s
    assert workers.limit == 2
    for _ in range(50):
        workers.measured(0.2)  # a 200 ms round trip: 30 a second needs 6 in hand
    assert workers.limit == 6
    for _ in range(50):
        workers.measured(0.001)  # a local server: the minimum
    assert workers.limit == 2
    for _ in range(50):
        workers.measured(5.0)  # counted as at most MAX_PATIENCE: 30 in hand
    assert workers.limit == 16


async def test_waiters_are_served_in_order_and_when_the_pool_grows() -> None:
    workers = Workers(minimum=1, maximum=4, rate=10)
    await workers.acquire()
    order: list[int] = []

    async def take(n: int) -> None:
        await workers.acquire()
        order.append(n)

    tasks = [asyncio.create_task(take(n)) for n in range(3)]
    await asyncio.sleep(0)
    assert order == []
    workers.release()
    await asyncio.sleep(0)
    assert order == [0]
    for _ in range(50):
        workers.measured(0.3)  # three in hand now allowed
    await asyncio.sleep(0)
    assert order == [0, 1, 2] and workers.busy == 3
    await asyncio.gather(*tasks)


async def test_a_cancelled_waiter_gives_its_place_up() -> None:
    workers = Workers(minimum=1, maximum=1)
    await workers.acquire()
    waiter = asyncio.create_task(workers.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    await asyncio.sleep(0)
    workers.release()
    assert workers.busy == 0
    await workers.acquire()
    assert workers.busy == 1


def test_patience_is_a_few_average_answers_within_bounds() -> None:
    workers = Workers(minimum=2, rate=30)
    assert workers.patience == pytest.approx(4 * 2 / 30)  # nothing measured yet
    for _ in range(50):
        workers.measured(0.1)
    assert workers.patience == pytest.approx(0.4, abs=1e-3)
    for _ in range(50):
        workers.measured(0.001)
    assert workers.patience == MIN_PATIENCE
