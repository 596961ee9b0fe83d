"""Logs never carry the token: redaction of messages, arguments and tracebacks, at DEBUG."""

from __future__ import annotations

import io
import logging
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.channels.telegram.logs import (
    REDACTED,
    WITHHELD,
    BotLogHandler,
    RedactingFilter,
    configure_logging,
)
from tests.support.fake_bot_api import FakeBotApi, FaultPlan
from tests.support.telegram_fixtures import BotProcess, bot_env, wait_polling

pytestmark = pytest.mark.slow  # the Telegram bot end to end

TOKEN = "7712345678:AAH-secret_Part-of-the-token-0123456789"
SECRET_TAIL = TOKEN.split(":")[1]


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Root logging configured by the bot, writing into a string."""
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    stream = io.StringIO()
    configure_logging(logging.DEBUG, [TOKEN], stream)
    yield stream
    for handler in list(root.handlers):
        if isinstance(handler, BotLogHandler):
            root.removeHandler(handler)
        for f in list(handler.filters):
            if isinstance(f, RedactingFilter):
                handler.removeFilter(f)
    root.setLevel(saved[0])


def test_message_arguments_and_url_forms_are_redacted(captured: io.StringIO) -> None:
    log = logging.getLogger("test.redaction")
    log.debug("Set Bot API URL: %s", f"https://api.telegram.org/bot{TOKEN}")
    log.info("escaped %s", TOKEN.replace(":", "%3A"))
    log.warning("tail only %s", SECRET_TAIL)
    log.error("someone else's token 123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123")
    text = captured.getvalue()
    assert SECRET_TAIL not in text and "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123" not in text
    assert text.count(REDACTED) == 4


def test_tracebacks_and_stack_info_are_redacted(captured: io.StringIO) -> None:
    log = logging.getLogger("test.redaction")
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError:
        log.exception("failed")
    log.debug("where %s", "here", stack_info=True)
    text = captured.getvalue()
    assert "Traceback" in text and "RuntimeError" in text
    assert SECRET_TAIL not in text


def test_http_libraries_are_kept_quiet(captured: io.StringIO) -> None:
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("httpcore").getEffectiveLevel() == logging.WARNING
    logging.getLogger("httpx").info("HTTP Request: POST https://x/bot%s/getMe", TOKEN)
    assert captured.getvalue() == ""


def test_a_broken_format_string_still_logs(captured: io.StringIO) -> None:
    logging.getLogger("test").warning("%d apples", TOKEN)
    assert "apples" in captured.getvalue() and SECRET_TAIL not in captured.getvalue()


class FirstCallsFail(FaultPlan):
    """The first sendMessage calls fail, one of each kind in turn; later ones succeed."""

    def choose(self, method: str) -> str | None:
        if method != "sendMessage" or self.considered >= len(self.kinds):
            return None
        kind = self.kinds[self.considered]
        self.considered += 1
        self.injected[kind] += 1
        return kind


def test_a_debug_run_with_server_errors_never_logs_the_token(tmp_path: Path) -> None:
    plan = FirstCallsFail(kinds=("500", "502_html", "disconnect"))
    with FakeBotApi(faults=plan) as api:
        for chat in range(1, 5):
            api.push_message(chat, "when was the consultation?")
        settings = bot_env(api, tmp_path, LOG_LEVEL="DEBUG", BOT_RATE_LIMIT="off")
        with BotProcess(settings) as process:
            wait_polling(api, 0)
            assert api.wait_for(lambda: len(api.sent) == 4 and api.pending_count() == 0, 30)
            process.signal(signal.SIGTERM)
            assert process.wait() == 0
            output = process.output
    token_tail = api.token.split(":")[1]
    assert sum(plan.injected.values()) == 3
    assert "DEBUG" in output and "Traceback" in output  # the run did log in detail
    # PTB logged the URL with the token: withheld with its other arguments, or redacted
    assert REDACTED in output or WITHHELD in output
    assert api.token not in output and token_tail not in output


def test_a_rejected_token_is_reported_without_echoing_it(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        wrong = "999999:WrongTokenWrongTokenWrongTokenWrong_1"
        settings = bot_env(api, tmp_path, LOG_LEVEL="DEBUG")
        settings["TELEGRAM_BOT_TOKEN"] = wrong
        with BotProcess(settings) as process:
            assert process.wait() == 1
            output = process.output
    assert "TELEGRAM_BOT_TOKEN" in output and "@BotFather" in output
    assert wrong.split(":")[1] not in output
