"""Tests for the fake Telegram Bot API server and the Telegram HTML validator."""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults, MessageHandler, filters
from telegram.request import HTTPXRequest

from tests.support.fake_bot_api import (
    DEFAULT_TOKEN,
    FakeBotApi,
    FaultPlan,
    FloodLimiter,
    normalize_params,
    parse_body,
)
from tests.support.telegram_html import (
    HtmlParseError,
    parse_telegram_html,
    validate_telegram_html,
    visible_length,
)

pytestmark = pytest.mark.slow  # the fake Bot API over real HTTP

REPO_ROOT = Path(__file__).resolve().parents[3]
CHAT = 1001
GROUP = -100200


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt into PTB's future RetryAfter.retry_after type (avoids its deprecation warning)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(api.token, base_url=api.base_url) as client:
        yield client


def post(url: str, body: bytes, content_type: str) -> tuple[int, dict[str, Any]]:
    """A raw HTTP POST, for checks below PTB's level."""
    request = urllib.request.Request(url, body, {"Content-Type": content_type}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return int(answer.status), json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return int(exc.code), json.loads(exc.read())


# ---------------------------------------------------------------------------------------------
# telegram_html
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "plain text",
        "<b>bold <i>italic <u>under <s>strike</s></u></i></b>",
        "<strong>a</strong><em>b</em><ins>c</ins><strike>d</strike><del>e</del>",
        '<span class="tg-spoiler">x</span> <tg-spoiler>y</tg-spoiler>',
        '<a href="https://example.org/?a=1&amp;b=&quot;2&quot;">link</a>',
        "<a href='tg://user?id=42'>user</a>",
        "1 &lt; 2 &amp;&amp; 3 &gt; 2 &quot;q&quot;",
        "&#128512; &#x1F600; &#60;",
        '<pre><code class="language-python">if a &lt; b: pass</code></pre>',
        "<blockquote>quote <b>bold</b></blockquote>",
        "<blockquote expandable>long quote</blockquote>",
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        '<tg-time unix="1700000000" format="wDT">Nov 14</tg-time>',
        "<B>upper-case tags</B>",
        "<b>bold <code>code</code></b>",
        "line one\nline two",
    ],
)
def test_valid_telegram_html(text: str) -> None:
    assert validate_telegram_html(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a<br>b", 'Unsupported start tag "br" at byte offset 1'),
        ("é<p>x</p>", 'Unsupported start tag "p" at byte offset 2'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("ends with <", "Unclosed start tag at byte offset 10"),
        ("a > b", 'Character ">" must be escaped as "&gt;" at byte offset 2'),
        ("fish & chips", 'Character "&" must be escaped as "&amp;" at byte offset 5'),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;" at byte offset 0'),
        ("&lt no semicolon", 'Character "&" must be escaped'),
        ("<b>never closed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<a href=https://example.org>x</a>", "Unexpected end of name token at byte offset 8"),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("<code><b>x</b></code>", 'Tag "b" can\'t be nested in "code"'),
        ("<pre><i>x</i></pre>", 'Tag "i" can\'t be nested in "pre"'),
        ("<a href='u'><code>x</code></a>", 'Tag "code" can\'t be nested in "a"'),
        ("<blockquote><blockquote>x</blockquote></blockquote>", "can't be nested in"),
        ("&#xD800;", "invalid Unicode characters"),
    ],
)
def test_invalid_telegram_html(text: str, expected: str) -> None:
    error = validate_telegram_html(text)
    assert error is not None
    assert error.startswith("can't parse entities: ")
    assert expected in error


def test_lenient_mode_accepts_what_tdlib_tolerates() -> None:
    for text in ("a > b", "fish & chips", "&nbsp;", "<code><b>x</b></code>"):
        assert validate_telegram_html(text, strict=False) is None
    assert validate_telegram_html("a<br>", strict=False) is not None


def test_visible_length_counts_text_after_parsing() -> None:
    assert visible_length("<b>ab</b> &lt;&#65;&gt;") == len("ab <A>")
    assert visible_length("😀") == 1
    with pytest.raises(HtmlParseError):
        visible_length("<br>")


def test_parse_builds_entities_with_utf16_offsets() -> None:
    parsed = parse_telegram_html(
        '😀<b>x</b><pre><code class="language-py">y</code></pre><a href="u">z</a>'
    )
    assert parsed.text == "😀xyz"
    assert parsed.entities == [
        {"type": "bold", "offset": 2, "length": 1},
        {"type": "pre", "offset": 3, "length": 1, "language": "py"},
        {"type": "text_link", "offset": 4, "length": 1, "url": "u"},
    ]


