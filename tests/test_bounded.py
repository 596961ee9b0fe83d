"""The one bounded map: at most maxsize entries, the least recently used forgotten first."""

from __future__ import annotations

from bot.bounded import BoundedDict


def test_the_least_recently_used_entry_is_forgotten() -> None:
    seen: BoundedDict[str, int] = BoundedDict(2)
    seen["a"], seen["b"] = 1, 2
    assert seen.touch("a") == 1  # "a" is now the most recent
    seen["c"] = 3
    assert list(seen) == ["a", "c"]


def test_setting_a_key_again_makes_it_recent() -> None:
    seen: BoundedDict[str, int] = BoundedDict(2)
    seen["a"], seen["b"] = 1, 2
    seen["a"] = 10
    seen["c"] = 3
    assert dict(seen) == {"a": 10, "c": 3}
    assert seen.touch("missing") is None
