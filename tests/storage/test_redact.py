"""The masks applied to a question before the log stores it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from bot.dialogue.assistant import Assistant
from bot.lang.text import normalise
from bot.storage.question_log import ChatKind, QuestionLog
from bot.storage.redact import (
    MASKS,
    MAX_TEXT_CHARS,
    capitalised_words,
    mask_normalised,
    mask_typed,
)

DATA = Path(__file__).resolve().parents[1] / "data"

MASKED = [
    # e-mails, as written and as typed without the symbols
    ("my email is jane.doe@example.com", "my email is <email>"),
    ("Email: j_o'neil+bot@mail.example.org.uk thanks", "email <email> thanks"),
    ("my email is jane doe example com", "my email is <email>"),
    ("write to jane at example dot com", "write to <email>"),
    ("jane at example dot co dot uk", "<email>"),
    ("reach me jsmith gmail com", "reach me <email>"),
    ("jane doe at hotmail co uk please", "<email> please"),
    # links and handles
    ("see https://example.com/x?y=1 or @janedoe", "see <url> or <handle>"),
    ("www.example.org is my blog", "<url> is my blog"),
    ("t.me/somebot", "<url>"),
    ("message @jane_doe99 on telegram", "message <handle> on telegram"),
    # phones, cards, references
    ("call me on 07700 900123", "call me on <phone>"),
    ("+44 7700 900 123", "<phone>"),
    ("ring 0161 496 0000", "ring <phone>"),
    ("card 4111 1111 1111 1111 exp", "card <card> exp"),
    ("card 4111111111111111", "card <card>"),
    ("case ref 12345", "case ref <number>"),
    # NI numbers and postcodes
    ("NI number QQ 12 34 56 C", "ni number <ni>"),
    ("ni qq123456c", "ni <ni>"),
    ("postcode LS1 4AB", "postcode <postcode>"),
    ("i live in sw1a1aa", "i live in <postcode>"),
    ("near M1 1AE", "near <postcode>"),
    # street addresses
    ("I live at 12 Acacia Avenue, Leeds", "i live at <address> leeds"),
    ("we are at 4b high st", "we are at <address>"),
    ("I live on Acacia Avenue", "i live on <address>"),
    ("flat 3, 14 high st", "<address>"),
    ("apartment 12 in the block", "<address> in the block"),
    # dates, and dates of birth
    ("my son was born on 3rd March 2015", "my son was born on <date>"),
    ("dob 03/04/2015", "dob <date>"),
    ("date of birth 2015-04-03", "date of birth <date>"),
    ("born in march 2015", "born in <date>"),
    ("she was born 2012", "she was born <date>"),
    ("her birthday is 5th june", "her birthday is <date>"),
    ("on march 3rd 2015 they came", "on <date> they came"),
    ("what happened on 5 march", "what happened on <date>"),
    # names introduced as names
    ("my name is Jane Smith", "my name is <name>"),
    ("my name is jane and my son tom is 5", "my name is <name> and my son <name> is 5"),
    ("I'm called Sarah Jones", "i am called <name>"),
    ("call me Jo", "call me <name>"),
    ("my son Tom was born on 3rd March 2015", "my son <name> was born on <date>"),
    ("My daughter Amy Smith goes to school", "my daughter <name> goes to school"),
    ("my daughter's name is Amy", "my daughter name is <name>"),
    ("a boy called Tom in his class", "a boy called <name> in his class"),
    ("Mrs Patel the teacher", "mrs <name> the teacher"),
    ("Hi, I worry about my grandson Jack", "hi i worry about my grandson <name>"),
]

KEPT = [
    "what did inspectors find in Greater Manchester in November 2012",
    "West Mercia Police",
    "HMI Probation",
    "why was staffs chosen?",
    "how many forces were inspected between may 2012 and march 2013",
    "were the inspections in 2012 and 2013",
    "when was the report published in 2013",
    "were 4 forces inspected",
    "what is the way forward",
    "on the road to improvement",
    "why is it called hmicfrs now",
    "are older inspection reports on child abuse still called HMIC?",
    "my son told me about it",
    "my dad hits me",  # a verb, not a name (and the safety screen never lets it be stored)
    "what did Ofsted say about Rochdale",
    "which 10 councils took part",
    "what is the uk's role",
    "how did the met police do in their child protection inspection",
    "what did ofsted say about my sons primary school",
    "what did ofsted say about my son's primary school",
]


@pytest.mark.parametrize(("typed", "stored"), MASKED)
def test_personal_details_are_masked(typed: str, stored: str) -> None:
    assert mask_typed(typed) == stored


@pytest.mark.parametrize("typed", KEPT)
def test_questions_about_the_page_are_kept_as_they_are(typed: str) -> None:
    assert mask_typed(typed) == normalise(typed)


# Labels of turns that are not about the page: their dates and numbers may be masked
# ("is the hmrc self assessment deadline 31 january" keeps no day).
NOT_ABOUT_THE_PAGE = frozenset({"off_topic", "fallback"})


def _questions(data: object) -> Iterator[str]:
    if isinstance(data, dict):
        if data.get("expect") in NOT_ABOUT_THE_PAGE or data.get("intent") in NOT_ABOUT_THE_PAGE:
            return
        for key, value in data.items():
            if key == "q" and isinstance(value, str):
                yield value
            else:
                yield from _questions(value)
    elif isinstance(data, list):
        for value in data:
            yield from _questions(value)


@pytest.mark.slow  # every labelled set, or the whole CLI
def test_no_labelled_question_about_the_page_is_masked() -> None:
    files = [p for p in sorted(DATA.glob("**/*.yaml")) if "safety" not in p.name]
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C one when built with it
    questions = [q for p in files for q in _questions(yaml.load(p.read_bytes(), loader))]
    assert len(questions) > 500
    stored = {q: mask_typed(q) for q in questions}
    damaged = [(q, kept) for q, kept in stored.items() if kept != normalise(q)]
    assert damaged == []


def test_normalised_text_alone_is_masked_too() -> None:
    # when the message as typed is not known: what normalisation left of it
    assert mask_normalised("my name is jane and i live at 12 acacia avenue ls1 4ab") == (
        "my name is <name> and i live at <address> <postcode>"
    )


def test_capitalisation_counts_only_mid_sentence() -> None:
    assert capitalised_words("My son Tom. He is 5") is not None
    assert capitalised_words("My son Tom. He is 5") == frozenset({"tom"})
    assert capitalised_words("I think HMIC said so") is None
    assert capitalised_words("my son tom") is None


def test_masks_are_what_the_log_stores(tmp_path: Path, assistant: Assistant) -> None:
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    log = QuestionLog(tmp_path / "questions.sqlite3", clock=lambda: now)
    typed = "my name is Jane Doe, jane doe example com, 07700 900123, my son Tom, LS1 4AB"
    log.record(assistant.reply("c1", typed), ChatKind.PRIVATE)
    [question] = log.questions(now - timedelta(days=1))
    assert question.text == "my name is <name> <email> <phone> my son <name> <postcode>"
    assert {w for w in question.text.split() if w.startswith("<")} <= MASKS


def test_a_long_message_is_masked_in_its_first_part_only_and_cut_at_a_word() -> None:
    # the e-mail straddles the point where masking stops: it must not be half kept
    text = "word " * 199 + "abcd jane.doe@example.com " + "more " * 800
    stored = mask_typed(text)
    assert len(stored) <= MAX_TEXT_CHARS
    assert "jane" not in stored
    assert "doe" not in stored
    assert mask_typed("x" * 5000) == ""  # one endless word: nothing worth keeping


def test_tldr_is_no_doctors_title() -> None:
    assert mask_typed("tl;dr staffs section") == "tl dr staffs section"
    assert mask_typed("i saw dr smith today") == "i saw dr <name> today"
