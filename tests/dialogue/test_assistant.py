"""Dialogue: answers, follow-ups, clarifications, honest fallbacks, and never the wrong force."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.dialogue.assistant import Assistant
from bot.dialogue.reply import Outcome, Reply, Rule
from bot.schema.knowledge import Knowledge

FORCE_INTENTS = (
    "force_selection",
    "force_findings",
    "force_area",
    "force_report",
    "force_overview",
)
QUESTIONS = {
    "force_selection": "why was {name} chosen for the pilot",
    "force_findings": "what did the inspectors find at {name}",
    "force_area": "which local authority area was {name} inspected in",
    "force_report": "is there a report on {name}",
    "force_overview": "tell me about {name}",
}


def test_a_question_is_answered_from_the_page(
    chat: Callable[[str], str], knowledge: Knowledge
) -> None:
    text = chat("why was staffs picked?")
    assert knowledge.force("staffordshire").selection_reason in text


def test_follow_up_keeps_the_force(ask: Callable[[str], Reply]) -> None:
    assert ask("why was gmp chosen").slots["force"] == "greater-manchester"
    follow = ask("and what did inspectors think of them?")
    assert follow.intent == "force_findings"
    assert follow.slots["force"] == "greater-manchester"


def test_what_about_another_force_reuses_the_question(ask: Callable[[str], Reply]) -> None:
    ask("why was gmp chosen")
    reply = ask("what about West Mercia?")
    assert (reply.intent, reply.slots["force"]) == ("force_selection", "west-mercia")


def test_cold_question_needing_a_force_asks_which(
    ask: Callable[[str], Reply], knowledge: Knowledge
) -> None:
    reply = ask("what made them pick that police force?")
    assert reply.outcome is Outcome.CLARIFY
    assert reply.choices == tuple(f.name for f in knowledge.forces)
    answer = ask(reply.choices[1])
    assert (answer.intent, answer.slots["force"]) == ("force_selection", knowledge.forces[1].id)


def test_the_page_is_silent_on_west_mercia_findings(ask: Callable[[str], Reply]) -> None:
    reply = ask("what did inspectors find in west mercia")
    assert reply.outcome is Outcome.NOT_ON_PAGE
    assert reply.text.startswith("The page does not say")


def test_the_page_names_no_staffordshire_report(ask: Callable[[str], Reply]) -> None:
    reply = ask("staffs report?")
    assert reply.outcome is Outcome.NOT_ON_PAGE
    assert "does not name a report on Staffordshire Police" in reply.text


def test_the_page_does_not_say_why_it_was_deferred(
    ask: Callable[[str], Reply], knowledge: Knowledge
) -> None:
    reply = ask("why was it deffered??")
    assert reply.outcome is Outcome.NOT_ON_PAGE
    assert knowledge.deferral.deferred_until in reply.text


def test_deferral_date(chat: Callable[[str], str]) -> None:
    assert "April 2015" in chat("when were the arrangements deferred")


def test_consultation_names_all_five_bodies(
    chat: Callable[[str], str], knowledge: Knowledge
) -> None:
    text = chat("who ran the july 2012 consultation?")
    for body_id in knowledge.consultation.bodies:
        assert knowledge.body(body_id).page_name in text


@pytest.mark.parametrize(
    ("question", "force"),
    [
        ("which force polices both cities and farmland?", "west-mercia"),
        ("which one has ten councils in its patch?", "greater-manchester"),
        ("which force stood out on domestic abuse?", "greater-manchester"),
        ("which force was good at information sharing", "staffordshire"),
    ],
)
def test_reverse_look_ups(ask: Callable[[str], Reply], question: str, force: str) -> None:
    reply = ask(question)
    assert (reply.intent, reply.slots.get("force")) == ("which_force", force)


def test_safety_comes_first_and_plainly(ask: Callable[[str], Reply], knowledge: Knowledge) -> None:
    reply = ask("i think a child next door is being abused, who do i tell?")
    assert (reply.intent, reply.safety) == ("safety", "adult")
    assert reply.text.startswith(knowledge.safety.reply("adult").text)
    assert "0808 800 5000" in reply.text


@pytest.mark.parametrize(
    "question",
    [
        "what's the weather like in manchester tomorrow",
        "tell me a joke",
        "how many officers does West Mercia Police have?",
        "what rating did Ofsted give Rochdale council?",
        "who is the chief constable of staffs",
        "asdfgh qwerty",
        # fire words alone are no question about HMIC's fire & rescue remit
        "the fire brigade came to our street last night anyone know why",
        "fire and rescue jobs near me hiring",
        # only "what year" or a month is the page's, beside words it does not know
        "what year did the titanic sink",
        "whats the november birthstone",
        # a town is no force named, beside three words the bot does not know
        "is a domestic flight to manchester cheaper than the train",
        # rankings of forces, and schools' inspections, are none of the page's
        "which police force has the best child protection record in the uk",
        "do schools get any notice before an ofsted inspection",
        # asked for the asker's own life
        "can i defer my uni place till next september",
    ],
)
def test_off_topic_is_not_answered_with_a_fact(ask: Callable[[str], Reply], question: str) -> None:
    reply = ask(question)
    assert reply.outcome is Outcome.FALLBACK
    assert reply.suggestions


def test_a_force_the_page_does_not_cover(ask: Callable[[str], Reply]) -> None:
    reply = ask("what did inspectors find at west midlands police")
    assert "says nothing about West Midlands Police" in reply.text
    assert "force" not in reply.slots


@pytest.mark.parametrize("intent", FORCE_INTENTS)
def test_never_one_force_facts_for_another(
    assistant: Assistant, knowledge: Knowledge, intent: str
) -> None:
    """Each force's answers mention that force only, even right after another force."""
    for previous in knowledge.forces:
        for force in knowledge.forces:
            chat = f"{previous.id}-{force.id}-{intent}"
            assistant.reply(chat, QUESTIONS[intent].format(name=previous.name))
            reply = assistant.reply(chat, QUESTIONS[intent].format(name=force.short_name))
            assert reply.slots.get("force") == force.id, (previous.id, force.id, reply)
            for other in knowledge.forces:
                if other.id == force.id:
                    continue
                assert other.selection_reason not in reply.text
                assert other.area not in reply.text
                if other.findings:
                    assert other.findings.summary not in reply.text
                    assert not any(item in reply.text for item in other.findings.impressed_by)


