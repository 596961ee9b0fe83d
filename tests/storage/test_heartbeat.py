"""The heartbeat file behind the Docker HEALTHCHECK: touched while polling, no token needed."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import time
from pathlib import Path

import pytest

from bot.storage.datadir import DATA_DIR_MODE, ensure_data_dir
from bot.storage.heartbeat import HEARTBEAT_FILE, MAX_AGE, Heartbeat, is_fresh
from bot.storage.pidfile import PID_FILE
from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram_fixtures import WAIT, run_cli, running_bot


def test_freshness(tmp_path: Path) -> None:
    path = tmp_path / HEARTBEAT_FILE
    assert not is_fresh(path)
    Heartbeat(tmp_path).beat()
    assert is_fresh(path)
    assert not is_fresh(path, now=time.time() + MAX_AGE + 1)


def test_an_unwritable_heartbeat_is_only_logged(tmp_path: Path) -> None:
    (tmp_path / "a file").write_text("not a directory")
    Heartbeat(tmp_path / "a file" / "data").beat()  # no exception


def test_a_deleted_data_directory_is_created_again_0700_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    assert ensure_data_dir(data)
    assert stat.S_IMODE(data.stat().st_mode) == DATA_DIR_MODE
    heartbeat = Heartbeat(data)
    heartbeat.beat()
    shutil.rmtree(data)
    heartbeat.beat()
    assert is_fresh(data / HEARTBEAT_FILE)
    assert stat.S_IMODE(data.stat().st_mode) == DATA_DIR_MODE
    assert "was deleted while the bot was running; created it again" in caplog.text


@pytest.mark.slow
async def test_the_running_bot_notices_its_data_directory_deleted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with tempfile.TemporaryDirectory() as parent, FakeBotApi() as api:
        data = Path(parent) / "data"
        # the question log off: it creates the directory itself when it first opens
        async with running_bot(api, BOT_DATA_DIR=str(data), BOT_QUESTION_LOG="off") as bot:
            await bot.ask(1, "hi")
            assert (data / PID_FILE).is_file()
            shutil.rmtree(data)
            answer = await bot.ask(1, "when was the consultation?")
            assert "July 2012" in answer["visible_text"]
            assert await api.wait_for_async((data / HEARTBEAT_FILE).is_file, WAIT)
            assert stat.S_IMODE(data.stat().st_mode) == DATA_DIR_MODE
            assert (data / PID_FILE).is_file()  # python -m bot reload finds the bot again
        assert not (data / PID_FILE).exists()  # removed when it stopped
    assert "was deleted while the bot was running; created it again" in caplog.text


@pytest.mark.slow
async def test_polling_touches_the_heartbeat() -> None:
    with tempfile.TemporaryDirectory() as data, FakeBotApi() as api:
        async with running_bot(api, BOT_DATA_DIR=data) as bot:
            await bot.ask(1, "hi")
            assert is_fresh(Path(data) / HEARTBEAT_FILE)


@pytest.mark.slow
def test_the_health_check_command(tmp_path: Path) -> None:
    env = {"BOT_DATA_DIR": str(tmp_path)}
    assert run_cli(env, "health").returncode == 1
    Heartbeat(tmp_path).beat()
    assert run_cli(env, "health").returncode == 0
    stale = time.time() - MAX_AGE - 5
    os.utime(tmp_path / HEARTBEAT_FILE, (stale, stale))
    assert run_cli(env, "health").returncode == 1
