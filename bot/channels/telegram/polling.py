"""Long polling that confirms an update to Telegram only after it has been handled.

python-telegram-bot's Updater confirms updates (the next getUpdates offset) as soon as they
are queued, so a hard kill loses the backlog. Here each update is handled in its chat's
line (chats run concurrently, one chat's updates in order), its id is written to a small
file once handled, and the offset passed to getUpdates never moves past an update that is
still being handled. After a crash Telegram redelivers what was not confirmed; ids in the
file are skipped, so people are not answered twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections import deque
from collections.abc import Coroutine, Iterable
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Bot, Update
from telegram.constants import PollingLimit
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.channels.telegram.delivery import retry_after_seconds
from bot.channels.telegram.flood import Arrivals
from bot.channels.telegram.ordering import update_key
from bot.storage.handled import HandledLog
from bot.storage.heartbeat import Heartbeat

log = logging.getLogger(__name__)

T = TypeVar("T")

# The update kinds the bot handles; sent on every call because Telegram remembers the last
# list, so an older deployment's choice cannot leak through.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "inline_query")
DEFAULT_POLL_TIMEOUT = 10  # seconds a getUpdates call waits for news (PTB's default too)
BATCH_LIMIT = int(PollingLimit.MAX_LIMIT)  # updates per getUpdates call
# An update not handled within this many seconds is given up so it cannot hold the offset
# (and with it every later update) forever; delivery's own retries end well before this.
DEFAULT_UPDATE_DEADLINE = 180.0
# When every fetched update is already being handled, poll again once half of them are done
# (each poll re-reads up to 100 updates, so polling on every answer would waste the CPU the
# answers need), and no later than this, to pick up new messages queued behind a slow chat.
REFETCH_INTERVAL = 0.5
FETCH_BACKOFF_START = 1.0  # first pause after a failed getUpdates
FETCH_BACKOFF_FACTOR = 1.5
FETCH_BACKOFF_MAX = 30.0  # the longest pause between failed getUpdates calls
# On SIGTERM, answers in flight get this long to finish: under Docker's 10 s stop grace.
DEFAULT_STOP_GRACE = 8.0
CONFIRM_TIMEOUT = 3.0  # the final getUpdates that confirms handled updates on the way out
# A flood limit on that confirmation is waited out once (within CONFIRM_TIMEOUT), not given up.
CONFIRM_ATTEMPTS = 2


class Poller:
    """Fetches updates and hands each to the Application in its chat's line."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        handled: HandledLog,
        *,
        poll_timeout: int = DEFAULT_POLL_TIMEOUT,
        update_deadline: float = DEFAULT_UPDATE_DEADLINE,
        stop_grace: float = DEFAULT_STOP_GRACE,
        heartbeat: Heartbeat | None = None,
        arrivals: Arrivals | None = None,
    ) -> None:
        self.application = application
        self.heartbeat = heartbeat
        self.arrivals = arrivals
        self.bot: Bot = application.bot
        self.handled = handled
        self.poll_timeout = poll_timeout
        self.update_deadline = update_deadline
        self.stop_grace = stop_grace
        self.handled_count = 0
        self.skipped_redelivered = 0
        self._in_flight: set[int] = set()
        self._highest_seen: int | None = None
        self._lines: dict[str, deque[Update]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._progress = asyncio.Event()
        self._refetch_below = 0

    @property
    def offset(self) -> int | None:
        """The getUpdates offset: the oldest update still in flight, else past the newest."""
        if self._in_flight:
            return min(self._in_flight)
        return None if self._highest_seen is None else self._highest_seen + 1

    @property
    def in_flight(self) -> int:
        """Updates fetched and not yet handled."""
        return len(self._in_flight)

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set, then finish the answers in flight and confirm them."""
        backoff = FETCH_BACKOFF_START
        try:
            while not stop.is_set():
                offset = self.offset
                try:
                    updates = await _until(stop, self._fetch(offset))
                except InvalidToken:
                    raise
                except RetryAfter as error:
                    await _sleep_unless(stop, retry_after_seconds(error))
                    continue
                except (Conflict, NetworkError) as error:
                    log.warning(
                        "getUpdates failed (%s); retrying in %.0f s", error.message, backoff
                    )
                    await _sleep_unless(stop, backoff)
                    backoff = min(backoff * FETCH_BACKOFF_FACTOR, FETCH_BACKOFF_MAX)
                    continue
                except Exception:  # a bug or an unreadable answer must not end the bot
                    log.exception("getUpdates failed unexpectedly; retrying in %.0f s", backoff)
                    await _sleep_unless(stop, backoff)
                    backoff = min(backoff * FETCH_BACKOFF_FACTOR, FETCH_BACKOFF_MAX)
                    continue
                if updates is None:  # stopped while waiting
                    break
                backoff = FETCH_BACKOFF_START
                if self.heartbeat is not None:
                    self.heartbeat.beat()
                if offset is not None:
                    self.handled.confirmed(offset)
                if not self._accept(updates) and self._in_flight:
                    self._arm_pause()  # before any other task runs: see _arm_pause
                    await _until(stop, _wait_for(self._progress, REFETCH_INTERVAL))
        finally:
            await self._finish()

    def _arm_pause(self) -> None:
        """After a poll that found nothing new, wait until half the work is done (see above).

        Armed synchronously, not inside the waiting task: the task starts a loop iteration
        later, and an answer that finishes in between would set the event before the
        task cleared it, leaving the poller asleep for the whole REFETCH_INTERVAL.
        """
        self._refetch_below = len(self._in_flight) // 2
        self._progress.clear()

    async def _fetch(self, offset: int | None) -> tuple[Update, ...]:
        if self._in_flight:
            # The updates still being handled come back with every call until they are
            # confirmed: read the batch raw and build Update objects for the new ones only.
            return await self._fetch_one_by_one(offset)
        try:
            return await self.bot.get_updates(
                offset=offset,
                limit=BATCH_LIMIT,
                timeout=0 if self._in_flight else self.poll_timeout,
                allowed_updates=ALLOWED_UPDATES,
            )
        except TelegramError:
            raise
        except Exception as error:  # one malformed update spoils PTB's whole batch
            log.warning("could not read a batch of updates (%r); reading them one by one", error)
            return await self._fetch_one_by_one(offset)

    async def _fetch_one_by_one(self, offset: int | None) -> tuple[Update, ...]:
        """Read the raw batch and parse each update alone; unreadable ones are skipped."""
        raw = await self._raw_get_updates(offset, BATCH_LIMIT)
        updates: list[Update] = []
        for item in raw if isinstance(raw, list) else []:
            uid = item.get("update_id") if isinstance(item, dict) else None
            if not isinstance(uid, int) or uid in self.handled or uid in self._in_flight:
                continue
            try:
                updates.append(Update.de_json(item, self.bot))
            except Exception:
                log.exception("update %s cannot be read: skipped", uid)
                self.handled.add(uid)  # counts as handled, so it is confirmed, not re-read
                self._highest_seen = max(uid, self._highest_seen or uid)
        return tuple(updates)

    def _accept(self, updates: Iterable[Update]) -> bool:
        """Queue the updates not seen before; True if there was any."""
        fresh = False
        for update in updates:
            uid = update.update_id
            if self._highest_seen is None or uid > self._highest_seen:
                self._highest_seen = uid
            if uid in self._in_flight:
                continue
            if uid in self.handled:
                self.skipped_redelivered += 1
                continue
            fresh = True
            if self.arrivals is not None:
                self.arrivals.record(uid)
            self._in_flight.add(uid)
            key = update_key(update)
            self._lines.setdefault(key, deque()).append(update)
            if key not in self._workers:
                self._workers[key] = asyncio.create_task(self._work(key), name=f"line {key}")
        return fresh

    async def _work(self, key: str) -> None:
        line = self._lines[key]
        try:
            while line:
                update = line[0]
                await self._handle(update)
                line.popleft()
                self._done(update.update_id)
        finally:
            self._workers.pop(key, None)
            if not line:
                self._lines.pop(key, None)

    async def _handle(self, update: Update) -> None:
        try:
            async with asyncio.timeout(self.update_deadline):
                await self.application.process_update(update)
        except TimeoutError:
            log.error(
                "update %s (%s) not handled within %.0f s: given up",
                update.update_id,
                update_key(update),
                self.update_deadline,
            )
        except Exception:  # process_update reports handler errors itself; this is a last resort
            log.exception(
                "update %s (%s) crashed the dispatcher", update.update_id, update_key(update)
            )

    async def _raw_get_updates(self, offset: int | None, limit: int) -> object:
        """getUpdates without a long wait, unparsed, over the general connection pool.

        The general pool is also what the final confirmation needs: cancelling the long poll
        on the way out can leave the one-connection polling pool unusable for a while.
        """
        arguments: dict[str, object] = {
            "offset": offset,
            "limit": limit,
            "timeout": 0,
            "allowed_updates": list(ALLOWED_UPDATES),
        }
        with warnings.catch_warnings():  # PTB prefers get_updates, which parses everything
            warnings.simplefilter("ignore", PTBUserWarning)
            return await self.bot.do_api_request("getUpdates", api_kwargs=arguments)

    def _done(self, update_id: int) -> None:
        self.handled.add(update_id)
        self._in_flight.discard(update_id)
        self.handled_count += 1
        if len(self._in_flight) <= self._refetch_below:
            self._progress.set()

    async def _finish(self) -> None:
        """Let the answers in flight finish (up to the grace period), then confirm them."""
        workers = list(self._workers.values())
        if workers:
            log.info("stopping: finishing %d answers in flight", len(self._in_flight))
            _, late = await asyncio.wait(workers, timeout=self.stop_grace)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)
                log.warning(
                    "stopping: %d answers did not finish and will be redelivered", len(late)
                )
        offset = self.offset
        if offset is not None and await self._confirm(offset):
            self.handled.confirmed(offset)
        self.handled.close()
        log.info(
            "stopped polling: %d updates handled, %d redelivered ones skipped",
            self.handled_count,
            self.skipped_redelivered,
        )

    async def _confirm(self, offset: int) -> bool:
        """Confirm updates below ``offset`` to Telegram, waiting out a flood limit once."""
        try:
            async with asyncio.timeout(CONFIRM_TIMEOUT):
                for attempt in range(CONFIRM_ATTEMPTS):
                    try:
                        await self._raw_get_updates(offset, 1)
                    except RetryAfter as error:
                        if attempt + 1 == CONFIRM_ATTEMPTS:
                            raise
                        await asyncio.sleep(_seconds(error.retry_after))
                    else:
                        return True
        except (TelegramError, TimeoutError) as error:
            log.warning("could not confirm handled updates (%r); they come again", error)
        return False


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def _wait_for(event: asyncio.Event, timeout: float) -> None:
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout):
            await event.wait()


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    """Sleep, waking early if ``stop`` is set."""
    await _wait_for(stop, seconds)


async def _until(stop: asyncio.Event, coroutine: Coroutine[Any, Any, T]) -> T | None:
    """Await ``coroutine`` unless ``stop`` is set first; then cancel it and return None."""
    task = asyncio.ensure_future(coroutine)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    except BaseException:
        task.cancel()
        raise
    finally:
        stopper.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, TelegramError):
        await task
    return None