def test_same_input_same_context_same_answer(assistant: Assistant) -> None:
    first = [assistant.reply("a", q) for q in ("why gmp", "and findings?", "what about staffs")]
    second = [assistant.reply("b", q) for q in ("why gmp", "and findings?", "what about staffs")]
    assert first == second


def test_reset_forgets_context(assistant: Assistant) -> None:
    assistant.reply("c", "why was gmp chosen")
    assistant.reset("c")
    assert assistant.reply("c", "what did they find?").outcome is Outcome.CLARIFY


def test_every_reply_names_its_source_when_it_gives_a_fact(
    assistant: Assistant, knowledge: Knowledge
) -> None:
    for question in ("when were the inspections", "what is hmicfrs", "which forces were inspected"):
        reply = assistant.reply("s", question)
        assert reply.outcome is Outcome.ANSWER
        assert reply.source == knowledge.source.citation


def test_buttons_round_trip_and_forged_keys_are_unknown(assistant: Assistant) -> None:
    reply = assistant.reply("k", "why was gmp chosen")
    for text in reply.buttons:
        key = assistant.button_key(text)
        assert len(key.encode()) <= 64
        assert assistant.button_text(key) == text
    assert assistant.button_text("qdeadbeef0000") is None
    fresh = Assistant(assistant.knowledge, tuple(assistant.intents.values()))
    assert all(fresh.button_text(assistant.button_key(t)) == t for t in reply.buttons)


def test_inline_answers_each_force_when_ambiguous(assistant: Assistant) -> None:
    replies = assistant.inline("why was that force chosen")
    assert [r.slots["force"] for r in replies] == [
        "staffordshire",
        "greater-manchester",
        "west-mercia",
    ]


