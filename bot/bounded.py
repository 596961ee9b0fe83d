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
