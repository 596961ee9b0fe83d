"""Every setting, read from the environment once into frozen values; the only reader of it.

Imports nothing from ``bot``: the layers below receive the values they need. A missing or
malformed setting raises SettingsError, whose message is one line naming the variable.
"""

from __future__ import annotations

import enum
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

TOKEN_VAR = "TELEGRAM_BOT_TOKEN"  # noqa: S105 - the variable's name, not a token
BASE_URL_VAR = "TELEGRAM_BASE_URL"
READ_TIMEOUT_VAR = "TELEGRAM_READ_TIMEOUT"
MODE_VAR = "BOT_MODE"
RATE_LIMIT_VAR = "BOT_RATE_LIMIT"
DATA_DIR_VAR = "BOT_DATA_DIR"
FLOOD_BURST_VAR = "BOT_FLOOD_BURST"
FLOOD_PER_MINUTE_VAR = "BOT_FLOOD_PER_MINUTE"
LOG_LEVEL_VAR = "LOG_LEVEL"
WEBHOOK_URL_VAR = "WEBHOOK_URL"
WEBHOOK_LISTEN_VAR = "WEBHOOK_LISTEN"
WEBHOOK_PORT_VAR = "WEBHOOK_PORT"
WEBHOOK_SECRET_VAR = "WEBHOOK_SECRET"  # noqa: S105 - a name, not a secret
WEBHOOK_PATH_VAR = "WEBHOOK_PATH"
ROOT_VAR = "BOT_ROOT"
ADMIN_IDS_VAR = "BOT_ADMIN_IDS"
QUESTION_LOG_VAR = "BOT_QUESTION_LOG"
QUESTION_LOG_RETENTION_VAR = "BOT_QUESTION_LOG_RETENTION_DAYS"
DELIVERY_BUDGET_VAR = "BOT_DELIVERY_BUDGET"
HEALTH_MAX_WAIT_VAR = "BOT_HEALTH_MAX_WAIT"
CONFLICT_TIMEOUT_VAR = "BOT_CONFLICT_TIMEOUT"
CACHE_DIR_VAR = "BOT_CACHE_DIR"
XDG_CACHE_HOME_VAR = "XDG_CACHE_HOME"
HOME_VAR = "HOME"

# Every variable the bot reads (tests clear them; the docs list them).
ALL_VARS = (
    TOKEN_VAR,
    BASE_URL_VAR,
    READ_TIMEOUT_VAR,
    MODE_VAR,
    RATE_LIMIT_VAR,
    DATA_DIR_VAR,
    FLOOD_BURST_VAR,
    FLOOD_PER_MINUTE_VAR,
    LOG_LEVEL_VAR,
    WEBHOOK_URL_VAR,
    WEBHOOK_LISTEN_VAR,
    WEBHOOK_PORT_VAR,
    WEBHOOK_SECRET_VAR,
    WEBHOOK_PATH_VAR,
    ROOT_VAR,
    ADMIN_IDS_VAR,
    QUESTION_LOG_VAR,
    QUESTION_LOG_RETENTION_VAR,
    DELIVERY_BUDGET_VAR,
    HEALTH_MAX_WAIT_VAR,
    CONFLICT_TIMEOUT_VAR,
    CACHE_DIR_VAR,
)

# @BotFather tokens are "<bot id>:<35 characters of A-Z a-z 0-9 _ ->"; 30 leaves room for
# variation while still refusing obvious mistakes (a bare id, a placeholder, a pasted URL).
TOKEN_RE = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{30,}")
# Telegram's rule for setWebhook's secret_token: 1-256 of A-Z a-z 0-9 _ -.
WEBHOOK_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Placeholders python-telegram-bot replaces in base_url (any other {...} is a KeyError there).
BASE_URL_PLACEHOLDERS = frozenset({"{token}", "{bot_token}", "{bot-token}"})
PLACEHOLDER_RE = re.compile(r"\{[^}]*\}")

