"""End to end: the question log, /stats, /reload and SIGHUP in the real Telegram Application."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.channels.telegram.handlers import ADMIN_MENU, ADMIN_PRIVATE_ONLY, COMMANDS
from bot.dialogue.reply import Reply
from bot.settings import QUESTION_LOG_FILENAME as LOG_FILENAME
from bot.storage.pidfile import PID_FILE
from bot.storage.question_log import ChatKind, NullQuestionLog
from tests.channels.telegram.test_reload import add_alias
from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram_fixtures import (
    ROOT,
    WAIT,
    BotProcess,
    RunningBot,
    bot_env,
    run_cli,
    running_bot,
    wait_polling,
)
from tests.support.telegram_html import validate_telegram_html

pytestmark = pytest.mark.slow  # the Telegram bot end to end

ADMIN = 90_001  # a private chat's id is its user's id
STRANGER = 4_242_421
STRANGER_NAME = "Zebediah"
GROUP = -100_555
BOT_USERNAME = "inspection_qa_bot"
FALLBACK = "who won the football?"
CONFIDENT = "why was staffordshire police chosen?"  # answered with confidence 0.73
Tables = dict[str, list[tuple[Any, ...]]]


def read_log(path: Path) -> Tables:
    """Every row of every table in the question log ({} while there is no file)."""
    if not path.exists():
        return {}
    with contextlib.closing(sqlite3.connect(path)) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {name: conn.execute(f"SELECT * FROM {name}").fetchall() for name in names}


def questions(bot: RunningBot) -> list[dict[str, Any]]:
    """The questions table as dicts."""
    if not bot.question_log.exists():
        return []
    with contextlib.closing(sqlite3.connect(bot.question_log)) as conn:
        conn.row_factory = sqlite3.Row
        with contextlib.suppress(sqlite3.OperationalError):  # no table yet
            return [dict(row) for row in conn.execute("SELECT * FROM questions ORDER BY id")]
    return []


def daily_counts(bot: RunningBot) -> list[tuple[str, str, str, int]]:
    """(chat_kind, outcome, intent, questions) for every row of daily_counts."""
    return sorted(row[1:] for row in read_log(bot.question_log).get("daily_counts", []))


async def eventually(check: Callable[[], bool], what: str) -> None:
    """Wait until ``check()`` holds: questions are recorded just after their answer is sent."""
    deadline = time.monotonic() + WAIT
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {WAIT}s: {what}")
        await asyncio.sleep(0.02)


def knowledge_copy(tmp_path: Path) -> Path:
    """A copy of knowledge/ and intents.yaml to edit while a bot runs on it."""
    root = tmp_path / "root"
    shutil.copytree(ROOT / "knowledge", root / "knowledge")
    shutil.copy(ROOT / "intents.yaml", root / "intents.yaml")
    return root


async def test_a_private_fallback_is_logged_without_who_asked() -> None:
    async with running_bot() as bot:
        answer = await bot.ask(STRANGER, FALLBACK, first_name=STRANGER_NAME)
        assert answer["visible_text"]
        await eventually(lambda: len(questions(bot)) == 1, "the fallback is logged")
        [row] = questions(bot)
        assert (row["chat_kind"], row["reason"], row["outcome"]) == (
            "private",
            "fallback",
            "fallback",
        )
        assert row["text"] == "who won the football"
        tables = read_log(bot.question_log)
        files = b"".join(p.read_bytes() for p in bot.data_dir.glob(f"{LOG_FILENAME}*"))
    assert set(tables) == {"questions", "daily_counts", "reviewed"}
    cells = [str(cell) for rows in tables.values() for r in rows for cell in r]
    for secret in (str(STRANGER), STRANGER_NAME, f"user{STRANGER}"):
        assert not any(secret in cell for cell in cells), secret
        assert secret.encode() not in files, secret


async def test_a_group_mention_is_logged_as_group() -> None:
    async with running_bot() as bot:
        for chat_type in ("group", "supergroup"):
            await bot.ask(
                GROUP - len(chat_type),
                f"@{BOT_USERNAME} {FALLBACK}",
                chat_type=chat_type,
                user_id=STRANGER,
                first_name=STRANGER_NAME,
            )
        await eventually(lambda: len(questions(bot)) == 2, "both group questions are logged")
        assert [(q["chat_kind"], q["text"]) for q in questions(bot)] == [
            ("group", "who won the football")
        ] * 2
        assert daily_counts(bot) == [("group", "fallback", "fallback", 2)]
        cells = str(read_log(bot.question_log))
    for secret in (str(GROUP - 5), str(GROUP - 10), str(STRANGER), STRANGER_NAME):
        assert secret not in cells


async def test_confident_answers_typed_or_pressed_are_only_counted() -> None:
    async with running_bot() as bot:
        greeting = await bot.ask(STRANGER, "/start")  # commands are not recorded
        pressed = await bot.press(
            STRANGER, greeting["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        )
        assert "good practice" in pressed["visible_text"]
        typed = await bot.ask(STRANGER, CONFIDENT)
        assert typed["visible_text"] == pressed["visible_text"]
        bot.api.push_inline("why was staffordshire chosen")  # inline queries are not recorded
        assert await bot.api.wait_for_async(lambda: len(bot.api.inline_answers) == 1, WAIT)
        await bot.ask(STRANGER, "/help")
        expected = [("private", "answer", "force_selection", 2)]
        await eventually(lambda: daily_counts(bot) == expected, "two answers counted")
        assert questions(bot) == []


async def test_stats_for_an_admin_show_the_counts() -> None:
    async with running_bot(BOT_ADMIN_IDS=f"{ADMIN}, 7") as bot:
        await bot.ask(STRANGER, FALLBACK)
        await bot.ask(STRANGER + 1, CONFIDENT)
        await eventually(lambda: len(daily_counts(bot)) == 2, "both questions are counted")
        stats = (await bot.ask(ADMIN, "/stats"))["visible_text"]
        assert "Today (" in stats
        assert "2 questions, 50% fell back (1), 0 needed a clarifying question." in stats
        assert "Top intents: force_selection 1." in stats
        assert "1 x who won the football" in stats
        assert len(daily_counts(bot)) == 2  # /stats itself is not a question
        # the admins' menus list the admin commands; the public menu does not
        public = [{"command": c.command, "description": c.description} for c in COMMANDS]
        assert bot.api.commands == public
        for admin in (ADMIN, 7):
            scope = {"type": "chat", "chat_id": admin}
            assert [c["command"] for c in bot.api.commands_for(scope)] == [
                c.command for c in COMMANDS + ADMIN_MENU
            ]


async def test_admin_commands_from_anyone_else_get_help_and_are_logged_without_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    async with running_bot(BOT_ADMIN_IDS=str(ADMIN)) as bot:
        help_text = (await bot.ask(STRANGER, "/help"))["visible_text"]
        for command in ("/stats", "/reload", f"/stats@{BOT_USERNAME}"):
            reply = await bot.ask(STRANGER, command, first_name=STRANGER_NAME)
            assert reply["visible_text"] == help_text, command
        in_group = await bot.ask(GROUP, "/reload", chat_type="group", user_id=STRANGER)
        assert in_group["visible_text"] == help_text
        # an admin in a group is told to ask privately: replies show other people's questions
        admin_in_group = await bot.ask(GROUP, "/stats", chat_type="group", user_id=ADMIN)
        assert admin_in_group["visible_text"] == ADMIN_PRIVATE_ONLY
    refused = [r.getMessage() for r in caplog.records if "was refused" in r.getMessage()]
    assert refused == [
        f"an admin command (/{name}) was refused: the sender is not in BOT_ADMIN_IDS"
        for name in ("stats", "reload", "stats", "reload")
    ]
    assert str(STRANGER) not in caplog.text and STRANGER_NAME not in caplog.text


async def test_reload_from_an_admin_picks_up_an_edit_and_refuses_a_broken_one(
    tmp_path: Path,
) -> None:
    root = knowledge_copy(tmp_path)
    async with running_bot(BOT_ROOT=str(root), BOT_ADMIN_IDS=str(ADMIN)) as bot:
        before = await bot.ask(STRANGER, "why was tamworth chosen?")
        assert "Which force" in before["visible_text"]
        add_alias(root, "tamworth")
        reloaded = await bot.ask(ADMIN, "/reload")
        assert reloaded["visible_text"].startswith("Reloaded 3 forces, ")
        assert str(root) in reloaded["visible_text"]
        after = await bot.ask(STRANGER + 1, "why was tamworth chosen?")
        assert "good practice" in after["visible_text"]

        add_alias(root, "gmp")  # already Greater Manchester's
        refused = await bot.ask(ADMIN, "/reload")
        text = refused["visible_text"]
        assert text.startswith("Reload refused; still answering from the last good knowledge.")
        assert "forces.yaml:" in text and "].aliases: 'gmp' is already an alias" in text
        assert validate_telegram_html(refused["text"]) is None
        still = await bot.ask(STRANGER + 2, "why was tamworth chosen?")
        assert still["visible_text"] == after["visible_text"]
        gmp = await bot.ask(STRANGER + 3, "why was gmp chosen?")
        assert "Greater Manchester" in gmp["visible_text"]


class SpyLog(NullQuestionLog):
    """Notes how many answers the chat had received when each question was recorded."""

    def __init__(self, api: FakeBotApi, chat_id: int, *, fail: bool = False) -> None:
        self.api, self.chat_id, self.fail = api, chat_id, fail
        self.seen: list[tuple[ChatKind | str, int]] = []

    def record(self, reply: Reply, kind: ChatKind | str) -> None:
        self.seen.append((kind, self.api.sent_count(self.chat_id)))
        if self.fail:
            raise RuntimeError("a bug in the question log")


async def test_questions_are_recorded_after_the_answer_is_sent() -> None:
    async with running_bot() as bot:
        spy = SpyLog(bot.api, STRANGER)
        bot.runtime.handlers.question_log = spy
        greeting = await bot.ask(STRANGER, "/start")
        await bot.ask(STRANGER, FALLBACK)
        data = greeting["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        await bot.press(STRANGER, data)
        await eventually(lambda: len(spy.seen) == 2, "both questions are recorded")
        assert spy.seen == [(ChatKind.PRIVATE, 2), (ChatKind.PRIVATE, 3)]


async def test_a_failing_question_log_never_stops_an_answer(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    (tmp_path / LOG_FILENAME).write_bytes(b"this is not a database" * 100)
    async with running_bot(BOT_DATA_DIR=str(tmp_path)) as bot:
        for i in range(3):
            assert (await bot.ask(STRANGER, FALLBACK))["visible_text"], i
        bot.runtime.handlers.question_log = SpyLog(
            bot.api, STRANGER, fail=True
        )  # a bug, not a bad file
        assert "good practice" in (await bot.ask(STRANGER, CONFIDENT))["visible_text"]
        assert (
            "July 2012" in (await bot.ask(STRANGER, "when was the consultation?"))["visible_text"]
        )
    warnings = [r for r in caplog.records if r.name == "bot.storage.question_log"]
    assert len(warnings) == 1 and "file is not a database" in warnings[0].getMessage()
    assert "question log: recording failed" in caplog.text


async def test_with_the_question_log_off_no_file_is_written() -> None:
    async with running_bot(BOT_QUESTION_LOG="off", BOT_ADMIN_IDS=str(ADMIN)) as bot:
        await bot.ask(STRANGER, FALLBACK)
        await bot.ask(STRANGER, CONFIDENT)
        stats = await bot.ask(ADMIN, "/stats")
        assert "The question log is off" in stats["visible_text"]
        assert list(bot.data_dir.glob(f"{LOG_FILENAME}*")) == []


def wait_output(process: BotProcess, text: str, since: int = 0) -> None:
    """Block until ``text`` appears in the process's output after offset ``since``."""
    deadline = time.monotonic() + WAIT
    while text not in process.output[since:]:
        if time.monotonic() > deadline or process.process.poll() is not None:
            raise TimeoutError(f"{text!r} not logged; output:\n{process.output[-3000:]}")
        time.sleep(0.02)


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this platform")
def test_sighup_reloads_the_bot_process(tmp_path: Path) -> None:
    root = knowledge_copy(tmp_path)
    data = tmp_path / "data"
    with FakeBotApi() as api:
        settings = bot_env(api, data, BOT_ROOT=str(root), BOT_RATE_LIMIT="off", LOG_LEVEL="INFO")
        with BotProcess(settings) as process:
            wait_polling(api, 0)
            api.push_message(1, "why was tamworth chosen?")
            assert "Which force" in api.wait_for_messages(1, 1, WAIT)[0]["visible_text"]

            add_alias(root, "tamworth")
            mark = len(process.output)
            process.signal(signal.SIGHUP)
            wait_output(process, "Reloaded 3 forces", mark)
            api.push_message(2, "why was tamworth chosen?")
            answer = api.wait_for_messages(2, 1, WAIT)[0]["visible_text"]
            assert "good practice" in answer

            add_alias(root, "gmp")  # refused: the bot keeps the last good knowledge
            mark = len(process.output)
            process.signal(signal.SIGHUP)
            wait_output(process, "reload refused", mark)
            api.push_message(3, "why was tamworth chosen?")
            assert api.wait_for_messages(3, 1, WAIT)[0]["visible_text"] == answer

            process.signal(signal.SIGTERM)
            assert process.wait() == 0
            output = process.output
    assert "'gmp' is already an alias" in output and "Traceback" not in output
    assert f"logging unanswered questions to {data / LOG_FILENAME}" in output
    assert (data / LOG_FILENAME).is_file()  # the clarifying question was logged


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this platform")
def test_python_m_bot_reload_finds_the_bot_by_its_pid_file(tmp_path: Path) -> None:
    root = knowledge_copy(tmp_path)
    data = tmp_path / "data"
    with FakeBotApi() as api:
        settings = bot_env(api, data, BOT_ROOT=str(root), BOT_RATE_LIMIT="off")
        cli_env = {"BOT_DATA_DIR": str(data), "BOT_ROOT": str(root)}
        with BotProcess(settings) as process:
            wait_polling(api, 0)
            assert (data / PID_FILE).is_file()
            add_alias(root, "tamworth")
            reloaded = run_cli(cli_env, "reload")
            assert reloaded.returncode == 0, reloaded.stderr
            assert reloaded.stdout.startswith("Reloaded 3 forces, ")
            api.push_message(2, "why was tamworth chosen?")
            assert "good practice" in api.wait_for_messages(2, 1, WAIT)[0]["visible_text"]

            add_alias(root, "gmp")  # refused: the command says why and exits 1
            refused = run_cli(cli_env, "reload")
            assert refused.returncode == 1
            assert "Reload refused; still answering from the last good knowledge." in (
                refused.stderr
            )
            assert "'gmp' is already an alias" in refused.stderr

            process.signal(signal.SIGTERM)
            assert process.wait() == 0
    assert not (data / PID_FILE).exists()  # removed on a clean exit
    gone = run_cli(cli_env, "reload")
    assert gone.returncode == 1 and "no bot is running" in gone.stderr
