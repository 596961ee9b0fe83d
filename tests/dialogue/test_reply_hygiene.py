"""Small things that make replies feel careless: offering the question just answered, an
answer opening with a dangling "This inspection ...", "greater" read as "great"."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.dialogue.assistant import Assistant
from bot.tools.evaluation import load_turns

DATA = Path(__file__).resolve().parents[1] / "data"
DANGLING = ("This inspection", "They ", "It ", "This ", "These ")


@pytest.mark.slow  # every labelled conversation, and a preview of each button
def test_no_reply_offers_the_question_it_just_answered(assistant: Assistant) -> None:
    offending = []
    for name in ("questions.yaml", "fresh.yaml", "fresh2.yaml", "fresh3.yaml"):
        for index, conversation in enumerate(load_turns(DATA / name)):
            chat = f"{name}-{index}"
            for turn in conversation:
                reply = assistant.reply(chat, turn.question)
                if reply.outcome.value != "answer":
                    continue
                for button in reply.suggestions:
                    _, again = assistant.preview(f"{chat}-fresh", button)
                    same_force = again.slots.get("force") == reply.slots.get("force")
                    if again.intent == reply.intent and same_force:
                        offending.append((turn.question, button))
            assistant.reset(chat)
    assert offending == []


@pytest.mark.slow  # every labelled conversation
def test_no_answer_opens_with_a_dangling_reference(assistant: Assistant) -> None:
    for name in ("questions.yaml", "holdout.yaml", "fresh.yaml", "fresh2.yaml", "fresh3.yaml"):
        for index, conversation in enumerate(load_turns(DATA / name)):
            for turn in conversation:
                reply = assistant.reply(f"{name}-{index}", turn.question)
                assert not reply.text.startswith(DANGLING), (turn.question, reply.text)


def test_greater_is_not_great(assistant: Assistant) -> None:
    assert assistant.reply("g", "greater").intent != "thanks"
    assert assistant.reply("h", "great, thanks").intent == "thanks"
