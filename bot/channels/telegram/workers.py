"""How many answers are worked on at once: as many as Telegram's rate needs, and no more.

By Little's law, answering ``rate`` updates a second when one takes ``t`` seconds needs
``rate * t`` answers in hand. More than that only makes each answer wait for the CPU
behind the others, and every answer sent but not yet marked done is one a ``kill -9``
repeats. So the pool's size follows the measured time of an answer (a moving average),
between ``minimum`` and ``maximum``. An answer that takes longer than ``patience`` (a few
times the average) is waiting on Telegram, not on the CPU: it frees its place (see
Poller), so a fifth of sends stalling does not starve the rest; what is measured is the
time each answer held its place, the quantity Little's law counts.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque

# Telegram accepts about 30 messages a second from a bot: answering faster gains nothing.
DEFAULT_RATE = 30.0
MIN_WORKERS = 2  # one answer on the wire while the next is computed
MAX_WORKERS = 16  # 30 a second even at a half-second round trip
SMOOTHING = 0.2  # weight of the newest answer's time in the moving average
# An answer in hand this many times longer than the average is waiting on Telegram ...
PATIENCE_FACTOR = 4.0
MIN_PATIENCE = 0.1  # ... but never sooner than this (the time of a sluggish answer) ...
MAX_PATIENCE = 1.0  # ... and always after this, whatever the average


class Workers:
    """A semaphore whose size is ``rate`` times the average answer time, within bounds."""

    def __init__(
        self,
        minimum: int = MIN_WORKERS,
        maximum: int = MAX_WORKERS,
        rate: float = DEFAULT_RATE,
    ) -> None:
        self.minimum = minimum
        self.maximum = maximum
        self.rate = rate
        self.limit = minimum
        self.busy = 0
        # Seconds a place is held per answer; until measured, what the minimum pool allows.
        self.average = minimum / rate
        self._waiting: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> None:
        """Wait for a place (first come, first served)."""
        if self.busy < self.limit and not self._waiting:
            self.busy += 1
            return
        place = asyncio.get_running_loop().create_future()
        self._waiting.append(place)
        try:
            await place
        except asyncio.CancelledError:
            if place.done() and not place.cancelled():
                self.release()  # granted just as it was cancelled: give it back
            else:
                self._waiting.remove(place)
            raise

    def release(self) -> None:
        """Give a place back."""
        self.busy -= 1
        self._grant()

    @property
    def patience(self) -> float:
        """Seconds after which an answer in hand steps aside."""
        return max(MIN_PATIENCE, min(MAX_PATIENCE, PATIENCE_FACTOR * self.average))

    def measured(self, seconds: float) -> None:
        """One answer held its place ``seconds`` (until done, or until it stepped aside):
        resize the pool. A network turning sluggish makes answers step aside after
        ``patience``, which raises the average, the patience and the pool in turn."""
        self.average += SMOOTHING * (min(seconds, MAX_PATIENCE) - self.average)
        wanted = math.ceil(self.rate * self.average)
        self.limit = max(self.minimum, min(self.maximum, wanted))
        self._grant()

    def _grant(self) -> None:
        while self._waiting and self.busy < self.limit:
            place = self._waiting.popleft()
            if not place.done():
                self.busy += 1
                place.set_result(None)