@pytest.mark.parametrize("command", ["start", "help", "sources", "about"])
def test_commands_have_text(assistant: Assistant, command: str) -> None:
    assert assistant.command(command).text


def test_a_question_about_all_the_forces_answers_each(
    ask: Callable[[str], Reply], knowledge: Knowledge
) -> None:
    reply = ask("what criteria were used to choose the forces?")
    assert reply.intent == "force_selection"
    assert reply.slots["force"] == ",".join(f.id for f in knowledge.forces)
    for force in knowledge.forces:
        assert force.selection_reason in reply.text


def test_what_about_a_force_after_an_overview_is_that_force_overview(
    ask: Callable[[str], Reply],
) -> None:
    ask("tell me about west mercia")
    reply = ask("what about staffordshire police?")
    assert (reply.intent, reply.slots["force"]) == ("force_overview", "staffordshire")


def test_a_vague_follow_up_is_read_against_the_last_topic(ask: Callable[[str], Reply]) -> None:
    ask("when were the arrangements deferred?")
    assert ask("why?").intent == "deferral_reason"
    ask("who ran the consultation")
    assert ask("when was that?").intent == "consultation"


def test_small_talk_is_not_read_as_a_follow_up(ask: Callable[[str], Reply]) -> None:
    ask("what was the press release called")
    assert ask("ta").intent == "thanks"


def test_not_covered_topics_are_named(ask: Callable[[str], Reply]) -> None:
    reply = ask("how much did the inspections cost?")
    assert reply.outcome is Outcome.FALLBACK
    assert reply.text.startswith("The page does not cover costs")


@pytest.mark.parametrize(
    "question",
    ["how do i book a gp consultation", "how do i become a police officer in staffordshire"],
)
def test_requests_for_instructions_are_declined(ask: Callable[[str], Reply], question: str) -> None:
    reply = ask(question)
    assert (reply.outcome, reply.trace.rule) == (Outcome.FALLBACK, Rule.HOW_TO)
    assert reply.text.startswith("The page doesn't explain how to do that")


def test_a_who_question_with_a_role_the_bot_does_not_know_says_the_page_gives_no_more(
    ask: Callable[[str], Reply],
) -> None:
    reply = ask("who chaired the consultation")
    assert reply.outcome is Outcome.NOT_ON_PAGE
    assert reply.text.startswith("The page doesn't give that detail.")
    assert "HMI Prisons" in reply.text  # then what it does say
    assert ask("who ran the consultation").outcome is Outcome.ANSWER


def test_two_questions_in_one_message_get_both_answers(assistant: Assistant) -> None:
    assistant.reset("c")
    reply = assistant.reply("c", "im a councillor in herefordshire, which force was it and when")
    assert reply.trace.rule is Rule.IN_PARTS
    assert "West Mercia Police" in reply.text and "November 2012" in reply.text
    assert assistant.context("c").forces == ("west-mercia",)
    # a second part the first answer already dates is no second question
    assert assistant.reply("c", "which reports are published and when").trace.rule is not (
        Rule.IN_PARTS
    )


@pytest.mark.parametrize(
    ("question", "force"),
    [
        ("the complex force with all the councils, were the kids protected", "greater-manchester"),
        ("the rural-ish one, when did its report come out", "west-mercia"),
        ("the one near wales, which council area was it", "west-mercia"),
    ],
)
def test_a_force_named_by_what_the_page_says_of_it(
    ask: Callable[[str], Reply], question: str, force: str
) -> None:
    assert ask(question).slots["force"] == force


def test_a_detail_only_one_forces_findings_have_names_that_force(
    assistant: Assistant,
) -> None:
    assistant.reset("c")
    assistant.reply("c", "why was staffs chosen")
    reply = assistant.reply(
        "c", "what level of risk were the domestic abuse situations assessed as"
    )
    assert reply.slots["force"] == "greater-manchester" and "high level of risk" in reply.text


