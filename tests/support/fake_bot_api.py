"""A fake Telegram Bot API HTTP server (stdlib only) for end-to-end tests and benchmarks."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import email.policy
import json
import math
import random
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .telegram_html import HtmlParseError, ParsedHtml, parse_telegram_html

Params = dict[str, Any]
JsonDict = dict[str, Any]

DEFAULT_TOKEN = "123456:TEST-fake-bot-api-token-not-a-secret"
DEFAULT_USERNAME = "inspection_qa_bot"
DEFAULT_FIRST_NAME = "Inspection QA Bot"

MAX_TEXT_LENGTH = 4096  # sendMessage/editMessageText: 1-4096 characters after entity parsing.
MAX_CALLBACK_DATA_BYTES = 64  # InlineKeyboardButton.callback_data: 1-64 bytes.
MAX_CALLBACK_ANSWER_CHARS = 200  # answerCallbackQuery text: 0-200 characters.
MAX_INLINE_RESULTS = 50  # answerInlineQuery: no more than 50 results per query.
MAX_INLINE_RESULT_ID_BYTES = 64  # InlineQueryResult.id: 1-64 bytes.
MAX_UPDATES_LIMIT = 100  # getUpdates limit: values between 1 and 100 are accepted.
MAX_COMMANDS = 100  # setMyCommands: at most 100 commands.
MAX_COMMAND_DESCRIPTION = 256  # BotCommand.description: 1-256 characters.
MAX_DESCRIPTION = 512  # setMyDescription: 0-512 characters.
MAX_SHORT_DESCRIPTION = 120  # setMyShortDescription: 0-120 characters.
MAX_WEBHOOK_SECRET = 256  # setWebhook secret_token: 1-256 characters.
CHAT_BURST = 3  # Telegram tolerates "short bursts" in one chat; a bucket of 3 models that.
CHAT_MESSAGES_PER_SECOND = 1.0  # FAQ: "avoid sending more than one message per second" per chat.
GLOBAL_MESSAGES_PER_SECOND = 30.0  # FAQ: no more than "about 30 messages per second" overall.
GROUP_MESSAGES_PER_MINUTE = 20  # FAQ: "not be able to send more than 20 messages per minute".
GROUP_WINDOW_SECONDS = 60.0  # The window the per-group limit is counted over.
DEFAULT_STALL_SECONDS = 6.0  # Just past PTB's default 5 s read timeout.
DEFAULT_RETRY_AFTER = 1  # Seconds advertised by injected 429s unless the plan says otherwise.
FIRST_UPDATE_ID = 10_000  # Real update ids are large; starting high catches "id == 0" bugs.
DEFAULT_GROUP_USER_ID = 4242  # Sender of group messages when the test does not name one.
WEBHOOK_POST_TIMEOUT = 10.0  # Seconds the webhook helper waits for the bot's HTTP answer.
SHUTDOWN_POLL_SECONDS = 0.02  # serve_forever's poll interval, i.e. how long stop() may wait.
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")
MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{2,32}(?!\w)")
BOT_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")
WEBHOOK_SECRET_RE = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_WEBHOOK_SECRET}}}")
API_PATH_RE = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)/?")

# Default for getUpdates/setWebhook allowed_updates: everything except these three.
OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
CHAT_ACTIONS = frozenset(
    [
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    ]
)
BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
# Parameters whose values are plain strings: PTB sends strings raw and JSON-encodes the rest,
# so "123" must stay a string for these (a text, a query id) and become 123 for chat_id.
STRING_PARAMS = frozenset(
    [
        "action",
        "address",
        "animation",
        "audio",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "currency",
        "custom_title",
        "description",
        "document",
        "emoji",
        "first_name",
        "foursquare_id",
        "game_short_name",
        "google_place_id",
        "inline_message_id",
        "inline_query_id",
        "ip_address",
        "language_code",
        "last_name",
        "message_effect_id",
        "name",
        "next_offset",
        "parse_mode",
        "payload",
        "phone_number",
        "photo",
        "provider_token",
        "question",
        "secret_token",
        "short_description",
        "start_parameter",
        "sticker",
        "switch_pm_parameter",
        "switch_pm_text",
        "text",
        "title",
        "url",
        "vcard",
        "video",
        "video_note",
        "voice",
    ]
)
FAULT_KINDS = frozenset({"500", "502_html", "429", "stall", "disconnect"})
NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


# ---------------------------------------------------------------------------------------------
# Errors, responses and request parsing
# ---------------------------------------------------------------------------------------------
class ApiError(Exception):
    """An error answer in Telegram's shape; raised by method handlers."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def bad_request(reason: str) -> ApiError:
    """A 400 with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {reason}")


@dataclass(frozen=True)
class Response:
    """One HTTP answer; status 0 means "close the connection without answering"."""

    status: int
    body: bytes = b""
    content_type: str = "application/json"


def json_response(status: int, payload: JsonDict) -> Response:
    """Serialise payload as the JSON body of a response."""
    return Response(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def ok_response(result: Any) -> Response:
    """Telegram's success envelope."""
    return json_response(200, {"ok": True, "result": result})


def error_response(error: ApiError) -> Response:
    """Telegram's error envelope, with parameters.retry_after for 429s."""
    payload: JsonDict = {"ok": False, "error_code": error.code, "description": error.description}
    if error.retry_after is not None:
        payload["parameters"] = {"retry_after": error.retry_after}
    return json_response(error.code, payload)


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart/form-data request."""

    filename: str
    content_type: str
    data: bytes


def parse_multipart(content_type: str, body: bytes) -> Params:
    """Split multipart/form-data into text fields and UploadedFile parts."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    params: Params = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            params[name] = data.decode("utf-8")
        else:
            params[name] = UploadedFile(filename, part.get_content_type(), data)
    return params


def parse_body(content_type: str, body: bytes) -> Params:
    """Raw parameters of a form-urlencoded, multipart or JSON body (values not yet decoded)."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return {}
    if kind == "multipart/form-data":
        return parse_multipart(content_type, body)
    if kind == "application/json":
        loaded = json.loads(body.decode("utf-8"))
        if not isinstance(loaded, dict):
            raise bad_request("request body must be a JSON object")
        return loaded
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))


def decode_value(name: str, value: Any) -> Any:
    """JSON-decode a non-string parameter the way Telegram reads PTB's encoding."""
    if not isinstance(value, str) or name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def normalize_params(raw: Params) -> Params:
    """Decode every parameter; PTB sends strings raw and everything else as JSON text."""
    return {name: decode_value(name, value) for name, value in raw.items()}


