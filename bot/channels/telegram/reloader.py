"""Hot reload of knowledge/ and intents.yaml: on SIGHUP or an admin's /reload.

The files are read and checked off the event loop, within a time budget, so a slow or
hostile edit never stops the bot answering; requests that arrive while a reload runs
coalesce into one more; a reload that fails keeps the last good knowledge and says why.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bot.channels.hangup import EarlyHangups
from bot.dialogue.assistant import Assistant
from bot.schema.yamlfile import DataError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Problems listed in the reply to /reload; the log gets them all.
MAX_PROBLEMS_SHOWN = 8
# Seconds the files may take to load and check off the event loop. Ours take about 0.2 s
# on a busy machine; far longer means a file that is wrong (or hostile), not a slow disk.
RELOAD_TIME_BUDGET = 10.0
KEPT = "still answering from the last good knowledge"


@dataclass(frozen=True, slots=True)
class ReloadResult:
    """How a reload went, with a short message for the admin and the log."""

    ok: bool
    message: str

    def __str__(self) -> str:
        return self.message


def _refused(exc: DataError) -> ReloadResult:
    shown = [str(p) for p in exc.problems[:MAX_PROBLEMS_SHOWN]]
    more = len(exc.problems) - len(shown)
    if more > 0:
        shown.append(f"... and {more} more (see the log)")
    logger.error("reload refused, %s:\n%s", KEPT, exc)
    lines = "\n".join(shown)
    return ReloadResult(False, f"Reload refused; {KEPT}.\n{lines}")


def _failed(exc: Exception) -> ReloadResult:
    logger.error("reload failed, %s", KEPT, exc_info=exc)
    return ReloadResult(False, f"Reload failed ({type(exc).__name__}: {exc}); {KEPT}.")


def reload_knowledge(assistant: Assistant, root: Path | None = None) -> ReloadResult:
    """Reload ``assistant`` from ``root``; on invalid files keep answering from the old ones.

    Never raises for bad data: the result says what was loaded, or which file, entry and
    field are wrong. The outcome is logged too. Runs where it is called: the bot calls it
    through Reloader, after the same files were checked off the event loop.
    """
    root = root or assistant.root
    started = time.perf_counter()
    try:
        assistant.reload(root)
    except DataError as exc:
        return _refused(exc)
    except Exception as exc:  # a loader bug must not take the bot down either
        return _failed(exc)
    elapsed = time.perf_counter() - started
    k = assistant.knowledge
    message = (
        f"Reloaded {len(k.forces)} forces, {len(k.bodies)} bodies and "
        f"{len(assistant.intents)} intents from {root} in {elapsed * 1000:.0f} ms."
    )
    logger.info("%s", message)
    return ReloadResult(True, message)


def _check(root: Path) -> None:
    """Load and check everything a reload would build from ``root`` (DataError if invalid)."""
    Assistant.load(root)


async def _in_daemon_thread(work: Callable[[], T]) -> T:
    """``work()`` in a thread of its own that never holds up the process's exit.

    asyncio.to_thread's pool is joined at shutdown, so a check stuck past its budget
    would keep a stopping bot alive; a daemon thread is simply left behind.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(setter: Callable[[Any], None], value: object) -> None:
        if not future.done():  # cancelled when the budget ran out
            setter(value)

    def deliver(setter: Callable[[Any], None], value: object) -> None:
        # RuntimeError: the loop has closed, so nobody is waiting any more
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, setter, value)

    def run() -> None:
        try:
            result = work()
        except BaseException as exc:
            deliver(future.set_exception, exc)
        else:
            deliver(future.set_result, result)

    threading.Thread(target=run, name="reload-check", daemon=True).start()
    return await future


class Reloader:
    """Reloads one assistant: checked off the loop, one at a time, requests coalesced."""

    def __init__(
        self,
        assistant: Assistant,
        root: Path | None = None,
        *,
        budget: float = RELOAD_TIME_BUDGET,
        check: Callable[[Path], object] = _check,
        on_result: Callable[[ReloadResult], None] | None = None,
    ) -> None:
        self.assistant = assistant
        self.on_result = on_result  # told every outcome (python -m bot reload prints it)
        self.root = root
        self.budget = budget
        self._check = check
        self._lock = asyncio.Lock()
        self._pending = False
        self._task: asyncio.Task[None] | None = None
        self.completed = 0  # reloads run to an outcome (for tests and the log)

    def request(self) -> None:
        """Reload soon (SIGHUP): however many requests arrive, one reload runs at a time
        and one more follows it if any came meanwhile (the files may have changed since)."""
        self._pending = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain())

    async def idle(self) -> None:
        """Wait until no requested reload is running or pending."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def _drain(self) -> None:
        while self._pending:
            self._pending = False
            await self.reload()

    async def reload(self) -> ReloadResult:
        """Check the files off the loop (within the budget), then swap them in."""
        async with self._lock:
            try:
                result = await self._reload()
            finally:
                self.completed += 1
        if self.on_result is not None:
            self.on_result(result)
        return result

    async def _reload(self) -> ReloadResult:
        root = self.root or self.assistant.root
        if root is None:
            return _failed(ValueError("no folder to reload from"))
        try:
            async with asyncio.timeout(self.budget):
                await _in_daemon_thread(lambda: self._check(root))
        except TimeoutError:
            logger.error(
                "reload refused: loading the files took longer than %.0f s; %s", self.budget, KEPT
            )
            return ReloadResult(
                False,
                f"Reload refused: loading the files took longer than {self.budget:.0f} s; {KEPT}.",
            )
        except DataError as exc:
            return _refused(exc)
        except Exception as exc:
            return _failed(exc)
        # Checked: now swap in the event loop's thread, between updates, so no reply sees
        # half old and half new (the files are read again: small, and known to be valid).
        return reload_knowledge(self.assistant, root)


def add_sighup_handler(
    loop: asyncio.AbstractEventLoop,
    reloader: Reloader,
    early: EarlyHangups | None = None,
) -> bool:
    """Reload on SIGHUP through ``reloader``; False where there is no SIGHUP (Windows).

    SIGHUPs ``early`` counted before the loop ran are answered with one reload now.
    """
    hangup = getattr(signal, "SIGHUP", None)
    if hangup is None:
        return False
    try:
        loop.add_signal_handler(hangup, reloader.request)
    except (NotImplementedError, RuntimeError, ValueError):
        # not the main thread, or a loop without signal support
        return False
    if early is not None and early.count:
        logger.info("SIGHUP during start-up: reloading the knowledge now")
        early.count = 0
        reloader.request()
    return True