def test_a_quote_from_the_page_names_the_forces_its_sentences_are_about(
    ask: Callable[[str], Reply],
) -> None:
    reply = ask(
        "each authority responsible for individual child protection arrangements - "
        "which forces does that apply to"
    )
    assert (reply.trace.rule, reply.slots["force"]) == (
        Rule.QUOTED,
        "greater-manchester,west-mercia",
    )
    # words every force's sentence has quote none of them in particular
    assert ask("which police forces took part in the pilot?").trace.rule is not Rule.QUOTED


def test_a_description_that_is_asked_about_is_a_look_up(ask: Callable[[str], Reply]) -> None:
    reply = ask("which force was picked coz its complex")
    assert (reply.intent, reply.slots["force"]) == ("which_force", "greater-manchester")
    # a month is no description: it names the deferral's announcement as well
    assert ask("what day in april 2013 did ofsted announce the delay").slots.get("force") is None


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("wat hapend aftr the consultashun", "pilot"),  # spelt as said
        ("wen wer the snap inspecshuns", "November 2012"),
        ("y did they pik staffordshir", "good practice"),  # a name's stem
        ("whch forse was picked coz its complex", "Greater Manchester Police"),
    ],
)
def test_phone_spelling(ask: Callable[[str], Reply], question: str, says: str) -> None:
    reply = ask(question)
    assert reply.outcome is Outcome.ANSWER and says in reply.text


def test_an_organisation_the_page_does_not_name_is_said_so(ask: Callable[[str], Reply]) -> None:
    reply = ask("whats the difference between hmic and the ipcc")
    assert (reply.outcome, reply.trace.rule) == (Outcome.FALLBACK, Rule.OTHER_BODY)
    assert reply.text.startswith("The page says nothing about the IOPC.")
    assert ask("was estyn one of them").text.startswith("No \u2014")  # a list settles it


def test_what_a_body_has_to_do_with_the_page(ask: Callable[[str], Reply]) -> None:
    reply = ask("what has the care quality commission got to do with this")
    assert (reply.intent, reply.slots["body"]) == ("body_info", "cqc")


def test_small_talk_on_weak_evidence_has_no_unknown_words(ask: Callable[[str], Reply]) -> None:
    assert ask("who won the darts last night").intent == "fallback"
    assert ask("thanks love").intent == "thanks"


@pytest.mark.parametrize(
    "question",
    [
        "my car failed its mot inspection what do i do now",
        "booked a consultation with my gp",
        "my mum keeps turning up unannounced how do i tell her nicely to text first",
        "when is ofsted next coming to my sons primary school",
    ],
)
def test_a_message_about_the_askers_own_things_is_not_answered_from_one_word(
    ask: Callable[[str], Reply], question: str
) -> None:
    assert ask(question).outcome is Outcome.FALLBACK


@pytest.mark.parametrize(
    "question",
    [
        "what's a good javascript framework for beginners",  # a keyword in another sense
        "what does deferred revenue mean in accounting",  # a keyword naming something else
        "whats a good pilot training school in the uk",
        "can i defer my uni place for a year",  # the asker's own plans
        "how i can improve my english speaking fast",
    ],
)
def test_other_senses_of_the_pages_words_are_declined(
    ask: Callable[[str], Reply], question: str
) -> None:
    assert ask(question).outcome is Outcome.FALLBACK


def test_small_talk_words_naming_a_force_are_no_small_talk(ask: Callable[[str], Reply]) -> None:
    reply = ask("what specific info sharing systems did staffordshire police use")
    assert reply.intent not in ("help", "greeting", "thanks")


def test_a_message_about_someone_asking_about_a_force_is_answered(
    ask: Callable[[str], Reply],
) -> None:
    reply = ask("my constituent is asking when west mercia police were inspected")
    assert reply.outcome is Outcome.ANSWER and "November 2012" in reply.text


def test_a_stated_part_is_context_for_the_question_after_it(assistant: Assistant) -> None:
    assistant.reset("c")
    text = "hmic inspected staffordshire police in staffordshire, gmp in rochdale and where else"
    reply = assistant.reply("c", text)
    assert reply.slots["force"] == "west-mercia" and "Herefordshire" in reply.text