def read_chunked(stream: Any) -> bytes:
    """Read a Transfer-Encoding: chunked body from a file-like stream."""
    chunks: list[bytes] = []
    while True:
        size = int(stream.readline().split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            stream.readline()
            return b"".join(chunks)
        chunks.append(stream.read(size))
        stream.readline()


# ---------------------------------------------------------------------------------------------
# Fault injection and flood limits
# ---------------------------------------------------------------------------------------------
@dataclass
class FaultPlan:
    """Which calls fail and how; decisions come from a seeded RNG, so a run is reproducible.

    kinds: "500" (JSON 500), "502_html" (nginx HTML page), "429" (Too Many Requests with
    retry_after), "stall" and "disconnect" (connection closed without an answer; the request
    is not processed).

    A "stall" sleeps stall_seconds (set it past the client's read timeout) before the server
    looks at the request. With stall_then_process=True (the default, and what Telegram does
    when the network is merely slow) the request is then processed normally: a sendMessage is
    recorded in ``sent`` with ``stalled=True`` although the client already gave up with a
    timeout, which is how duplicate answers happen. With stall_then_process=False the
    connection is closed after the stall and nothing is recorded. Other faulted calls are
    never processed and never recorded in ``sent``.

    methods: only calls to these methods can fault (None means every method). The n-th
    matching call always gets the same decision for a given seed.
    """

    rate: float = 0.2
    kinds: tuple[str, ...] = ("500", "502_html", "429", "stall")
    retry_after: int = DEFAULT_RETRY_AFTER
    stall_seconds: float = DEFAULT_STALL_SECONDS
    methods: tuple[str, ...] | None = ("sendMessage",)
    seed: int = 0
    stall_then_process: bool = True
    injected: Counter[str] = field(default_factory=Counter)
    considered: int = 0
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - FAULT_KINDS
        if unknown or not self.kinds:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; choose from {FAULT_KINDS}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        self._rng = random.Random(self.seed)

    def choose(self, method: str) -> str | None:
        """The fault for this call, or None; callers serialise access."""
        if self.methods is not None and method not in self.methods:
            return None
        self.considered += 1
        roll = self._rng.random()
        kind = self._rng.choice(self.kinds)
        if roll >= self.rate:
            return None
        self.injected[kind] += 1
        return kind


@dataclass(frozen=True)
class ChatFault:
    """One scripted failure of a sendMessage to one chat (see FakeBotApi.fail_chat)."""

    kind: str
    seconds: float
    retry_after: int


@dataclass
class TokenBucket:
    """Classic token bucket: capacity tokens, refilled at rate per second."""

    capacity: float
    rate: float
    tokens: float
    updated: float

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 if one is available now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


class FloodLimiter:
    """Telegram's documented flood limits: per chat, per group per minute and overall."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        now = clock()
        self._global = TokenBucket(
            GLOBAL_MESSAGES_PER_SECOND, GLOBAL_MESSAGES_PER_SECOND, GLOBAL_MESSAGES_PER_SECOND, now
        )
        self._chats: dict[int, TokenBucket] = {}
        self._groups: dict[int, deque[float]] = {}

    def acquire(self, chat_id: int) -> int | None:
        """Take a send slot for chat_id; return retry_after seconds instead if over a limit."""
        now = self._clock()
        bucket = self._chats.setdefault(
            chat_id, TokenBucket(CHAT_BURST, CHAT_MESSAGES_PER_SECOND, CHAT_BURST, now)
        )
        waits = [self._global.wait_time(now), bucket.wait_time(now)]
        window = self._groups.setdefault(chat_id, deque()) if chat_id < 0 else None
        if window is not None:
            while window and now - window[0] >= GROUP_WINDOW_SECONDS:
                window.popleft()
            if len(window) >= GROUP_MESSAGES_PER_MINUTE:
                waits.append(GROUP_WINDOW_SECONDS - (now - window[0]))
        wait = max(waits)
        if wait > 0:
            return max(1, math.ceil(wait))
        self._global.tokens -= 1
        bucket.tokens -= 1
        if window is not None:
            window.append(now)
        return None


# ---------------------------------------------------------------------------------------------
# Small pure helpers
# ---------------------------------------------------------------------------------------------
def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def auto_entities(text: str) -> list[JsonDict]:
    """bot_command at offset 0 for "/cmd" texts and mention entities for "@username"."""
    entities: list[JsonDict] = []
    command = COMMAND_RE.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command[0])})
    for mention in MENTION_RE.finditer(text):
        offset = utf16_len(text[: mention.start()])
        entities.append({"type": "mention", "offset": offset, "length": utf16_len(mention[0])})
    return entities


def update_type(update: JsonDict) -> str:
    """The payload key of an update, e.g. "message" or "callback_query"."""
    return next((key for key in update if key != "update_id"), "unknown")


def as_int(value: Any, name: str) -> int:
    """An integer parameter, accepting digit strings like Telegram does."""
    if isinstance(value, bool):
        raise bad_request(f"wrong parameter {name}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    raise bad_request(f"{name} is empty" if value in (None, "") else f"wrong parameter {name}")


def as_float(value: Any, default: float) -> float:
    """A numeric parameter (getUpdates timeout may be fractional when PTB gets a timedelta)."""
    if value is None or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise bad_request("wrong parameter timeout") from exc


def strip_reply(message: JsonDict) -> JsonDict:
    """A copy of message suitable as reply_to_message (Telegram never nests replies)."""
    reply = copy.deepcopy(message)
    reply.pop("reply_to_message", None)
    return reply


def check_callback_data(data: Any) -> None:
    """callback_data must be a string of 1-64 UTF-8 bytes."""
    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")


def check_inline_button(button: Any) -> None:
    """An inline keyboard button: non-empty text and exactly one action field."""
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: object expected")
    text = button.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("text of an inline keyboard button must be non-empty")
    actions = [name for name in BUTTON_ACTIONS if name in button]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request("can't parse inline keyboard button: only one action field allowed")
    if "callback_data" in button:
        check_callback_data(button["callback_data"])
    if "url" in button and not str(button["url"]).strip():
        raise bad_request("inline keyboard button URL must be non-empty")


def check_reply_markup(markup: Any) -> JsonDict | None:
    """Validate a reply_markup; return it (parsed) or None when absent."""
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                check_inline_button(button)
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
            )
    elif not ({"remove_keyboard", "force_reply"} & markup.keys()):
        raise bad_request('can\'t find field "inline_keyboard"')
    return markup


def check_text(params: Params, key: str, *, strict: bool) -> ParsedHtml:
    """Parse and check a message text exactly where Telegram does: after entity parsing."""
    raw = params.get(key)
    if raw is None or raw == "":
        raise bad_request("message text is empty")
    text = raw if isinstance(raw, str) else json.dumps(raw)
    parse_mode = str(params.get("parse_mode") or "").lower()
    if parse_mode == "html":
        try:
            parsed = parse_telegram_html(text, strict=strict)
        except HtmlParseError as exc:
            raise bad_request(exc.description) from exc
    elif parse_mode in ("", "markdown", "markdownv2"):
        entities = params.get("entities")
        parsed = ParsedHtml(text, list(entities) if isinstance(entities, list) else [])
    else:
        raise bad_request("unsupported parse_mode")
    if not parsed.text.strip():
        raise bad_request("message text is empty")
    if len(parsed.text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return parsed


# ---------------------------------------------------------------------------------------------
# HTTP plumbing
# ---------------------------------------------------------------------------------------------
class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], api: FakeBotApi) -> None:
        self.api = api
        self.open_connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _RequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay silent about connections the client dropped (handler bugs become 500s)."""


class _RequestHandler(BaseHTTPRequestHandler):
    server: _HttpServer
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx pools connections
    disable_nagle_algorithm = True  # headers and body go out separately: avoid 40 ms stalls

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.open_connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.open_connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay silent: tests and benchmarks must not get HTTP logs on stderr."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return read_chunked(self.rfile)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        body = self._read_body()
        response = self.server.api.handle_http(
            self.command, self.path, self.headers.get("Content-Type", ""), body
        )
        if response.status == 0:
            self.close_connection = True
            return
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)
        except OSError:  # the client gave up (e.g. after a stall)
            self.close_connection = True


