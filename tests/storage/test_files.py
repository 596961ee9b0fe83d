"""Files in the data directory: 0600, under a 0700 directory, whatever the umask."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.dialogue.assistant import Assistant
from bot.storage.files import (
    DIR_MODE,
    FILE_MODE,
    narrow_if_present,
    open_private,
    private_dir,
    private_file,
    touch_private,
    write_private,
)
from bot.storage.heartbeat import Heartbeat
from bot.storage.journal import Journal
from bot.storage.question_log import ChatKind, QuestionLog
from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram_fixtures import running_bot


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    """The loosest umask: modes must come from the code, not from the environment."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_a_new_directory_is_0700_and_an_open_one_is_narrowed(tmp_path: Path) -> None:
    assert mode(private_dir(tmp_path / "new" / "data")) == DIR_MODE
    wide = tmp_path / "wide"
    wide.mkdir(mode=0o755)
    assert mode(private_dir(wide)) == DIR_MODE


def test_new_files_are_0600_and_old_ones_are_narrowed(tmp_path: Path) -> None:
    assert mode(private_file(tmp_path / "a")) == FILE_MODE
    with open_private(tmp_path / "b", "a") as handle:
        handle.write("1\n")
    write_private(tmp_path / "c", "text")
    touch_private(tmp_path / "d")
    for name in "bcd":
        assert mode(tmp_path / name) == FILE_MODE
    old = tmp_path / "old"
    old.write_text("kept")
    old.chmod(0o644)
    private_file(old)
    assert (mode(old), old.read_text()) == (FILE_MODE, "kept")
    narrow_if_present(tmp_path / "missing")  # nothing to do, no error


def test_the_question_log_and_its_wal_files_are_private(
    tmp_path: Path, assistant: Assistant
) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    (data / "questions.sqlite3-wal").write_bytes(b"")  # left by an older version, 0666
    log = QuestionLog(data / "questions.sqlite3", clock=lambda: datetime(2026, 3, 2, tzinfo=UTC))
    log.record(assistant.reply("c", "whats the weather in leeds"), ChatKind.PRIVATE)
    names = sorted(p.name for p in data.iterdir())
    assert {"questions.sqlite3", "questions.sqlite3-wal", "questions.sqlite3-shm"} <= set(names)
    assert {p.name: mode(p) for p in data.iterdir()} == dict.fromkeys(names, FILE_MODE)
    assert mode(data) == DIR_MODE
    log.close()


def test_the_heartbeat_and_the_update_journal_are_private(tmp_path: Path) -> None:
    Heartbeat(tmp_path).beat()
    (tmp_path / "data").mkdir(mode=0o700)
    journal = Journal.open(tmp_path / "data")
    journal.add([(5, "1", {"update_id": 5})])
    journal.close()
    assert mode(tmp_path / "heartbeat") == FILE_MODE
    assert {mode(p) for p in (tmp_path / "data").iterdir()} == {FILE_MODE}
    assert mode(tmp_path / "data") == DIR_MODE


@pytest.mark.slow  # the Telegram bot end to end
async def test_every_file_the_running_bot_makes_is_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with FakeBotApi() as api:
        async with running_bot(api, BOT_DATA_DIR=str(data)) as bot:
            await bot.ask(1, "whats the weather in leeds")  # a fallback: logged
            for _ in range(100):  # recorded once the answer is sent
                if (data / "questions.sqlite3").exists():
                    break
                await asyncio.sleep(0.02)
            files = list(data.iterdir())
            assert len(files) >= 3  # question log (and its WAL), heartbeat, update journal
            assert {p.name: mode(p) for p in files} == {p.name: FILE_MODE for p in files}
            assert mode(data) == DIR_MODE
