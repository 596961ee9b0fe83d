"""Follow-ups that keep the question and change the subject, or move along the timeline."""

from __future__ import annotations

from bot.dialogue.assistant import Assistant


def talk(assistant: Assistant, *messages: str) -> list[tuple[str, str]]:
    """(intent, force) of each reply in one fresh chat."""
    assistant.reset("talk")
    out = []
    for message in messages:
        reply = assistant.reply("talk", message)
        out.append((reply.intent, reply.slots.get("force", "")))
    assistant.reset("talk")
    return out


def test_a_correction_re_asks_the_last_question_about_the_force_meant(
    assistant: Assistant,
) -> None:
    assert talk(
        assistant, "why was gmp chosen", "no, i meant staffordshire", "what did they find"
    ) == [
        ("force_selection", "greater-manchester"),
        ("force_selection", "staffordshire"),
        ("force_findings", "staffordshire"),
    ]


def test_going_back_to_an_earlier_force(assistant: Assistant) -> None:
    turns = talk(assistant, "what did inspectors find in staffs", "going back to gmp")
    assert turns[-1] == ("force_findings", "greater-manchester")


def test_what_happened_next_and_before_follow_the_timeline(assistant: Assistant) -> None:
    intents = [
        i
        for i, _ in talk(
            assistant, "when was the consultation", "what happened next?", "and after that?"
        )
    ]
    assert intents == ["consultation", "pilot", "inspection_timing"]
    back = [i for i, _ in talk(assistant, "when was it deferred", "what came before that?")]
    assert back == ["deferral", "reports"]


def test_button_labels_fit_a_phone(assistant: Assistant) -> None:
    """About 30 characters at most; under an answer about a force, its name is left out."""
    from bot.dialogue.buttons import MAX_LABEL_CHARS

    for question in (
        "hi",
        "why was gmp chosen",
        "what did inspectors find in staffs",
        "and west mercia?",
    ):
        reply = assistant.reply("labels", question)
        for button in reply.buttons:
            assert len(reply.label(button)) <= MAX_LABEL_CHARS, (question, reply.label(button))
    assistant.reset("labels")
    reply = assistant.reply("labels", "why was gmp chosen")
    assert "What did inspectors find?" in [reply.label(b) for b in reply.buttons]
    assert all("Greater Manchester" in b for b in reply.buttons if "find" in b)  # still asks it
    assistant.reset("labels")


def test_a_position_picks_among_the_forces_the_last_answer_listed(
    assistant: Assistant,
) -> None:
    assistant.reply("c", "which report came first: 1 gmp or 2 west mercia")
    reply = assistant.reply("c", "ok and when was 2 published")
    assert reply.slots["force"] == "west-mercia"
    assert "April 2013" in reply.text
