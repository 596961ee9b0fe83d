"""Calls to the Bot API with bounded retries, and sending rendered replies with fallbacks."""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import NoReturn, TypeVar

import httpx
from telegram import Bot, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from bot.channels.telegram.render import Rendered

log = logging.getLogger(__name__)

T = TypeVar("T")

# One try plus five retries of 5xx and time-outs: at a 20% failure rate all six fail about
# once in 15,000 sends.
DEFAULT_ATTEMPTS = 6
BACKOFF_START = 0.5  # seconds before the first retry of a 5xx or a time-out
BACKOFF_FACTOR = 2.0  # each further retry waits twice as long ...
BACKOFF_MAX = 8.0  # ... but never longer than this
RETRY_AFTER_MARGIN = 0.1  # Telegram's retry_after is whole seconds; arrive just after it
# A flood wait longer than this is not worth holding a chat for: give up and log it.
MAX_RETRY_AFTER = 120.0
# All the tries of one answer (every part, every retry, every 429 wait) end within this
# many seconds (BOT_DELIVERY_BUDGET): a person waiting longer has given up on the answer,
# and the chat's next question is waiting behind it.
DEFAULT_BUDGET = 30.0
# 429s are Telegram asking for patience, not failures, so they have their own budget.
MAX_FLOOD_WAITS = 10
PARSE_ERROR = "can't parse entities"  # the BadRequest that means our HTML was refused

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]

# Set by whoever hands an update to the handlers (the poller): called the moment that
# update's answer has been delivered, so a crash later in the handler does not repeat it.
ANSWER_DELIVERED: ContextVar[Callable[[], None] | None] = ContextVar(
    "answer_delivered", default=None
)


class BudgetSpent(TimedOut):
    """One answer's delivery budget ran out: it was dropped (counted, logged without chat)."""


@dataclass(slots=True)
class DeliveryStats:
    """Counters for what delivery did; logged at shutdown and read by tests."""

    calls: int = 0
    retries: int = 0
    flood_waits: int = 0
    gave_up: int = 0
    possible_duplicates: int = 0  # retries after a read time-out: the first try may have landed
    plain_fallbacks: int = 0
    dropped: int = 0  # answers whose delivery budget ran out (also counted in gave_up)

    def summary(self) -> str:
        """One line for the log."""
        return (
            f"{self.calls} calls, {self.retries} retries ({self.flood_waits} after 429), "
            f"{self.possible_duplicates} possible duplicates, {self.plain_fallbacks} sent as "
            f"plain text, {self.gave_up} given up ({self.dropped} over the delivery budget)"
        )


