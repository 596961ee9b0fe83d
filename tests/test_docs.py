"""Meta-tests that keep the README and the data honest."""

from __future__ import annotations

import re
from pathlib import Path

from bot.cli import build_parser
from bot.dialogue.assistant import Assistant

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def subcommands() -> list[str]:
    parser = build_parser()
    for action in parser._actions:  # argparse offers no public way to list subparsers
        choices = getattr(action, "choices", None)
        if isinstance(choices, dict):
            return sorted(choices)
    return []


def test_every_cli_command_is_in_the_readme() -> None:
    assert subcommands()
    for name in subcommands():
        assert f"python -m bot {name}" in README, name


def test_quick_start_has_exactly_two_commands() -> None:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    commands = [line for line in block.group(1).splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2
    assert commands[1].endswith("python -m pytest")


def test_every_suggestion_button_leads_to_an_answer(assistant: Assistant) -> None:
    """A button the bot offers must not lead to a fallback."""
    for spec in assistant.intents.values():
        for force in assistant.knowledge.forces:
            for template in spec.suggestions:
                text = template.replace("{force}", force.name)
                reply = assistant.reply(f"button-{force.id}", text)
                assert reply.intent not in ("fallback", "clarify"), (text, reply.intent)


def test_every_intent_example_is_understood(assistant: Assistant) -> None:
    assert assistant.misrouted_examples() == []