def test_a_per_force_question_in_the_plural_is_answered_for_all_forces(
    ask: Callable[[str], Reply],
) -> None:
    reply = ask("which local authority areas were covered")
    assert reply.intent == "forces_inspected" and "Herefordshire" in reply.text
    assert ask("which local authority area was the force inspected in").intent == "clarify"


def test_a_precise_count_beats_a_topic_the_page_does_not_cover(
    ask: Callable[[str], Reply],
) -> None:
    # "councils are in" also asks the councils' names, which the page does not give
    assert ask("how many councils r in the greater manchester police area").text.startswith("Ten.")


def test_what_the_inspections_found_is_answered_for_every_force(
    ask: Callable[[str], Reply],
) -> None:
    reply = ask("what did the inspections find")
    assert reply.slots["force"] == "staffordshire,greater-manchester,west-mercia"


def test_the_timeline_lists_the_dated_events_in_order(ask: Callable[[str], Reply]) -> None:
    reply = ask("give me the timeline from the consultation to the deferral")
    assert reply.intent == "timeline"
    dates = ["July 2012", "November 2012", "February 2013", "April 2013", "April 2015"]
    where = [reply.text.index(d) for d in dates]
    assert where == sorted(where)


def test_a_dated_claim_about_an_event_is_checked(ask: Callable[[str], Reply]) -> None:
    assert ask("the consultation was in 2014 right?").text.startswith("No — July 2012, not 2014")
    # a year that raises a later event is still declined
    assert ask("did west mercia get inspected again in 2014").outcome is Outcome.FALLBACK


def test_the_other_two_forces(ask: Callable[[str], Reply]) -> None:
    ask("why was staffs chosen")
    reply = ask("and the other two?")
    assert (reply.intent, reply.slots["force"]) == (
        "force_selection",
        "greater-manchester,west-mercia",
    )


@pytest.mark.parametrize(
    ("pick", "index"), [("the first one", 0), ("the second one", 1), ("the last one", -1)]
)
def test_a_choice_can_be_picked_by_position(
    ask: Callable[[str], Reply], knowledge: Knowledge, pick: str, index: int
) -> None:
    assert ask("what did the inspectors find?").outcome is Outcome.CLARIFY
    reply = ask(pick)
    assert (reply.intent, reply.slots["force"]) == ("force_findings", knowledge.forces[index].id)


def test_years_said_aloud(ask: Callable[[str], Reply]) -> None:
    assert ask("what got put back to twenty fifteen").intent == "deferral"


@pytest.mark.parametrize(
    ("question", "intent", "force"),
    [
        ("what about staffordshire police?", "force_overview", "staffordshire"),
        ("was gmp good", "force_findings", "greater-manchester"),
        ("how did the police in rochdale do", "force_findings", "greater-manchester"),
    ],
)
def test_phrases_around_a_force_name(
    ask: Callable[[str], Reply], question: str, intent: str, force: str
) -> None:
    reply = ask(question)
    assert (reply.intent, reply.slots.get("force")) == (intent, force)


def test_a_second_greeting_is_short(assistant: Assistant) -> None:
    first = assistant.reply("g", "hi")
    again = assistant.reply("g", "hello")
    assert len(again.text) < len(first.text) / 2
    assert again.outcome.value == "smalltalk"
    assert again.suggestions  # still something to tap


def test_fallbacks_in_a_row_are_not_repeated_word_for_word(assistant: Assistant) -> None:
    texts = [assistant.reply("f", q).text for q in ("blorp zing", "yes", "more", "ok")]
    assert len(set(texts[:3])) == 3
    # after two in a row, no paragraph: the buttons are the questions to try
    assert len(texts[2]) < len(texts[0]) / 2
    assert assistant.reply("f", "more").suggestions
    # an answer ends the run: the next fallback is the full one again
    assistant.reply("f", "when was the consultation")
    assert assistant.reply("f", "blorp zing").text == texts[0]


