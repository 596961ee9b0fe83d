"""Entities resolve from names, short names, misspellings and places."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.dialogue.assistant import Assistant
from bot.dialogue.reply import Reply


@pytest.mark.parametrize(
    ("text", "force"),
    [
        ("staffordshire police", "staffordshire"),
        ("staffs", "staffordshire"),
        ("staffordsire", "staffordshire"),
        ("stoke", "staffordshire"),
        ("GMP", "greater-manchester"),
        ("greater manchester", "greater-manchester"),
        ("manchester police", "greater-manchester"),
        ("greatermanchester", "greater-manchester"),
        ("Rochdale", "greater-manchester"),
        ("west mercia", "west-mercia"),
        ("W Mercia", "west-mercia"),
        ("mercia", "west-mercia"),
        ("Hereford", "west-mercia"),
        ("herefordshire council", "west-mercia"),
    ],
)
def test_force_aliases(assistant: Assistant, text: str, force: str) -> None:
    assert assistant.matcher.match(f"what about {text}").ids("force") == (force,)


@pytest.mark.parametrize(
    ("text", "body"),
    [
        ("cqc", "cqc"),
        ("Care Quality Commission", "cqc"),
        ("ofsted", "ofsted"),
        ("HMI Prisons", "hmi-prisons"),
        ("hmicfrs", "hmicfrs"),
    ],
)
def test_body_aliases(assistant: Assistant, text: str, body: str) -> None:
    assert assistant.matcher.match(f"what is {text}").ids("body") == (body,)


def test_a_similar_force_the_page_does_not_cover_is_not_a_pilot_force(assistant: Assistant) -> None:
    match = assistant.matcher.match("what did they find at west midlands police")
    assert match.ids("force") == ()
    assert match.ids("other_force") == ("West Midlands Police",)


def test_two_forces_in_one_question(assistant: Assistant) -> None:
    match = assistant.matcher.match("compare gmp and staffs")
    assert match.ids("force") == ("greater-manchester", "staffordshire")


@pytest.mark.parametrize(
    ("text", "force"),
    [
        ("rock dale comes under which force", "greater-manchester"),  # voice typing
        ("hereford shire police force??", "west-mercia"),
        ("Staff shire police inspected in what month", "staffordshire"),
        ("what was the reason for choosing west mercy police", "west-mercia"),
        ("whats the reasoning behind greater mcr police being chosen", "greater-manchester"),
    ],
)
def test_names_split_or_misheard_by_voice_typing(
    assistant: Assistant, text: str, force: str
) -> None:
    assert assistant.matcher.match(text).ids("force") == (force,)


def test_a_county_after_in_is_a_place_not_another_force(ask: Callable[[str], Reply]) -> None:
    reply = ask("my mate says west mercia got inspected in hertfordshire")
    assert reply.text.startswith("No \u2014 Herefordshire, not Hertfordshire.")
