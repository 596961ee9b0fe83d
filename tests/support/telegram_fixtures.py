"""Helpers for Telegram adapter tests: the bot running in-process or as a subprocess."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from bot.channels.telegram.app import Runtime, build, serve_polling
from bot.dialogue.assistant import Assistant
from bot.settings import QUESTION_LOG_FILENAME as LOG_FILENAME
from bot.settings import Settings
from bot.storage.journal import JOURNAL_FILE
from bot.storage.question_log import QuestionLog
from tests.support.fake_bot_api import FakeBotApi

JsonDict = dict[str, Any]
ROOT = Path(__file__).resolve().parents[2]
WAIT = 10.0  # seconds a test waits for a reply before it fails (replies take milliseconds)
STOP_TIMEOUT = 15.0  # seconds a bot may take to stop (the stop grace is 8)
SETTLE_POLL = 0.01  # seconds between looks at the journal while waiting for answers
# Subprocess environment: just enough to run Python; bot settings are added per test.
# XDG_CACHE_HOME: the tests' own (tests/conftest.py), so the bot's YAML cache stays there.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR", "XDG_CACHE_HOME")


def bot_env(api: FakeBotApi, data_dir: Path, **extra: str) -> dict[str, str]:
    """Settings for a bot talking to ``api``: token, base URL and data directory."""
    env = {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_BASE_URL": api.base_url,
        "BOT_DATA_DIR": str(data_dir),
    }
    env.update(extra)
    return env


@dataclass
class RunningBot:
    """A bot polling ``api`` inside the test's event loop."""

    api: FakeBotApi
    runtime: Runtime
    task: asyncio.Task[int]
    stop_event: asyncio.Event
    data_dir: Path

    @property
    def question_log(self) -> Path:
        """Where the bot's question log is (it exists once a question was recorded)."""
        return self.data_dir / LOG_FILENAME

    async def ask(self, chat_id: int, text: str, **push: Any) -> JsonDict:
        """Send ``text`` in ``chat_id`` and return the bot's next message there."""
        before = len(self.api.messages_for(chat_id))
        self.api.push_message(chat_id, text, **push)
        messages = await self.api.wait_for_messages_async(chat_id, before + 1, WAIT)
        return messages[before]

    async def press(self, chat_id: int, data: str, **push: Any) -> JsonDict:
        """Press a button with ``data`` in ``chat_id``; return the bot's next message there."""
        before = len(self.api.messages_for(chat_id))
        self.api.push_callback(chat_id, data, **push)
        messages = await self.api.wait_for_messages_async(chat_id, before + 1, WAIT)
        return messages[before]

    async def settled(self, update_id: int) -> None:
        """Wait until the bot has confirmed ``update_id`` and answered it (and all before)."""
        if not await self.api.wait_for_async(lambda: self.api.confirmed_offset > update_id, WAIT):
            raise TimeoutError(f"update {update_id} was not confirmed within {WAIT}s")
        deadline = time.monotonic() + WAIT
        while unanswered(self.data_dir, update_id):
            if time.monotonic() > deadline:
                raise TimeoutError(f"update {update_id} was not answered within {WAIT}s")
            await asyncio.sleep(SETTLE_POLL)

    async def stop(self) -> int:
        """Stop gracefully and return the exit status serve_polling gave."""
        self.stop_event.set()
        return await asyncio.wait_for(self.task, STOP_TIMEOUT)


@contextlib.asynccontextmanager
async def running_bot(
    api: FakeBotApi | None = None,
    *,
    assistant: Assistant | None = None,
    check_errors: bool = True,
    **env: str,
) -> AsyncIterator[RunningBot]:
    """The real Application polling a fake Bot API (started here unless given).

    As ``python -m bot telegram`` does: the question log (on unless BOT_QUESTION_LOG=off)
    is in the bot's own temporary data directory, and /reload reads BOT_ROOT if it is set.
    """
    own = api is None
    server = api or FakeBotApi().start()
    with tempfile.TemporaryDirectory(prefix="bot-data-") as data:
        bot_settings = bot_env(server, Path(data), **env)
        settings = Settings.from_env(bot_settings)
        question_log = QuestionLog.open(settings.question_log)
        core = assistant or Assistant.load(settings.root)
        runtime = build(settings, core, log=question_log, root=settings.root)
        stop = asyncio.Event()
        task = asyncio.create_task(
            serve_polling(settings, runtime.handlers.assistant, stop=stop, runtime=runtime)
        )
        running = RunningBot(server, runtime, task, stop, settings.data_dir)
        try:
            if not await server.wait_for_async(lambda: bool(server.calls_to("getUpdates")), WAIT):
                raise TimeoutError("the bot never polled")
            yield running
            assert await running.stop() == 0
            if check_errors:
                assert server.errors == [], server.errors
                assert server.internal_errors == []
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            question_log.close()
            if own:
                server.stop()


def unanswered(data_dir: Path, update_id: int) -> int:
    """Updates up to ``update_id`` still unanswered in the journal in ``data_dir``."""
    path = data_dir / JOURNAL_FILE
    if not path.exists():
        return 0
    with contextlib.closing(sqlite3.connect(path)) as db:
        row = db.execute(
            "SELECT COUNT(*) FROM entries WHERE done = 0 AND update_id <= ?", (update_id,)
        ).fetchone()
    return int(row[0])


def subprocess_env(settings: Mapping[str, str]) -> dict[str, str]:
    """A clean environment for ``python -m bot``: PATH and friends plus ``settings``."""
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env.update(settings)
    return env


class BotProcess:
    """``python -m bot telegram`` as a child process, its stderr kept in a file."""

    def __init__(
        self, settings: Mapping[str, str], *, args: tuple[str, ...] = ("telegram",)
    ) -> None:
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", *args],
            cwd=ROOT,
            env=subprocess_env(settings),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def output(self) -> str:
        """Everything the process wrote so far."""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def signal(self, sig: signal.Signals) -> None:
        """Send ``sig`` (if the process still runs)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)

    def wait(self, timeout: float = STOP_TIMEOUT) -> int:
        """The exit status, waiting up to ``timeout`` seconds."""
        return self.process.wait(timeout)

    def close(self) -> None:
        """Kill the process if it still runs and drop its log."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._log.close()

    def __enter__(self) -> BotProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def wait_polling(api: FakeBotApi, since: int, timeout: float = WAIT) -> None:
    """Block until a getUpdates call beyond the first ``since`` calls arrived."""
    if not api.wait_for(lambda: len(api.calls_to("getUpdates")) > since, timeout):
        raise TimeoutError("the bot did not start polling")


def run_cli(
    settings: Mapping[str, str], *args: str, timeout: float = 30.0
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m bot ARGS`` to completion with only ``settings`` set."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=subprocess_env(settings),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def sent_count(api: FakeBotApi) -> int:
    """How many messages the fake accepted, without copying them all (cheap in wait_for)."""
    with api._cond:
        return len(api._sent)


def run_cli_module(module: str, settings: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``python -m MODULE`` to completion with only ``settings`` set."""
    return subprocess.run(
        [sys.executable, "-m", module],
        cwd=ROOT,
        env=subprocess_env(settings),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
