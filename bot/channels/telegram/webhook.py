"""The webhook server: Telegram's POSTs checked before their body is read, then queued once.

python-telegram-bot's own server reads any body whole (up to tornado's 100 MB) before it
looks at the secret, and queues a replayed update again. This one, on the same tornado:
refuses a request without the secret, or with a body over MAX_BODY_BYTES, from its headers
alone; and puts each update_id into the Application's queue once.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Bot, Update
from tornado.httpserver import HTTPServer

from bot.bounded import BoundedDict

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header's name
JSON = "application/json"
# Telegram's updates are a few kilobytes (a 4096-character message and its entities); a
# body over 1 MiB is not from Telegram, and is refused from its Content-Length, unread.
MAX_BODY_BYTES = 1024 * 1024
# update_ids remembered to refuse replays: Telegram re-sends an update until it gets a 2xx,
# so a replay comes within minutes, long before this many others have arrived.
SEEN_UPDATES = 10_000
# Seconds a client may take to send a body of at most 1 MiB: a slow trickle is cut off.
BODY_TIMEOUT = 10.0
IDLE_CONNECTION_TIMEOUT = 60.0  # seconds a kept-alive connection may sit unused


@dataclass(slots=True)
class WebhookStats:
    """What the server refused, by reason (for tests and the log at shutdown)."""

    accepted: int = 0
    replayed: int = 0
    refused: dict[int, int] = field(default_factory=dict)

    def refuse(self, status: HTTPStatus) -> None:
        """Count one refusal."""
        self.refused[status] = self.refused.get(status, 0) + 1

    def summary(self) -> str:
        """One line for the log."""
        refused = ", ".join(f"{code} ({n})" for code, n in sorted(self.refused.items()))
        return (
            f"{self.accepted} updates accepted, {self.replayed} replays ignored, "
            f"refused: {refused or 'none'}"
        )


class UpdateReceiver:
    """What every request shares: the bot, its update queue, the secret, the ids seen."""

    def __init__(self, bot: Bot, queue: asyncio.Queue[object], secret: str) -> None:
        self.bot = bot
        self.queue = queue
        self._secret = secret.encode("utf-8")
        self.seen: BoundedDict[int, None] = BoundedDict(SEEN_UPDATES)
        self.stats = WebhookStats()

    def has_secret(self, given: str | None) -> bool:
        """Whether the request carries the secret (compared in constant time)."""
        return given is not None and hmac.compare_digest(given.encode("utf-8"), self._secret)

    async def accept(self, data: dict[str, Any]) -> HTTPStatus:
        """Queue one update (once per update_id); the status to answer with."""
        update_id = data.get("update_id")
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return HTTPStatus.BAD_REQUEST
        if update_id in self.seen:
            self.stats.replayed += 1
            log.info("update %d arrived again; already queued, not answered twice", update_id)
            return HTTPStatus.OK
        try:
            update = Update.de_json(data, self.bot)
        except Exception:  # the text is never logged: it may be someone's disclosure
            log.warning("update %d could not be read; it is not answered", update_id)
            return HTTPStatus.BAD_REQUEST
        self.seen[update_id] = None
        self.stats.accepted += 1
        await self.queue.put(update)
        return HTTPStatus.OK


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    """POST /<path>: one update from Telegram."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, receiver: UpdateReceiver) -> None:  # tornado's per-request set-up
        """Each request gets the shared receiver."""
        self.receiver = receiver
        self.body = bytearray()

    def prepare(self) -> None:
        """Headers only, nothing of the body read yet: secret, type and length."""
        headers = self.request.headers
        secret = self.receiver.has_secret(headers.get(SECRET_HEADER))
        if not secret or headers.get("Content-Type", "").split(";")[0].strip() != JSON:
            self._refuse(HTTPStatus.FORBIDDEN)  # as python-telegram-bot's own server
        else:
            length = headers.get("Content-Length")
            if length is None or not (length.isascii() and length.isdigit()):
                self._refuse(HTTPStatus.LENGTH_REQUIRED)
            elif int(length) > MAX_BODY_BYTES:
                self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    def _refuse(self, status: HTTPStatus) -> None:
        self.receiver.stats.refuse(status)
        self.set_status(status)
        self.finish()  # the connection closes: the body is never read

    def data_received(self, chunk: bytes) -> None:
        """A piece of the body (at most MAX_BODY_BYTES in all: tornado enforces it too)."""
        self.body += chunk

    async def post(self) -> None:
        """The whole body: one JSON update, queued for the Application."""
        try:
            data = json.loads(self.body)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            self.receiver.stats.refuse(HTTPStatus.BAD_REQUEST)
            self.set_status(HTTPStatus.BAD_REQUEST)
            return
        status = await self.receiver.accept(data)
        if status is not HTTPStatus.OK:
            self.receiver.stats.refuse(status)
        self.set_status(status)

    def log_exception(self, *args: Any) -> None:
        """Tornado's own error log could include the request; ours says enough."""


class WebhookServer:
    """Tornado's HTTP server for UpdateHandler on ``listen:port``, path ``/<path>``."""

    def __init__(self, receiver: UpdateReceiver, *, listen: str, port: int, path: str) -> None:
        self.receiver = receiver
        self.listen = listen
        self.port = port
        route = "/" + path.strip("/") if path.strip("/") else ""
        app = tornado.web.Application(
            [(rf"{route}/?", UpdateHandler, {"receiver": receiver})],
            log_function=lambda handler: None,  # no access log: ids and paths only
        )
        self._server = HTTPServer(
            app,
            max_body_size=MAX_BODY_BYTES,
            body_timeout=BODY_TIMEOUT,
            idle_connection_timeout=IDLE_CONNECTION_TIMEOUT,
            xheaders=False,
        )

    def start(self) -> None:
        """Bind and accept requests."""
        self._server.listen(self.port, address=self.listen)

    async def stop(self) -> None:
        """Stop accepting, then close every open connection."""
        self._server.stop()
        await self._server.close_all_connections()
