"""End to end: the real Application polls a fake Bot API over HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.channels.telegram.handlers import (
    COMMANDS,
    EXPIRED_BUTTON,
    NON_TEXT_NOTE,
    RESET_DONE,
    UNKNOWN_COMMAND,
    USER_FLOOD_WARNING,
)
from bot.channels.telegram.render import MAX_MESSAGE_UNITS
from bot.dialogue.assistant import Assistant
from bot.tools.evaluation import load_turns
from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram_fixtures import ROOT, WAIT, running_bot, sent_count, subprocess_env
from tests.support.telegram_html import validate_telegram_html

pytestmark = pytest.mark.slow  # the Telegram bot end to end

PRIVATE = 501
GROUP = -100_777
BOT_USERNAME = "inspection_qa_bot"
SOURCE_LABEL = "\n\nSource: "
NASTY = '</b><a href=x> <script>&amp; *bold* _it_ [l](http://x) `c` ~s~ ||sp|| \\ > # & "q"'


def buttons(message: dict[str, object]) -> list[tuple[str, str]]:
    """(text, callback_data) of each inline button on a sent message."""
    markup = message.get("reply_markup")
    if not isinstance(markup, dict):
        return []
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


async def test_start_registers_commands_and_offers_three_buttons() -> None:
    async with running_bot() as bot:
        greeting = await bot.ask(PRIVATE, "/start")
        assert bot.api.commands == [
            {"command": c.command, "description": c.description} for c in COMMANDS
        ]
        assert greeting["parse_mode"] == "HTML"
        assert greeting["link_preview_options"] == {"is_disabled": True}
        assert "2012" in greeting["visible_text"]
        offered = buttons(greeting)
        assert len(offered) == 3
        assert all(len(data.encode()) <= 64 for _, data in offered)


async def test_question_follow_up_and_button_use_chat_context() -> None:
    async with running_bot() as bot:
        answer = await bot.ask(PRIVATE, "which forces were inspected?")
        assert "Staffordshire" in answer["visible_text"]
        assert "<i>Source: " in answer["text"]
        follow = await bot.ask(PRIVATE, "why was it chosen?")
        assert "Which force" in follow["visible_text"]
        choices = dict(buttons(follow))
        pressed = await bot.press(PRIVATE, choices["West Mercia Police"])
        assert "West Mercia" in pressed["visible_text"]
        assert "urban and rural" in pressed["visible_text"]
        again = await bot.ask(PRIVATE, "and what did inspectors find there?")
        assert "West Mercia" in again["visible_text"]
        assert len(bot.api.callback_answers) == 1


async def test_forged_and_stale_buttons_are_answered_politely() -> None:
    async with running_bot() as bot:
        await bot.ask(PRIVATE, "hello")
        for data in ("forged", "q000000000000", "x" * 64, "'; DROP TABLE chats; --"):
            bot.api.push_callback(PRIVATE, data)
        assert await bot.api.wait_for_async(lambda: len(bot.api.callback_answers) == 4, WAIT)
        assert {a.get("text") for a in bot.api.callback_answers} == {EXPIRED_BUTTON}
        assert len(bot.api.messages_for(PRIVATE)) == 1
        still = await bot.ask(PRIVATE, "when did the inspections take place?")
        assert "2012" in still["visible_text"]


async def test_a_double_tap_is_answered_once() -> None:
    async with running_bot() as bot:
        greeting = await bot.ask(PRIVATE, "/start")
        _, data = buttons(greeting)[0]
        bot.api.push_callback(PRIVATE, data, message_id=greeting["message_id"])
        bot.api.push_callback(PRIVATE, data, message_id=greeting["message_id"])
        assert await bot.api.wait_for_async(lambda: len(bot.api.callback_answers) == 2, WAIT)
        marker = await bot.ask(PRIVATE, "thanks")
        texts = bot.api.sent_texts(PRIVATE)
        assert texts == [greeting["visible_text"], texts[1], marker["visible_text"]]
        assert "Staffordshire" in texts[1]


async def test_groups_answer_only_when_addressed() -> None:
    async with running_bot() as bot:
        chatter = bot.api.push_message(GROUP, "which forces were inspected?", chat_type="group")
        await bot.settled(chatter)
        assert bot.api.messages_for(GROUP) == []
        mention = await bot.ask(
            GROUP, f"@{BOT_USERNAME} which forces were inspected?", chat_type="group"
        )
        assert "Staffordshire" in mention["visible_text"]
        assert mention["reply_to_message_id"] is not None  # the question is quoted
        assert mention["reply_parameters"]["allow_sending_without_reply"] is True
        reply = await bot.ask(GROUP, "why was west mercia chosen?", reply_to_bot=True)
        assert "West Mercia" in reply["visible_text"]
        other_bot = bot.api.push_message(GROUP, "/start@some_other_bot")
        sticker = bot.api.push_sticker(GROUP, chat_type="group")
        await bot.settled(max(other_bot, sticker))
        assert len(bot.api.messages_for(GROUP)) == 2
        command = await bot.ask(GROUP, f"/help@{BOT_USERNAME}")
        assert command["visible_text"]


async def test_group_mention_is_stripped_before_the_core_sees_it() -> None:
    async with running_bot() as bot:
        by_mention = await bot.ask(
            GROUP, f"hey @{BOT_USERNAME.upper()} when was the consultation?", chat_type="supergroup"
        )
        plain = await bot.ask(PRIVATE, "hey when was the consultation?")
        assert by_mention["visible_text"] == plain["visible_text"]


async def test_inline_mode_offers_escaped_answers() -> None:
    async with running_bot() as bot:
        bot.api.push_inline("why was staffordshire chosen")
        bot.api.push_inline("")
        bot.api.push_inline(NASTY)
        assert await bot.api.wait_for_async(lambda: len(bot.api.inline_answers) == 3, WAIT)
        answers = {a["inline_query_id"]: a for a in bot.api.inline_answers}
        first, empty, nasty = (answers[k] for k in sorted(answers))
        assert "Staffordshire" in first["results"][0]["input_message_content"]["message_text"]
        assert len(empty["results"]) == 3
        for answer in (first, empty, nasty):
            assert answer["cache_time"] <= 60
            for result in answer["results"]:
                content = result["input_message_content"]
                assert content["parse_mode"] == "HTML"
                assert validate_telegram_html(content["message_text"]) is None


async def test_stickers_photos_and_voice_get_a_note_in_private() -> None:
    async with running_bot() as bot:
        for push in (bot.api.push_sticker, bot.api.push_photo, bot.api.push_voice):
            push(PRIVATE)
        notes = await bot.api.wait_for_messages_async(PRIVATE, 3, WAIT)
        assert {n["visible_text"] for n in notes} == {NON_TEXT_NOTE}
        assert len(buttons(notes[0])) == 3


async def test_a_question_in_a_photo_caption_is_answered_like_text() -> None:
    async with running_bot() as bot:
        typed = await bot.ask(PRIVATE, "when was the consultation?")
        bot.api.push_photo(PRIVATE, caption="when was the consultation?")
        captioned = (await bot.api.wait_for_messages_async(PRIVATE, 2, WAIT))[1]
        assert captioned["visible_text"] == typed["visible_text"]
        assert "July 2012" in captioned["visible_text"]
        # in a group, only a caption that mentions the bot is answered, mention removed
        bot.api.push_photo(GROUP, chat_type="supergroup", caption="when was the consultation?")
        bot.api.push_photo(
            GROUP, chat_type="supergroup", caption=f"@{BOT_USERNAME} when was the consultation?"
        )
        in_group = await bot.api.wait_for_messages_async(GROUP, 1, WAIT)
        assert in_group[0]["visible_text"] == typed["visible_text"]
        bot.api.push_photo(PRIVATE)  # a photo without a caption still gets the note
        note = (await bot.api.wait_for_messages_async(PRIVATE, 3, WAIT))[2]
        assert note["visible_text"] == NON_TEXT_NOTE
        assert len(bot.api.messages_for(GROUP)) == 1


async def test_metacharacters_are_escaped_and_accepted() -> None:
    async with running_bot() as bot:
        for text in (NASTY, "<b>unclosed", "&lt;&#0;&#xFFFFFFF;", "*_`[", "a > b < c & d"):
            message = await bot.ask(PRIVATE, text)
            assert validate_telegram_html(message["text"]) is None
        assert bot.api.errors == []


async def test_very_long_messages_are_answered_within_the_limit() -> None:
    async with running_bot() as bot:
        for text in ("why " * 2000, "x" * 4096, "🙂" * 4096, "which forces? " * 290):
            message = await bot.ask(PRIVATE, text)
            assert 0 < len(message["visible_text"]) <= MAX_MESSAGE_UNITS


async def test_commands_help_sources_about_reset_and_unknown() -> None:
    async with running_bot() as bot:
        assert "2011" in (await bot.ask(PRIVATE, "/sources"))["visible_text"]
        assert (await bot.ask(PRIVATE, "/help"))["visible_text"]
        assert (await bot.ask(PRIVATE, "/about"))["visible_text"]
        await bot.ask(PRIVATE, "why was staffordshire chosen?")
        assert (await bot.ask(PRIVATE, "/reset"))["visible_text"] == RESET_DONE
        after = await bot.ask(PRIVATE, "and what did inspectors find?")
        assert "Which force" in after["visible_text"]
        assert (await bot.ask(PRIVATE, "/frobnicate"))["visible_text"] == UNKNOWN_COMMAND


async def test_an_edited_question_is_answered_again_quoting_it() -> None:
    async with running_bot() as bot:
        first = await bot.ask(PRIVATE, "why was stafordshire chosn")
        bot.api.push_edited_message(PRIVATE, "why was west mercia chosen?")
        edited = (await bot.api.wait_for_messages_async(PRIVATE, 2, WAIT))[1]
        assert "West Mercia" in edited["visible_text"]
        assert edited["reply_parameters"]["message_id"] == first["message_id"] - 1


async def test_a_flood_gets_exactly_one_warning() -> None:
    async with running_bot(BOT_FLOOD_BURST="4", BOT_FLOOD_PER_MINUTE="1") as bot:
        ids = [bot.api.push_message(PRIVATE, f"when was the consultation {i}") for i in range(12)]
        await bot.settled(ids[-1])
        texts = bot.api.sent_texts(PRIVATE)
        assert texts.count(USER_FLOOD_WARNING) == 1
        assert len(texts) == 1 + 4 + 1  # the first, a burst of 4 sent over it, one warning
        other = await bot.ask(PRIVATE + 1, "when was the consultation?")
        assert "July 2012" in other["visible_text"]


async def test_someone_who_waits_for_each_answer_is_never_held_back() -> None:
    async with running_bot() as bot:  # default flood control
        for i in range(30):
            answer = await bot.ask(PRIVATE, f"when was the consultation? ({i})")
            assert "July 2012" in answer["visible_text"]


async def test_a_flooding_group_is_capped_and_others_still_answered() -> None:
    async with running_bot() as bot:
        ids = [
            bot.api.push_message(
                GROUP,
                f"@{BOT_USERNAME} who ran the consultation?",
                chat_type="supergroup",
                user_id=9000 + i,
            )
            for i in range(40)
        ]
        private = await bot.ask(PRIVATE, "who ran the consultation?")
        assert private["visible_text"]
        await bot.settled(ids[-1])
        texts = bot.api.sent_texts(GROUP)
        assert 1 < len(texts) <= 13  # the first, the group's burst, one warning: not forty


async def test_long_polling_uses_offsets_and_a_narrow_update_list() -> None:
    async with running_bot() as bot:
        first = bot.api.push_message(PRIVATE, "hi")
        await bot.settled(first)
        second = bot.api.push_message(PRIVATE, "thanks")
        await bot.settled(second)
        polls = bot.api.calls_to("getUpdates")
        assert any(p.get("timeout", 0) > 0 for p in polls)  # real long polling
        offsets = [p["offset"] for p in polls if "offset" in p]
        assert offsets == sorted(offsets) and offsets[-1] == second + 1
        assert all(
            p["allowed_updates"] == ["message", "edited_message", "callback_query", "inline_query"]
            for p in polls
        )


def _terminal_answers(conversations: list[list[str]], root: Path) -> list[list[dict[str, Any]]]:
    """The terminal's JSON-lines answers, one chat per conversation."""
    lines = [
        json.dumps({"chat": f"c{i}", "text": q})
        for i, turns in enumerate(conversations)
        for q in turns
    ]
    done = run_cli_stdin(lines, root)
    out: list[list[dict[str, Any]]] = [[] for _ in conversations]
    for line in done:
        record = json.loads(line)
        out[int(str(record["chat"])[1:])].append(record)
    return out


