"""Shared fixtures: a clean environment, the loaded knowledge, and a chat helper."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.bounded import BoundedDict
from bot.dialogue.answers import ANSWERS
from bot.dialogue.assistant import Assistant
from bot.dialogue.reply import Reply
from bot.schema import yamlfile
from bot.schema.intents import IntentSpec, load_intents
from bot.schema.knowledge import Knowledge, load_knowledge

ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIXES = ("TELEGRAM_", "BOT_", "WEBHOOK_", "LOG_LEVEL")
# How a module marks all its tests slow (pyproject.toml registers the marker).
WHOLLY_SLOW = "\npytestmark = pytest.mark.slow"
FAST_TIER = "not slow"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """With ``-m "not slow"``, a module whose every test is slow is not even imported.

    pytest would import it, then deselect all its tests: the same outcome, but importing
    (and assertion-rewriting) the Telegram and hypothesis modules costs seconds, the
    budget of the whole fast tier.
    """
    if " ".join(str(config.option.markexpr).split()) != FAST_TIER:
        return None
    if collection_path.suffix != ".py" or not collection_path.name.startswith("test_"):
        return None
    return WHOLLY_SLOW in collection_path.read_text(encoding="utf-8") or None


@pytest.fixture(scope="session")
def test_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """XDG_CACHE_HOME for the tests and the processes they start: never the real cache."""
    return tmp_path_factory.mktemp("cache-home")


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, test_cache_home: Path) -> Iterator[None]:
    """No bot setting from the developer's shell leaks into a test, and none of a test's
    into the next (the YAML cache the CLI turns on is off again)."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CACHE_HOME", str(test_cache_home))
    monkeypatch.setattr(yamlfile, "_cache", None)
    yield


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    """The repository's knowledge, loaded once."""
    return load_knowledge(ROOT / "knowledge")


@pytest.fixture(scope="session")
def intents() -> tuple[IntentSpec, ...]:
    """The repository's intents, loaded once."""
    return load_intents(ROOT / "intents.yaml", ANSWERS.keys())


@pytest.fixture(scope="session")
def built_assistant(knowledge: Knowledge, intents: tuple[IntentSpec, ...]) -> Assistant:
    """One assistant over the real knowledge, built once: its indexes only ever get read."""
    return Assistant(knowledge, intents)


@pytest.fixture
def assistant(built_assistant: Assistant) -> Assistant:
    """A fresh assistant (no chat context) over the real knowledge.

    A copy of the session's: building the safety screen and the matcher takes 20-80 ms,
    which, for the two hundred tests that use this fixture, was most of the fast tier's
    time. The indexes (and their caches of pure functions) are shared; chat contexts and
    issued buttons are the test's own; attributes a test sets stay on its copy.
    """
    fresh = copy.copy(built_assistant)
    fresh._chats = BoundedDict(built_assistant._chats.maxsize)
    fresh.buttons = copy.deepcopy(built_assistant.buttons)
    return fresh


@pytest.fixture
def ask(assistant: Assistant) -> Callable[[str], Reply]:
    """Send a message in one chat and get the Reply: ``ask("why staffs?").text``."""

    def send(text: str) -> Reply:
        return assistant.reply("test-chat", text)

    return send


@pytest.fixture
def chat(ask: Callable[[str], Reply]) -> Callable[[str], str]:
    """Send a message in one chat and get the reply's text."""

    def send(text: str) -> str:
        return ask(text).text

    return send
