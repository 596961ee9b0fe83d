"""Yes/no questions and claims get "Yes." or "No — ..." first, only where it is certain."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.dialogue.reply import Reply


@pytest.mark.parametrize(
    ("question", "opening"),
    [
        ("Did HMI Probation take part in the consultation?", "Yes. "),
        ("was the CQC one of the consultation bodies?", "Yes. "),
        (
            "The West Mercia report came out in May 2013, didn't it?",
            "No \u2014 April 2013, not May 2013.",
        ),
        ("was the consultation in july 2012", "Yes. "),
        ("the consultation was in 2013, right?", "No \u2014 July 2012, not 2013."),
        ("was the gmp report published in february 2013?", "Yes. "),
        # typed facts settle what the answer text alone could not
        ("was it deferred until april 2015?", "Yes. "),
        ("was it announced in april 2015?", "No \u2014 April 2013, not April 2015."),
        ("was estyn one of the consultation bodies?", "No \u2014 Ofsted, the Care Quality"),
        # a range: both ends in the answer
        ("the page covers october 2011 to march 2013 doesnt it", "Yes. "),
    ],
)
def test_a_claim_is_checked_against_the_fact(
    ask: Callable[[str], Reply], question: str, opening: str
) -> None:
    assert ask(question).text.startswith(opening)


@pytest.mark.parametrize(
    "question",
    [
        "why was gmp chosen",  # an open question
        "did ofsted find the same things",  # no fact of Ofsted's findings to check against
    ],
)
def test_no_yes_or_no_where_the_check_is_not_certain(
    ask: Callable[[str], Reply], question: str
) -> None:
    text = ask(question).text
    assert not text.startswith(("Yes.", "No "))


@pytest.mark.parametrize(
    ("question", "still_says"),
    [
        ("what exact day in november were the inspections", "November 2012"),
        ("what did the west mercia report recommend", "April 2013"),
    ],
)
def test_detail_beyond_the_page_is_said_plainly_then_what_it_gives(
    ask: Callable[[str], Reply], question: str, still_says: str
) -> None:
    reply = ask(question)
    assert reply.text.startswith(("The page doesn't give that detail.", "The page doesn't say"))
    assert still_says in reply.text
    assert reply.outcome.value == "not_on_page"


@pytest.mark.parametrize(
    ("question", "opening"),
    [
        ("were the inspections unannounced?", "Yes. "),
        ("were the inspections announced?", "No. "),
        ("was staffs picked because of good practice?", "Yes. "),
        (
            "was west mercia chosen for good practice?",
            "No \u2014 the page says that of Staffordshire",
        ),
        ("did inspectors praise gmp for domestic abuse work?", "Yes. "),
    ],
)
def test_words_only_this_answer_has_support_it_and_another_subjects_contradict_it(
    ask: Callable[[str], Reply], question: str, opening: str
) -> None:
    assert ask(question).text.startswith(opening)


@pytest.mark.parametrize(
    "question",
    [
        "did the ofsted inspection affect the police findings",  # "neither ... affected"
        "could you tell me about the consultation",  # a request
        "were the police inspected in november or december 2012",  # a choice
    ],
)
def test_no_verdict_on_negated_answers_requests_or_choices(
    ask: Callable[[str], Reply], question: str
) -> None:
    assert not ask(question).text.startswith(("Yes.", "No "))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("did hmic announce the deferral", "No \u2014 Ofsted."),  # the fact names Ofsted alone
        ("was the press release from hmic?", "No. "),
    ],
)
def test_one_body_asked_about_and_another_named_is_a_no(
    ask: Callable[[str], Reply], question: str, expected: str
) -> None:
    assert ask(question).text.startswith(expected)


def test_two_bodies_asked_about_are_not_judged_by_the_one_named(
    ask: Callable[[str], Reply],
) -> None:
    text = ask("did ofsted and hmic both inspect herefordshire").text
    assert not text.startswith(("Yes.", "No"))
