"""The real Telegram bot as a child process, against the fake Bot API of tests/support."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from benchmarks.common import Options, clean_env, wait_rusage
from tests.support.fake_bot_api import FakeBotApi, Response

TOKEN = "123456:TEST-token-for-benchmarks-0000000000"
# How long a launched bot may take to reach its first getUpdates before we give up.
LAUNCH_TIMEOUT = 20.0
# How long a bot may take to stop after SIGTERM before it is killed.
STOP_TIMEOUT = 10.0
_METHOD_RE = re.compile(r"/bot[^/]+/(?P<method>[A-Za-z]+)")


def unavailable(options: Options) -> str | None:
    """Why the Telegram benchmarks cannot run here, or None when they can."""
    if not (options.root / "tests" / "support" / "fake_bot_api.py").is_file():
        return "skipped: fake Bot API not available (tests/support/fake_bot_api.py missing)"
    if not (options.root / "bot" / "channels" / "telegram" / "app.py").is_file():
        return "skipped: telegram adapter not available (bot/channels/telegram/app.py missing)"
    return None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One sendMessage the fake server accepted: which chat, and when it arrived."""

    chat_id: int
    arrived: float  # time.monotonic() when the request reached the server


class TimedBotApi(FakeBotApi):
    """The fake Bot API, noting when requests arrive and queueing each reply as it lands."""

    def __init__(self, *, enforce_limits: bool = False) -> None:
        super().__init__(TOKEN, enforce_limits=enforce_limits)
        self.deliveries: queue.Queue[Delivery] = queue.Queue()
        self.first_get_updates: float | None = None
        self.got_first_poll = threading.Event()
        self.too_many_requests = 0
        self.other_send_errors: list[str] = []
        self._stats_lock = threading.Lock()

    def handle_http(self, verb: str, path: str, content_type: str, body: bytes) -> Response:
        """Route as the fake does, timing getUpdates and sendMessage."""
        arrived = time.monotonic()
        found = _METHOD_RE.match(path)
        method = found["method"] if found else ""
        if method == "getUpdates" and self.first_get_updates is None:
            with self._stats_lock:
                if self.first_get_updates is None:
                    self.first_get_updates = arrived
                    self.got_first_poll.set()
        response: Response = super().handle_http(verb, path, content_type, body)
        if method == "sendMessage":
            if response.status == 200:
                result = json.loads(response.body)["result"]
                self.deliveries.put(Delivery(int(result["chat"]["id"]), arrived))
            else:
                with self._stats_lock:
                    if response.status == 429:
                        self.too_many_requests += 1
                    else:
                        self.other_send_errors.append(response.body.decode("utf-8", "replace"))
        return response


class BotProcess:
    """``python -m bot telegram`` running against ``api``; stop() returns its peak RSS."""

    def __init__(self, options: Options, api: TimedBotApi, *, rate_limit: bool) -> None:
        self._data = tempfile.TemporaryDirectory(prefix="bench-bot-data-")
        env = {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": api.base_url,
            "BOT_DATA_DIR": self._data.name,
        }
        if not rate_limit:
            env["BOT_RATE_LIMIT"] = "off"
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.launched = time.monotonic()
        self.process = subprocess.Popen(
            [options.python, "-m", "bot", "telegram"],
            cwd=options.root,
            env=clean_env(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )
        self.api = api
        self.peak_rss_kib = 0
        self.exit_status: int | None = None

    def wait_for_polling(self, timeout: float = LAUNCH_TIMEOUT) -> float:
        """Seconds from launch to the first getUpdates; raise RuntimeError if it never came."""
        deadline = time.monotonic() + timeout
        while not self.api.got_first_poll.wait(0.05):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the bot did not start polling: {self.stderr_tail()}")
        assert self.api.first_get_updates is not None
        return self.api.first_get_updates - self.launched

    def cpu_seconds(self) -> float:
        """User + system CPU time the bot has used so far (from /proc; 0.0 if unreadable)."""
        try:
            stat = Path(f"/proc/{self.process.pid}/stat").read_text(encoding="ascii")
        except OSError:
            return 0.0
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stderr_tail(self, lines: int = 3) -> str:
        """The last lines the bot wrote to stderr."""
        self._stderr.seek(0)
        text = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        return " | ".join(text[-lines:]) or "(no output)"

    def stop(self) -> int:
        """SIGTERM, reap with wait4, and return the child's peak RSS in KiB."""
        if self.exit_status is None:
            if self.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.process.pid, signal.SIGTERM)
            self.exit_status, self.peak_rss_kib = wait_rusage(self.process, STOP_TIMEOUT)
            self._stderr.close()
            self._data.cleanup()
        return self.peak_rss_kib

    def __enter__(self) -> BotProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


@contextlib.contextmanager
def running_bot(
    options: Options, *, rate_limit: bool = False, enforce_limits: bool = False
) -> Iterator[tuple[TimedBotApi, BotProcess]]:
    """A fake server and a bot polling it; both stopped on exit."""
    api = TimedBotApi(enforce_limits=enforce_limits)
    api.start()
    try:
        with BotProcess(options, api, rate_limit=rate_limit) as bot:
            bot.wait_for_polling()
            yield api, bot
    finally:
        api.stop()
