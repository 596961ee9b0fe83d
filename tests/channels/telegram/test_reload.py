"""Hot reload: edits to knowledge/ and intents.yaml are picked up; bad edits are refused."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import threading
from pathlib import Path

import pytest

from bot.channels.hangup import EarlyHangups
from bot.channels.telegram.reloader import (
    MAX_PROBLEMS_SHOWN,
    Reloader,
    add_sighup_handler,
    reload_knowledge,
)
from bot.dialogue.assistant import Assistant
from bot.schema.yamlfile import DataError, Problem

pytestmark = pytest.mark.slow  # each test copies the knowledge and loads it twice

ROOT = Path(__file__).resolve().parents[3]
ALIAS_LINE = "      - stoke on trent\n"  # the last of Staffordshire's aliases in forces.yaml


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the repository's knowledge/ and intents.yaml to edit."""
    shutil.copytree(ROOT / "knowledge", tmp_path / "knowledge")
    shutil.copy(ROOT / "intents.yaml", tmp_path / "intents.yaml")
    return tmp_path


@pytest.fixture
def bot(root: Path) -> Assistant:
    return Assistant.load(root)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}: the test needs updating"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_alias(root: Path, alias: str) -> None:
    edit(root / "knowledge" / "forces.yaml", ALIAS_LINE, f"{ALIAS_LINE}      - {alias}\n")


def test_a_new_alias_works_after_a_reload(root: Path, bot: Assistant) -> None:
    assert bot.reply("a", "why was tamworth chosen?").slots.get("force") != "staffordshire"
    add_alias(root, "tamworth")
    result = reload_knowledge(bot, root)
    assert result.ok, result.message
    assert result.message.startswith("Reloaded 3 forces, ")
    reply = bot.reply("b", "why was tamworth chosen?")
    assert reply.slots.get("force") == "staffordshire"
    assert "good practice" in reply.text


def test_a_new_keyword_in_intents_yaml_works_after_a_reload(root: Path, bot: Assistant) -> None:
    assert bot.reply("a", "gimme a hand").intent != "help"
    edit(
        root / "intents.yaml",
        " kinds of things: 4,",
        " gimme a hand: 4, kinds of things: 4,",
    )
    assert reload_knowledge(bot, root).ok
    assert bot.reply("b", "gimme a hand").intent == "help"


def test_a_bad_edit_is_refused_naming_file_entry_and_field(root: Path, bot: Assistant) -> None:
    add_alias(root, "tamworth")
    assert reload_knowledge(bot, root).ok
    add_alias(root, "gmp")  # already Greater Manchester's
    with pytest.raises(DataError) as caught:
        bot.reload(root)
    assert "forces.yaml" in str(caught.value)
    assert re.search(
        r"forces\.yaml:\d+: forces\[\d\]\.aliases: 'gmp' is already", str(caught.value)
    )
    result = reload_knowledge(bot, root)
    assert not result.ok
    assert result.message.startswith("Reload refused; still answering from the last good")
    assert "forces.yaml" in result.message
    assert "'gmp' is already an alias" in result.message
    # the last good knowledge still answers, including the alias added before
    assert "good practice" in bot.reply("c", "why was tamworth chosen?").text
    assert bot.reply("c", "why was gmp chosen?").slots["force"] == "greater-manchester"


def test_broken_yaml_is_refused_with_its_line(root: Path, bot: Assistant) -> None:
    edit(root / "knowledge" / "forces.yaml", ALIAS_LINE, "      - [unclosed\n")
    result = reload_knowledge(bot, root)
    assert not result.ok
    assert "forces.yaml:" in result.message
    assert "invalid YAML" in result.message
    assert "good practice" in bot.reply("c", "why was staffs chosen?").text


def test_chat_contexts_survive_a_reload(root: Path, bot: Assistant) -> None:
    bot.reply("c", "why was staffs chosen?")
    add_alias(root, "tamworth")
    assert reload_knowledge(bot, root).ok
    assert bot.context("c").forces == ("staffordshire",)
    reply = bot.reply("c", "and gmp?")
    assert (reply.intent, reply.slots["force"]) == ("force_selection", "greater-manchester")


def test_context_the_new_files_no_longer_have_is_forgotten(root: Path, bot: Assistant) -> None:
    bot.reply("c", "when was the consultation?")
    assert bot.context("c").last_intent == "consultation"
    edit(root / "intents.yaml", "  - id: consultation\n", "  - id: consultation_renamed\n")
    facts = root / "knowledge" / "facts.yaml"  # its records name the intent too
    facts.write_text(
        facts.read_text(encoding="utf-8").replace(
            "intent: consultation\n", "intent: consultation_renamed\n"
        ),
        encoding="utf-8",
    )
    assert reload_knowledge(bot, root).ok
    assert bot.context("c").last_intent is None


def test_buttons_issued_before_a_reload_still_resolve(root: Path, bot: Assistant) -> None:
    key = bot.button_key("Why was Staffordshire Police chosen?")
    assert reload_knowledge(bot, root).ok
    assert bot.button_text(key) == "Why was Staffordshire Police chosen?"


