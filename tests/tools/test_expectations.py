"""Content labels: a reply judged by what a person needs from it, not by intent names."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.tools.expectations import judge


@dataclass(frozen=True)
class FakeReply:
    text: str
    slots: dict[str, str] = field(default_factory=dict)


@pytest.mark.parametrize(
    ("text", "outcome", "expect", "must_say", "ok"),
    [
        ("In July 2012 a consultation ...", "answer", "answer", ["July 2012"], True),
        ("In July 2012 a consultation ...", "answer", "answer", ["HMI Probation"], False),
        ("It covered ten local authorities.", "answer", "answer", ["10 local authorities"], True),
        ("Yes. HMI Probation was one of the five.", "answer", "yes", [], True),
        ("HMI Probation was one of the five.", "answer", "yes", [], False),
        ("No \u2014 April 2013, not May.", "answer", "no", ["April 2013"], True),
        ("The page doesn't say; it says only November 2012.", "answer", "page_silent", [], True),
        ("The page gives the month only.", "not_on_page", "page_silent", [], True),
        ("Sorry, I can't answer that.", "fallback", "off_topic", [], True),
        ("Staffordshire was chosen because ...", "answer", "off_topic", [], False),
        ("Hello!", "smalltalk", "small_talk", [], True),
        ("Which force do you mean?", "clarify", "clarify", [], True),
    ],
)
def test_replies_are_judged_by_their_content(
    text: str, outcome: str, expect: str, must_say: list[str], ok: bool
) -> None:
    assert judge(FakeReply(text), outcome, expect, None, must_say).ok is ok


def test_another_forces_facts_are_a_wrong_subject_whatever_the_text() -> None:
    reply = FakeReply("West Mercia was chosen ...", {"force": "west-mercia"})
    verdict = judge(reply, "answer", "answer", "staffordshire", [])
    assert not verdict.ok and verdict.wrong_subject
