"""A heartbeat file the running bot touches, and the check ``python -m bot health`` runs.

Healthy means both: the bot reached Telegram lately (the heartbeat), and answers are going
out (no update in the journal has waited too long for its answer; see journal.waiting).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from bot.storage.datadir import recreate
from bot.storage.files import touch_private
from bot.storage.journal import waiting

log = logging.getLogger(__name__)

HEARTBEAT_FILE = "heartbeat"
# Polling touches the file after every successful getUpdates (at least every 15 s while
# Telegram answers); webhook mode touches it on this interval to show the loop is alive.
TOUCH_INTERVAL = 30.0
# Older than this, the bot is not healthy: two minutes without reaching Telegram or without
# its event loop running (the longest pause between failed polls is 30 s).
MAX_AGE = 120.0
EXIT_HEALTHY = 0
EXIT_UNHEALTHY = 1


class Heartbeat:
    """Touches ``directory/heartbeat``; a failure is logged once and otherwise ignored."""

    def __init__(self, directory: Path, on_recreated: Callable[[], None] | None = None) -> None:
        self.path = directory / HEARTBEAT_FILE
        self._failed = False
        # called when the directory had vanished and was created again (the pid file)
        self._on_recreated = on_recreated

    def beat(self) -> None:
        """Mark the bot alive now; a data directory deleted meanwhile is created again."""
        try:
            try:
                touch_private(self.path)
            except FileNotFoundError:
                if not recreate(self.path.parent):
                    raise
                touch_private(self.path)
                if self._on_recreated is not None:
                    self._on_recreated()
        except OSError as error:
            if not self._failed:
                log.warning("cannot touch %s (%s): the health check will fail", self.path, error)
            self._failed = True
        else:
            self._failed = False


def is_fresh(path: Path, max_age: float = MAX_AGE, now: float | None = None) -> bool:
    """Whether ``path`` was touched within ``max_age`` seconds."""
    try:
        age = (time.time() if now is None else now) - path.stat().st_mtime
    except OSError:
        return False
    return age <= max_age


def health(directory: Path, max_wait: float) -> int:
    """Exit 0 if the bot in ``directory`` polls and answers, else 1 (with the reason)."""
    if not is_fresh(directory / HEARTBEAT_FILE):
        print(f"unhealthy: no heartbeat in {MAX_AGE:.0f} s")
        return EXIT_UNHEALTHY
    late = waiting(directory, max_wait)
    if late is not None:
        print(
            f"unhealthy: {late.count} updates not answered in time, the oldest waiting "
            f"{late.oldest:.0f} s (limit {max_wait:.0f} s)"
        )
        return EXIT_UNHEALTHY
    print("healthy")
    return EXIT_HEALTHY
