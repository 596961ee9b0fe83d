"""The wording of replies that are not answers: clarifying questions and honest fallbacks.

Like the handlers in answers.py, every fact comes from the Knowledge records.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.dialogue.answers import body_name, join
from bot.schema.knowledge import Knowledge

# After this many fallbacks in a row, the next one offers buttons without the paragraph.
FALLBACKS_BEFORE_BUTTONS_ONLY = 2


def clarify_force(k: Knowledge) -> tuple[str, tuple[str, ...]]:
    """The question asking which force, and the choices to offer."""
    choices = tuple(f.name for f in k.forces)
    return f"Which force do you mean: {join(choices, 'or')}?", choices


def clarify_body(k: Knowledge) -> tuple[str, tuple[str, ...]]:
    """The question asking which body, and the choices to offer."""
    choices = tuple(b.abbreviation for b in k.bodies)
    return f"Which body do you mean: {join(choices, 'or')}?", choices


def empty_message() -> str:
    """The reply to a message with no words in it."""
    return "Please type a question, for example one of these."


def about_the_page(k: Knowledge) -> str:
    """One sentence on what the page covers, to close a fallback."""
    return (
        f"It is about {body_name(k, k.inspections.conducted_by)}'s {k.inspections.date} "
        f"pilot inspections of {join([f.name for f in k.forces])}, the "
        f"{k.consultation.date} consultation and the deferral to {k.deferral.deferred_until}."
    )


def not_understood(k: Knowledge) -> str:
    """The fallback when nothing matched."""
    return (
        f"Sorry, I can't answer that from the page I know: "
        f"{body_name(k, k.source.publisher)}'s “{k.source.title}”. {about_the_page(k)}"
    )


def not_understood_again(k: Knowledge, times: int) -> str:
    """The fallback after one or more fallbacks in a row: shorter, and not word for word.

    After two in a row the paragraph is not repeated at all: the buttons under it are the
    questions to try.
    """
    if times >= FALLBACKS_BEFORE_BUTTONS_ONLY:
        return "These are questions I can answer from the page. Tap one, or ask in your own words."
    return (
        f"I can't find that on the page either. Try asking when the {k.inspections.date} "
        f"inspections were, why a force was chosen, what the inspectors found, or about the "
        f"deferral."
    )


def not_about_force(k: Knowledge, force_ids: Sequence[str]) -> str:
    """The fallback when a force was named but the question is nothing the page covers."""
    names = join([k.force(f).name for f in force_ids])
    return (
        f"I can't answer that from the page. About {names}, ask me why it was chosen, which "
        f"area was inspected, what inspectors found, or about its report."
    )


def not_covered(k: Knowledge, topics: Sequence[str]) -> str:
    """The reply to a question about something knowledge/not_covered.yaml names."""
    return (
        f"The page does not cover {join(list(topics))}, so I can't answer that. {about_the_page(k)}"
    )


def how_to(k: Knowledge) -> str:
    """The reply to a request for instructions ("how do i join ...")."""
    return f"The page doesn't explain how to do that, so I can't help with it. {about_the_page(k)}"


def other_body(k: Knowledge, names: Sequence[str]) -> str:
    """The reply to an open question about an organisation the page does not name."""
    return f"The page says nothing about {join(list(names))}. {about_the_page(k)}"


def other_force(k: Knowledge, names: Sequence[str]) -> str:
    """The reply to a question about a police force the page does not cover."""
    return (
        f"The page says nothing about {join(list(names))}. It covers only "
        f"{join([f.name for f in k.forces])}, inspected by "
        f"{body_name(k, k.inspections.conducted_by)} in {k.inspections.date}."
    )