DEFAULT_DATA_DIR = Path("data")  # answered-update ids live here; small, safe to delete
# The parsed knowledge files are kept here, under the user's cache directory (XDG's, else
# ~/.cache): a few hundred KB, safe to delete, rebuilt when a file changes.
CACHE_DIRNAME = "inspection-qa-bot"
QUESTION_LOG_FILENAME = "questions.sqlite3"  # in the data directory
# Three months of questions show what people keep asking; older ones are pruned.
DEFAULT_RETENTION_DAYS = 90
MAX_RETENTION_DAYS = 3650  # ten years: anything longer is a typo, not a policy
# python-telegram-bot 22 reads this to return durations as timedelta (its future default).
PTB_TIMEDELTA_VAR = "PTB_TIMEDELTA"
# The checkout this package lives in: knowledge/ and intents.yaml, when installed editable.
CHECKOUT = Path(__file__).resolve().parent.parent
# Telegram answers sendMessage in well under a second; a generous read timeout turns a slow
# but working server into a late answer instead of a retry that might duplicate it.
DEFAULT_READ_TIMEOUT = 15.0
MAX_READ_TIMEOUT = 300.0  # beyond five minutes a "time-out" no longer protects anything
# Messages one person may send over the bot's answers (before the last one is answered)
# before the warning; someone who waits for each answer is never counted at all.
DEFAULT_FLOOD_BURST = 8
# Sustained rate once warned, before answers resume: one message every three seconds.
DEFAULT_FLOOD_PER_MINUTE = 20
MAX_FLOOD_SETTING = 10_000  # anything larger is a typo, not a policy
# Seconds all the tries of one answer may take (retries, 429 waits): someone who has waited
# half a minute has given up on it, and their next question waits behind it.
DEFAULT_DELIVERY_BUDGET = 30.0
MAX_DELIVERY_BUDGET = 300.0
# The health check fails when an answer has been in hand this long, or a chat's next
# question has not been taken up this long: twice the delivery budget, and a margin.
DEFAULT_HEALTH_MAX_WAIT = 90.0
MAX_HEALTH_MAX_WAIT = 86_400.0  # Telegram keeps updates a day; longer means "never"
# Seconds of 409 Conflict (another instance polling with the token) before a newly started
# bot gives way and exits: a rolling deploy's old instance stops well within a minute.
DEFAULT_CONFLICT_TIMEOUT = 60.0
MAX_CONFLICT_TIMEOUT = 3_600.0
# Only this host by default: the reverse proxy in front forwards to it. A container (whose
# proxy is elsewhere) sets WEBHOOK_LISTEN=0.0.0.0, as the Dockerfile does.
DEFAULT_WEBHOOK_LISTEN = "127.0.0.1"
DEFAULT_WEBHOOK_PORT = 8443  # one of the four ports Telegram delivers webhooks to
MAX_PORT = 65_535
# logging's numbers for its levels, written out: only the Telegram bot logs, so `ask` need
# not import logging to read its settings (a test checks them against logging's own).
LOG_LEVEL_NUMBERS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
LOG_LEVELS = tuple(LOG_LEVEL_NUMBERS)
TRUE_WORDS = frozenset({"on", "true", "yes", "1"})
FALSE_WORDS = frozenset({"off", "false", "no", "0"})


class SettingsError(ValueError):
    """A setting is missing or malformed; str() is one line naming the variable."""


@dataclass(frozen=True, slots=True)
class QuestionLogSettings:
    """Whether to keep the question log, where, and for how long."""

    enabled: bool = True
    path: Path = DEFAULT_DATA_DIR / QUESTION_LOG_FILENAME
    retention_days: int = DEFAULT_RETENTION_DAYS

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> QuestionLogSettings:
        """BOT_QUESTION_LOG, BOT_QUESTION_LOG_RETENTION_DAYS, under BOT_DATA_DIR."""
        return cls(
            enabled=_switch(env, QUESTION_LOG_VAR, default=True),
            path=_data_dir(env) / QUESTION_LOG_FILENAME,
            retention_days=_retention(env),
        )


@dataclass(frozen=True, slots=True)
class CoreSettings:
    """What every command needs: the knowledge's folder and the data directory."""

    root: Path
    data_dir: Path = DEFAULT_DATA_DIR
    question_log: QuestionLogSettings = field(default_factory=QuestionLogSettings)
    health_max_wait: float = DEFAULT_HEALTH_MAX_WAIT  # what `python -m bot health` allows

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> CoreSettings:
        """Read and validate the shared settings; raise SettingsError on the first bad one."""
        return cls(
            root=_root(env) or default_root(),
            data_dir=_data_dir(env),
            question_log=QuestionLogSettings.from_env(env),
            health_max_wait=_health_max_wait(env),
        )