# ---------------------------------------------------------------------------------------------
# The fake API
# ---------------------------------------------------------------------------------------------
class FakeBotApi:
    """An in-memory Telegram Bot API served over real HTTP on 127.0.0.1.

    Use as a context manager; ``base_url`` ("http://127.0.0.1:PORT/bot") goes to PTB's
    ``base_url`` or the bot's TELEGRAM_BASE_URL. The server runs in daemon threads and never
    touches an asyncio loop, so it serves in-process Applications and subprocesses alike.
    All public methods are thread-safe. Blocking waits (wait_for*) must not run on the bot's
    event loop thread; from async tests use the *_async variants.

    Updates pushed while a webhook is set stay queued (getUpdates then answers 409, as
    Telegram does) until deliver_pending_to_webhook() posts them.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        username: str = DEFAULT_USERNAME,
        first_name: str = DEFAULT_FIRST_NAME,
        host: str = "127.0.0.1",
        port: int = 0,
        strict_html: bool = True,
        enforce_limits: bool = False,
        faults: FaultPlan | None = None,
    ) -> None:
        self.token = token
        self.bot_user: JsonDict = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": first_name,
            "username": username,
        }
        self.strict_html = strict_html
        self.enforce_limits = enforce_limits
        self.faults = faults
        self.limit_violations = 0
        self.internal_errors: list[str] = []
        self._host, self._requested_port = host, port
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._limiter = FloodLimiter()
        self._chat_faults: dict[int, deque[ChatFault]] = {}
        self.chat_faults_injected = 0  # scripted per-chat failures served so far
        self._updates: list[JsonDict] = []
        self._next_update_id = FIRST_UPDATE_ID
        self._confirmed_offset = 0
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._chats: dict[int, JsonDict] = {}
        self._messages: dict[tuple[int, int], JsonDict] = {}
        self._next_message_id: dict[int, int] = {}
        self._last_bot_message: dict[int, int] = {}
        self._open_callbacks: set[str] = set()
        self._open_inline: set[str] = set()
        self._next_query_id = 1
        self._sent: list[JsonDict] = []
        self._edits: list[JsonDict] = []
        self._deleted: list[tuple[int, int]] = []
        self._calls: list[tuple[str, Params]] = []
        self._errors: list[JsonDict] = []
        self._callback_answers: list[JsonDict] = []
        self._inline_answers: list[JsonDict] = []
        self._chat_actions: list[JsonDict] = []
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        self._descriptions: dict[tuple[str, str], str] = {}
        self._webhook: JsonDict = {}
        self._methods: dict[str, Callable[[Params], Any]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": self._set_my_description,
            "getMyDescription": self._get_my_description,
            "setMyShortDescription": self._set_my_short_description,
            "getMyShortDescription": self._get_my_short_description,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendChatAction": self._send_chat_action,
            "close": self._true,
            "logOut": self._true,
        }
        self._method_names = {name.lower(): name for name in self._methods}

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeBotApi:
        """Bind 127.0.0.1 (port 0 = a free port) and serve in a daemon thread."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = _HttpServer((self._host, self._requested_port), self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            args=(SHUTDOWN_POLL_SECONDS,),
            name="fake-bot-api",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake long polls and stalls, and drop open keep-alive connections."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        httpd.shutdown()
        httpd.server_close()
        with httpd.connections_lock:
            connections = list(httpd.open_connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound TCP port (only while running)."""
        if self._httpd is None:
            raise RuntimeError("FakeBotApi is not running")
        return int(self._httpd.server_address[1])

    @property
    def root_url(self) -> str:
        """http://127.0.0.1:PORT"""
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The value for PTB's base_url / TELEGRAM_BASE_URL (PTB appends the token)."""
        return f"{self.root_url}/bot"

    # -- test-side: feeding updates ------------------------------------------------------------
    def register_chat(
        self, chat_id: int, chat_type: str = "private", *, first_name: str = "Test"
    ) -> JsonDict:
        """Make chat_id known (as if it had written to the bot) and return its Chat dict."""
        with self._cond:
            return copy.deepcopy(self._chat(chat_id, chat_type, first_name))

    def push_message(
        self,
        chat_id: int,
        text: str,
        *,
        chat_type: str = "private",
        user_id: int | None = None,
        first_name: str = "Test",
        reply_to_message_id: int | None = None,
        reply_to_bot: bool = False,
        entities: list[JsonDict] | None = None,
        date: int | None = None,
    ) -> int:
        """Queue a text message from a user; return its update_id.

        Without entities, a leading "/command" gets a bot_command entity at offset 0 and each
        "@username" a mention entity, as Telegram adds them. ``date`` (Unix time) backdates
        the message, as for one Telegram held while the bot was away.
        """
        with self._cond:
            chat = self._chat(chat_id, chat_type, first_name)
            message = self._new_message(chat, self._user(chat, user_id, first_name))
            message["text"] = text
            if date is not None:
                message["date"] = date
            found = auto_entities(text) if entities is None else entities
            if found:
                message["entities"] = found
            reply = self._reply_target(chat_id, reply_to_message_id, reply_to_bot)
            if reply is not None:
                message["reply_to_message"] = strip_reply(reply)
            return self._enqueue({"message": message})

    def push_callback(
        self,
        chat_id: int,
        data: str,
        *,
        message_id: int | None = None,
        user_id: int | None = None,
        chat_type: str = "private",
    ) -> str:
        """Queue a button press on a bot message (default: the bot's last one); return its id."""
        with self._cond:
            chat = self._chat(chat_id, chat_type, "Test")
            target = self._reply_target(chat_id, message_id, True)
            query_id = self._new_query_id()
            self._open_callbacks.add(query_id)
            self._enqueue(
                {
                    "callback_query": {
                        "id": query_id,
                        "from": self._user(chat, user_id, "Test"),
                        "chat_instance": f"ci{chat_id}",
                        "data": data,
                        "message": strip_reply(target) if target else {},
                    }
                }
            )
            return query_id

    def push_inline(self, query: str, *, user_id: int = 1) -> str:
        """Queue an inline query from user_id; return the inline query id."""
        with self._cond:
            query_id = self._new_query_id()
            self._open_inline.add(query_id)
            user = {"id": user_id, "is_bot": False, "first_name": "Test", "language_code": "en"}
            self._enqueue(
                {
                    "inline_query": {
                        "id": query_id,
                        "from": user,
                        "query": query,
                        "offset": "",
                        "chat_type": "sender",
                    }
                }
            )
            return query_id

    def push_sticker(self, chat_id: int, *, chat_type: str = "private") -> int:
        """Queue a sticker message; return its update_id."""
        sticker = {
            "file_id": "CAACAgIAAxkBAAEFakeSticker",
            "file_unique_id": "AgADFakeSticker",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return self._push_media(chat_id, chat_type, {"sticker": sticker})

    def push_photo(
        self, chat_id: int, *, chat_type: str = "private", caption: str | None = None
    ) -> int:
        """Queue a photo message (with ``caption``, if given); return its update_id."""
        sizes = [
            {
                "file_id": f"AgACFakePhoto{w}",
                "file_unique_id": f"AQADFake{w}",
                "width": w,
                "height": w,
            }
            for w in (90, 320, 800)
        ]
        content: JsonDict = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
            entities = auto_entities(caption)
            if entities:
                content["caption_entities"] = entities
        return self._push_media(chat_id, chat_type, content)

    def push_voice(self, chat_id: int, *, chat_type: str = "private") -> int:
        """Queue a voice message; return its update_id."""
        voice = {"file_id": "AwACFakeVoice", "file_unique_id": "AgADFakeVoice", "duration": 3}
        return self._push_media(chat_id, chat_type, {"voice": voice, "mime_type": "audio/ogg"})

    def push_edited_message(self, chat_id: int, text: str, *, message_id: int | None = None) -> int:
        """Queue an edit of a user message (default: the last user message in the chat)."""
        with self._cond:
            original = self._last_user_message(chat_id, message_id)
            edited = copy.deepcopy(original)
            edited["text"] = text
            edited["edit_date"] = int(time.time())
            entities = auto_entities(text)
            edited.pop("entities", None)
            if entities:
                edited["entities"] = entities
            self._messages[(chat_id, edited["message_id"])] = edited
            return self._enqueue({"edited_message": edited})

    def push_raw(self, update: JsonDict) -> int:
        """Queue an arbitrary update dict (update_id assigned if missing); return its id."""
        with self._cond:
            return self._enqueue(copy.deepcopy(update))

    # -- test-side: inspecting what the bot did --------------------------------------------
    @property
    def sent(self) -> list[JsonDict]:
        """Recorded sendMessage calls (parsed params plus message_id, visible_text, stalled)."""
        with self._cond:
            return copy.deepcopy(self._sent)

    def messages_for(self, chat_id: int) -> list[JsonDict]:
        """Recorded sendMessage calls to one chat, oldest first."""
        with self._cond:
            return [copy.deepcopy(m) for m in self._sent if m["chat_id"] == chat_id]

    def sent_count(self, chat_id: int | None = None) -> int:
        """Number of messages sent (to one chat, or to all); cheap enough for wait predicates."""
        with self._cond:
            if chat_id is None:
                return len(self._sent)
            return sum(1 for record in self._sent if record["chat_id"] == chat_id)

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        """Visible texts (tags removed) of the messages sent to one chat, or to all chats."""
        records = self.sent if chat_id is None else self.messages_for(chat_id)
        return [str(record["visible_text"]) for record in records]

    @property
    def edits(self) -> list[JsonDict]:
        """Recorded successful editMessageText/editMessageReplyMarkup calls."""
        with self._cond:
            return copy.deepcopy(self._edits)

    @property
    def deleted(self) -> list[tuple[int, int]]:
        """(chat_id, message_id) of messages the bot deleted."""
        with self._cond:
            return list(self._deleted)

    @property
    def callback_answers(self) -> list[JsonDict]:
        """Parameters of successful answerCallbackQuery calls."""
        with self._cond:
            return copy.deepcopy(self._callback_answers)

    @property
    def inline_answers(self) -> list[JsonDict]:
        """Parameters of successful answerInlineQuery calls (results parsed)."""
        with self._cond:
            return copy.deepcopy(self._inline_answers)

    @property
    def chat_actions(self) -> list[JsonDict]:
        """Parameters of successful sendChatAction calls."""
        with self._cond:
            return copy.deepcopy(self._chat_actions)

    @property
    def commands(self) -> list[JsonDict]:
        """Commands set for the default scope and no language."""
        return self.commands_for()

    def commands_for(
        self, scope: JsonDict | None = None, language_code: str = ""
    ) -> list[JsonDict]:
        """Commands set for one scope (a BotCommandScope dict) and language."""
        with self._cond:
            return copy.deepcopy(self._commands.get(self._command_key(scope, language_code), []))

    @property
    def descriptions(self) -> dict[tuple[str, str], str]:
        """{("description" | "short_description", language_code): text}."""
        with self._cond:
            return dict(self._descriptions)

    @property
    def calls(self) -> list[tuple[str, Params]]:
        """(method, decoded params) for every API request, including failed ones."""
        with self._cond:
            return copy.deepcopy(self._calls)

    @property
    def unsupported_calls(self) -> list[str]:
        """Methods the bot called that this fake does not implement (PTB sees InvalidToken)."""
        return [name for name, _ in self.calls if name not in self._methods]

    def calls_to(self, method: str) -> list[Params]:
        """Params of every request to one method."""
        return [params for name, params in self.calls if name == method]

    @property
    def errors(self) -> list[JsonDict]:
        """Every 400 answered: {"method", "error_code", "description", "params"}."""
        with self._cond:
            return copy.deepcopy(self._errors)

    @property
    def confirmed_offset(self) -> int:
        """The highest getUpdates offset the bot has sent (0 if none)."""
        with self._cond:
            return self._confirmed_offset

    def pending_count(self) -> int:
        """Updates queued and not yet confirmed by a later offset."""
        with self._cond:
            return len(self._updates)

    @property
    def webhook(self) -> JsonDict:
        """The current webhook settings ({} when none is set)."""
        with self._cond:
            return copy.deepcopy(self._webhook)

    @property
    def fault_counts(self) -> dict[str, int]:
        """Faults injected so far, per kind."""
        with self._cond:
            return dict(self.faults.injected) if self.faults else {}

    def clear_records(self) -> None:
        """Forget recorded calls, messages sent, answers and errors (state is kept)."""
        with self._cond:
            for records in (self._sent, self._edits, self._calls, self._errors):
                records.clear()
            self._callback_answers.clear()
            self._inline_answers.clear()
            self._chat_actions.clear()
            self._deleted.clear()
            self.limit_violations = 0

    # -- test-side: waiting ------------------------------------------------------------------
    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Block until predicate() is true (re-checked on every change); False on timeout."""
        with self._cond:
            return self._cond.wait_for(predicate, timeout)

    def wait_for_messages(self, chat_id: int, n: int, timeout: float = 5.0) -> list[JsonDict]:
        """Block until chat_id got at least n messages; return them or raise TimeoutError."""
        if not self.wait_for(lambda: self.sent_count(chat_id) >= n, timeout):
            texts = self.sent_texts(chat_id)
            raise TimeoutError(
                f"chat {chat_id}: wanted {n} messages within {timeout}s, got {texts}"
            )
        return self.messages_for(chat_id)

    async def wait_for_async(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """wait_for() in a worker thread, so the event loop (and the bot) keeps running."""
        return await asyncio.to_thread(self.wait_for, predicate, timeout)

    async def wait_for_messages_async(
        self, chat_id: int, n: int, timeout: float = 5.0
    ) -> list[JsonDict]:
        """wait_for_messages() in a worker thread, for async tests."""
        return await asyncio.to_thread(self.wait_for_messages, chat_id, n, timeout)

    # -- test-side: webhook mode ---------------------------------------------------------------
    def post_update_to_webhook(
        self, url: str, update: JsonDict, secret_token: str | None = None
    ) -> int:
        """POST one update to a webhook URL as Telegram would; return the HTTP status.

        update_id is assigned if missing and the chats in it become known to the server.
        """
        with self._cond:
            update = self._prepare_update(copy.deepcopy(update))
        request = urllib.request.Request(
            url,
            data=json.dumps(update).encode("utf-8"),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        if secret_token is not None:
            request.add_header(SECRET_HEADER, secret_token)
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_POST_TIMEOUT) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    def deliver_pending_to_webhook(self) -> list[int]:
        """Post queued updates to the registered webhook in order; confirm each 2xx.

        Stops at the first failure (that update stays queued, as Telegram retries it later).
        """
        statuses: list[int] = []
        while True:
            with self._cond:
                if not self._webhook or not self._updates:
                    return statuses
                update, hook = copy.deepcopy(self._updates[0]), dict(self._webhook)
            status = self.post_update_to_webhook(hook["url"], update, hook.get("secret_token"))
            statuses.append(status)
            if not 200 <= status < 300:
                return statuses
            with self._cond:
                self._confirm(update["update_id"] + 1)
                self._cond.notify_all()

    # -- HTTP entry point --------------------------------------------------------------------
    def handle_http(self, verb: str, path: str, content_type: str, body: bytes) -> Response:
        """Route one HTTP request; runs on a server thread."""
        url = urlsplit(path)
        if url.path.startswith("/_fake/"):
            return self._control(verb, url.path.removeprefix("/_fake/"), body)
        match = API_PATH_RE.fullmatch(unquote(url.path))
        if match is None:
            return error_response(ApiError(404, "Not Found"))
        try:
            raw = dict(parse_qsl(url.query, keep_blank_values=True))
            raw.update(parse_body(content_type, body))
            params = normalize_params(raw)
        except (ApiError, ValueError, UnicodeDecodeError) as exc:
            error = exc if isinstance(exc, ApiError) else bad_request("can't parse request body")
            return error_response(error)
        method = self._method_names.get(match["method"].lower(), match["method"])
        with self._cond:
            self._calls.append((method, copy.deepcopy(params)))
            self._cond.notify_all()
        if match["token"] != self.token:
            return error_response(ApiError(401, "Unauthorized"))
        if method not in self._methods:
            return error_response(ApiError(404, "Not Found"))
        try:
            return self._call(method, params)
        except Exception as exc:  # a bug in the fake must not look like a network problem
            with self._cond:
                self.internal_errors.append(f"{method}: {exc!r}")
            return error_response(ApiError(500, f"Internal Server Error: fake API bug {exc!r}"))

    def _call(self, method: str, params: Params) -> Response:
        scripted = self._scripted_fault(method, params)
        if scripted is not None:
            if scripted.kind == "429":
                retry = scripted.retry_after
                return error_response(
                    ApiError(429, f"Too Many Requests: retry after {retry}", retry)
                )
            self._stopping.wait(scripted.seconds)  # a stall: then the connection is dropped
            return Response(0)
        with self._cond:
            fault = self.faults.choose(method) if self.faults else None
            stall_seconds = self.faults.stall_seconds if self.faults else 0.0
            process_after_stall = self.faults.stall_then_process if self.faults else True
        stalled = fault == "stall"
        if stalled:
            self._stopping.wait(stall_seconds)
            if not process_after_stall:
                return Response(0)
        elif fault is not None:
            return self._fault_response(fault)
        try:
            result = self._methods[method](params)
        except ApiError as error:
            self._record_error(method, params, error)
            return error_response(error)
        if stalled:
            self._mark_stalled(result)
        return ok_response(result)

    def fail_chat(
        self,
        chat_id: int,
        kind: str,
        times: int = 1,
        *,
        seconds: float = DEFAULT_STALL_SECONDS,
        retry_after: int = DEFAULT_RETRY_AFTER,
    ) -> None:
        """Make the next ``times`` sendMessage calls to one chat fail: "stall" hangs
        ``seconds`` and drops the connection unprocessed; "429" answers Too Many Requests
        with ``retry_after``. Other chats are served as usual."""
        if kind not in ("stall", "429"):
            raise ValueError(f"unknown chat fault {kind!r}: choose stall or 429")
        with self._cond:
            queue = self._chat_faults.setdefault(chat_id, deque())
            queue.extend(ChatFault(kind, seconds, retry_after) for _ in range(times))

    def _scripted_fault(self, method: str, params: Params) -> ChatFault | None:
        if method != "sendMessage":
            return None
        try:
            chat_id = int(params.get("chat_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        with self._cond:
            queue = self._chat_faults.get(chat_id)
            if not queue:
                return None
            self.chat_faults_injected += 1
            return queue.popleft()

    def _fault_response(self, kind: str) -> Response:
        if kind == "500":
            return error_response(ApiError(500, "Internal Server Error"))
        if kind == "502_html":
            return Response(502, NGINX_502, "text/html")
        if kind == "429":
            retry = self.faults.retry_after if self.faults else DEFAULT_RETRY_AFTER
            return error_response(ApiError(429, f"Too Many Requests: retry after {retry}", retry))
        return Response(0)  # "disconnect"

    def _record_error(self, method: str, params: Params, error: ApiError) -> None:
        if error.code != 400:
            return
        with self._cond:
            self._errors.append(
                {
                    "method": method,
                    "error_code": error.code,
                    "description": error.description,
                    "params": copy.deepcopy(params),
                }
            )
            self._cond.notify_all()

    def _mark_stalled(self, result: Any) -> None:
        if not isinstance(result, dict) or "message_id" not in result:
            return
        key = (result["chat"]["id"], result["message_id"])
        with self._cond:
            for record in self._sent:
                if (record["chat_id"], record["message_id"]) == key:
                    record["stalled"] = True

    def _control(self, verb: str, name: str, body: bytes) -> Response:
        """Control API for manual trials: POST /_fake/message, /_fake/callback; GET /_fake/sent."""
        try:
            args = json.loads(body.decode("utf-8")) if body else {}
            if verb == "GET" and name == "sent":
                return ok_response(self.sent)
            if verb == "POST" and name == "message":
                return ok_response(self.push_message(int(args["chat_id"]), str(args["text"])))
            if verb == "POST" and name == "callback":
                return ok_response(self.push_callback(int(args["chat_id"]), str(args["data"])))
        except (ValueError, KeyError, TypeError) as exc:
            return error_response(bad_request(f"control request failed: {exc!r}"))
        return error_response(ApiError(404, "Not Found"))

    # -- internal state helpers (call with the lock held) ------------------------------------
    def _chat(self, chat_id: int, chat_type: str, first_name: str) -> JsonDict:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = {"id": chat_id, "type": chat_type}
            if chat_type == "private":
                chat.update(first_name=first_name, username=f"user{chat_id}")
            else:
                chat["title"] = f"Test {chat_type} {chat_id}"
            self._chats[chat_id] = chat
        return chat

    def _user(self, chat: JsonDict, user_id: int | None, first_name: str) -> JsonDict:
        if user_id is None:
            user_id = chat["id"] if chat["type"] == "private" else DEFAULT_GROUP_USER_ID
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "username": f"user{user_id}",
            "language_code": "en",
        }

    def _new_message(self, chat: JsonDict, sender: JsonDict) -> JsonDict:
        message_id = self._next_message_id.get(chat["id"], 1)
        self._next_message_id[chat["id"]] = message_id + 1
        message = {
            "message_id": message_id,
            "from": sender,
            "chat": copy.deepcopy(chat),
            "date": int(time.time()),
        }
        self._messages[(chat["id"], message_id)] = message
        if sender.get("id") == self.bot_user["id"]:
            self._last_bot_message[chat["id"]] = message_id
        return message

    def _new_query_id(self) -> str:
        query_id = str(9_000_000_000 + self._next_query_id)
        self._next_query_id += 1
        return query_id

    def _reply_target(self, chat_id: int, message_id: int | None, bot: bool) -> JsonDict | None:
        """The stored message to reply to / press a button on, synthesised if unknown."""
        if message_id is None and bot:
            message_id = self._last_bot_message.get(chat_id)
            if message_id is None:
                placeholder = self._new_message(self._chats[chat_id], self.bot_user)
                placeholder["text"] = "(earlier bot message)"
                return placeholder
        if message_id is None:
            return None
        known = self._messages.get((chat_id, message_id))
        if known is not None:
            return known
        sender = self.bot_user if bot else self._user(self._chats[chat_id], None, "Test")
        return {"message_id": message_id, "from": sender, "chat": self._chats[chat_id], "date": 0}

    def _last_user_message(self, chat_id: int, message_id: int | None) -> JsonDict:
        candidates = [
            msg
            for (chat, mid), msg in self._messages.items()
            if chat == chat_id
            and msg["from"]["id"] != self.bot_user["id"]
            and (message_id is None or mid == message_id)
        ]
        if not candidates:
            raise ValueError(f"no user message to edit in chat {chat_id}")
        return candidates[-1]

    def _push_media(self, chat_id: int, chat_type: str, content: JsonDict) -> int:
        with self._cond:
            chat = self._chat(chat_id, chat_type, "Test")
            message = self._new_message(chat, self._user(chat, None, "Test"))
            message.update(copy.deepcopy(content))
            return self._enqueue({"message": message})

    def _prepare_update(self, update: JsonDict) -> JsonDict:
        """Assign update_id if missing and learn the chats and messages the update carries."""
        if "update_id" not in update:
            update = {"update_id": self._next_update_id, **update}
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        payload = update.get(update_type(update))
        if isinstance(payload, dict):
            for message in (payload, payload.get("message")):
                if isinstance(message, dict) and isinstance(message.get("chat"), dict):
                    self._learn_message(message)
        return update

    def _learn_message(self, message: JsonDict) -> None:
        chat = message["chat"]
        self._chats.setdefault(int(chat["id"]), copy.deepcopy(chat))
        if "message_id" in message:
            key = (int(chat["id"]), int(message["message_id"]))
            self._messages.setdefault(key, copy.deepcopy(message))
            self._next_message_id[key[0]] = max(self._next_message_id.get(key[0], 1), key[1] + 1)

    def _enqueue(self, update: JsonDict) -> int:
        prepared = self._prepare_update(update)
        self._updates.append(copy.deepcopy(prepared))
        self._cond.notify_all()
        return int(prepared["update_id"])

    def _confirm(self, offset: int) -> None:
        """Forget updates below offset (negative: keep only the last -offset updates)."""
        if offset < 0:
            self._updates = self._updates[offset:]
            if self._updates:
                self._confirmed_offset = max(self._confirmed_offset, self._updates[0]["update_id"])
            return
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self._confirmed_offset = max(self._confirmed_offset, offset)

    def _deliverable(self, limit: int) -> list[JsonDict]:
        """Pending updates of the types the bot asked for; Telegram drops the others."""
        allowed = set(self._allowed_updates)

        def wanted(update: JsonDict) -> bool:
            kind = update_type(update)
            return kind in allowed if allowed else kind not in OPT_IN_UPDATE_TYPES

        self._updates = [u for u in self._updates if wanted(u)]
        return copy.deepcopy(self._updates[:limit])

    def _require_chat(self, value: Any) -> JsonDict:
        if isinstance(value, str) and value.startswith("@"):
            username = value[1:].lower()
            for known in self._chats.values():
                if str(known.get("username", "")).lower() == username:
                    return known
            raise bad_request("chat not found")
        chat = self._chats.get(as_int(value, "chat_id"))
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _bot_message(self, params: Params) -> JsonDict:
        chat = self._require_chat(params.get("chat_id"))
        message_id = as_int(params.get("message_id"), "message_id")
        message = self._messages.get((chat["id"], message_id))
        if message is None:
            raise bad_request("message to edit not found")
        if message["from"]["id"] != self.bot_user["id"]:
            raise bad_request("message can't be edited")
        return message

    def _check_flood(self, chat_id: int) -> None:
        if not self.enforce_limits:
            return
        retry_after = self._limiter.acquire(chat_id)
        if retry_after is not None:
            self.limit_violations += 1
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    @staticmethod
    def _command_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope if isinstance(scope, dict) and scope else {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    # -- Bot API methods -----------------------------------------------------------------------
    def _true(self, params: Params) -> bool:
        return True

    def _get_me(self, params: Params) -> JsonDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _get_updates(self, params: Params) -> list[JsonDict]:
        offset = as_int(params.get("offset", 0), "offset")
        limit = as_int(params.get("limit", MAX_UPDATES_LIMIT), "limit")
        limit = min(max(limit, 1), MAX_UPDATES_LIMIT)
        deadline = time.monotonic() + max(as_float(params.get("timeout"), 0.0), 0.0)
        allowed = params.get("allowed_updates")
        with self._cond:
            if self._webhook:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            self._poll_generation += 1
            generation = self._poll_generation
            self._confirm(offset)
            if isinstance(allowed, list):
                self._allowed_updates = [str(kind) for kind in allowed]
            self._cond.notify_all()
            while True:
                if generation != self._poll_generation:
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; "
                        "make sure that only one bot instance is running",
                    )
                batch = self._deliverable(limit)
                remaining = deadline - time.monotonic()
                if batch or remaining <= 0 or self._stopping.is_set():
                    return batch
                self._cond.wait(remaining)

    def _send_message(self, params: Params) -> JsonDict:
        with self._cond:
            chat = self._require_chat(params.get("chat_id"))
            parsed = check_text(params, "text", strict=self.strict_html)
            markup = check_reply_markup(params.get("reply_markup"))
            reply = self._resolve_reply(chat["id"], params)
            self._check_flood(chat["id"])
            message = self._new_message(chat, self.bot_user)
            self._fill_text(message, parsed, markup)
            if reply is not None:
                message["reply_to_message"] = strip_reply(reply)
            thread_id = params.get("message_thread_id")
            if thread_id is not None:
                message.update(message_thread_id=thread_id, is_topic_message=True)
            self._sent.append(self._sent_record(params, message, parsed, markup))
            self._cond.notify_all()
            return copy.deepcopy(message)

    def _resolve_reply(self, chat_id: int, params: Params) -> JsonDict | None:
        reply_parameters = params.get("reply_parameters")
        reply_parameters = reply_parameters if isinstance(reply_parameters, dict) else {}
        target = reply_parameters.get("message_id", params.get("reply_to_message_id"))
        if target is None:
            return None
        message = self._messages.get((chat_id, as_int(target, "message_id")))
        lenient = reply_parameters.get(
            "allow_sending_without_reply", params.get("allow_sending_without_reply")
        )
        if message is None and not lenient:
            raise bad_request("message to be replied not found")
        return message

    @staticmethod
    def _fill_text(message: JsonDict, parsed: ParsedHtml, markup: JsonDict | None) -> None:
        message["text"] = parsed.text
        message.pop("entities", None)
        if parsed.entities:
            message["entities"] = copy.deepcopy(parsed.entities)
        message.pop("reply_markup", None)
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = copy.deepcopy(markup)

    @staticmethod
    def _sent_record(
        params: Params, message: JsonDict, parsed: ParsedHtml, markup: JsonDict | None
    ) -> JsonDict:
        reply_parameters = params.get("reply_parameters")
        reply_to = params.get("reply_to_message_id")
        if reply_to is None and isinstance(reply_parameters, dict):
            reply_to = reply_parameters.get("message_id")
        return {
            "chat_id": message["chat"]["id"],
            "message_id": message["message_id"],
            "text": params.get("text"),
            "visible_text": parsed.text,
            "parse_mode": params.get("parse_mode"),
            "reply_markup": copy.deepcopy(markup),
            "reply_parameters": copy.deepcopy(reply_parameters),
            "reply_to_message_id": reply_to,
            "message_thread_id": params.get("message_thread_id"),
            "link_preview_options": params.get("link_preview_options"),
            "disable_notification": params.get("disable_notification"),
            "params": copy.deepcopy(params),
            "stalled": False,
            "time": time.monotonic(),
        }

    def _edit_message_text(self, params: Params) -> JsonDict | bool:
        with self._cond:
            parsed = check_text(params, "text", strict=self.strict_html)
            markup = check_reply_markup(params.get("reply_markup"))
            if params.get("inline_message_id"):
                self._edits.append({"method": "editMessageText", "params": copy.deepcopy(params)})
                self._cond.notify_all()
                return True
            message = self._bot_message(params)
            before = (message.get("text"), message.get("entities"), message.get("reply_markup"))
            updated = copy.deepcopy(message)
            self._fill_text(updated, parsed, markup)
            return self._store_edit("editMessageText", params, message, updated, before)

    def _edit_message_reply_markup(self, params: Params) -> JsonDict | bool:
        with self._cond:
            markup = check_reply_markup(params.get("reply_markup"))
            if params.get("inline_message_id"):
                self._edits.append(
                    {"method": "editMessageReplyMarkup", "params": copy.deepcopy(params)}
                )
                self._cond.notify_all()
                return True
            message = self._bot_message(params)
            before = (message.get("text"), message.get("entities"), message.get("reply_markup"))
            updated = copy.deepcopy(message)
            updated.pop("reply_markup", None)
            if markup is not None and "inline_keyboard" in markup:
                updated["reply_markup"] = copy.deepcopy(markup)
            return self._store_edit("editMessageReplyMarkup", params, message, updated, before)

    def _store_edit(
        self, method: str, params: Params, old: JsonDict, new: JsonDict, before: tuple[Any, ...]
    ) -> JsonDict:
        if (new.get("text"), new.get("entities"), new.get("reply_markup")) == before:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        new["edit_date"] = int(time.time())
        self._messages[(old["chat"]["id"], old["message_id"])] = new
        self._edits.append(
            {
                "method": method,
                "chat_id": old["chat"]["id"],
                "message_id": old["message_id"],
                "text": params.get("text"),
                "visible_text": new.get("text"),
                "parse_mode": params.get("parse_mode"),
                "reply_markup": copy.deepcopy(new.get("reply_markup")),
                "params": copy.deepcopy(params),
            }
        )
        self._cond.notify_all()
        return copy.deepcopy(new)

    def _delete_message(self, params: Params) -> bool:
        with self._cond:
            chat = self._require_chat(params.get("chat_id"))
            key = (chat["id"], as_int(params.get("message_id"), "message_id"))
            if self._messages.pop(key, None) is None:
                raise bad_request("message to delete not found")
            self._deleted.append(key)
            self._cond.notify_all()
            return True

    def _answer_callback_query(self, params: Params) -> bool:
        with self._cond:
            query_id = str(params.get("callback_query_id") or "")
            if query_id not in self._open_callbacks:
                raise bad_request(
                    "query is too old and response timeout expired or query ID is invalid"
                )
            text = params.get("text")
            if isinstance(text, str) and len(text) > MAX_CALLBACK_ANSWER_CHARS:
                raise bad_request("MESSAGE_TOO_LONG")
            self._callback_answers.append(copy.deepcopy(params))
            self._cond.notify_all()
            return True

    def _answer_inline_query(self, params: Params) -> bool:
        with self._cond:
            query_id = str(params.get("inline_query_id") or "")
            if query_id not in self._open_inline:
                raise bad_request(
                    "query is too old and response timeout expired or query ID is invalid"
                )
            results = params.get("results")
            if not isinstance(results, list):
                raise bad_request("can't parse inline query results JSON object")
            if len(results) > MAX_INLINE_RESULTS:
                raise bad_request("RESULTS_TOO_MUCH")
            self._check_inline_results(results)
            self._inline_answers.append(copy.deepcopy(params))
            self._cond.notify_all()
            return True

    def _check_inline_results(self, results: list[Any]) -> None:
        seen: set[str] = set()
        for result in results:
            if not isinstance(result, dict):
                raise bad_request("can't parse inline query result: object expected")
            result_id = str(result.get("id", ""))
            if not 1 <= len(result_id.encode("utf-8")) <= MAX_INLINE_RESULT_ID_BYTES:
                raise bad_request("RESULT_ID_INVALID")
            if result_id in seen:
                raise bad_request("RESULT_ID_DUPLICATE")
            seen.add(result_id)
            content = result.get("input_message_content")
            if isinstance(content, dict) and "message_text" in content:
                check_text(content, "message_text", strict=self.strict_html)
            check_reply_markup(result.get("reply_markup"))

    def _set_my_commands(self, params: Params) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > MAX_COMMANDS:
            raise bad_request("commands must be an array of at most 100 BotCommand objects")
        for command in commands:
            name = command.get("command") if isinstance(command, dict) else None
            if not isinstance(name, str) or not BOT_COMMAND_NAME_RE.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            description = command.get("description")
            if (
                not isinstance(description, str)
                or not 1 <= len(description) <= MAX_COMMAND_DESCRIPTION
            ):
                raise bad_request("command description must be non-empty and short")
        with self._cond:
            key = self._command_key(params.get("scope"), params.get("language_code"))
            self._commands[key] = copy.deepcopy(commands)
            self._cond.notify_all()
        return True

    def _get_my_commands(self, params: Params) -> list[JsonDict]:
        return self.commands_for(params.get("scope"), str(params.get("language_code") or ""))

    def _delete_my_commands(self, params: Params) -> bool:
        with self._cond:
            self._commands.pop(
                self._command_key(params.get("scope"), params.get("language_code")), None
            )
            self._cond.notify_all()
        return True

    def _set_text_setting(self, params: Params, kind: str, limit: int) -> bool:
        text = str(params.get(kind) or "")
        if len(text) > limit:
            raise bad_request(f"{kind} is too long")
        with self._cond:
            self._descriptions[(kind, str(params.get("language_code") or ""))] = text
            self._cond.notify_all()
        return True

    def _get_text_setting(self, params: Params, kind: str) -> JsonDict:
        with self._cond:
            language = str(params.get("language_code") or "")
            text = self._descriptions.get((kind, language), self._descriptions.get((kind, ""), ""))
        return {kind: text}

    def _set_my_description(self, params: Params) -> bool:
        return self._set_text_setting(params, "description", MAX_DESCRIPTION)

    def _get_my_description(self, params: Params) -> JsonDict:
        return self._get_text_setting(params, "description")

    def _set_my_short_description(self, params: Params) -> bool:
        return self._set_text_setting(params, "short_description", MAX_SHORT_DESCRIPTION)

    def _get_my_short_description(self, params: Params) -> JsonDict:
        return self._get_text_setting(params, "short_description")

    def _set_webhook(self, params: Params) -> bool:
        url = str(params.get("url") or "")
        secret = params.get("secret_token")
        if secret is not None and not WEBHOOK_SECRET_RE.fullmatch(str(secret)):
            raise bad_request("bad webhook: secret token contains unallowed characters")
        # Telegram insists on HTTPS; plain http is accepted here so tests can use local servers.
        if url and urlsplit(url).scheme not in ("http", "https"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        with self._cond:
            if params.get("drop_pending_updates"):
                self._updates.clear()
            self._webhook = {}
            if url:
                self._webhook = {
                    "url": url,
                    "secret_token": secret,
                    "allowed_updates": params.get("allowed_updates"),
                    "max_connections": params.get("max_connections"),
                    "ip_address": params.get("ip_address"),
                    "has_custom_certificate": isinstance(params.get("certificate"), UploadedFile),
                }
            self._cond.notify_all()
        return True

    def _delete_webhook(self, params: Params) -> bool:
        with self._cond:
            if params.get("drop_pending_updates"):
                self._updates.clear()
            self._webhook = {}
            self._cond.notify_all()
        return True

    def _get_webhook_info(self, params: Params) -> JsonDict:
        with self._cond:
            info: JsonDict = {
                "url": self._webhook.get("url", ""),
                "has_custom_certificate": bool(self._webhook.get("has_custom_certificate")),
                "pending_update_count": len(self._updates),
            }
            for key in ("max_connections", "allowed_updates", "ip_address"):
                if self._webhook.get(key) is not None:
                    info[key] = self._webhook[key]
            return info

    def _send_chat_action(self, params: Params) -> bool:
        with self._cond:
            chat = self._require_chat(params.get("chat_id"))
            if params.get("action") not in CHAT_ACTIONS:
                raise bad_request("wrong parameter action in request")
            self._chat_actions.append({"chat_id": chat["id"], **copy.deepcopy(params)})
            self._cond.notify_all()
            return True


def main(argv: list[str] | None = None) -> None:
    """Serve a FakeBotApi until Ctrl-C (for manual trials)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--username", default=DEFAULT_USERNAME)
    args = parser.parse_args(argv)
    api = FakeBotApi(args.token, username=args.username, host=args.host, port=args.port)
    with api:
        print(api.base_url, flush=True)  # first line: machine-readable base URL
        print(f"token: {args.token}", flush=True)
        print(
            f'push a message: curl -d \'{{"chat_id": 1, "text": "/start"}}\' '
            f"{api.root_url}/_fake/message ; replies: {api.root_url}/_fake/sent",
            flush=True,
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopping", flush=True)


if __name__ == "__main__":
    main()
