"""A dict that keeps at most a given number of entries, forgetting the least recently used.

The one bounded map of the project: chat contexts, flood buckets, recent button taps,
arrival and answer times all use it, so none of them can grow without limit.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedDict(OrderedDict[K, V]):
    """At most ``maxsize`` entries; setting a key makes it the most recent."""

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.maxsize = maxsize

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.maxsize:
            self.popitem(last=False)

    def touch(self, key: K) -> V | None:
        """The value at ``key``, now the most recent; None when it is not there."""
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value


class BoundedCache(BoundedDict[K, V]):
    """A BoundedDict used as a cache of a pure function's results.

    It speaks ``functools.lru_cache``'s ``cache_clear`` and ``cache_info``, so tools that
    clear every cache of the core (the cold benchmark) find this one too.
    """

    def cache_clear(self) -> None:
        """Forget every entry."""
        self.clear()

    def cache_info(self) -> tuple[int, int]:
        """(entries, maxsize)."""
        return len(self), self.maxsize
