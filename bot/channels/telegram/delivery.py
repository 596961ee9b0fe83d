"""Calls to the Bot API with bounded retries, and sending rendered replies with fallbacks."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

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
# 429s are Telegram asking for patience, not failures, so they have their own budget.
MAX_FLOOD_WAITS = 10
PARSE_ERROR = "can't parse entities"  # the BadRequest that means our HTML was refused

Sleep = Callable[[float], Awaitable[None]]


@dataclass(slots=True)
class DeliveryStats:
    """Counters for what delivery did; logged at shutdown and read by tests."""

    calls: int = 0
    retries: int = 0
    flood_waits: int = 0
    gave_up: int = 0
    possible_duplicates: int = 0  # retries after a read time-out: the first try may have landed
    plain_fallbacks: int = 0

    def summary(self) -> str:
        """One line for the log."""
        return (
            f"{self.calls} calls, {self.retries} retries ({self.flood_waits} after 429), "
            f"{self.possible_duplicates} possible duplicates, {self.plain_fallbacks} sent as "
            f"plain text, {self.gave_up} given up"
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
    """Runs Bot API calls, retrying 5xx, 429 and time-outs with bounded back-off."""

    def __init__(
        self,
        *,
        attempts: int = DEFAULT_ATTEMPTS,
        backoff_start: float = BACKOFF_START,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.attempts = attempts
        self.backoff_start = backoff_start
        self.stats = DeliveryStats()
        self._sleep = sleep

    async def call(self, what: str, make: Callable[[], Awaitable[T]]) -> T:
        """Await ``make()``, retrying transient failures; re-raise the last error."""
        delay = self.backoff_start
        failures = flood_waits = 0
        while True:
            self.stats.calls += 1
            try:
                return await make()
            except (BadRequest, Forbidden, InvalidToken, Conflict, ChatMigrated):
                raise  # the request itself is wrong or unwelcome: retrying cannot help
            except RetryAfter as error:
                wait = retry_after_seconds(error) + RETRY_AFTER_MARGIN
                flood_waits += 1
                if flood_waits > MAX_FLOOD_WAITS or wait > MAX_RETRY_AFTER:
                    self.stats.gave_up += 1
                    raise
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
                log.info("%s: timed out, retrying in %.1f s", what, wait)
            except NetworkError as error:
                failures += 1
                if failures >= self.attempts:
                    self.stats.gave_up += 1
                    raise
                wait, delay = delay, min(delay * BACKOFF_FACTOR, BACKOFF_MAX)
                log.info("%s: %s, retrying in %.1f s", what, error.message, wait)
            self.stats.retries += 1
            log.debug("%s failed; details of the error", what, exc_info=True)
            await self._sleep(wait)

    async def send(
        self,
        bot: Bot,
        chat_id: int,
        messages: Sequence[Rendered],
        *,
        quote: int | None = None,
        thread_id: int | None = None,
    ) -> list[Message]:
        """Send ``messages`` in order; HTML the server refuses goes again as plain text."""
        sent: list[Message] = []
        for index, message in enumerate(messages):
            reply_to = quote if index == 0 else None
            try:
                sent.append(await self._send_one(bot, chat_id, message, reply_to, thread_id))
            except ChatMigrated as moved:  # a group became a supergroup: follow it once
                chat_id = moved.new_chat_id
                sent.append(await self._send_one(bot, chat_id, message, None, None))
        return sent

    async def _send_one(
        self,
        bot: Bot,
        chat_id: int,
        message: Rendered,
        reply_to: int | None,
        thread_id: int | None,
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
            return await self.call("sendMessage", attempt(message.html, ParseMode.HTML))
        except BadRequest as error:
            if PARSE_ERROR not in error.message.lower():
                raise
            log.warning(
                "chat %s: Telegram refused our HTML (%s); sending plain text",
                chat_id,
                error.message,
            )
            self.stats.plain_fallbacks += 1
            return await self.call("sendMessage", attempt(message.plain, None))