@pytest.mark.parametrize(
    ("question", "says"),
    [
        # the one force named, with words that describe it: what the page says in them
        ("in what way is greater manchester police complex", "ten local authorities"),
        ("staffordshire info sharing was with who", "key partners"),
        ("gmp worked with who on protecting kids from domestic abuse", "with its partners"),
        # a force named by its description is named, not looked up
        ("the force with the ten councils - what impressed the inspectors", "domestic abuse"),
        # and a "which ...?" beside a force named asks something else of it
        ("gmp covers loads of councils, which one did hmic look at", "Rochdale"),
    ],
)
def test_a_force_and_words_describing_it(
    ask: Callable[[str], Reply], question: str, says: str
) -> None:
    reply = ask(question)
    assert says in reply.text
    assert reply.slots["force"] in ("greater-manchester", "staffordshire")


def test_words_describing_a_force_in_an_off_topic_message_answer_nothing(
    ask: Callable[[str], Reply],
) -> None:
    assert ask("cheap domestic flights from manchester to jersey").outcome is Outcome.FALLBACK


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("what dates does this whole thing cover", "October 2011"),
        ("dates on this page, all of them, bullet points", "April 2015"),
    ],
)
def test_the_pages_dates(ask: Callable[[str], Reply], question: str, says: str) -> None:
    assert says in ask(question).text


@pytest.mark.parametrize(
    ("question", "says"),
    [
        # "proposed" names the consultation on proposals for joint inspection
        (
            "which organisations proposed joint inspection of child protection in 2012",
            "HMI Probation",
        ),
        # who asks for whom is no unknown word
        ("pls can u tell me which 5 bodys did the consultation my lecturer wants them all", "CQC"),
        # the reports, and where the findings are
        ("where can i read all the findings", "individual reports"),
        # "what did they actually do" after the consultation is what followed, not their work
        ("ok so after the consultation what did they actually do", "pilot"),
        ("who pulled the plug / delayed the joint inspections", "Ofsted"),
        # "staff" alone raises no question of staff numbers
        ("hmic and ofsted staff were they in contact during it", "in contact"),
        ("what extra job did hmic take on", "fire & rescue"),
        ("west mercia what kinda area does it cover", "urban and rural"),
        ("did the forces know hmic was coming", "unannounced"),
        # what the page says about a force: all of it
        ("what does it say about staffordshire", "good practice"),
        ("what does it say about the boundaries west mercia covers", "range of local authority"),
        # who is in charge of the arrangements is no inspection's leader
        (
            "across west mercia whos in charge of the child protection arrangements",
            "each authority",
        ),
        ("Rochdale councillor here. What did HMIC say about our area?", "domestic abuse"),
        # "where do i find" a report finds the report, not the findings
        ("where do i find the greater manc report", "February 2013"),
        # a year asked of an event is the event's, not the page's period
        ("what year was the consultation", "July 2012"),
        ("where does the care quality commission come into this", "July 2012 consultation"),
        ("did hmic say anything about stuff that needs to get better", "improvements"),
        ("how does the page describe west mercia as a force", "urban and rural"),
        ("what does the small print at the bottom say", "HMICFRS"),
        # the page itself
        ("what's the page actually about in one line", "between October 2011 and March 2013"),
        ("what's the page's heading", "Multi-agency child protection arrangements"),
        # fire inspections are HMIC's since July 2017, not the 2012 inspections
        ("when did hmic start doing fire inspections", "July 2017"),
    ],
)
def test_plain_questions_in_other_words(
    ask: Callable[[str], Reply], question: str, says: str
) -> None:
    assert says in ask(question).text.replace("Care Quality Commission", "CQC")


@pytest.mark.parametrize(
    "question", ["tell me about one of the forces", "i want to know about one of the forces"]
)
def test_one_force_unnamed_is_asked_which(ask: Callable[[str], Reply], question: str) -> None:
    reply = ask(question)
    assert reply.outcome is Outcome.CLARIFY


@pytest.mark.parametrize(
    ("question", "force"),
    [
        ("rock dale was that gmp or staffs", "greater-manchester"),
        ("was herefordshire west mercia or gmp", "west-mercia"),
    ],
)
def test_a_town_picks_between_the_forces_offered(
    ask: Callable[[str], Reply], question: str, force: str
) -> None:
    reply = ask(question)
    assert reply.slots["force"] == force
    assert reply.trace.rule is Rule.PLACE_PICKS
