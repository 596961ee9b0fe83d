"""Logging for the bot: one stderr handler, quiet HTTP libraries, and secrets redacted."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import TextIO

# Anything shaped like a bot token, whoever's it is: "<digits>:<30+ token characters>".
TOKEN_PATTERN = re.compile(r"\d{5,}(?::|%3A)[A-Za-z0-9_-]{30,}", re.IGNORECASE)
REDACTED = "<redacted>"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# These log every request URL (which contains the token) at INFO; WARNING keeps real problems.
NOISY_LOGGERS = ("httpx", "httpcore")


# python-telegram-bot logs what people type: whole updates at DEBUG ("Processing update"),
# Bot API parameters and results, and a whole batch of updates at CRITICAL when one cannot be
# parsed ("Received data was ..."). Its records carry that content as arguments, never in
# the message template, so these argument types are withheld from every "telegram" record.
WITHHELD = "<withheld: may contain what someone typed>"
_SAFE_ARG_TYPES = (int, float, bool, type(None))
# Longest string argument kept as it is: endpoint names and short status words.
MAX_PLAIN_ARG_CHARS = 40


class UserContentFilter(logging.Filter):
    """Withholds payload arguments (updates, parameters, JSON) from python-telegram-bot's logs.

    Messages the safety screen flags are never written to a log at any level; neither is
    any other message's text, which may hold names, addresses and children's details.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace each non-trivial argument of a telegram.* record; always keep the record."""
        if not record.name.startswith("telegram") or not record.args:
            return True
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        record.args = tuple(_withhold(a) for a in args)
        return True


def _withhold(arg: object) -> object:
    if isinstance(arg, _SAFE_ARG_TYPES):
        return arg
    if isinstance(arg, str) and len(arg) <= MAX_PLAIN_ARG_CHARS and arg.isidentifier():
        return arg  # an endpoint name such as "sendMessage"
    return WITHHELD


class BotLogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The bot's own stderr handler (so configuring twice replaces it instead of doubling)."""


class RedactingFilter(logging.Filter):
    """Rewrites each record so no secret survives: message, arguments and traceback."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets: tuple[str, ...] = ()
        self.add_secrets(secrets)

    def add_secrets(self, secrets: Iterable[str]) -> None:
        """Also redact these exact strings (and a token's part after the colon)."""
        found = set(self._secrets)
        for secret in secrets:
            if not secret:
                continue
            found.add(secret)
            found.add(secret.replace(":", "%3A"))
            _, colon, tail = secret.partition(":")
            if colon and tail:
                found.add(tail)
        # Longest first, so a token is replaced whole before its tail is looked for.
        self._secrets = tuple(sorted(found, key=len, reverse=True))

    def redact(self, text: str) -> str:
        """``text`` with every secret and every token-shaped string replaced."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return TOKEN_PATTERN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the record's message and traceback now, redacted; always keep the record."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def configure_logging(
    level: int = logging.INFO, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> RedactingFilter:
    """Log to ``stream`` (stderr) at ``level`` with secrets redacted; return the filter."""
    root = logging.getLogger()
    redactor = RedactingFilter(secrets)
    for old in list(root.handlers):
        if isinstance(old, BotLogHandler):
            root.removeHandler(old)
    handler = BotLogHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    content = UserContentFilter()
    handler.addFilter(content)
    handler.addFilter(redactor)
    root.addHandler(handler)
    for other in root.handlers:  # handlers someone else installed get redaction too
        if other is not handler and redactor not in other.filters:
            other.addFilter(content)
            other.addFilter(redactor)
    root.setLevel(level)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    logging.captureWarnings(True)
    return redactor
