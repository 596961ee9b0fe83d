"""SIGHUP from the first moment of the Telegram bot, remembered until its event loop is up.

Python's default for SIGHUP is to end the process, and the bot needs a few hundred
milliseconds (imports, knowledge) before its event loop can reload on it; a keeper who
signals a bot just started must not kill it. Imports no Telegram, so ``python -m bot``
installs it before anything else.
"""

from __future__ import annotations

import signal
from types import FrameType


class EarlyHangups:
    """A SIGHUP handler that only counts: the event loop reloads once for all of them."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        """Remember one SIGHUP."""
        self.count += 1


_LATCH = EarlyHangups()


def catch_early_hangups() -> EarlyHangups | None:
    """Count SIGHUPs from now on (idempotent); None where there is no SIGHUP or no main thread."""
    hangup = getattr(signal, "SIGHUP", None)
    if hangup is None:
        return None
    if signal.getsignal(hangup) is not _LATCH:
        try:
            signal.signal(hangup, _LATCH)
        except ValueError:  # not the main thread
            return None
    return _LATCH


def release_early_hangups() -> None:
    """Give SIGHUP its default back (a command other than the bot: a closed terminal ends it)."""
    hangup = getattr(signal, "SIGHUP", None)
    if hangup is not None and signal.getsignal(hangup) is _LATCH:
        signal.signal(hangup, signal.SIG_DFL)