def run_cli_stdin(lines: list[str], root: Path) -> list[str]:
    """``python -m bot chat --jsonl`` over ``lines`` with the knowledge in ``root``."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--jsonl"],
        cwd=ROOT,
        env=subprocess_env({"BOT_ROOT": str(root), "BOT_DATA_DIR": str(root / "data")}),
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.splitlines()


async def test_telegram_and_terminal_give_the_same_answers(tmp_path: Path) -> None:
    conversations = [
        [turn.question for turn in turns]
        for name in ("questions.yaml", "holdout.yaml")
        for turns in load_turns(ROOT / "tests" / "data" / name)
    ]
    shutil.copytree(ROOT / "knowledge", tmp_path / "knowledge")  # one snapshot for both
    shutil.copy(ROOT / "intents.yaml", tmp_path / "intents.yaml")
    expected = _terminal_answers(conversations, tmp_path)
    chat_ids = [10_000 + i for i in range(len(conversations))]
    core = Assistant.load(tmp_path)
    api = FakeBotApi().start()
    try:
        async with running_bot(
            api, assistant=core, BOT_FLOOD_BURST="0", BOT_RATE_LIMIT="off"
        ) as bot:
            for chat_id, turns in zip(chat_ids, conversations, strict=True):
                for question in turns:
                    bot.api.push_message(chat_id, question)
            total = sum(len(t) for t in conversations)
            assert await api.wait_for_async(lambda: sent_count(api) >= total, 60)
            for chat_id, answers in zip(chat_ids, expected, strict=True):
                sent = api.messages_for(chat_id)
                assert len(sent) == len(answers)
                for message, record in zip(sent, answers, strict=True):
                    source = record["source"]
                    text = str(record["text"]) + (SOURCE_LABEL + str(source) if source else "")
                    assert message["visible_text"] == text
                    labels = [label for label, _ in buttons(message)]
                    short = record["labels"]
                    assert isinstance(short, dict)
                    wanted = [short.get(b, b) for b in record["choices"] or record["suggestions"]]
                    assert labels == wanted
    finally:
        api.stop()


async def test_the_description_is_set_from_knowledge_at_start() -> None:
    async with running_bot() as bot:
        await bot.ask(PRIVATE, "/start")
        descriptions = bot.api.descriptions
        assert "nobody reads this chat" in descriptions[("description", "")]
        assert "999" in descriptions[("short_description", "")]
        assert len(descriptions[("short_description", "")]) <= 120


async def test_privacy_says_what_is_kept_and_that_flagged_messages_are_not() -> None:
    async with running_bot() as bot:
        reply = await bot.ask(PRIVATE, "/privacy")
        text = reply["visible_text"]
        assert "for 90 days" in text and "never stored" in text
        assert "BOT_QUESTION_LOG=off" in text
        assert {"command": "privacy", "description": "What this bot keeps, and for how long"} in (
            bot.api.commands
        )


async def test_privacy_with_the_log_off_says_nothing_is_kept() -> None:
    async with running_bot(BOT_QUESTION_LOG="off") as bot:
        reply = await bot.ask(PRIVATE, "/privacy")
        assert reply["visible_text"].startswith("What this bot keeps: nothing.")


async def test_a_deep_link_answers_its_question_at_once() -> None:
    async with running_bot() as bot:
        deferral = await bot.ask(PRIVATE, "/start deferral")
        assert "April 2015" in deferral["visible_text"]
        chosen = await bot.ask(PRIVATE, "/start force_selection-west-mercia")
        assert "urban and rural" in chosen["visible_text"]
        follow = await bot.ask(PRIVATE, "and what did they find?")
        assert "West Mercia" in follow["visible_text"]
        unknown = await bot.ask(PRIVATE, "/start no_such_intent")
        assert "2012" in unknown["visible_text"] and len(buttons(unknown)) == 3  # the greeting
