"""``python -m bot explain``: why a question gets the answer it gets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.dialogue.assistant import Assistant
from bot.dialogue.reply import Outcome, Rule
from bot.schema.intents import IntentSpec
from bot.schema.knowledge import Knowledge
from bot.tools.evaluation import load_turns
from bot.tools.explain import TOP_INTENTS, explain, format_text, to_json

DATA = Path(__file__).resolve().parents[1] / "data"


def test_a_direct_answer_shows_entities_scores_and_reason(assistant: Assistant) -> None:
    ex = explain(assistant, "Why was Staffs chosen?")
    assert ex.normalised == "why was staffs chosen"
    [entity] = ex.match.entities
    assert (entity.kind, entity.id, entity.alias, entity.score) == (
        "force",
        "staffordshire",
        "staffs",
        100.0,
    )
    best = ex.top[0]
    assert best.intent == "force_selection"
    assert dict(best.matched)["chosen"] > 0
    assert ex.decision is Outcome.ANSWER
    assert "force_selection scored" in ex.reason
    assert "minimum" in ex.reason
    assert "good practice" in ex.reply.text
    text = format_text(ex)
    assert "force staffordshire <- 'staffs' (100)" in text
    assert "decision    answer -> force_selection" in text


def test_typo_corrections_are_listed(assistant: Assistant) -> None:
    ex = explain(assistant, "why was staffordshre chosen")
    assert ("staffordshre", "staffordshire") in ex.match.corrections
    assert "staffordshre -> staffordshire" in format_text(ex)


def test_at_most_five_intents_are_shown(assistant: Assistant) -> None:
    ex = explain(
        assistant, "why when who what where inspections ofsted consultation deferral report"
    )
    assert len(ex.match.ranking) > TOP_INTENTS
    assert len(ex.top) == TOP_INTENTS
    shown = to_json(ex)["intents"]
    assert isinstance(shown, list)
    assert len(shown) == TOP_INTENTS


def test_a_missing_force_is_a_clarifying_question(assistant: Assistant) -> None:
    ex = explain(assistant, "what did the inspectors find")
    assert ex.decision is Outcome.CLARIFY
    assert ex.reason.startswith(Rule.CLARIFY.value)
    assert "force_findings needs a force" in ex.reason


def test_fallbacks_say_which_threshold_was_missed(assistant: Assistant) -> None:
    nothing = explain(assistant, "what is the weather like")
    assert nothing.decision is Outcome.FALLBACK
    assert nothing.reason == "no intent's keywords matched"
    assert nothing.match.unknown == ("weather",) or "weather" in nothing.match.unknown
    other = explain(assistant, "what about west midlands police")
    assert "West Midlands Police, a force the page does not cover" in other.reason
    empty = explain(assistant, "?!")
    assert empty.reason == "the message has no words to match"


def test_a_weak_best_intent_is_named_with_its_score(
    knowledge: Knowledge, intents: tuple[IntentSpec, ...]
) -> None:
    strict = Assistant(knowledge, intents, min_score=50.0)
    ex = explain(strict, "tell me about the pilot")
    assert ex.decision is Outcome.FALLBACK
    assert ex.reason.startswith("the best intent, pilot, scored ")
    assert ex.reason.endswith(", below the minimum 50")


def test_a_low_confidence_is_named_with_the_unknown_words(
    knowledge: Knowledge, intents: tuple[IntentSpec, ...]
) -> None:
    strict = Assistant(knowledge, intents, min_confidence=0.99)
    ex = explain(strict, "tell me about the pilot, flibbertigibbet?")
    assert ex.decision is Outcome.FALLBACK
    assert "its confidence" in ex.reason
    assert "1 unknown: flibbertigibbet" in ex.reason
    assert "below the minimum 0.99" in ex.reason


def test_context_used_for_a_bare_follow_up(assistant: Assistant) -> None:
    assistant.reply("c", "why was staffs chosen?")
    before = assistant.context("c")
    ex = explain(assistant, "and gmp?", "c")
    assert ex.context.forces == ("staffordshire",)
    assert ex.reply.intent == "force_selection"
    assert ex.reply.slots["force"] == "greater-manchester"
    assert "continues the last question (force_selection)" in ex.context_used
    assert ex.reason.startswith(Rule.BARE_ENTITY.value) and "gmp" in ex.reason
    assert assistant.context("c") == before  # explaining changes nothing


def test_a_bare_entity_with_nothing_to_continue_is_an_overview(assistant: Assistant) -> None:
    assistant.reply("c", "when was the consultation")
    ex = explain(assistant, "and gmp?", "c")
    assert ex.reply.intent == "force_overview"
    assert ex.reason.startswith(Rule.OVERVIEW.value)
    assert ex.context_used == ()


def test_a_slot_filled_from_context_is_shown(assistant: Assistant) -> None:
    assistant.reply("c", "why was west mercia chosen?")
    ex = explain(assistant, "what did they find", "c")
    assert "force west-mercia from the chat's context" in ex.context_used


def test_a_vague_follow_up_shows_the_topic_it_was_read_with(assistant: Assistant) -> None:
    assistant.reply("c", "tell me about the consultation")
    ex = explain(assistant, "when was it?", "c")
    assert ex.reply.intent == "consultation"
    assert any("read with its topic" in item for item in ex.context_used)
    assert to_json(ex)["matched_text"] != ex.normalised


def test_the_answer_to_a_clarifying_question(assistant: Assistant) -> None:
    assistant.reply("c", "what did inspectors find")
    ex = explain(assistant, "west mercia", "c")
    assert ex.context.pending == "force_findings"
    assert ex.reason.startswith(Rule.PENDING_FILLED.value)


LABELLED = sorted(p.relative_to(DATA).as_posix() for p in DATA.rglob("*.yaml"))


@pytest.mark.slow  # every labelled question
@pytest.mark.parametrize("name", [n for n in LABELLED if n != "safety.yaml"])
def test_explain_shows_exactly_the_reply_the_bot_gives(assistant: Assistant, name: str) -> None:
    """Differential: explain and reply agree on every labelled turn, in context: the same
    text, intent, slots, confidence and rule, because explain only formats the trace."""
    for index, turns in enumerate(load_turns(DATA / name)):
        chat = f"diff-{index}"
        for turn in turns:
            ex = explain(assistant, turn.question, chat)
            got = assistant.reply(chat, turn.question)
            assert ex.reply == got, turn.question
            assert got.trace.rule is not None, turn.question
            assert ex.reason, turn.question
        assistant.reset(chat)


def test_json_output_is_complete(assistant: Assistant) -> None:
    data = to_json(explain(assistant, "why was gmp chosen"))
    json.dumps(data)
    assert data["decision"] == "answer"
    assert data["entities"] == [
        {"kind": "force", "id": "greater-manchester", "alias": "gmp", "score": 100.0}
    ]
    context = data["context"]
    assert isinstance(context, dict)
    assert {k: context[k] for k in ("last_intent", "forces", "body", "pending")} == {
        "last_intent": None,
        "forces": (),
        "body": None,
        "pending": None,
    }
    assert context["facts"]["attribute"] is None
    assert data["analysis"] == {
        "form": "open",
        "subjects": ["greater-manchester"],
        "attributes": [
            {
                "id": "selection_reason",
                "strength": 2,
                "polarity": None,
                "option": None,
                "turned": False,
                "carried": False,
            }
        ],
        "asserted": {"entities": ["greater-manchester"]},
    }
    intents = data["intents"]
    assert isinstance(intents, list)
    assert intents[0]["intent"] == "force_selection"
    assert "chosen" in [k["term"] for k in intents[0]["keywords"]]


@pytest.mark.slow  # every labelled set, or the whole CLI
def test_explain_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "why", "was", "staffs", "chosen?"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("question    why was staffs chosen?")
    assert "reason" in out
    assert main(["explain", "--previous", "why was staffs chosen?", "--json", "and gmp?"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["intent"] == "force_selection"
    assert data["context"]["forces"] == ["staffordshire"]
