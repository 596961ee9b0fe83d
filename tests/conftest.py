"""Shared fixtures: a clean environment, the loaded knowledge, and a chat helper."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.dialogue.answers import ANSWERS
from bot.dialogue.assistant import Assistant
from bot.dialogue.reply import Reply
from bot.schema.intents import IntentSpec, load_intents
from bot.schema.knowledge import Knowledge, load_knowledge

ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIXES = ("TELEGRAM_", "BOT_", "WEBHOOK_", "LOG_LEVEL")


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No bot setting from the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIXES):
            monkeypatch.delenv(name)
    yield


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    """The repository's knowledge, loaded once."""
    return load_knowledge(ROOT / "knowledge")


@pytest.fixture(scope="session")
def intents() -> tuple[IntentSpec, ...]:
    """The repository's intents, loaded once."""
    return load_intents(ROOT / "intents.yaml", ANSWERS.keys())


@pytest.fixture
def assistant(knowledge: Knowledge, intents: tuple[IntentSpec, ...]) -> Assistant:
    """A fresh assistant (no chat context) over the real knowledge."""
    return Assistant(knowledge, intents)


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
