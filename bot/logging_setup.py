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
    handler.addFilter(redactor)
    root.addHandler(handler)
    for other in root.handlers:  # handlers someone else installed get redaction too
        if other is not handler and redactor not in other.filters:
            other.addFilter(redactor)
    root.setLevel(level)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    logging.captureWarnings(True)
    return redactor
