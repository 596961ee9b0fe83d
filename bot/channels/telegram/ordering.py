"""Which updates must stay in order (one chat's), and an update processor that keeps it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.channels.telegram.flood import Arrivals

# Updates handled at once in webhook mode; the per-chat lock keeps each chat sequential.
DEFAULT_CONCURRENT_UPDATES = 256
SHARED_KEY = "shared"  # updates with neither chat nor user (none we ask for) share one line


def update_key(update: object) -> str:
    """The ordering key: the chat, else the user (inline queries), else one shared line."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return f"chat:{update.effective_chat.id}"
        if update.effective_user is not None:
            return f"user:{update.effective_user.id}"
    return SHARED_KEY


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
            self.arrivals.record(update.update_id)
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
