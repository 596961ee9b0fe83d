"""SIGHUP from the bot's first moment: counted, never fatal, answered with one reload."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from bot.channels.hangup import catch_early_hangups, release_early_hangups
from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram_fixtures import WAIT, BotProcess, bot_env, wait_polling

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP here")
START_WINDOW = 0.3  # seconds after launch to keep sending SIGHUP (imports, knowledge)
SIGHUP_EVERY = 0.01


def catches_sighup(pid: int) -> bool:
    """Whether process ``pid`` has a handler for SIGHUP (Linux: bit 0 of SigCgt)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGHUP - 1)))
    return False


def test_the_counter_is_installed_once_and_released() -> None:
    before = signal.getsignal(signal.SIGHUP)
    try:
        latch = catch_early_hangups()
        assert latch is not None and catch_early_hangups() is latch
        signal.raise_signal(signal.SIGHUP)
        assert latch.count >= 1
        release_early_hangups()
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_DFL
    finally:
        signal.signal(signal.SIGHUP, before)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux's /proc")
def test_sighup_while_the_bot_starts_does_not_kill_it(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        settings = bot_env(api, tmp_path / "data", BOT_RATE_LIMIT="off", LOG_LEVEL="INFO")
        with BotProcess(settings) as process:
            # The interpreter starts before any of our code can run (about 50 ms here);
            # from the moment python -m bot runs, SIGHUP is caught.
            launched = time.monotonic()
            while not catches_sighup(process.process.pid):
                assert time.monotonic() - launched < WAIT, "SIGHUP never caught"
                time.sleep(0.001)
            deadline = time.monotonic() + START_WINDOW
            sent = 0
            while time.monotonic() < deadline:
                process.signal(signal.SIGHUP)
                sent += 1
                time.sleep(SIGHUP_EVERY)
            assert process.process.poll() is None, process.output
            wait_polling(api, 0)
            api.push_message(1, "when was the consultation?")
            assert "July 2012" in api.wait_for_messages(1, 1, WAIT)[0]["visible_text"]
            process.signal(signal.SIGTERM)
            assert process.wait() == 0
            output = process.output
    assert sent > 10
    assert "SIGHUP during start-up: reloading the knowledge now" in output
    assert output.count("Reloaded 3 forces") <= 2  # many signals, one or two reloads
    assert "Traceback" not in output
