"""Which updates must stay in order (one chat's), and an update processor that keeps it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.channels.telegram.flood import Arrivals

# Updates handled at once in webhook mode; the per-chat lock keeps each chat sequential.
DEFAULT_CONCURRENT_UPDATES = 256
SHARED_KEY = "shared"  # updates with neither chat nor user (none we ask for) share one line
# Telegram dates a message in whole seconds, rounded down: it was sent within this after.
DATE_RESOLUTION = 1.0


def update_key(update: object) -> str:
    """The ordering key: the chat, else the user (inline queries), else one shared line."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return f"chat:{update.effective_chat.id}"
        if update.effective_user is not None:
            return f"user:{update.effective_user.id}"
    return SHARED_KEY


def sent_at(update: object, received: float) -> float:
    """When the person sent ``update`` at the latest (Unix time), for flood control.

    A message's own ``date`` says when it was sent, however long it then waited (in
    Telegram, or in a backlog here); an edit counts from its ``edit_date``. Other updates
    (button presses, inline queries) have no date, so the time they were received stands in.
    """
    when = None
    if isinstance(update, Update):
        if update.message is not None:
            when = update.message.date
        elif update.edited_message is not None:
            when = update.edited_message.edit_date  # the edit is what was just sent
    if when is None:
        return received
    return min(when.timestamp() + DATE_RESOLUTION, received)


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Different chats concurrently, each chat's updates one at a time in arrival order."""

    def __init__(
        self,
        max_concurrent_updates: int = DEFAULT_CONCURRENT_UPDATES,
        arrivals: Arrivals | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.arrivals = arrivals
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await ``coroutine`` holding its chat's lock; forget the lock when no one needs it."""
        if self.arrivals is not None and isinstance(update, Update):
            self.arrivals.record(update.update_id, sent_at(update, time.time()))
        key = update_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