def retry_after_seconds(error: RetryAfter) -> float:
    """RetryAfter.retry_after as seconds, whichever type this PTB version returns."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value: object = error.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value) if isinstance(value, int | float) else 1.0


def may_have_landed(error: TimedOut) -> bool:
    """Whether a timed-out request may still have reached Telegram (read/write time-out)."""
    cause = error.__cause__
    return not isinstance(cause, httpx.ConnectTimeout | httpx.PoolTimeout)


class Delivery:
    """Runs Bot API calls, retrying 5xx, 429 and time-outs with bounded back-off.

    Every call, and every answer sent with ``send`` (all its parts), ends within
    ``budget`` seconds: an attempt still running then is cut off, and a retry or a 429
    wait that would end past it is not begun. The answer is dropped instead, counted in
    ``stats.dropped`` and a log line that names no chat.
    """

    def __init__(
        self,
        *,
        attempts: int = DEFAULT_ATTEMPTS,
        backoff_start: float = BACKOFF_START,
        budget: float = DEFAULT_BUDGET,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        self.attempts = attempts
        self.backoff_start = backoff_start
        self.budget = budget
        self.stats = DeliveryStats()
        self._sleep = sleep
        self._clock = clock

    async def call(
        self, what: str, make: Callable[[], Awaitable[T]], *, deadline: float | None = None
    ) -> T:
        """Await ``make()``, retrying transient failures until ``deadline`` (default: the
        budget from now); re-raise the last error, or BudgetSpent when time ran out."""
        if deadline is None:
            deadline = self._clock() + self.budget
        delay = self.backoff_start
        failures = flood_waits = 0
        while True:
            self.stats.calls += 1
            try:
                return await self._attempt(what, make, deadline)
            except (BadRequest, Forbidden, InvalidToken, Conflict, ChatMigrated, BudgetSpent):
                raise  # the request itself is wrong or unwelcome: retrying cannot help
            except RetryAfter as error:
                wait = retry_after_seconds(error) + RETRY_AFTER_MARGIN
                flood_waits += 1
                if flood_waits > MAX_FLOOD_WAITS or wait > MAX_RETRY_AFTER:
                    self.stats.gave_up += 1
                    raise
                self._within_budget(what, wait, deadline, f"Telegram asked to wait {wait:.0f} s")
                self.stats.flood_waits += 1
                log.info("%s: flood limit, retrying in %.1f s", what, wait)
            except TimedOut as error:
                failures += 1
                if failures >= self.attempts:
                    self.stats.gave_up += 1
                    raise
                if may_have_landed(error):
                    self.stats.possible_duplicates += 1
                wait, delay = delay, min(delay * BACKOFF_FACTOR, BACKOFF_MAX)
                self._within_budget(what, wait, deadline, "it timed out")
                log.info("%s: timed out, retrying in %.1f s", what, wait)
            except NetworkError as error:
                failures += 1
                if failures >= self.attempts:
                    self.stats.gave_up += 1
                    raise
                wait, delay = delay, min(delay * BACKOFF_FACTOR, BACKOFF_MAX)
                self._within_budget(what, wait, deadline, error.message)
                log.info("%s: %s, retrying in %.1f s", what, error.message, wait)
            self.stats.retries += 1
            log.debug("%s failed; details of the error", what, exc_info=True)
            await self._sleep(wait)

    async def _attempt(self, what: str, make: Callable[[], Awaitable[T]], deadline: float) -> T:
        """One try, cut off at ``deadline``."""
        remaining = deadline - self._clock()
        if remaining <= 0:
            self._drop(what, "its delivery budget is spent")
        try:
            async with asyncio.timeout(remaining):
                return await make()
        except TimeoutError:
            self.stats.possible_duplicates += 1  # cut off mid-request: it may have landed
            self._drop(what, "it was still in progress when its delivery budget ran out")

    def _within_budget(self, what: str, wait: float, deadline: float, reason: str) -> None:
        """Drop the answer now if waiting ``wait`` seconds would end past ``deadline``."""
        left = deadline - self._clock()
        if wait >= left:
            self._drop(what, f"{reason} and only {max(left, 0):.1f} s of its budget were left")

    def _drop(self, what: str, reason: str) -> NoReturn:
        self.stats.gave_up += 1
        self.stats.dropped += 1
        # No chat id: the count is what an operator needs, not who was left unanswered.
        log.warning(
            "%s dropped: %s (budget %.0f s; %d dropped since start)",
            what,
            reason,
            self.budget,
            self.stats.dropped,
        )
        raise BudgetSpent(f"{what}: delivery budget of {self.budget:.0f} s spent")

    async def send(
        self,
        bot: Bot,
        chat_id: int,
        messages: Sequence[Rendered],
        *,
        quote: int | None = None,
        thread_id: int | None = None,
    ) -> list[Message]:
        """Send ``messages`` in order; HTML the server refuses goes again as plain text.

        All of it within one budget: once spent, the rest is dropped (already logged and
        counted) and the parts sent so far are returned.
        """
        deadline = self._clock() + self.budget
        sent: list[Message] = []
        for index, message in enumerate(messages):
            reply_to = quote if index == 0 else None
            try:
                try:
                    sent.append(
                        await self._send_one(
                            bot,
                            chat_id,
                            message,
                            reply_to=reply_to,
                            thread_id=thread_id,
                            deadline=deadline,
                        )
                    )
                except ChatMigrated as moved:  # a group became a supergroup: follow it once
                    chat_id = moved.new_chat_id
                    sent.append(
                        await self._send_one(
                            bot, chat_id, message, reply_to=None, thread_id=None, deadline=deadline
                        )
                    )
            except BudgetSpent:
                return sent
        delivered = ANSWER_DELIVERED.get()
        if delivered is not None:
            delivered()
        return sent

    async def _send_one(
        self,
        bot: Bot,
        chat_id: int,
        message: Rendered,
        *,
        reply_to: int | None,
        thread_id: int | None,
        deadline: float,
    ) -> Message:
        parameters = (
            ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
            if reply_to is not None
            else None
        )

        def attempt(text: str, parse_mode: str | None) -> Callable[[], Awaitable[Message]]:
            async def go() -> Message:
                return await bot.send_message(
                    chat_id,
                    text,
                    parse_mode=parse_mode,
                    reply_markup=message.keyboard,
                    reply_parameters=parameters,
                    message_thread_id=thread_id,
                )

            return go

        try:
            return await self.call(
                "sendMessage", attempt(message.html, ParseMode.HTML), deadline=deadline
            )
        except BadRequest as error:
            if PARSE_ERROR not in error.message.lower():
                raise
            log.warning(
                "chat %s: Telegram refused our HTML (%s); sending plain text",
                chat_id,
                error.message,
            )
            self.stats.plain_fallbacks += 1
            return await self.call("sendMessage", attempt(message.plain, None), deadline=deadline)