def test_a_long_list_of_problems_is_cut_short(
    bot: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    problems = [Problem("forces.yaml", f"forces[{i}].name", "missing field") for i in range(20)]

    def broken(root: Path | None = None) -> None:
        raise DataError(problems)

    monkeypatch.setattr(bot, "reload", broken)
    result = reload_knowledge(bot)
    assert result.message.count("missing field") == MAX_PROBLEMS_SHOWN
    assert f"and {20 - MAX_PROBLEMS_SHOWN} more" in result.message


def test_an_unexpected_error_does_not_escape(
    bot: Assistant, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(root: Path | None = None) -> None:
        raise RuntimeError("loader bug")

    monkeypatch.setattr(bot, "reload", broken)
    result = reload_knowledge(bot)
    assert not result.ok
    assert "RuntimeError: loader bug" in str(result)
    assert "reload failed" in caplog.text


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this platform")
async def test_sighup_reloads_in_the_event_loop(root: Path, bot: Assistant) -> None:
    loop = asyncio.get_running_loop()
    assert add_sighup_handler(loop, Reloader(bot, root))
    try:
        add_alias(root, "tamworth")
        os.kill(os.getpid(), signal.SIGHUP)
        for _ in range(100):
            await asyncio.sleep(0.01)
            if bot.reply("s", "why was tamworth chosen?").slots.get("force") == "staffordshire":
                break
        assert bot.reply("t", "why was tamworth chosen?").slots.get("force") == "staffordshire"
    finally:
        loop.remove_signal_handler(signal.SIGHUP)


def test_a_reload_checks_references_between_the_files(root: Path, bot: Assistant) -> None:
    """The same checks as at start-up: an intent naming a body that does not exist."""
    edit(root / "intents.yaml", "forbid_bodies: [ofsted,", "forbid_bodies: [ofsteed,")
    with pytest.raises(DataError, match="'ofsteed' is not a body"):
        bot.reload(root)
    assert bot.reply("r", "why was gmp chosen").intent == "force_selection"


async def test_the_files_are_checked_off_the_event_loop(root: Path, bot: Assistant) -> None:
    """While a (slow) check runs in its thread, the loop goes on: replies are not held up."""
    started = asyncio.Event()
    release = threading.Event()
    loop = asyncio.get_running_loop()

    def slow_check(path: Path) -> None:
        loop.call_soon_threadsafe(started.set)
        release.wait(5)
        Assistant.load(path)

    reloader = Reloader(bot, root, check=slow_check)
    add_alias(root, "tamworth")
    reloading = asyncio.create_task(reloader.reload())
    await asyncio.wait_for(started.wait(), 5)
    ticks = 0
    for _ in range(5):  # the loop runs while the check waits
        await asyncio.sleep(0)
        ticks += 1
    assert ticks == 5 and not reloading.done()
    release.set()
    assert (await reloading).ok
    assert bot.reply("t", "why was tamworth chosen?").slots.get("force") == "staffordshire"


async def test_a_check_over_the_time_budget_keeps_the_old_knowledge(
    root: Path, bot: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    never = threading.Event()
    reloader = Reloader(bot, root, budget=0.2, check=lambda path: never.wait(5))
    add_alias(root, "tamworth")
    result = await reloader.reload()
    never.set()
    assert not result.ok
    assert result.message.startswith("Reload refused: loading the files took longer than 0 s")
    assert "still answering from the last good knowledge" in caplog.text
    assert bot.reply("t", "why was tamworth chosen?").slots.get("force") != "staffordshire"


async def test_an_alias_bomb_is_refused_and_the_bot_answers_on(root: Path, bot: Assistant) -> None:
    bomb = "\n".join(
        ['a0: &a0 "lol"'] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 8)]
    )
    (root / "knowledge" / "page.yaml").write_text(bomb + "\n", encoding="utf-8")
    result = await Reloader(bot, root).reload()
    assert not result.ok
    assert re.search(r"page\.yaml:1: YAML anchor &a0 is not allowed", result.message)
    assert "good practice" in bot.reply("c", "why was staffs chosen?").text


async def test_many_requests_in_a_row_coalesce_into_one_more_reload(
    root: Path, bot: Assistant
) -> None:
    checks: list[Path] = []

    def check(path: Path) -> None:
        checks.append(path)
        Assistant.load(path)

    reloader = Reloader(bot, root, check=check)
    for _ in range(50):  # a burst of SIGHUPs before the loop gets a turn
        reloader.request()
    await reloader.idle()
    assert len(checks) == 1
    reloader.request()
    await asyncio.sleep(0)  # the reload has started; these arrive while it runs
    for _ in range(50):
        reloader.request()
    await reloader.idle()
    assert len(checks) == 3  # the one running, then one for all that came meanwhile


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this platform")
async def test_sighups_counted_before_the_loop_ran_give_one_reload(
    root: Path, bot: Assistant
) -> None:
    early = EarlyHangups()
    early(signal.SIGHUP, None)
    early(signal.SIGHUP, None)
    add_alias(root, "tamworth")
    reloader = Reloader(bot, root)
    loop = asyncio.get_running_loop()
    try:
        assert add_sighup_handler(loop, reloader, early)
        await reloader.idle()
    finally:
        loop.remove_signal_handler(signal.SIGHUP)
    assert reloader.completed == 1 and early.count == 0
    assert bot.reply("t", "why was tamworth chosen?").slots.get("force") == "staffordshire"
