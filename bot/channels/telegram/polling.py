"""Long polling through the update journal: one slow chat never holds up the others.

Each batch getUpdates returns is written to the journal (bot/storage/journal.py) and then
confirmed to Telegram at once by the next call's offset, so the offset never waits for an
answer. Each chat has its own line (its updates answered in order, one at a time); lines
run concurrently, as many answers worked on at once as Telegram's rate needs (see
workers.py; an answer waiting on Telegram steps aside, so a stalled chat never holds up
the others: chats stalled at once are bounded by ``max_pending``, their time by the
delivery budget). An answered update is marked
done in the journal; at start-up the unfinished entries are answered first. Telegram
delivering an update twice (a crash between journaling and confirming) is caught by the
journal's update_id key.

A second instance polling with the same token makes Telegram answer 409 Conflict; an
instance that has not yet polled undisturbed for ``conflict_limit`` seconds and meets
409s for that long gives up with PollingConflict, so the one already running stays.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import warnings
from collections import deque
from collections.abc import Coroutine
from typing import Any, TypeVar

from telegram import Bot, Update
from telegram.constants import PollingLimit
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.channels.telegram.delivery import ANSWER_DELIVERED, retry_after_seconds
from bot.channels.telegram.flood import Arrivals
from bot.channels.telegram.ordering import sent_at, update_key
from bot.channels.telegram.workers import Workers
from bot.storage.heartbeat import Heartbeat
from bot.storage.journal import Journal

log = logging.getLogger(__name__)

T = TypeVar("T")

# The update kinds the bot handles; sent on every call because Telegram remembers the last
# list, so an older deployment's choice cannot leak through.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "inline_query")
DEFAULT_POLL_TIMEOUT = 10  # seconds a getUpdates call waits for news (PTB's default too)
# A long poll that has not answered this long after its own wait is lost (a dead connection).
POLL_READ_MARGIN = 5.0
FETCH_TIMEOUT = 5.0  # a getUpdates that does not wait (timeout 0) answers within this, or is lost
POLL_RETRY = 1.0  # a getUpdates that timed out is tried again after this (no back-off)
BATCH_LIMIT = int(PollingLimit.MAX_LIMIT)  # updates per getUpdates call
# An update not handled within this many delivery budgets (BOT_DELIVERY_BUDGET, 30 s by
# default) is given up: a button press needs two calls, each within one budget.
BUDGETS_PER_UPDATE = 2
DEFAULT_UPDATE_DEADLINE = 60.0
FETCH_BACKOFF_START = 1.0  # first pause after a failed getUpdates
FETCH_BACKOFF_FACTOR = 1.5
FETCH_BACKOFF_MAX = 30.0  # the longest pause between failed getUpdates calls
CONFLICT_RETRY = 1.0  # after a 409: try again soon, so the instance already running keeps going
CONFLICT_WARNING_INTERVAL = 60.0  # a bot that stays up through 409s says so this often
DEFAULT_CONFLICT_LIMIT = 60.0
# On SIGTERM, answers in flight get this long to finish: under Docker's 10 s stop grace.
# What does not finish stays in the journal and is answered after the restart.
DEFAULT_STOP_GRACE = 8.0
CONFIRM_TIMEOUT = 3.0  # the final getUpdates that confirms the last batch on the way out
# A flood limit on that confirmation is waited out once (within CONFIRM_TIMEOUT), not given up.
CONFIRM_ATTEMPTS = 2
# Updates fetched and not yet answered before polling pauses (Telegram keeps the rest):
# five minutes at Telegram's 30 answers a second.
DEFAULT_MAX_PENDING = 10_000
# Updates one chat may have waiting; more are dropped (counted, never answered): no person
# waits for a hundred answers, and flood control would drop them anyway.
MAX_LINE = 100
# Parsed updates kept in memory for their worker; beyond this they are read back from the
# journal when their turn comes, so memory stays bounded whatever the backlog.
MAX_PARSED = 1_000
DROP_WARNING_INTERVAL = 60.0  # dropped updates are summed in one warning at most this often


class PollingConflict(Exception):
    """Another instance polls with this token (Telegram's 409) and this one gives way."""


class Poller:
    """Fetches updates into the journal and answers them in per-chat lines."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        journal: Journal,
        *,
        poll_timeout: int = DEFAULT_POLL_TIMEOUT,
        update_deadline: float = DEFAULT_UPDATE_DEADLINE,
        stop_grace: float = DEFAULT_STOP_GRACE,
        heartbeat: Heartbeat | None = None,
        arrivals: Arrivals | None = None,
        conflict_limit: float = DEFAULT_CONFLICT_LIMIT,
        workers: Workers | None = None,
        max_pending: int = DEFAULT_MAX_PENDING,
        max_line: int = MAX_LINE,
    ) -> None:
        self.application = application
        self.bot: Bot = application.bot
        self.journal = journal
        self.heartbeat = heartbeat
        self.arrivals = arrivals
        self.poll_timeout = poll_timeout
        self.update_deadline = update_deadline
        self.stop_grace = stop_grace
        self.conflict_limit = conflict_limit
        self.max_pending = max_pending
        self.max_line = max_line
        self.handled_count = 0
        self.skipped_redelivered = 0
        self.dropped = 0
        self._dropped_unlogged = 0
        self._drop_logged_at = 0.0
        self._offset: int | None = None
        self._lines: dict[str, deque[int]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._parsed: dict[int, Update] = {}
        self._received: dict[int, float] = {}
        self._pending = 0
        self.workers = workers or Workers()
        self._progress = asyncio.Event()
        self._undisturbed_since = time.monotonic()
        self._established = False
        self._first_conflict: float | None = None
        self._conflict_warned_at = 0.0

    @property
    def offset(self) -> int | None:
        """The next getUpdates offset: past the newest update journaled."""
        return self._offset

    @property
    def in_flight(self) -> int:
        """Updates journaled and not yet answered."""
        return self._pending

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set, then confirm the last batch and finish what is in hand.

        Raises PollingConflict when another instance holds the token (see the module).
        """
        self._replay()
        backoff = FETCH_BACKOFF_START
        try:
            while not stop.is_set():
                if self._pending >= self.max_pending:
                    self._progress.clear()
                    await _until(stop, self._progress.wait())
                    continue
                offset = self._offset
                try:
                    raw = await _until(stop, self._get_updates(offset))
                except InvalidToken:
                    raise
                except RetryAfter as error:
                    await _sleep_unless(stop, retry_after_seconds(error))
                    continue
                except Conflict as error:
                    self._conflict(error)
                    await _sleep_unless(stop, CONFLICT_RETRY)
                    continue
                except TimedOut:
                    log.info("getUpdates timed out; polling again in %.0f s", POLL_RETRY)
                    await _sleep_unless(stop, POLL_RETRY)
                    continue
                except NetworkError as error:
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
                if raw is None:  # stopped while waiting
                    break
                backoff = FETCH_BACKOFF_START
                self._undisturbed()
                if self.heartbeat is not None:
                    self.heartbeat.beat()
                if offset is not None:
                    self.journal.confirmed(offset)
                self._accept(raw)
        finally:
            await self._finish()

    # ------------------------------------------------------------------ fetching

    async def _get_updates(self, offset: int | None) -> object:
        """One long poll, unparsed: the journal keeps each update exactly as Telegram sent it."""
        return await self._raw_get_updates(
            offset, BATCH_LIMIT, self.poll_timeout, self.poll_timeout + POLL_READ_MARGIN
        )

    async def _raw_get_updates(
        self, offset: int | None, limit: int, timeout: int, read_timeout: float
    ) -> object:
        arguments: dict[str, object] = {
            "offset": offset,
            "limit": limit,
            "timeout": timeout,
            "allowed_updates": list(ALLOWED_UPDATES),
        }
        with warnings.catch_warnings():  # PTB prefers get_updates, which parses everything
            warnings.simplefilter("ignore", PTBUserWarning)
            return await self.bot.do_api_request(
                "getUpdates", api_kwargs=arguments, read_timeout=read_timeout
            )

    def _accept(self, raw: object) -> None:
        """Journal the batch (durably), move the offset past it, and queue the new updates."""
        batch: list[tuple[int, str, dict[str, Any]]] = []
        parsed: dict[int, Update] = {}
        for item in raw if isinstance(raw, list) else []:
            uid = item.get("update_id") if isinstance(item, dict) else None
            if not isinstance(uid, int):
                continue
            self._offset = max(uid + 1, self._offset or 0)
            try:
                update = Update.de_json(item, self.bot)
            except Exception:
                log.exception("update %s cannot be read: skipped", uid)
                continue
            batch.append((uid, update_key(update), item))
            parsed[uid] = update
        fresh = set(self.journal.add(batch))
        self.skipped_redelivered += len(batch) - len(fresh)
        for uid, key, _ in batch:
            if uid in fresh:
                self._queue(uid, key, time.time(), parsed[uid])

    def _replay(self) -> None:
        """Queue the entries a previous run left unanswered, oldest first."""
        entries = self.journal.pending()
        for entry in entries:
            self._queue(entry.update_id, entry.chat, entry.received, None)
        if entries:
            log.info("answering %d updates left from the last run", len(entries))

    def _queue(self, uid: int, key: str, received: float, update: Update | None) -> None:
        line = self._lines.setdefault(key, deque())
        if len(line) >= self.max_line:
            self.journal.done(uid)
            self._drop()
            return
        line.append(uid)
        self._pending += 1
        self._received[uid] = received
        if update is not None and len(self._parsed) < MAX_PARSED:
            self._parsed[uid] = update
        if key not in self._workers:
            self._workers[key] = asyncio.create_task(self._work(key), name=f"line {key}")

    def _drop(self) -> None:
        """Count an update dropped from an overfull line; log the sum now and then, no chat."""
        self.dropped += 1
        self._dropped_unlogged += 1
        now = time.monotonic()
        if now - self._drop_logged_at >= DROP_WARNING_INTERVAL:
            log.warning(
                "dropped %d updates from chats with more than %d waiting",
                self._dropped_unlogged,
                self.max_line,
            )
            self._dropped_unlogged = 0
            self._drop_logged_at = now

    # ------------------------------------------------------------------ 409 Conflict

    def _undisturbed(self) -> None:
        """A poll succeeded: once undisturbed for conflict_limit, this instance is the one."""
        now = time.monotonic()
        if not self._established and now - self._undisturbed_since >= self.conflict_limit:
            self._established = True
            self._first_conflict = None

    def _conflict(self, error: Conflict) -> None:
        now = time.monotonic()
        self._undisturbed_since = now
        if self._first_conflict is None:
            self._first_conflict = now
        if not self._established and now - self._first_conflict >= self.conflict_limit:
            raise PollingConflict(
                f"Telegram answered getUpdates with 409 Conflict for {self.conflict_limit:.0f} s "
                f"({error.message}): another instance is polling with this TELEGRAM_BOT_TOKEN, "
                "or a webhook is set. Stop the other instance (or give each its own bot from "
                "@BotFather); this one exits"
            )
        if now - self._conflict_warned_at >= CONFLICT_WARNING_INTERVAL:
            self._conflict_warned_at = now
            who = "keeps polling" if self._established else "gives way if it lasts"
            log.warning("getUpdates: 409 Conflict (%s); this instance %s", error.message, who)

    # ------------------------------------------------------------------ answering

    async def _work(self, key: str) -> None:
        line = self._lines[key]
        try:
            while line:
                uid = line[0]
                await self._answer(uid)
                line.popleft()
                self._pending -= 1
                self._progress.set()
        finally:
            self._workers.pop(key, None)
            if not line:
                self._lines.pop(key, None)

    async def _answer(self, uid: int) -> None:
        update = self._parsed.pop(uid, None) or self._read(uid)
        received = self._received.pop(uid, time.time())
        if update is None:
            self.journal.done(uid)
            return
        done = False

        def answered() -> None:  # marked as soon as the answer is out (ANSWER_DELIVERED)
            nonlocal done
            if not done:
                done = True
                self.journal.done(uid)

        await self.workers.acquire()
        slot = [True]
        began = time.monotonic()

        def step_aside() -> None:  # a slow answer frees its place for the others
            if slot:
                slot.clear()
                self.workers.release()

        patience = self.workers.patience
        timer = asyncio.get_running_loop().call_later(patience, step_aside)
        self.journal.start(uid)
        if self.arrivals is not None:
            self.arrivals.record(uid, sent_at(update, received))
        hook = ANSWER_DELIVERED.set(answered)
        try:
            await self._handle(update)
        except asyncio.CancelledError:  # stopping: answered after the restart instead
            if not done:
                self.journal.release(uid)
            raise
        finally:
            ANSWER_DELIVERED.reset(hook)
            timer.cancel()
            self.workers.measured(min(time.monotonic() - began, patience))  # place held
            step_aside()
        answered()
        self.handled_count += 1

    def _read(self, uid: int) -> Update | None:
        raw = self.journal.body(uid)
        if raw is None:
            log.warning("journal entry %s is gone or unreadable: skipped", uid)
            return None
        try:
            return Update.de_json(raw, self.bot)
        except Exception:
            log.exception("update %s cannot be read: skipped", uid)
            return None

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

    # ------------------------------------------------------------------ stopping

    async def _finish(self) -> None:
        """Confirm the last batch, let answers in hand finish (up to the grace), close."""
        offset = self._offset
        if offset is not None and await self._confirm(offset):
            self.journal.confirmed(offset)
        workers = list(self._workers.values())
        if workers:
            log.info("stopping: finishing %d answers in hand", self._pending)
            _, late = await asyncio.wait(workers, timeout=self.stop_grace)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)
                log.warning(
                    "stopping: %d updates wait in the journal for the next start", self._pending
                )
        self.journal.close()
        log.info(
            "stopped polling: %d updates handled, %d redelivered ones skipped, %d dropped",
            self.handled_count,
            self.skipped_redelivered,
            self.dropped,
        )

    async def _confirm(self, offset: int) -> bool:
        """Confirm updates below ``offset`` to Telegram, waiting out a flood limit once."""
        try:
            async with asyncio.timeout(CONFIRM_TIMEOUT):
                for attempt in range(CONFIRM_ATTEMPTS):
                    try:
                        await self._raw_get_updates(offset, 1, 0, FETCH_TIMEOUT)
                    except RetryAfter as error:
                        if attempt + 1 == CONFIRM_ATTEMPTS:
                            raise
                        await asyncio.sleep(retry_after_seconds(error))
                    else:
                        return True
        except (TelegramError, TimeoutError) as error:
            log.warning("could not confirm the last updates (%r); they come again", error)
        return False


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
