"""Per-sender flood control and double-tap detection: pure logic with an injectable clock."""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from bot.bounded import BoundedDict

SECONDS_PER_MINUTE = 60.0
# Senders remembered at once; the least recently seen is forgotten first (bounded memory).
MAX_TRACKED = 100_000
# Two taps on the same button within this many seconds are one impatient press.
DOUBLE_TAP_SECONDS = 3.0
# Button presses remembered for double-tap detection.
MAX_RECENT_TAPS = 10_000

Clock = Callable[[], float]


class Verdict(enum.Enum):
    """What to do with one message."""

    ALLOW = "allow"  # answer it
    WARN = "warn"  # too fast: send the one polite warning instead of an answer
    DROP = "drop"  # still too fast after the warning: stay quiet


@dataclass(slots=True)
class _Bucket:
    level: float  # messages "in the bucket"; leaks at the sustained rate
    updated: float
    warned: bool = False


class FloodControl:
    """A leaky bucket per sender: a burst passes, then one warning, then quiet.

    Only messages sent while the bot was still answering the sender's previous one
    (``talked_over``) count: someone who waits for each answer is never held back, however
    quick they are. Once warned, every message counts, answered or not (up to the bucket's
    capacity), so someone who keeps sending faster than the sustained rate stays quiet;
    once they pause long enough for one message to fit, they are answered again and a later
    burst earns a new warning. ``burst`` 0 turns flood control off.
    """

    def __init__(self, burst: int, per_minute: int, clock: Clock = time.monotonic) -> None:
        self.burst = burst
        self.rate = per_minute / SECONDS_PER_MINUTE  # messages leaking out per second
        self._clock = clock
        self._buckets: BoundedDict[Hashable, _Bucket] = BoundedDict(MAX_TRACKED)

    @property
    def enabled(self) -> bool:
        """Whether any message can ever be held back."""
        return self.burst > 0

    def check(self, sender: Hashable, *, talked_over: bool = True) -> Verdict:
        """Record one message from ``sender`` and say whether to answer it."""
        if not self.enabled:
            return Verdict.ALLOW
        now = self._clock()
        bucket = self._buckets.touch(sender)
        if bucket is None:
            bucket = self._buckets[sender] = _Bucket(0.0, now)
        bucket.level = max(0.0, bucket.level - (now - bucket.updated) * self.rate)
        bucket.updated = now
        if not talked_over and not bucket.warned:
            return Verdict.ALLOW
        if bucket.level + 1 <= self.burst:
            bucket.level += 1
            bucket.warned = False
            return Verdict.ALLOW
        bucket.level = float(self.burst)
        if bucket.warned:
            return Verdict.DROP
        bucket.warned = True
        return Verdict.WARN


class RecentTaps:
    """Remembers button presses briefly so a double tap is answered once."""

    def __init__(self, window: float = DOUBLE_TAP_SECONDS, clock: Clock = time.monotonic) -> None:
        self.window = window
        self._clock = clock
        self._seen: BoundedDict[Hashable, float] = BoundedDict(MAX_RECENT_TAPS)

    def is_repeat(self, tap: Hashable) -> bool:
        """Record ``tap``; True if the same tap was seen within the window."""
        now = self._clock()
        while self._seen:
            oldest, when = next(iter(self._seen.items()))
            if now - when < self.window:
                break
            del self._seen[oldest]
        last = self._seen.get(tap)
        self._seen[tap] = now
        return last is not None and now - last < self.window


class Arrivals:
    """When each update was sent (by update id), so handlers can tell who talked over.

    Times are Unix time, as Telegram dates messages: a message that waited in a backlog
    still counts from when it was sent, not from when the bot got to it.
    """

    def __init__(self, clock: Clock = time.time) -> None:
        self._clock = clock
        self._times: BoundedDict[int, float] = BoundedDict(MAX_TRACKED)

    def record(self, update_id: int, at: float | None = None) -> None:
        """Note that ``update_id`` was sent at ``at`` (default: now)."""
        self._times[update_id] = self._clock() if at is None else at

    def pop(self, update_id: int) -> float | None:
        """When ``update_id`` arrived (forgetting it), or None if it was never recorded."""
        return self._times.pop(update_id, None)


class AnswerTimes:
    """When the bot last answered each key (a person in a chat, or a whole group), Unix time."""

    def __init__(self, clock: Clock = time.time) -> None:
        self._clock = clock
        self._times: BoundedDict[Hashable, float] = BoundedDict(MAX_TRACKED)

    def answered(self, *keys: Hashable) -> None:
        """Note that the bot has just answered ``keys``."""
        now = self._clock()
        for key in keys:
            self._times[key] = now

    def talked_over(self, key: Hashable, arrival: float | None) -> bool:
        """Whether a message that arrived at ``arrival`` came before the last answer to
        ``key`` went out; unknown arrival times count as talking over."""
        if arrival is None:
            return True
        last = self._times.get(key)
        return last is not None and arrival < last