# ---------------------------------------------------------------------------------------------
# request parsing
# ---------------------------------------------------------------------------------------------
def test_form_values_are_decoded_by_parameter_name() -> None:
    body = b"chat_id=5&text=123&callback_query_id=42&show_alert=true&reply_markup=%7B%7D"
    params = normalize_params(parse_body("application/x-www-form-urlencoded", body))
    assert params == {
        "chat_id": 5,
        "text": "123",
        "callback_query_id": "42",
        "show_alert": True,
        "reply_markup": {},
    }


def test_json_bodies_typed_or_ptb_style() -> None:
    ptb_style = json.dumps({"chat_id": "5", "text": "[1]", "reply_markup": '{"a": 1}'})
    typed = json.dumps({"chat_id": 5, "text": "[1]", "reply_markup": {"a": 1}})
    expected = {"chat_id": 5, "text": "[1]", "reply_markup": {"a": 1}}
    for body in (ptb_style, typed):
        assert normalize_params(parse_body("application/json", body.encode())) == expected


def test_multipart_fields_and_files() -> None:
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="chat_id"\r\n\r\n7\r\n'
        b'--XyZ\r\nContent-Disposition: form-data; name="caption"\r\n\r\n\xc3\xa9\r\n'
        b'--XyZ\r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n\xff\xd8data\r\n--XyZ--\r\n"
    )
    params = normalize_params(parse_body("multipart/form-data; boundary=XyZ", body))
    assert params["chat_id"] == 7
    assert params["caption"] == "é"
    assert params["photo"].filename == "p.jpg"
    assert params["photo"].data == b"\xff\xd8data"


def test_raw_http_shapes(api: FakeBotApi) -> None:
    api.register_chat(CHAT)
    status, payload = post(
        f"{api.base_url}{api.token}/sendMessage",
        json.dumps({"chat_id": CHAT, "text": "via json"}).encode(),
        "application/json",
    )
    assert status == 200
    assert payload["result"]["text"] == "via json"
    assert post(f"{api.base_url}1:WRONG/getMe", b"", "")[1] == {
        "ok": False,
        "error_code": 401,
        "description": "Unauthorized",
    }
    assert post(f"{api.base_url}{api.token}/noSuchMethod", b"", "")[0] == 404
    assert post(f"{api.base_url}{api.token}/GETME", b"", "")[0] == 200  # case-insensitive


# ---------------------------------------------------------------------------------------------
# through python-telegram-bot
# ---------------------------------------------------------------------------------------------
async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "inspection_qa_bot", True)
    assert me.can_read_all_group_messages is False
    assert me.supports_inline_queries is True


async def test_wrong_token_and_unknown_method(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=api.base_url):
            pass
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")


async def test_pushed_message_arrives_with_entities(api: FakeBotApi, bot: Bot) -> None:
    update_id = api.push_message(CHAT, "/start@inspection_qa_bot hi @someone")
    (update,) = await bot.get_updates(timeout=0)
    message = update.message
    assert update.update_id == update_id
    assert message is not None and message.from_user is not None
    assert (message.chat.id, message.chat.type, message.from_user.id) == (CHAT, "private", CHAT)
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bot_command", 0, 24),
        ("mention", 28, 8),
    ]


async def test_offset_confirms_updates(api: FakeBotApi, bot: Bot) -> None:
    ids = [api.push_message(CHAT, f"q{i}") for i in range(3)]
    assert len(await bot.get_updates(timeout=0)) == 3
    assert len(await bot.get_updates(timeout=0)) == 3  # not confirmed yet
    assert [u.update_id for u in await bot.get_updates(offset=ids[1], timeout=0)] == ids[1:]
    assert api.pending_count() == 2
    assert await bot.get_updates(offset=ids[-1] + 1, timeout=0) == ()
    assert (api.pending_count(), api.confirmed_offset) == (0, ids[-1] + 1)


async def test_limit_and_allowed_updates(api: FakeBotApi, bot: Bot) -> None:
    api.push_message(CHAT, "one")
    api.push_inline("two")
    api.push_message(CHAT, "three")
    assert len(await bot.get_updates(limit=1, timeout=0)) == 1
    updates = await bot.get_updates(timeout=0, allowed_updates=["message"])
    assert [u.message.text for u in updates if u.message] == ["one", "three"]
    assert len(updates) == 2


