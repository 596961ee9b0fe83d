"""Every sentence of the page can be reached, and a quote never crosses to another force."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.dialogue.assistant import Assistant
from bot.dialogue.reply import Outcome, Reply
from bot.lang.text import stem, tokens
from bot.lang.words import STOPWORDS
from bot.schema.knowledge import Knowledge, PageSentence

# Reached: a fact, the page's silence said plainly, a quote, or a question back
# ("which force do you mean?") when the words fit more than one force.
REACHED = (Outcome.ANSWER, Outcome.NOT_ON_PAGE, Outcome.CLARIFY)


def rare_words(assistant: Assistant, sentence: PageSentence, count: int = 4) -> list[str]:
    """The sentence's words that are rarest on the page: what someone asking about it
    would most likely use."""
    idf = assistant.sentences._idf
    words = {w for w in tokens(sentence.text) if w not in STOPWORDS and len(w) > 3}
    return sorted(words, key=lambda w: (-idf.get(stem(w), 0.0), w))[:count]


def test_every_sentence_of_the_page_is_reachable(assistant: Assistant) -> None:
    missed = []
    k = assistant.knowledge
    for sentence in k.page:
        # people name the force a sentence is about, as its heading on the page does
        about = f"{k.force(sentence.subject).short_name}: " if sentence.subject else ""
        question = about + "tell me about " + " ".join(rare_words(assistant, sentence))
        reply = assistant.reply("reach", question)
        assistant.reset("reach")
        if reply.outcome not in REACHED:
            missed.append((question, reply.intent))
    assert missed == []


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("were inspectors from both organisations in contact", "in contact with each other"),
        ("were the inspections done separately", "conducted separately"),
    ],
)
def test_a_fact_inside_a_sentence_is_quoted(
    ask: Callable[[str], Reply], question: str, words: str
) -> None:
    reply = ask(question)
    assert reply.outcome is Outcome.ANSWER and words in reply.text


def test_a_quote_is_never_about_another_force(knowledge: Knowledge, assistant: Assistant) -> None:
    for force in knowledge.forces:
        for sentence in knowledge.page:
            if sentence.subject in (None, force.id):
                continue
            words = rare_words(assistant, sentence)
            if {e.kind for e in assistant.matcher.match(" ".join(words)).entities} & {"force"}:
                continue  # the sentence's own place names would name its force too
            question = f"{force.short_name} " + " ".join(words)
            reply = assistant.reply("guard", question)
            assistant.reset("guard")
            forces = set(filter(None, reply.slots.get("force", "").split(",")))
            assert sentence.text not in reply.text, question
            assert not forces - {force.id} or reply.outcome is not Outcome.ANSWER, question


def test_off_topic_words_are_not_matched_to_a_sentence(ask: Callable[[str], Reply]) -> None:
    for question in ("whats the best pizza in rochdale", "what is the weather in hereford"):
        assert ask(question).outcome is not Outcome.ANSWER
