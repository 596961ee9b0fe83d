"""Reading a question at the level of facts: form, subjects, attribute, asserted values."""

from __future__ import annotations

import pytest

from bot.dialogue.assistant import Assistant
from bot.nlu.analysis import Analysis
from bot.nlu.form import Form
from bot.schema.facts import ValueType


def read(assistant: Assistant, text: str) -> Analysis:
    return assistant.analyser.analyse(assistant.matcher.match(text))


@pytest.mark.parametrize(
    ("question", "form"),
    [
        ("when was the consultation", Form.OPEN),
        ("was the consultation in july 2012", Form.YES_NO),
        ("the consultation was in 2013, right?", Form.CLAIM),
        ("i heard ofsted pushed it back to 2016", Form.CLAIM),
        ("staffs was only chosen cos it was a failing force", Form.CLAIM),  # a statement
        ("in staffordshire did hmic and ofsted inspect at the same time", Form.YES_NO),
        ("tell me why gmp was chosen", Form.OPEN),  # a request, not a statement
        ("november or december?", Form.OPEN),  # a choice
    ],
)
def test_the_form(assistant: Assistant, question: str, form: Form) -> None:
    assert read(assistant, question).form is form


def test_a_force_after_in_is_a_place_asserted_not_the_subject(assistant: Assistant) -> None:
    analysis = read(assistant, "did the police work with partners in rochdale")
    assert analysis.asserted.places == ("Rochdale",)
    assert "greater-manchester" not in analysis.subjects
    # a force name that is not a place stays the subject
    assert read(assistant, "what did they find in greater manchester").subjects[0] == (
        "greater-manchester"
    )


def test_a_place_without_in_asserts_nothing(assistant: Assistant) -> None:
    assert read(assistant, "is west mercia merging with warwickshire").asserted.places == ()


def test_a_date_after_since_is_not_asserted(assistant: Assistant) -> None:
    assert read(assistant, "has gmp been inspected again since 2013").asserted.years == frozenset()
    assert read(assistant, "was it deferred until 2016").asserted.years == {"2016"}


def test_numbers_and_vague_plurals(assistant: Assistant) -> None:
    assert read(assistant, "does gmp have 10 councils").asserted.numbers == {10}
    assert read(assistant, "which one did hmic inspect").asserted.numbers == frozenset()
    assert read(assistant, "does gmp have several councils").asserted.plural


def test_attribute_words_are_shared_by_every_subject(assistant: Assistant) -> None:
    for question in ("when was the consultation", "when was gmp inspected", "when was it deferred"):
        attribute = read(assistant, question).attribute
        assert attribute is not None and attribute.id == "date", question


def test_polarity_and_options(assistant: Assistant) -> None:
    surprise = read(assistant, "were they surprise inspections").attribute
    assert surprise is not None and (surprise.id, surprise.polarity) == ("announced", False)
    after = read(assistant, "was west mercia inspected after ofsted").attribute
    assert after is not None and (after.id, after.option) == ("timing_vs_ofsted", "after")


def test_elliptical_follow_ups_and_bare_question_words(assistant: Assistant) -> None:
    assert read(assistant, "and the youth justice board?").elliptical
    assert not read(assistant, "and what did the youth justice board find?").elliptical
    assert read(assistant, "how many?").asks is ValueType.NUMBER
    assert read(assistant, "since when?").asks is ValueType.DATE


@pytest.mark.parametrize(
    ("text", "places", "denied"),
    [
        (
            "gmp were inspected in manchester city centre not rochdale",
            ("Manchester",),
            ("Rochdale",),
        ),
        ("gmp was inspected in bolton rather than rochdale", ("Bolton",), ("Rochdale",)),
        # "not" of a verb or a question tag denies nothing
        ("was it not rochdale for gmp", ("Rochdale",), ()),
        ("it was rochdale for gmp wasn't it", ("Rochdale",), ()),
    ],
)
def test_a_value_after_not_is_denied_not_asserted(
    assistant: Assistant, text: str, places: tuple[str, ...], denied: tuple[str, ...]
) -> None:
    said = read(assistant, text).asserted
    assert (said.places, said.denied_places) == (places, denied)


def test_a_date_after_not_is_denied(assistant: Assistant) -> None:
    said = read(assistant, "gmp was inspected in 2013 not 2012").asserted
    assert (said.years, said.denied_years) == (frozenset({"2013"}), frozenset({"2012"}))
    said = read(assistant, "the west mercia report came out in april not february").asserted
    assert (said.months, said.denied_months) == (frozenset({"april"}), frozenset({"february"}))
