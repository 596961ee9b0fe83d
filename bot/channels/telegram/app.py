"""The Telegram bot: builds the python-telegram-bot Application and runs it (polling or webhook)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib.util
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter, Application, Defaults
from telegram.request import BaseRequest

from bot.channels.hangup import EarlyHangups
from bot.channels.telegram.delivery import Delivery, retry_after_seconds
from bot.channels.telegram.flood import Arrivals, FloodControl
from bot.channels.telegram.handlers import AnyQuestionLog, TelegramBot
from bot.channels.telegram.logs import configure_logging
from bot.channels.telegram.ordering import PerChatUpdateProcessor
from bot.channels.telegram.polling import (
    ALLOWED_UPDATES,
    BUDGETS_PER_UPDATE,
    Poller,
    PollingConflict,
)
from bot.channels.telegram.reloader import add_sighup_handler
from bot.channels.telegram.webhook import UpdateReceiver, WebhookServer
from bot.dialogue.assistant import Assistant
from bot.settings import (
    DATA_DIR_VAR,
    TOKEN_VAR,
    Mode,
    QuestionLogSettings,
    Settings,
    SettingsError,
    WebhookSettings,
    environment,
    prefer_timedelta,
)
from bot.storage.datadir import ensure_data_dir
from bot.storage.heartbeat import TOUCH_INTERVAL, Heartbeat
from bot.storage.journal import Journal
from bot.storage.pidfile import PidFile, write_reload_result
from bot.storage.question_log import NullQuestionLog, QuestionLog

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2  # bad settings, as for any other usage error
# Messages per second overall: under Telegram's "about 30", so that jitter between leaving
# here and arriving there never makes a burst look faster than the limit.
OVERALL_MAX_RATE = 28
CONNECT_TIMEOUT = 5.0  # seconds to open a connection to the Bot API (PTB's default)
# Extra seconds a getUpdates call may take beyond its long-poll wait before it counts as lost.
GET_UPDATES_READ_MARGIN = 5.0
GET_UPDATES_CONNECTIONS = 2  # the long poll, and the confirmation on the way out
STARTUP_BACKOFF_START = 1.0  # first pause when the Bot API cannot be reached at start-up
STARTUP_BACKOFF_MAX = 30.0  # the longest pause between start-up attempts
STARTUP_BACKOFF_FACTOR = 1.5
WEBHOOK_BOOTSTRAP_RETRIES = 3  # setWebhook attempts before giving up at start-up
WEBHOOK_RETRY_PAUSE = 1.0  # seconds between those attempts (as PTB's bootstrap waits)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


RATE_LIMITER_LOGGER = "telegram.ext.AIORateLimiter"
RATE_LIMITER_GAVE_UP = "Rate limit hit after maximum of %d retries"


class PassedOnToDelivery(logging.Filter):
    """Drops AIORateLimiter's error (with traceback) for each 429 it passes on untried:
    Delivery waits as Telegram asks, retries, and logs that itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep every record but that one."""
        return not (record.msg == RATE_LIMITER_GAVE_UP and record.args == (0,))


@dataclass(frozen=True, slots=True)
class Runtime:
    """One built bot: the PTB Application and our handlers (with their delivery stats)."""

    application: AnyApplication
    handlers: TelegramBot
    # SIGHUPs counted since the process started (python -m bot installs the counter first)
    early_hangups: EarlyHangups | None = None
    # BOT_DATA_DIR/bot.pid while the bot runs, for python -m bot reload
    pid_file: PidFile | None = None


def build(
    settings: Settings,
    assistant: Assistant,
    *,
    webhook: bool = False,
    log: AnyQuestionLog | None = None,
    root: Path | None = None,
    request: BaseRequest | None = None,
) -> Runtime:
    """The Application with our defaults, handlers and rate limiter; polling has no Updater.

    ``request`` replaces the HTTP transport (python-telegram-bot's seam): tests pass an
    in-process fake of the Bot API.

    ``log`` records the questions answered (none if omitted); ``root`` is where /reload and
    SIGHUP read knowledge/ and intents.yaml: pass the one ``assistant`` was loaded from
    (default: the root ``settings`` name).
    """
    arrivals = Arrivals()
    handlers = TelegramBot(
        assistant,
        delivery=Delivery(budget=settings.delivery_budget),
        flood=FloodControl(settings.flood_burst, settings.flood_per_minute),
        arrivals=arrivals,
        log=log,
        admin_ids=settings.admin_ids,
        root=root or settings.root,
    )
    builder = (
        Application.builder()
        .token(settings.token)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .post_init(handlers.post_init)
    )
    if request is None:
        builder = (
            builder.connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(settings.read_timeout)
            .write_timeout(settings.read_timeout)
            .get_updates_read_timeout(GET_UPDATES_READ_MARGIN)
            # two: the last confirming getUpdates on shutdown must not wait for the long
            # poll still holding the one connection (a pool time-out lost the confirmation)
            .get_updates_connection_pool_size(GET_UPDATES_CONNECTIONS)
        )
    else:
        builder = builder.request(request).get_updates_request(request)
    if settings.base_url:
        builder = builder.base_url(settings.base_url)
    if webhook:
        builder = builder.concurrent_updates(PerChatUpdateProcessor(arrivals=arrivals))
    # No Updater: polling is ours (confirm after answering), and so is the webhook server
    # (refuses oversized bodies unread, queues each update once).
    builder = builder.updater(None)
    application: AnyApplication
    if settings.rate_limit:
        # No retries inside the limiter (it would pause every chat for one chat's 429):
        # Delivery retries 429s itself, per request.
        limiter_log = logging.getLogger(RATE_LIMITER_LOGGER)
        if not any(isinstance(f, PassedOnToDelivery) for f in limiter_log.filters):
            limiter_log.addFilter(PassedOnToDelivery())
        limiter = AIORateLimiter(overall_max_rate=OVERALL_MAX_RATE, max_retries=0)
        application = builder.rate_limiter(limiter).build()
    else:
        application = builder.build()
    handlers.register(application)
    data_dir = settings.data_dir
    handlers.reloader.on_result = lambda result: write_reload_result(
        data_dir, result.ok, result.message
    )
    return Runtime(application, handlers, pid_file=PidFile(data_dir))


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop`` (a graceful stop) while the block runs."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in STOP_SIGNALS:
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or Windows
            continue
        installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


@contextlib.contextmanager
def reload_on_hangup(handlers: TelegramBot, early: EarlyHangups | None = None) -> Iterator[None]:
    """SIGHUP reloads the knowledge (as /reload does) while the block runs.

    ``early`` counted the SIGHUPs before the loop ran (one reload answers them all), and
    counts them again afterwards, so one sent during shutdown does not kill the bot.
    """
    loop = asyncio.get_running_loop()
    installed = add_sighup_handler(loop, handlers.reloader, early)
    try:
        yield
    finally:
        if installed:
            loop.remove_signal_handler(signal.SIGHUP)
            if early is not None:
                signal.signal(signal.SIGHUP, early)


def write_pid_file(runtime: Runtime) -> None:
    """Write the pid file; without it only ``python -m bot reload`` fails, so only warn."""
    if runtime.pid_file is None:
        return
    try:
        runtime.pid_file.write()
    except OSError as error:
        log.warning(
            "cannot write %s (%s): python -m bot reload will not find this bot; "
            "/reload and SIGHUP still work",
            runtime.pid_file.path,
            error.strerror,
        )


async def _initialize(application: AnyApplication, stop: asyncio.Event) -> bool:
    """getMe (retrying while the Bot API is unreachable), then post_init; False if stopped."""
    delay = STARTUP_BACKOFF_START
    while not stop.is_set():
        try:
            await application.initialize()
            break
        except InvalidToken:
            raise
        except NetworkError as error:
            log.warning("cannot reach the Bot API (%s); retrying in %.0f s", error.message, delay)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await stop.wait()
            delay = min(delay * STARTUP_BACKOFF_FACTOR, STARTUP_BACKOFF_MAX)
    if stop.is_set():
        return False
    if application.post_init is not None:
        await application.post_init(application)
    return True


async def _close(application: AnyApplication) -> None:
    if application.running:
        await application.stop()
    await application.shutdown()  # a no-op when initialize() never finished


async def _serve(runtime: Runtime, stop: asyncio.Event, body: Callable[[], Awaitable[None]]) -> int:
    """Run ``body`` between start-up and a clean shutdown, whatever the mode; exit status.

    Signals stop it gracefully (SIGHUP reloads the knowledge); a token Telegram refuses
    ends it with EXIT_FAILURE; the Application is always shut down.
    """
    application = runtime.application
    try:
        with stop_on_signals(stop), reload_on_hangup(runtime.handlers, runtime.early_hangups):
            write_pid_file(runtime)  # now that SIGHUP reloads
            if await _initialize(application, stop):
                await body()
    except InvalidToken:
        log.error("the Bot API refused %s: check it with @BotFather", TOKEN_VAR)
        return EXIT_FAILURE
    except PollingConflict as conflict:
        log.error("%s", conflict)
        return EXIT_FAILURE
    finally:
        if runtime.pid_file is not None:
            runtime.pid_file.remove()
        await _close(application)
        log.info("stopped; delivery: %s", runtime.handlers.delivery.stats.summary())
    return EXIT_OK


async def serve_polling(
    settings: Settings,
    assistant: Assistant,
    *,
    stop: asyncio.Event | None = None,
    runtime: Runtime | None = None,
) -> int:
    """Long polling through the update journal until SIGINT/SIGTERM (or ``stop``); exit status."""
    stop = stop or asyncio.Event()
    runtime = runtime or build(settings, assistant)
    application = runtime.application
    journal = Journal.open(settings.data_dir)

    async def poll() -> None:
        await application.start()
        log.info("polling for updates")
        poller = Poller(
            application,
            journal,
            heartbeat=Heartbeat(settings.data_dir, on_recreated=lambda: write_pid_file(runtime)),
            arrivals=runtime.handlers.arrivals,
            conflict_limit=settings.conflict_timeout,
            update_deadline=BUDGETS_PER_UPDATE * settings.delivery_budget,
        )
        await poller.run(stop)

    try:
        return await _serve(runtime, stop, poll)
    finally:
        journal.close()  # the poller closes it too; this covers a start-up that failed


async def serve_webhook(
    settings: Settings,
    assistant: Assistant,
    *,
    stop: asyncio.Event | None = None,
    runtime: Runtime | None = None,
    ready: asyncio.Event | None = None,
) -> int:
    """Our webhook server (bot.channels.telegram.webhook) until SIGINT/SIGTERM; exit status.

    ``ready`` is set once the server accepts requests.
    """
    hook = settings.webhook
    if hook is None:
        raise SettingsError("webhook mode needs webhook settings")
    stop = stop or asyncio.Event()
    runtime = runtime or build(settings, assistant, webhook=True)
    application = runtime.application

    async def listen() -> None:
        receiver = UpdateReceiver(application.bot, application.update_queue, hook.secret)
        server = WebhookServer(receiver, listen=hook.listen, port=hook.port, path=hook.path)
        server.start()  # before setWebhook: Telegram may call at once
        try:
            await _set_webhook(application, hook)
            await application.start()
            log.info("listening for webhook calls on %s:%d", hook.listen, hook.port)
            if ready is not None:
                ready.set()
            heartbeat = Heartbeat(settings.data_dir, on_recreated=lambda: write_pid_file(runtime))
            await _beat_until(heartbeat, stop)
        finally:
            await server.stop()
            log.info("webhook: %s", receiver.stats.summary())

    return await _serve(runtime, stop, listen)


async def _set_webhook(application: AnyApplication, hook: WebhookSettings) -> None:
    """setWebhook with the secret and our update kinds, retried a few times on network errors."""
    for attempt in range(WEBHOOK_BOOTSTRAP_RETRIES + 1):
        try:
            await application.bot.set_webhook(
                url=hook.url,
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=False,
                secret_token=hook.secret,
            )
        except RetryAfter as error:
            if attempt == WEBHOOK_BOOTSTRAP_RETRIES:
                raise
            await asyncio.sleep(retry_after_seconds(error))
        except NetworkError as error:  # TimedOut too
            if attempt == WEBHOOK_BOOTSTRAP_RETRIES:
                raise
            log.warning("setWebhook failed (%s); retrying", error.message)
            await asyncio.sleep(WEBHOOK_RETRY_PAUSE)
        else:
            return


async def _beat_until(heartbeat: Heartbeat, stop: asyncio.Event) -> None:
    """Touch the heartbeat every TOUCH_INTERVAL seconds until ``stop`` is set."""
    while not stop.is_set():
        heartbeat.beat()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(TOUCH_INTERVAL):
                await stop.wait()


def open_question_log(settings: QuestionLogSettings) -> AnyQuestionLog:
    """The question log the settings describe (BOT_QUESTION_LOG and friends)."""
    question_log = QuestionLog.open(settings)
    if isinstance(question_log, NullQuestionLog):
        log.info("the question log is off (BOT_QUESTION_LOG=off)")
    else:
        log.info("logging unanswered questions to %s", question_log.path)
    return question_log


def remember_missing_sniffio() -> None:
    """Make httpcore's per-request ``import sniffio`` fail at once when it is not installed.

    httpcore tries the import on every request and falls back to asyncio; each failed
    import searches sys.path again (about 7% of the bot's CPU under load, measured in
    benchmarks/). A None entry in sys.modules is Python's own "known missing" marker, so
    the import fails without the search and httpcore behaves exactly as before.
    """
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


def main(env: Mapping[str, str] | None = None, *, early_hangups: EarlyHangups | None = None) -> int:
    """``python -m bot telegram``: validate settings, load the core, serve; the exit status.

    ``early_hangups`` counted SIGHUPs from the process's first moment (see bot.channels.hangup).
    """
    environ = environment() if env is None else env
    remember_missing_sniffio()
    try:
        settings = Settings.from_env(environ)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings.log_level, settings.secrets)
    try:
        ensure_data_dir(settings.data_dir)
    except OSError as error:
        print(f"error: {DATA_DIR_VAR} cannot be created: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    return _run(settings, early_hangups)


def _run(settings: Settings, early_hangups: EarlyHangups | None) -> int:
    """Load the core and serve until stopped; the exit status."""
    # Opt into PTB's timedelta durations now, so each 429 does not log a deprecation warning.
    prefer_timedelta()
    root = settings.root
    assistant = Assistant.load(root)  # /reload and SIGHUP read the same root again
    webhook = settings.mode is Mode.WEBHOOK
    serve = serve_webhook if webhook else serve_polling
    question_log = open_question_log(settings.question_log)

    async def run() -> int:
        built = build(settings, assistant, webhook=webhook, log=question_log, root=root)
        runtime = dataclasses.replace(built, early_hangups=early_hangups)
        return await serve(settings, assistant, runtime=runtime)

    try:
        return asyncio.run(run())
    except Exception:  # logged through the redacting handler, never printed raw
        log.exception("the bot stopped on an unexpected error")
        return EXIT_FAILURE
    finally:
        question_log.close()
