"""Logs keep nobody's words or ids: PTB's parse failures, flood warnings."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
import telegram

from bot.channels.telegram.logs import WITHHELD, BotLogHandler, RedactingFilter, configure_logging
from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram_fixtures import running_bot

pytestmark = pytest.mark.slow  # the Telegram bot end to end

SECRET = "my name is Jane Doe and I live at 12 Acacia Avenue"
USER_ID = 987654321


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Root logging as the bot configures it (default level), writing into a string."""
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    stream = io.StringIO()
    configure_logging(logging.INFO, [], stream)
    yield stream
    for handler in list(root.handlers):
        if isinstance(handler, BotLogHandler):
            root.removeHandler(handler)
        for f in list(handler.filters):
            if isinstance(f, RedactingFilter):
                handler.removeFilter(f)
    root.setLevel(saved[0])


def malformed_update() -> dict[str, object]:
    """An update PTB cannot parse (its chat is not an object), carrying someone's words."""
    return {
        "update_id": 41,
        "message": {
            "message_id": 1,
            "date": 1700000000,
            "chat": "not a chat",
            "from": {"id": USER_ID, "is_bot": False, "first_name": "Jane"},
            "text": SECRET,
        },
    }


async def test_ptb_parse_failure_logs_no_one_s_words(captured: io.StringIO) -> None:
    """PTB logs the whole batch at CRITICAL ("Received data was ..."): withheld."""
    with FakeBotApi() as api:
        api.push_raw(malformed_update())
        async with telegram.Bot(api.token, base_url=api.base_url) as bot:
            with pytest.raises(Exception):  # noqa: B017 - whatever PTB raises
                await bot.get_updates(timeout=0)
    out = captured.getvalue()
    assert "Received data was" in out
    assert WITHHELD in out
    assert "Jane" not in out
    assert str(USER_ID) not in out


def test_the_webhook_s_parse_failure_record_is_withheld_too(captured: io.StringIO) -> None:
    logging.getLogger("telegram.ext.Updater").critical(
        "Something went wrong processing the data received from Telegram. "
        "Received data was *not* processed! Received data was: %r",
        malformed_update(),
    )
    out = captured.getvalue()
    assert f"Received data was: {WITHHELD!r}" in out
    assert "Jane" not in out


async def test_a_flood_warning_is_logged_without_ids(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, "bot.channels.telegram.handlers"):
        async with running_bot(BOT_FLOOD_BURST="2", BOT_FLOOD_PER_MINUTE="1") as bot:
            asked = [f"when was the consultation {i}" for i in range(8)]
            ids = [bot.api.push_message(USER_ID, text) for text in asked]
            await bot.settled(ids[-1])
    warnings = [r.getMessage() for r in caplog.records if "flood warning" in r.getMessage()]
    assert warnings == ["flood warning sent in a private chat"]
    assert not any(str(USER_ID) in r.getMessage() for r in caplog.records)