def environment() -> Mapping[str, str]:
    """The process environment (the one place it is read)."""
    return os.environ


def load_core() -> CoreSettings:
    """CoreSettings from the process environment."""
    return CoreSettings.from_env(environment())


def telegram_requested(env: Mapping[str, str] | None = None) -> bool:
    """Whether a bot token is set, so ``python -m bot`` runs the Telegram bot."""
    return bool((env if env is not None else environment()).get(TOKEN_VAR, "").strip())


def cache_dir(env: Mapping[str, str] | None = None) -> Path | None:
    """Where parsed knowledge files are kept, or None for no cache: BOT_CACHE_DIR (empty
    turns the cache off), else $XDG_CACHE_HOME/inspection-qa-bot, else
    ~/.cache/inspection-qa-bot. Never an error: a cache that cannot be written is skipped."""
    env = environment() if env is None else env
    value = env.get(CACHE_DIR_VAR)
    if value is not None:
        return Path(value.strip()) if value.strip() else None
    xdg = env.get(XDG_CACHE_HOME_VAR, "").strip()
    if xdg and Path(xdg).is_absolute():  # the XDG rule: a relative path is ignored
        return Path(xdg) / CACHE_DIRNAME
    home = env.get(HOME_VAR, "").strip()
    return Path(home) / ".cache" / CACHE_DIRNAME if home else None


def prefer_timedelta() -> None:
    """Ask python-telegram-bot for timedelta durations (set before it is imported)."""
    os.environ.setdefault(PTB_TIMEDELTA_VAR, "true")


def default_root() -> Path:
    """Where knowledge/ and intents.yaml live when BOT_ROOT is unset: the checkout or the cwd."""
    if (CHECKOUT / "intents.yaml").is_file():
        return CHECKOUT
    return Path.cwd()