async def test_long_poll_waits_then_wakes_on_push(api: FakeBotApi, bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=dtm.timedelta(seconds=0.4)) == ()
    assert time.monotonic() - started >= 0.35
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.3)
    assert not poll.done()
    started = time.monotonic()
    api.push_message(CHAT, "wake up")
    updates = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 1.0
    assert updates[0].message is not None and updates[0].message.text == "wake up"


async def test_second_poller_terminates_the_first(api: FakeBotApi, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    async with Bot(api.token, base_url=api.base_url) as other:
        assert await other.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await asyncio.wait_for(first, 2)


async def test_send_valid_html_is_recorded(api: FakeBotApi, bot: Bot) -> None:
    api.push_message(GROUP, "question", chat_type="supergroup", user_id=77)
    (update,) = await bot.get_updates(timeout=0)
    assert update.message is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more:1")]])
    message = await update.message.reply_text(
        "<b>Answer</b> &lt;3", parse_mode="HTML", reply_markup=keyboard, message_thread_id=9
    )
    assert message.text == "Answer <3"
    assert message.reply_to_message is not None
    assert message.reply_to_message.text == "question"
    (record,) = await api.wait_for_messages_async(GROUP, 1)
    assert record["chat_id"] == GROUP
    assert record["text"] == "<b>Answer</b> &lt;3"
    assert record["visible_text"] == "Answer <3"
    assert record["parse_mode"] == "HTML"
    assert record["reply_markup"] == {
        "inline_keyboard": [[{"text": "More", "callback_data": "more:1"}]]
    }
    assert record["reply_to_message_id"] == update.message.message_id
    assert record["message_thread_id"] == 9
    assert api.sent_texts(GROUP) == ["Answer <3"]


async def test_message_ids_increase(api: FakeBotApi, bot: Bot) -> None:
    api.register_chat(CHAT)
    first = await bot.send_message(CHAT, "a")
    second = await bot.send_message(CHAT, "b")
    assert second.message_id > first.message_id


async def test_invalid_html_is_refused(api: FakeBotApi, bot: Bot) -> None:
    api.register_chat(CHAT)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: unsupported start tag"):
        await bot.send_message(CHAT, "a<br>b", parse_mode="HTML")
    assert api.sent == []
    (error,) = api.errors
    assert error["method"] == "sendMessage"
    assert error["description"].startswith("Bad Request: can't parse entities: ")


async def test_text_length_is_checked_after_parsing(api: FakeBotApi, bot: Bot) -> None:
    api.register_chat(CHAT)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(CHAT, "x" * 4097)
    await bot.send_message(CHAT, "x" * 4096)
    await bot.send_message(CHAT, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(CHAT, "<b> </b>", parse_mode="HTML")
    assert len(api.sent) == 2


async def test_unknown_chat_is_refused(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "hello?")


async def test_callback_data_limit_is_in_bytes(api: FakeBotApi, bot: Bot) -> None:
    api.register_chat(CHAT)

    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data=data)]])

    await bot.send_message(CHAT, "ok", reply_markup=keyboard("x" * 64))
    for data in ("x" * 65, "é" * 33):  # 65 and 66 bytes
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(CHAT, "too long", reply_markup=keyboard(data))
    assert len(api.sent) == 1


async def test_callback_query_round_trip(api: FakeBotApi, bot: Bot) -> None:
    api.register_chat(CHAT)
    sent = await bot.send_message(CHAT, "pick")
    query_id = api.push_callback(CHAT, "pick:1")
    (update,) = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert query is not None and query.message is not None
    assert (query.id, query.data, query.message.message_id) == (query_id, "pick:1", sent.message_id)
    with pytest.raises(BadRequest):
        await query.answer("x" * 201)
    assert await query.answer("done")
    assert api.callback_answers[0]["text"] == "done"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("12345")


