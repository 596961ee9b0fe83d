"""The heartbeat file behind the Docker HEALTHCHECK: touched while polling, no token needed."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from bot.storage.heartbeat import HEARTBEAT_FILE, MAX_AGE, Heartbeat, is_fresh
from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram_fixtures import run_cli, running_bot


def test_freshness(tmp_path: Path) -> None:
    path = tmp_path / HEARTBEAT_FILE
    assert not is_fresh(path)
    Heartbeat(tmp_path).beat()
    assert is_fresh(path)
    assert not is_fresh(path, now=time.time() + MAX_AGE + 1)


def test_an_unwritable_heartbeat_is_only_logged(tmp_path: Path) -> None:
    Heartbeat(tmp_path / "missing").beat()  # no exception


async def test_polling_touches_the_heartbeat() -> None:
    with tempfile.TemporaryDirectory() as data, FakeBotApi() as api:
        async with running_bot(api, BOT_DATA_DIR=data) as bot:
            await bot.ask(1, "hi")
            assert is_fresh(Path(data) / HEARTBEAT_FILE)


def test_the_health_check_command(tmp_path: Path) -> None:
    env = {"BOT_DATA_DIR": str(tmp_path)}
    assert run_cli(env, "health").returncode == 1
    Heartbeat(tmp_path).beat()
    assert run_cli(env, "health").returncode == 0
    stale = time.time() - MAX_AGE - 5
    os.utime(tmp_path / HEARTBEAT_FILE, (stale, stale))
    assert run_cli(env, "health").returncode == 1
