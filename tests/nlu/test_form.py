"""The form of a question and the values it asserts, for every subject alike."""

from __future__ import annotations

import pytest

from bot.lang.text import tokens
from bot.nlu.form import (
    Form,
    asks_how_to,
    assertion,
    is_statement,
    question_form,
    question_parts,
)


@pytest.mark.parametrize(
    ("question", "form"),
    [
        ("Did HMI Probation take part in the consultation?", Form.YES_NO),
        ("so were the inspections unannounced", Form.YES_NO),
        ("is there a report on west mercia", Form.YES_NO),
        ("The West Mercia report came out in May 2013, didn't it?", Form.CLAIM),
        ("gmp was inspected in rochdale, right?", Form.CLAIM),
        ("is it true that ofsted deferred it", Form.CLAIM),
        ("west mercia police covers rochdale dont they", Form.CLAIM),
        ("there was a report on staffs wasnt there", Form.CLAIM),
        ("did ofsted's inspection change hmic's findings or vice versa", Form.YES_NO),
        ("west mercia is a rural force, that's why they were chosen", Form.CLAIM),
        ("hmi probation carried out the november inspections", Form.CLAIM),
        ("i'm a herefordshire cllr was the inspection independent of ofsted's", Form.YES_NO),
        ("i'm a student, when was the consultation", Form.OPEN),
        ("in staffordshire did hmic and ofsted inspect at the same time", Form.YES_NO),
        ("for a piece i'm filing tonight", Form.OPEN),
        ("was there anything to improve or was it all fine", Form.YES_NO),
        ("was it in november or december", Form.OPEN),
        ("when was the consultation", Form.OPEN),
        ("why was gmp chosen", Form.OPEN),
        ("consultation", Form.OPEN),
        ("", Form.OPEN),
    ],
)
def test_the_form_of_a_question(question: str, form: Form) -> None:
    assert question_form(tokens(question)) is form


def test_months_and_years_are_asserted_values() -> None:
    found = assertion(tokens("it came out in May 2013, didn't it"))
    assert found.months == {"may"} and found.years == {"2013"}
    assert not assertion(tokens("why was gmp chosen")).any


@pytest.mark.parametrize(
    ("question", "how_to"),
    [
        ("how do i become a police officer in staffordshire", True),
        ("ok so how can i get a pilot licence", True),
        ("how to book a gp consultation", True),
        ("how do i cite the west mercia report", False),  # about the page's documents
        ("how do i report something to the police", True),  # "report", the verb
        ("how can i find out when the consultation was", False),  # a question inside
        ("how did hmic choose the forces", False),  # past tense: about what happened
        ("how many forces were inspected", False),
        ("how do i", False),
    ],
)
def test_requests_for_instructions(question: str, how_to: bool) -> None:
    assert asks_how_to(tokens(question)) is how_to


@pytest.mark.parametrize(
    ("message", "parts"),
    [
        ("which force was it and roughly when", ("which force was it", "roughly when")),
        ("did hmic look at gmp? when was that", ("did hmic look at gmp", "when was that")),
        (
            "why was gmp chosen, and what did they find",
            ("why was gmp chosen", "what did they find"),
        ),
        ("when and where were the inspections", ("when and where were the inspections",)),
        (
            "wen did hmic do the inspections and were the forces told",
            ("wen did hmic do the inspections", "were the forces told"),
        ),
        ("y was gmp picked n which borough", ("y was gmp picked", "which borough")),
        ("gmp and west mercia were chosen", ("gmp and west mercia were chosen",)),
        ("what is hmic?", ("what is hmic?",)),
        ("staffs and gmp, why chosen", ("staffs and gmp, why chosen",)),
    ],
)
def test_the_questions_one_message_asks(message: str, parts: tuple[str, ...]) -> None:
    assert question_parts(message) == parts


def test_a_statement_is_a_claim_no_tag_or_opener_marks() -> None:
    assert is_statement(tokens("hmic inspected staffs in staffordshire, gmp in rochdale"))
    assert not is_statement(tokens("gmp was inspected in rochdale, right?"))
    assert not is_statement(tokens("when was gmp inspected"))


def test_a_statement_typed_with_a_question_mark_is_a_yes_no_question() -> None:
    words = tokens("so older reports still say hmic?")
    assert question_form(words, marked=True) is Form.YES_NO
    assert question_form(words) is Form.OPEN
    # a noun phrase with a question mark still asks for the thing itself
    assert question_form(tokens("headline finding on rochdale?"), marked=True) is Form.OPEN


@pytest.mark.parametrize(
    "text",
    [
        "was it just ofsted doing the consultation or were others in on it too",
        "was the gmp inspection in manchester city or somewhere else",
    ],
)
def test_an_or_ending_about_others_leaves_a_yes_no_question(text: str) -> None:
    assert question_form(tokens(text)) is Form.YES_NO


@pytest.mark.parametrize(
    "text",
    [
        "my mate reckons the police inspection changed what ofsted found",
        "so basically ofsteds findings changed what hmic concluded",
        "my boss says this was all done jointly",
    ],
)
def test_a_claim_passed_on_or_with_a_clause_after_what_is_a_claim(text: str) -> None:
    assert question_form(tokens(text)) is Form.CLAIM


def test_a_claim_passed_on_then_a_question_asks() -> None:
    text = "my teacher says the framework changed at some point, whats the name of the thing"
    assert question_form(tokens(text)) is Form.OPEN
