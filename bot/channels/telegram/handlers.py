"""Telegram update handlers: they translate updates into core calls and replies into messages."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import secrets
from collections.abc import Hashable
from pathlib import Path
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatType, InlineQueryLimit, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.channels.telegram.delivery import Delivery
from bot.channels.telegram.flood import AnswerTimes, Arrivals, FloodControl, RecentTaps, Verdict
from bot.channels.telegram.reloader import Reloader
from bot.channels.telegram.render import Rendered, keyboard, render_reply, render_text
from bot.dialogue.assistant import Assistant
from bot.dialogue.reply import Outcome, Reply
from bot.storage.chat_kind import ChatKind
from bot.storage.question_log import NullQuestionLog, QuestionLog, utc_now
from bot.tools.stats import ADMIN_COMMANDS, is_admin, log_refused, stats_text

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
AnyApplication = Application[Any, Any, Any, Any, Any, Any]
AnyQuestionLog = QuestionLog | NullQuestionLog

# The menu Telegram shows; registered with setMyCommands at start-up.
COMMANDS = (
    BotCommand("start", "What I know, with questions to try"),
    BotCommand("help", "How to ask, with examples"),
    BotCommand("sources", "The page and reports my answers come from"),
    BotCommand("about", "What this bot is and is not"),
    BotCommand("reset", "Forget this chat's earlier questions"),
    BotCommand("privacy", "What this bot keeps, and for how long"),
)
# Added to the menu of each admin's private chat only (BotCommandScopeChat), never the public one.
ADMIN_MENU = (
    BotCommand("reload", "Reload knowledge/ and intents.yaml (admins)"),
    BotCommand("stats", "Questions and fallback rate, top unanswered (admins)"),
)
CORE_COMMANDS = ("start", "help", "sources", "about")
ADMIN_PRIVATE_ONLY = (
    "/reload and /stats work only in a private chat with me: their replies show other "
    "people's questions and the knowledge files' errors."
)
RESET_DONE = "Context cleared: I have forgotten this chat's earlier questions."
EXPIRED_BUTTON = "That button has expired. Please type your question instead."
NON_TEXT_NOTE = (
    "I can only read text messages. Please type your question, for example one of these."
)
UNKNOWN_COMMAND = "I don't know that command. Try /help, or simply type your question."
USER_FLOOD_WARNING = (
    "You are sending messages faster than I can answer them. I will wait until you slow "
    "down, then answer again."
)
GROUP_FLOOD_WARNING = (
    "This group is sending me more questions than I can answer at once. I will pause for a "
    "moment; please ask again shortly."
)
# A group shares one budget on top of each member's own: its replies stay under Telegram's
# 20 messages per minute per group, so the rate limiter never queues a long backlog.
GROUP_FLOOD_BURST = 10
GROUP_FLOOD_PER_MINUTE = 18
INLINE_RESULTS = 5  # answers offered in inline mode (Telegram shows a short list anyway)
INLINE_CACHE_SECONDS = 30  # short: answers change when the knowledge files do
INLINE_TITLE_CHARS = 64  # longer titles are cut off by Telegram clients
INLINE_DESCRIPTION_CHARS = 120
NO_INLINE_ANSWER = "No answer on the page for that"
UPDATE_KINDS = ("message", "edited_message", "callback_query", "inline_query")
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def update_kind(update: object) -> str:
    """The kind of update, e.g. "message" or "callback_query", for logs."""
    if isinstance(update, Update):
        for kind in UPDATE_KINDS:
            if getattr(update, kind) is not None:
                return kind
        return "other"
    return type(update).__name__


# A key drawn once per process: a chat's reference in the logs is the same in every line of
# one run, and says nothing of the chat's id (a private chat's id is the person's).
_CHAT_KEY = secrets.token_bytes(16)
CHAT_REF_BYTES = 4


def chat_ref(chat_id: int) -> str:
    """A chat as the logs name it: "~3f9a2c1b", a keyed hash of its id, stable within one
    run of the bot and unlinkable to the id or across restarts."""
    digest = hashlib.blake2b(str(chat_id).encode(), key=_CHAT_KEY, digest_size=CHAT_REF_BYTES)
    return f"~{digest.hexdigest()}"


def describe(update: object) -> str:
    """Where an update came from, for logs: id, kind and chat, never its text or chat id."""
    if not isinstance(update, Update):
        return "no update"
    chat = update.effective_chat
    where = f"chat {chat_ref(chat.id)} ({chat.type})" if chat else "no chat"
    return f"update {update.update_id} {update_kind(update)} in {where}"


class TelegramBot:
    """The handlers: thin translation between Telegram and the core's replies."""

    def __init__(
        self,
        assistant: Assistant,
        *,
        delivery: Delivery,
        flood: FloodControl,
        group_flood: FloodControl | None = None,
        taps: RecentTaps | None = None,
        arrivals: Arrivals | None = None,
        log: AnyQuestionLog | None = None,
        admin_ids: frozenset[int] = frozenset(),
        root: Path | None = None,
    ) -> None:
        self.assistant = assistant
        self.question_log: AnyQuestionLog = log if log is not None else NullQuestionLog()
        self.admin_ids = admin_ids
        self.root = root if root is not None else assistant.root  # what /reload and SIGHUP read
        self.reloader = Reloader(assistant, self.root)
        self.delivery = delivery
        self.flood = flood
        self.group_flood = group_flood or FloodControl(
            GROUP_FLOOD_BURST if flood.enabled else 0, GROUP_FLOOD_PER_MINUTE
        )
        self.taps = taps or RecentTaps()
        self.arrivals = arrivals  # filled by whoever receives updates (polling or webhook)
        self.answer_times = AnswerTimes()
        self._mention: re.Pattern[str] | None = None

    # ------------------------------------------------------------------ wiring

    def register(self, application: AnyApplication) -> None:
        """Add every handler and the error handler to ``application``."""
        new = filters.UpdateType.MESSAGE
        application.add_handlers(
            [
                CommandHandler(CORE_COMMANDS, self.on_command, filters=new),
                CommandHandler("reset", self.on_reset, filters=new),
                CommandHandler("privacy", self.on_privacy, filters=new),
                CommandHandler(ADMIN_COMMANDS, self.on_admin, filters=new),
                MessageHandler(new & filters.COMMAND, self.on_unknown_command),
                MessageHandler(
                    filters.UpdateType.MESSAGES & filters.TEXT & ~filters.COMMAND, self.on_text
                ),
                # a question typed as a photo's (or a document's) caption: read like text
                MessageHandler(filters.UpdateType.MESSAGES & filters.CAPTION, self.on_text),
                MessageHandler(new & ~filters.TEXT & ~filters.StatusUpdate.ALL, self.on_other),
                CallbackQueryHandler(self.on_button),
                InlineQueryHandler(self.on_inline),
            ]
        )
        application.add_error_handler(self.on_error)

    async def post_init(self, application: AnyApplication) -> None:
        """Register the command menus (only when they differ, to spare Telegram's limits).

        The public menu has no admin commands; each admin's private chat gets a menu with them.
        """
        bot: Bot = application.bot
        try:
            await self._set_menu(bot, COMMANDS)
        except TelegramError as error:
            log.warning("could not register the command menu: %s", error.message)
        texts = self.assistant.knowledge.bot
        try:  # the empty chat's "What can this bot do?" and the profile's share card
            await bot.set_my_description(texts.description)
            await bot.set_my_short_description(texts.short_description)
        except TelegramError as error:
            log.warning("could not set the bot's description: %s", error.message)
        failed = 0
        for admin in sorted(self.admin_ids):
            try:
                await self._set_menu(bot, COMMANDS + ADMIN_MENU, BotCommandScopeChat(admin))
            except TelegramError as error:  # usually "chat not found": they never wrote to the bot
                failed += 1
                log.debug("admin command menu not registered: %s", error.message)
        if failed:
            log.info(
                "the admin command menu is missing for %d of %d admins (an admin who has "
                "never written to the bot has no chat with it yet); /reload and /stats work "
                "anyway",
                failed,
                len(self.admin_ids),
            )
        log.info("running as @%s", bot.username)

    async def _set_menu(
        self, bot: Bot, commands: tuple[BotCommand, ...], scope: BotCommandScopeChat | None = None
    ) -> None:
        """Set the menu for ``scope`` (default: everyone) unless it is already ``commands``."""
        current = await self.delivery.call("getMyCommands", lambda: bot.get_my_commands(scope))
        if tuple(current) != commands:
            await self.delivery.call(
                "setMyCommands", lambda: bot.set_my_commands(commands, scope=scope)
            )

    # ------------------------------------------------------------------ handlers

    async def on_command(self, update: Update, context: Context) -> None:
        """/start, /help, /sources and /about: the core's canned replies."""
        message = update.effective_message
        if message is None or not message.text or not await self._admit(update, context.bot):
            return
        name = _command(message.text)
        if name == "start" and context.args:
            # a deep link, t.me/<bot>?start=<payload>: answer its question at once
            reply = self.assistant.deep_link(str(message.chat.id), context.args[0])
            if reply is not None:
                await self._send_reply(context.bot, message, reply)
                return
        await self._send_reply(context.bot, message, self.assistant.command(name))

    async def on_privacy(self, update: Update, context: Context) -> None:
        """/privacy: what is kept, from knowledge/bot.yaml and the question log's settings."""
        message = update.effective_message
        if message is None or not await self._admit(update, context.bot):
            return
        await self._send(context.bot, message, render_text(self.privacy_text()))

    def privacy_text(self) -> str:
        """The /privacy reply for the question log as it is configured."""
        texts = self.assistant.knowledge.bot
        if isinstance(self.question_log, NullQuestionLog) or not self.question_log.enabled:
            return texts.privacy_log_off
        days = self.question_log.retention.days
        return texts.privacy_log_on.replace("{retention_days}", str(days))

    async def on_admin(self, update: Update, context: Context) -> None:
        """/reload and /stats for BOT_ADMIN_IDS; anyone else gets /help (logged, without id)."""
        message = update.effective_message
        if message is None or not message.text or not await self._admit(update, context.bot):
            return
        name = _command(message.text)
        sender = message.from_user.id if message.from_user else None
        if not is_admin(sender, self.admin_ids):
            log_refused(name)
            await self._send_reply(context.bot, message, self.assistant.command("help"))
            return
        if message.chat.type != ChatType.PRIVATE:
            await self._send(context.bot, message, render_text(ADMIN_PRIVATE_ONLY))
            return
        if name == "reload":
            # Checked off the loop, swapped in between updates (see Reloader).
            text = (await self.reloader.reload()).message
        else:
            # Grouping a week of questions takes a moment: off the loop, so chats go on.
            text = await asyncio.to_thread(stats_text, self.question_log, utc_now())
        await self._send(context.bot, message, render_text(text))

    async def on_reset(self, update: Update, context: Context) -> None:
        """/reset: forget this chat's context."""
        message = update.effective_message
        if message is None or not await self._admit(update, context.bot):
            return
        self.assistant.reset(str(message.chat.id))
        await self._send(context.bot, message, render_text(RESET_DONE))

    async def on_unknown_command(self, update: Update, context: Context) -> None:
        """A command the bot does not have: a hint in private chats or when addressed."""
        message = update.effective_message
        if message is None or not message.text:
            return
        target = message.text.split(maxsplit=1)[0].partition("@")[2]
        private = message.chat.type == ChatType.PRIVATE
        if not private and target.lower() != (context.bot.username or "").lower():
            return
        if await self._admit(update, context.bot):
            await self._send(context.bot, message, render_text(UNKNOWN_COMMAND))

    async def on_text(self, update: Update, context: Context) -> None:
        """A question, new or edited, typed or as a caption: answered in private chats, or in
        groups when addressed (the same rules for both)."""
        message = update.effective_message
        if message is None or self._from_bot_itself(message, context.bot):
            return
        text = self.addressed_text(message, context.bot)
        if text is None:
            return
        flagged = self.assistant.at_risk(text)
        # Flood control never silences help for someone at risk: a child sending ten
        # messages in a panic gets the reply every time.
        if not flagged and not await self._admit(update, context.bot):
            return
        reply = self.ask(message.chat.id, text)
        try:
            await self._send_reply(
                context.bot, message, reply, quote_always=update.edited_message is not None
            )
        finally:  # recorded after the answer is out, so the log can never delay it
            self._record(reply, message.chat.type)

    async def on_other(self, update: Update, context: Context) -> None:
        """Stickers, photos, voice notes and the like: a short note in private chats only."""
        message = update.effective_message
        if message is None or message.chat.type != ChatType.PRIVATE:
            return
        if not await self._admit(update, context.bot):
            return
        starters = self.assistant.command("start").suggestions
        note = render_text(NON_TEXT_NOTE)
        markup = keyboard(starters, self.assistant.button_key)
        await self._send(context.bot, message, [Rendered(note[0].html, note[0].plain, markup)])

    async def on_button(self, update: Update, context: Context) -> None:
        """A button press: answered as if its text had been typed in that chat."""
        query = update.callback_query
        if query is None:
            return
        text = self.assistant.button_text(query.data) if query.data else None
        source = query.message
        if text is None or source is None:
            await self._answer_query(query, EXPIRED_BUTTON)
            return
        tap: Hashable = (source.chat.id, source.message_id, query.from_user.id, query.data)
        if self.taps.is_repeat(tap):
            await self._answer_query(query)
            return
        verdict = self._verdict(update, query.from_user.id, source.chat.id, source.chat.type)
        if verdict is not Verdict.ALLOW:
            warning = self._warning_for(source.chat.type) if verdict is Verdict.WARN else None
            await self._answer_query(query, warning)
            return
        await self._answer_query(query)
        reply = self.ask(source.chat.id, text)
        thread = (
            source.message_thread_id
            if isinstance(source, Message) and source.is_topic_message
            else None
        )
        messages = render_reply(reply, self.assistant.button_key)
        try:
            await self.delivery.send(context.bot, source.chat.id, messages, thread_id=thread)
        finally:
            self._record(reply, source.chat.type)
        self._answered(source.chat.id, query.from_user.id)

    async def on_inline(self, update: Update, context: Context) -> None:
        """Inline mode: the best stand-alone answers, or starter questions for an empty query.

        Not recorded in the question log: Telegram sends a query for each pause in typing, so
        the log would fill with half-typed questions.
        """
        query = update.inline_query
        if query is None:
            return
        text = query.query.strip()
        if text:
            replies = self.assistant.inline(text, limit=INLINE_RESULTS)
            pairs = [(_title(reply), reply) for reply in replies]
        else:
            starters = self.assistant.command("start").suggestions
            pairs = [(q, r) for q in starters for r in self.assistant.inline(q, limit=1)]
        limit = int(InlineQueryLimit.RESULTS)
        results = [_article(str(i), title, reply) for i, (title, reply) in enumerate(pairs)][:limit]
        try:
            await self.delivery.call(
                "answerInlineQuery",
                lambda: query.answer(results, cache_time=INLINE_CACHE_SECONDS, is_personal=False),
            )
        except BadRequest as error:  # usually "query is too old": the person typed on
            log.info("inline query not answered: %s", error.message)

    async def on_error(self, update: object, context: Context) -> None:
        """Log a failure with where it happened; the bot carries on with the next update."""
        error = context.error
        where = describe(update)
        if isinstance(error, Forbidden):
            log.info("%s: cannot send there (%s): blocked or removed", where, error.message)
        elif isinstance(error, BadRequest):
            log.warning("%s: Telegram refused a request: %s", where, error.message)
        elif isinstance(error, NetworkError | RetryAfter):
            log.warning("%s: gave up after retries: %s", where, error.message)
            log.debug("%s: the last error in detail", where, exc_info=error)
        else:
            log.error("%s: handler failed", where, exc_info=error)

    # ------------------------------------------------------------------ helpers

    def ask(self, chat_id: int, text: str) -> Reply:
        """The core's reply to ``text`` in this chat's context (typed or pressed alike).

        The caller records the reply in the question log once it is sent (see _record).
        """
        return self.assistant.reply(str(chat_id), text)

    def _record(self, reply: Reply, chat_type: str) -> None:
        """Count ``reply`` in the question log by chat kind only: nothing says who asked."""
        kind = ChatKind.PRIVATE if chat_type == ChatType.PRIVATE else ChatKind.GROUP
        try:
            self.question_log.record(reply, kind)
        except Exception:  # record() never raises; this guards the answer against a bug there
            log.exception("question log: recording failed")

    def addressed_text(self, message: Message, bot: Bot) -> str | None:
        """The question in ``message`` (its text, else its caption) if it is meant for the bot,
        mention removed; else None."""
        text = message.text or message.caption or ""
        if message.chat.type == ChatType.PRIVATE:
            return text
        mention = self._mention_pattern(bot.username or "")
        stripped, found = mention.subn(" ", text)
        if found:
            return " ".join(stripped.split())
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
            return text
        return None

    def _mention_pattern(self, username: str) -> re.Pattern[str]:
        if self._mention is None:
            self._mention = re.compile(rf"(?<![\w@])@{re.escape(username)}(?!\w)", re.IGNORECASE)
        return self._mention

    @staticmethod
    def _from_bot_itself(message: Message, bot: Bot) -> bool:
        """Messages the bot should never answer: its own inline answers, other bots."""
        if message.via_bot is not None and message.via_bot.id == bot.id:
            return True
        return message.from_user is not None and message.from_user.is_bot

    def _verdict(self, update: Update, user_id: int, chat_id: int, chat_type: str) -> Verdict:
        """Flood control for the person, then for the group; see FloodControl."""
        arrival = self.arrivals.pop(update.update_id) if self.arrivals else None
        over = self.answer_times.talked_over(("user", chat_id, user_id), arrival)
        verdict = self.flood.check(("user", user_id), talked_over=over)
        if verdict is Verdict.ALLOW and chat_type != ChatType.PRIVATE:
            over = self.answer_times.talked_over(("chat", chat_id), arrival)
            verdict = self.group_flood.check(("chat", chat_id), talked_over=over)
        return verdict

    def _answered(self, chat_id: int, user_id: int) -> None:
        """The bot has just answered this person in this chat."""
        self.answer_times.answered(("user", chat_id, user_id), ("chat", chat_id))

    @staticmethod
    def _sender(message: Message) -> int:
        """Who sent ``message``: the user, else (anonymous admins, channels) the chat."""
        return message.from_user.id if message.from_user else message.chat.id

    @staticmethod
    def _warning_for(chat_type: str) -> str:
        return USER_FLOOD_WARNING if chat_type == ChatType.PRIVATE else GROUP_FLOOD_WARNING

    async def _admit(self, update: Update, bot: Bot) -> bool:
        """Flood control for a message: True to answer; the one warning is sent here."""
        message = update.effective_message
        if message is None:
            return False
        sender = self._sender(message)
        verdict = self._verdict(update, sender, message.chat.id, message.chat.type)
        if verdict is Verdict.WARN:
            log.info("flood warning sent in a %s chat", message.chat.type)  # no ids
            await self._send(bot, message, render_text(self._warning_for(message.chat.type)))
        return verdict is Verdict.ALLOW

    async def _send_reply(
        self, bot: Bot, message: Message, reply: Reply, *, quote_always: bool = False
    ) -> None:
        if reply.outcome is Outcome.FALLBACK:
            log.debug("chat %s: no answer for this question", chat_ref(message.chat.id))
        messages = render_reply(reply, self.assistant.button_key)
        await self._send(bot, message, messages, quote_always=quote_always)

    async def _send(
        self, bot: Bot, message: Message, messages: list[Rendered], *, quote_always: bool = False
    ) -> None:
        """Send in the message's chat (and topic); in groups, quote the question."""
        quote = (
            message.message_id if quote_always or message.chat.type != ChatType.PRIVATE else None
        )
        thread = message.message_thread_id if message.is_topic_message else None
        await self.delivery.send(bot, message.chat.id, messages, quote=quote, thread_id=thread)
        self._answered(message.chat.id, self._sender(message))

    async def _answer_query(self, query: CallbackQuery, text: str | None = None) -> None:
        """Answer a callback query (stops the client's spinner); failures are only logged."""
        try:
            await self.delivery.call("answerCallbackQuery", lambda: query.answer(text))
        except TelegramError as error:
            log.info("callback query not answered: %s", error.message)


def _command(text: str) -> str:
    """The command's name in ``text``: "/Help@bot extra" -> "help"."""
    return text.split(maxsplit=1)[0][1:].partition("@")[0].lower()


def _title(reply: Reply) -> str:
    """An inline result's title: the answer's first sentence, or an honest "no answer"."""
    if reply.outcome is Outcome.FALLBACK:
        return NO_INLINE_ANSWER
    head, dot, _ = reply.text.partition(". ")
    return head + dot.strip()


def _article(result_id: str, title: str, reply: Reply) -> InlineQueryResultArticle:
    """One inline result: the reply as a message the person can send into their chat."""
    message = render_text(reply.text, source=reply.source)[0]
    return InlineQueryResultArticle(
        id=result_id,
        title=_shorten(title, INLINE_TITLE_CHARS),
        description=_shorten(reply.text, INLINE_DESCRIPTION_CHARS),
        input_message_content=InputTextMessageContent(
            message.html, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        ),
    )
