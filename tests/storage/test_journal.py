"""The update journal: durable until answered, deduplicated, bounded, private."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.storage.journal import JOURNAL_FILE, MAX_AGE, MAX_ATTEMPTS, Journal, waiting


def update(uid: int, text: str = "hello") -> dict[str, object]:
    return {"update_id": uid, "message": {"message_id": uid, "text": text}}


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_unanswered_updates_survive_a_restart_in_order(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path)
    assert journal.add([(11, "chat:1", update(11)), (10, "chat:2", update(10, "hi"))]) == [11, 10]
    journal.done(11)
    again = Journal.open(tmp_path)  # as after a SIGKILL: the first was never closed
    assert [(e.update_id, e.chat) for e in again.pending()] == [(10, "chat:2")]
    assert again.body(10) == update(10, "hi")


def test_an_update_telegram_sends_again_is_not_new(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path)
    journal.add([(10, "chat:1", update(10))])
    journal.done(10)
    assert journal.add([(10, "chat:1", update(10)), (11, "chat:1", update(11))]) == [11]


def test_an_answered_update_keeps_no_text_and_goes_once_confirmed(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path)
    journal.add([(10, "chat:1", update(10, "my name is Jane Doe"))])
    journal.done(10)
    assert journal.body(10) is None
    journal.confirmed(11)
    assert journal.add([(10, "chat:1", update(10))]) == [10]  # forgotten: Telegram never resends
    journal.close()
    assert b"Jane Doe" not in (tmp_path / JOURNAL_FILE).read_bytes()


def test_the_file_is_private(tmp_path: Path) -> None:
    Journal.open(tmp_path).add([(10, "chat:1", update(10))])
    assert stat.S_IMODE((tmp_path / JOURNAL_FILE).stat().st_mode) == 0o600


def test_entries_older_than_telegram_keeps_updates_are_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    Journal.open(tmp_path, clock).add([(10, "chat:1", update(10)), (11, "chat:1", update(11))])
    clock.now += MAX_AGE + 1
    journal = Journal.open(tmp_path, clock)
    assert journal.pending() == [] and journal.dropped_old == 2
    assert "dropped 2 unanswered updates" in caplog.text


def test_an_update_the_bot_keeps_dying_on_is_dropped(tmp_path: Path) -> None:
    Journal.open(tmp_path).add([(10, "chat:1", update(10)), (11, "chat:2", update(11))])
    for _ in range(MAX_ATTEMPTS):
        journal = Journal.open(tmp_path)
        journal.start(10)  # then the process dies
    journal = Journal.open(tmp_path)
    assert [e.update_id for e in journal.pending()] == [11]
    assert journal.dropped_poisonous == 1


def test_a_graceful_stop_does_not_count_as_an_attempt(tmp_path: Path) -> None:
    Journal.open(tmp_path).add([(10, "chat:1", update(10))])
    for _ in range(MAX_ATTEMPTS + 1):
        journal = Journal.open(tmp_path)
        journal.start(10)
        journal.release(10)
        journal.close()
    assert [e.update_id for e in Journal.open(tmp_path).pending()] == [10]


@pytest.mark.parametrize("content", [b"not a database", b"SQLite format 3\x00garbage" * 10])
def test_an_unusable_file_is_replaced(tmp_path: Path, content: bytes) -> None:
    (tmp_path / JOURNAL_FILE).write_bytes(content)
    journal = Journal.open(tmp_path)
    assert journal.add([(10, "chat:1", update(10))]) == [10]
    assert [e.update_id for e in Journal.open(tmp_path).pending()] == [10]


def test_a_journal_that_cannot_be_written_keeps_answering_from_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the directory should be")
    journal = Journal.open(blocker)
    assert journal.add([(10, "chat:1", update(10))]) == [10]
    assert journal.add([(10, "chat:1", update(10))]) == []
    assert journal.body(10) == update(10)
    journal.done(10)
    assert journal.pending() == []


def test_waiting_sees_only_updates_the_bot_is_not_getting_to(tmp_path: Path) -> None:
    clock = Clock()
    journal = Journal.open(tmp_path, clock)
    assert waiting(tmp_path, 60, clock.now) is None
    journal.add([(10, "chat:1", update(10)), (11, "chat:1", update(11))])
    journal.add([(12, "chat:2", update(12))])
    journal.start(10)
    journal.start(12)
    clock.now += 30
    journal.done(12)
    assert waiting(tmp_path, 60, clock.now) is None
    # chat 1's answer has been in hand for 61 s: late; 11 waits behind it and is not counted
    late = waiting(tmp_path, 60, clock.now + 31)
    assert late is not None and late.count == 1 and late.oldest == pytest.approx(61)
    journal.done(10)
    # 11 is now first in its line and nobody took it up for 61 s since it arrived
    late = waiting(tmp_path, 60, clock.now + 31)
    assert late is not None and late.count == 1
    journal.start(11)
    assert waiting(tmp_path, 60, clock.now + 31) is None


def test_no_journal_means_nothing_waits(tmp_path: Path) -> None:
    assert waiting(tmp_path, 60) is None