async def test_edit_and_delete(api: FakeBotApi, bot: Bot) -> None:
    api.register_chat(CHAT)
    sent = await bot.send_message(CHAT, "draft")
    edited = await bot.edit_message_text("<i>final</i>", CHAT, sent.message_id, parse_mode="HTML")
    assert isinstance(edited, type(sent)) and edited.text == "final"
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("<i>final</i>", CHAT, sent.message_id, parse_mode="HTML")
    assert await bot.delete_message(CHAT, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(CHAT, sent.message_id)
    assert api.edits[0]["visible_text"] == "final"
    assert api.deleted == [(CHAT, sent.message_id)]


async def test_inline_query_answers_are_validated(api: FakeBotApi, bot: Bot) -> None:
    query_id = api.push_inline("ofsted")

    def article(i: int, text: str) -> InlineQueryResultArticle:
        content = InputTextMessageContent(text, parse_mode="HTML")
        return InlineQueryResultArticle(str(i), f"t{i}", content)

    with pytest.raises(BadRequest, match=r"(?i)results_too_much"):
        await bot.answer_inline_query(query_id, [article(i, "x") for i in range(51)])
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.answer_inline_query(query_id, [article(1, "a & b")])
    await bot.answer_inline_query(query_id, [article(1, html.escape("a & b"))])
    (answer,) = api.inline_answers
    assert answer["results"][0]["input_message_content"]["message_text"] == "a &amp; b"


async def test_commands_descriptions_and_misc(api: FakeBotApi, bot: Bot) -> None:
    await bot.set_my_commands([("start", "Start"), ("help", "Help")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert api.commands == [
        {"command": "start", "description": "Start"},
        {"command": "help", "description": "Help"},
    ]
    with pytest.raises(BadRequest):
        await bot.set_my_commands([("Bad-Name", "x")])
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    await bot.set_my_description("Answers questions")
    await bot.set_my_short_description("Q&A")
    assert (await bot.get_my_short_description()).short_description == "Q&A"
    api.register_chat(CHAT)
    assert await bot.send_chat_action(CHAT, "typing")
    assert await bot.log_out() and await bot.close()


async def test_group_reply_to_bot(api: FakeBotApi, bot: Bot) -> None:
    api.push_message(GROUP, "hello", chat_type="group")
    await bot.get_updates(timeout=0)
    bot_message = await bot.send_message(GROUP, "I am the bot")
    last = api.push_message(GROUP, "follow-up", chat_type="group", reply_to_bot=True)
    updates = await bot.get_updates(offset=last, timeout=0)
    message = updates[0].message
    assert message is not None and message.reply_to_message is not None
    assert message.reply_to_message.message_id == bot_message.message_id
    assert message.reply_to_message.from_user is not None
    assert message.reply_to_message.from_user.id == bot.id


async def test_media_and_edited_updates_deserialize(api: FakeBotApi, bot: Bot) -> None:
    api.push_sticker(CHAT)
    api.push_photo(CHAT)
    api.push_voice(CHAT)
    api.push_message(CHAT, "typo")
    api.push_edited_message(CHAT, "fixed")
    api.push_raw({"message": {"message_id": 99, "date": 0, "chat": {"id": 5, "type": "private"}}})
    updates = await bot.get_updates(timeout=0)
    messages = [u.effective_message for u in updates]
    assert all(m is not None for m in messages)
    assert messages[0] is not None and messages[0].sticker is not None
    assert messages[1] is not None and messages[1].photo
    assert messages[2] is not None and messages[2].voice is not None
    assert updates[4].edited_message is not None
    assert updates[4].edited_message.text == "fixed"
    await bot.send_message(5, "chat learnt from a raw update")


# ---------------------------------------------------------------------------------------------
# reliability: faults and flood limits
# ---------------------------------------------------------------------------------------------
async def test_fault_plan_is_seeded_and_counted(api: FakeBotApi, bot: Bot) -> None:
    kinds = ("500", "502_html", "429", "disconnect")
    api.faults = FaultPlan(rate=0.3, kinds=kinds, retry_after=1, seed=7)
    replay = FaultPlan(rate=0.3, kinds=kinds, seed=7)
    predicted = [replay.choose("sendMessage") for _ in range(60)]
    api.register_chat(CHAT)
    outcomes: list[str | None] = []
    for i in range(60):
        try:
            await bot.send_message(CHAT, f"m{i}")
            outcomes.append(None)
        except RetryAfter:
            outcomes.append("429")
        except NetworkError as exc:
            assert not isinstance(exc, BadRequest)
            outcomes.append("500" if "Internal Server Error" in exc.message else "other")
    expected = [k if k in (None, "429", "500") else "other" for k in predicted]
    assert outcomes == expected
    faults = sum(k is not None for k in predicted)
    assert 0.15 <= faults / 60 <= 0.45
    assert api.fault_counts == dict(replay.injected)
    assert len(api.sent) == 60 - faults
    assert len(api.calls_to("sendMessage")) == 60
    assert (await bot.get_me()).id == 123456  # other methods are not faulted


async def test_stall_times_out_but_may_still_deliver(api: FakeBotApi) -> None:
    api.register_chat(CHAT)
    api.faults = FaultPlan(rate=1.0, kinds=("stall",), stall_seconds=0.5)
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(api.token, base_url=api.base_url, request=request) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(CHAT, "slow")
    assert api.sent == []
    assert await api.wait_for_async(lambda: len(api.sent) == 1, timeout=3)
    assert api.sent[0]["stalled"] is True
    assert api.fault_counts == {"stall": 1}


async def test_enforced_limits_raise_retry_after(api: FakeBotApi, bot: Bot) -> None:
    api.register_chat(CHAT)
    api.enforce_limits = True
    for i in range(3):  # the burst allowance
        await bot.send_message(CHAT, f"burst {i}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(CHAT, "one too many")
    assert caught.value.retry_after == dtm.timedelta(seconds=1)
    assert api.limit_violations == 1
    assert len(api.sent) == 3


def test_flood_limiter_group_and_global_limits() -> None:
    now = [0.0]
    limiter = FloodLimiter(clock=lambda: now[0])
    for _ in range(20):  # one message per 1.1 s keeps the per-chat bucket happy
        assert limiter.acquire(GROUP) is None
        now[0] += 1.1
    retry_after = limiter.acquire(GROUP)
    assert retry_after is not None and 30 <= retry_after <= 60
    overall = FloodLimiter(clock=lambda: 100.0)
    results = [overall.acquire(chat) for chat in range(1, 32)]
    assert results[:30] == [None] * 30
    assert results[30] == 1


# ---------------------------------------------------------------------------------------------
# webhooks, Application end to end, standalone mode
# ---------------------------------------------------------------------------------------------
class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str | None, dict[str, Any]]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(
            (self.headers.get("X-Telegram-Bot-Api-Secret-Token"), json.loads(body))
        )
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


async def test_webhook_mode(api: FakeBotApi, bot: Bot) -> None:
    receiver = HTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.received = []
    threading.Thread(target=receiver.serve_forever, args=(0.02,), daemon=True).start()
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    try:
        await bot.set_webhook(url, secret_token="s3cret")
        assert (await bot.get_webhook_info()).url == url
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates(timeout=0)
        update_id = api.push_message(CHAT, "via webhook")
        assert await asyncio.to_thread(api.deliver_pending_to_webhook) == [200]
        raw = {"message": {"message_id": 1, "date": 0, "chat": {"id": 8, "type": "private"}}}
        assert await asyncio.to_thread(api.post_update_to_webhook, url, raw) == 200
    finally:
        receiver.shutdown()
        receiver.server_close()
    (secret, first), (no_secret, second) = _Receiver.received
    assert (secret, first["update_id"], no_secret) == ("s3cret", update_id, None)
    assert Update.de_json(second, bot).effective_chat is not None
    assert api.pending_count() == 0
    await bot.delete_webhook()
    assert api.webhook == {}


async def test_application_polls_and_replies(api: FakeBotApi) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            f"<b>{html.escape(update.effective_message.text or '')}</b>"
        )

    app = (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .defaults(Defaults(parse_mode="HTML"))
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    api.push_message(CHAT, "is 1 < 2 & 3 > 2?")
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        await app.start()
        api.push_message(CHAT, "second")
        sent = await api.wait_for_messages_async(CHAT, 2)
        await app.updater.stop()
        await app.stop()
    assert [m["visible_text"] for m in sent] == ["is 1 < 2 & 3 > 2?", "second"]
    assert api.errors == []
    assert api.internal_errors == api.unsupported_calls == []
    assert api.pending_count() == 0
    assert "deleteWebhook" in [name for name, _ in api.calls]


def test_standalone_server_serves_another_process() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.fake_bot_api", "--port", "0"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        status, payload = post(f"{base_url}{DEFAULT_TOKEN}/getMe", b"", "")
        assert (status, payload["result"]["username"]) == (200, "inspection_qa_bot")
        control = base_url.removesuffix("/bot") + "/_fake/message"
        post(control, json.dumps({"chat_id": 3, "text": "hi"}).encode(), "application/json")
        _, updates = post(f"{base_url}{DEFAULT_TOKEN}/getUpdates", b"timeout=0", "")
        assert updates["result"][0]["message"]["text"] == "hi"
    finally:
        process.terminate()
        process.wait(timeout=5)