class Mode(enum.StrEnum):
    """How updates reach the bot."""

    POLLING = "polling"
    WEBHOOK = "webhook"


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    """Where the bot listens for Telegram's webhook calls and the URL Telegram is given."""

    url: str
    listen: str = DEFAULT_WEBHOOK_LISTEN
    port: int = DEFAULT_WEBHOOK_PORT
    path: str = ""
    secret: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the Telegram adapter needs from the environment; the token is never shown."""

    token: str = field(repr=False)
    base_url: str | None = None
    read_timeout: float = DEFAULT_READ_TIMEOUT
    mode: Mode = Mode.POLLING
    rate_limit: bool = True
    data_dir: Path = DEFAULT_DATA_DIR
    flood_burst: int = DEFAULT_FLOOD_BURST
    flood_per_minute: int = DEFAULT_FLOOD_PER_MINUTE
    log_level: int = LOG_LEVEL_NUMBERS["INFO"]
    webhook: WebhookSettings | None = None
    # Where knowledge/ and intents.yaml are (BOT_ROOT, else the checkout or the cwd).
    root: Path = field(default_factory=default_root)
    admin_ids: frozenset[int] = frozenset()  # Telegram user ids allowed /reload and /stats
    question_log: QuestionLogSettings = field(default_factory=QuestionLogSettings)
    delivery_budget: float = DEFAULT_DELIVERY_BUDGET  # seconds for all the tries of one answer
    health_max_wait: float = DEFAULT_HEALTH_MAX_WAIT  # validated here too, so typos show at start
    conflict_timeout: float = DEFAULT_CONFLICT_TIMEOUT  # seconds of 409 before a newcomer exits

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in a log line."""
        hook = self.webhook.secret if self.webhook else ""
        return tuple(s for s in (self.token, hook) if s)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read and validate every setting; raise SettingsError on the first bad one."""
        mode = _mode(env)
        return cls(
            token=_token(env),
            base_url=_base_url(env),
            read_timeout=_number(env, READ_TIMEOUT_VAR, DEFAULT_READ_TIMEOUT, MAX_READ_TIMEOUT),
            mode=mode,
            rate_limit=_switch(env, RATE_LIMIT_VAR, default=True),
            data_dir=_data_dir(env),
            flood_burst=_count(env, FLOOD_BURST_VAR, DEFAULT_FLOOD_BURST, minimum=0),
            flood_per_minute=_count(env, FLOOD_PER_MINUTE_VAR, DEFAULT_FLOOD_PER_MINUTE),
            log_level=_log_level(env),
            webhook=_webhook(env) if mode is Mode.WEBHOOK else None,
            root=_root(env) or default_root(),
            admin_ids=parse_admin_ids(env.get(ADMIN_IDS_VAR, "")),
            question_log=QuestionLogSettings.from_env(env),
            delivery_budget=_number(
                env, DELIVERY_BUDGET_VAR, DEFAULT_DELIVERY_BUDGET, MAX_DELIVERY_BUDGET
            ),
            health_max_wait=_health_max_wait(env),
            conflict_timeout=_number(
                env, CONFLICT_TIMEOUT_VAR, DEFAULT_CONFLICT_TIMEOUT, MAX_CONFLICT_TIMEOUT
            ),
        )


def _health_max_wait(env: Mapping[str, str]) -> float:
    return _number(env, HEALTH_MAX_WAIT_VAR, DEFAULT_HEALTH_MAX_WAIT, MAX_HEALTH_MAX_WAIT)


def _get(env: Mapping[str, str], name: str) -> str | None:
    """The stripped value, or None when unset or blank."""
    value = env.get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def _token(env: Mapping[str, str]) -> str:
    raw = env.get(TOKEN_VAR)
    if raw is None:
        raise SettingsError(
            f"{TOKEN_VAR} is not set: ask @BotFather for a bot token and export it as {TOKEN_VAR}"
        )
    token = raw.strip()
    if not token:
        raise SettingsError(f"{TOKEN_VAR} is empty: set it to the token @BotFather gave you")
    if not TOKEN_RE.fullmatch(token):
        raise SettingsError(
            f"{TOKEN_VAR} is malformed: expected <bot id>:<secret> exactly as @BotFather "
            f"gives it (digits, a colon, then 30 or more letters, digits, '_' or '-')"
        )
    return token


def _base_url(env: Mapping[str, str]) -> str | None:
    value = _get(env, BASE_URL_VAR)
    if value is None:
        return None
    if any(ch.isspace() for ch in value):
        raise SettingsError(f"{BASE_URL_VAR} must not contain spaces")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(
            f"{BASE_URL_VAR} must be an http:// or https:// URL with a host, "
            f"such as http://127.0.0.1:8081/bot"
        )
    for placeholder in PLACEHOLDER_RE.findall(value):
        if placeholder.lower() not in BASE_URL_PLACEHOLDERS:
            raise SettingsError(
                f"{BASE_URL_VAR} may contain only the {{token}} placeholder, not {placeholder[:20]}"
            )
    if TOKEN_RE.search(value):
        raise SettingsError(
            f"{BASE_URL_VAR} must not contain the bot token: the token is appended for you"
        )
    return value


def _number(env: Mapping[str, str], name: str, default: float, maximum: float) -> float:
    value = _get(env, name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, not {value[:20]!r}") from None
    if not 0 < number <= maximum:
        raise SettingsError(f"{name} must be more than 0 and at most {maximum:g} seconds")
    return number


def _count(env: Mapping[str, str], name: str, default: int, *, minimum: int = 1) -> int:
    value = _get(env, name)
    if value is None:
        return default
    if not (value.isascii() and value.isdigit()):
        raise SettingsError(f"{name} must be a whole number, not {value[:20]!r}")
    number = int(value)
    if not minimum <= number <= MAX_FLOOD_SETTING:
        raise SettingsError(f"{name} must be between {minimum} and {MAX_FLOOD_SETTING}")
    return number


def _switch(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    value = _get(env, name)
    if value is None:
        return default
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SettingsError(f"{name} must be on or off, not {value[:20]!r}")


def _mode(env: Mapping[str, str]) -> Mode:
    value = _get(env, MODE_VAR)
    if value is None:
        return Mode.POLLING
    try:
        return Mode(value.lower())
    except ValueError:
        raise SettingsError(f"{MODE_VAR} must be polling or webhook, not {value[:20]!r}") from None


def _log_level(env: Mapping[str, str]) -> int:
    value = _get(env, LOG_LEVEL_VAR)
    if value is None:
        return LOG_LEVEL_NUMBERS["INFO"]
    name = value.upper()
    if name not in LOG_LEVEL_NUMBERS:
        raise SettingsError(f"{LOG_LEVEL_VAR} must be one of {', '.join(LOG_LEVELS)}")
    return LOG_LEVEL_NUMBERS[name]


def _data_dir(env: Mapping[str, str]) -> Path:
    value = _get(env, DATA_DIR_VAR)
    path = Path(value) if value is not None else DEFAULT_DATA_DIR
    if path.exists() and not path.is_dir():
        raise SettingsError(f"{DATA_DIR_VAR} must be a directory, but it names a file")
    return path


def _root(env: Mapping[str, str]) -> Path | None:
    value = _get(env, ROOT_VAR)
    if value is None:
        return None
    path = Path(value)
    if not path.is_dir():
        raise SettingsError(
            f"{ROOT_VAR} must be a directory holding knowledge/ and intents.yaml, "
            f"not {value[:40]!r}"
        )
    return path


def parse_admin_ids(value: str) -> frozenset[int]:
    """BOT_ADMIN_IDS: comma-separated Telegram user ids; empty means no admins."""
    ids: set[int] = set()
    for part in value.split(","):
        item = part.strip()
        if not item:
            continue
        if not (item.isascii() and item.isdigit()) or int(item) == 0:
            raise SettingsError(
                f"{ADMIN_IDS_VAR} must be Telegram user ids (positive whole numbers) separated "
                f"by commas, not {item[:20]!r}"
            )
        ids.add(int(item))
    return frozenset(ids)


def _retention(env: Mapping[str, str]) -> int:
    value = _get(env, QUESTION_LOG_RETENTION_VAR)
    if value is None:
        return DEFAULT_RETENTION_DAYS
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_RETENTION_DAYS:
        raise SettingsError(
            f"{QUESTION_LOG_RETENTION_VAR} must be a whole number of days from 1 to "
            f"{MAX_RETENTION_DAYS}, not {value[:20]!r}"
        )
    return int(value)


def _webhook(env: Mapping[str, str]) -> WebhookSettings:
    url = _get(env, WEBHOOK_URL_VAR)
    if url is None:
        raise SettingsError(
            f"{WEBHOOK_URL_VAR} is not set: webhook mode needs the public https:// URL "
            f"Telegram should call"
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"{WEBHOOK_URL_VAR} must be an https:// URL with a host")
    if TOKEN_RE.search(url):
        raise SettingsError(f"{WEBHOOK_URL_VAR} must not contain the bot token")
    secret = env.get(WEBHOOK_SECRET_VAR, "").strip()
    if not secret:
        raise SettingsError(
            f"{WEBHOOK_SECRET_VAR} is not set: webhook mode needs a secret so strangers cannot "
            f"post fake updates (1-256 characters of A-Z, a-z, 0-9, _ and -)"
        )
    if not WEBHOOK_SECRET_RE.fullmatch(secret):
        raise SettingsError(
            f"{WEBHOOK_SECRET_VAR} must be 1-256 characters of A-Z, a-z, 0-9, _ and - only"
        )
    listen = _get(env, WEBHOOK_LISTEN_VAR) or DEFAULT_WEBHOOK_LISTEN
    try:
        ipaddress.ip_address(listen)
    except ValueError:
        raise SettingsError(
            f"{WEBHOOK_LISTEN_VAR} must be an IP address such as 0.0.0.0 or 127.0.0.1"
        ) from None
    path = _get(env, WEBHOOK_PATH_VAR)
    if path is None:
        path = parts.path
    if any(ch.isspace() or ch in "?#" for ch in path):
        raise SettingsError(f"{WEBHOOK_PATH_VAR} must be a plain URL path such as /telegram")
    return WebhookSettings(
        url=url,
        listen=listen,
        port=_port(env),
        path=path.strip("/"),
        secret=secret,
    )


def _port(env: Mapping[str, str]) -> int:
    value = _get(env, WEBHOOK_PORT_VAR)
    if value is None:
        return DEFAULT_WEBHOOK_PORT
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_PORT:
        raise SettingsError(f"{WEBHOOK_PORT_VAR} must be a port number from 1 to {MAX_PORT}")
    return int(value)
