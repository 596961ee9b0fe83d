"""Answers from fact records: yes/no and claims checked against typed values, precise
questions, the page's silences, follow-ups that keep subject and attribute apart, and a
guard that no turn naming one force gets another force's facts."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.dialogue.assistant import Assistant
from bot.dialogue.reply import Outcome, Reply
from bot.schema.knowledge import Knowledge

# Each value type, both ways: (question, how the reply must start).
CLAIMS = [
    # date
    ("was the rollout pushed back to 2014", "No \u2014 April 2015, not 2014."),
    ("ofsted announced the delay in may 2013 didnt they", "No \u2014 April 2013, not May 2013."),
    ("west mercia report is from april 2013 isnt it", "Yes."),
    ("hmic was renamed hmicfrs in 2015 wasnt it", "No \u2014 July 2017, not 2015."),
    # number
    ("is it true gmp has ten local authorities", "Yes."),
    ("gmp has 12 councils right?", "No \u2014 ten, not 12."),
    # place
    ("did hmic inspect gmp in bolton", "No \u2014 Rochdale, not Bolton."),
    ("west mercia got inspected in worcestershire i think", "No \u2014 Herefordshire"),
    ("was the staffs inspection in staffordshire?", "Yes."),
    # entities, members and non-members, exclusive claims
    ("was cqc in it", "Yes."),
    ("was the crown prosecution service inspectorate involved in the consultation", "No"),
    ("the consultation was just ofsted on its own right", "No \u2014 Ofsted, the Care"),
    ("was cheshire police one of the three forces", "No \u2014 Staffordshire Police"),
    ("did ofsted make the deferral announcement", "Yes."),
    ("ofsted announced the delay, not hmic", "Yes."),
    ("hmic did the inspections not ofsted", "Yes."),
    # yes/no, both polarities
    ("were the forces told beforehand", "No."),
    ("were they surprise inspections", "Yes."),
    ("did gmp do the domestic abuse work on its own", "No."),
    ("is hmic still called hmic", "No."),
    ("did ofsted's inspection affect hmic's findings", "No."),
    ("were hmic and ofsted inspectors in touch during the inspections", "Yes."),
    # choice
    ("is it true the west mercia inspection came a short while after ofsted's", "Yes."),
    ("did hmic go into w mercia before ofsted did herefordshire", "No \u2014 after, not before."),
    ("was ofsted inspecting at the same time as hmic", "Yes."),
    # text, against the other subjects' values and the fact's own `not:` phrases
    ("staffs was picked as a potential good practice example, right", "Yes."),
    ("staffordshire was picked because it was failing kids, wasn't it", "No."),
    (
        "gmp was praised for its work on child sexual exploitation, wasn't it",
        "No \u2014 the page says that of Staffordshire",
    ),
    # a statement sent to the bot is a claim too
    ("staffs was only chosen cos it was a failing force", "No."),
    ("the consultation was run by hmic on its own", "No \u2014 Ofsted, the Care"),
    ("so the police inspections happened in nov 2012", "Yes."),
    ("wasnt the pilot inspection in 2014", "No \u2014 November 2012, not 2014."),
    ("does gmp have several local authorities in its area", "Yes."),
    ("did hmic find anything that needed improving", "Yes."),
    ("was there stuff that needed improving or was it all rosy", "Yes."),
    ("did hmic say everything was perfect", "No."),
    ("so basically all three got a clean bill of health, nothing to improve", "No."),
    ("probation inspectorate had nothing to do with any of this", "No \u2014 Ofsted"),
    ("estyn had nothing to do with it", "Yes."),
    ("i heard staffs was picked as a problem force", "No."),
    ("gmp was inspected in the manchester city council area right", "No \u2014 Rochdale"),
    ("the west mercia inspection covered worcestershire didnt it", "No \u2014 Herefordshire"),
    ("i heard ofsted pushed it back to 2016", "No \u2014 April 2015, not 2016."),
    ("i heard the joint inspections got kicked down the road to 2016", "No \u2014 April 2015"),
    ("is it true ofsted pushed it all back to 2016", "No \u2014 April 2015, not 2016."),
    ("someone at work said the joint inspections got pushed to 2016", "No \u2014 April 2015"),
    # a date asked of a body that did one thing alone is that thing's
    ("hmic went in in november 2012 right", "Yes."),
    ("it was nov 2012 when hmic went in right", "Yes."),
    ("hmic changed its name in 2017 right", "Yes."),
    # more claims
    (
        "were the police and council inspections in rochdale done as one single joint inspection",
        "No.",
    ),
    ("so basically inspectors found nothing at all to improve", "No."),
    ("so basically ofsted's findings shaped hmic's findings", "No."),
    ("west mercia covers rural as well as urban areas", "Yes."),
    ("so a report from 2015 might still say HMIC on it, that's normal?", "Yes."),
    ("did ofsted's findings have an effect on hmic's findings", "No."),
    ("is hmic the same outfit as hmicfrs now", "Yes."),
    ("the west mercia report is dated april 2013", "Yes."),
    ("in staffordshire did hmic and ofsted inspect at the same time", "Yes."),
    ("hmic covers fire services now too, correct?", "Yes."),
    ("so older reports will say hmicfrs on them?", "No."),
    ("did the ofsted inspection change what hmic found or vice versa", "No."),
    ("west mercia is basically a rural force, that's why they were chosen", "No."),
    ("im a councillor in hereford, was our council being inspected by ofsted around then", "Yes."),
    # a question mark alone asks yes or no of a date, place or body put to an attribute
    # an event the page gives no date is ordered by what it says it followed
    ("was the pilot run before the consultation", "No \u2014 the July 2012 consultation came"),
    ("did the pilot come after the consultation", "Yes."),
    ("cqc part of the consultation?", "Yes."),
    ("cqc part of it??", "Yes."),
    ("west mercia is basically all city no countryside", "No."),
    ("hmic went to rochdale right", "Yes."),
    (
        "the herefordshire council inspection by ofsted - did that affect west mercia's result",
        "No.",
    ),
    ("estyn part of the consultation?", "No \u2014 Ofsted, the Care"),
    ("gmp report april 2013?", "No \u2014 February 2013, not April 2013."),
    # the doer of a deed done to a council is checked against that deed
    ("so ofsted went into herefordshire council a bit before the police one, correct?", "Yes."),
    ("did hmic inspect the police in the herefordshire council area", "Yes."),
]


@pytest.mark.parametrize(("question", "opening"), CLAIMS)
def test_a_claim_is_checked_against_the_typed_value(
    ask: Callable[[str], Reply], question: str, opening: str
) -> None:
    reply = ask(question)
    assert reply.text.startswith(opening), reply.text
    assert "The page says: \u201c" in reply.text  # the evidence, quoted


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("how many councils does gmp cover", "Ten. "),
        ("which force has ten local authorities", "Greater Manchester Police"),
        ("which date in nov 2012 did hmic turn up", "November 2012"),
        ("who led the staffs inspection", "HMIC conducted"),
        ("how many inspectors went to rochdale", "The page doesn't say how many inspectors"),
        ("name the 10 councils in greater manchester", "The page doesn't say the names"),
        ("exactly how many local authorities does west mercia cover", "urban and rural"),
        ("what improvements did gmp need to make", "February 2013"),
        ("which partners exactly did staffs police share info with", "all key partners"),
        ("which inspectorate was looking at the councils services", "Ofsted. "),
        ("how many weeks after ofsted did hmic go into west mercia", "a short while after"),
        ("who wrote the gmp report", "HMIC. "),
        ("who chose which forces would be in the pilot", "not who chose them"),
        ("what date did the july 2012 consultation close", "July 2012"),
        ("what did the consultation end up leading to", "pilot inspection programme"),
        ("why wasnt west mercia inspected at the same time as ofsted", "not why"),
        ("who at ofsted were the hmic inspectors in contact with", "doesn't say who"),
        # an open question naming one body and nothing else asks what the page says of it
        ("wot did hmi probation have 2 do with this", "took part in the July 2012"),
        ("is the care quality commission mentioned anywhere and why", "took part in the July"),
        ("hmi probation & hmi prisons - why are they even mentioned", "HMI Prisons is short for"),
        ("the page keeps saying 'we' and 'our inspection' - who's we", "HMIC. "),
        ("why were the three forces chosen", "good practice examples"),
        ("is west mercia a city force or countryside", "both urban and rural"),
        # values offered to choose from
        ("10 or 12 local authorities in the gmp area?", "Ten. "),
        ("the urban and rural force, its report came out when", "April 2013"),
        ("who was it that pushed the joint inspections back", "Ofsted. "),
        ("is there a press release i can read about the single inspection framework", "Yes."),
        (
            "gmp + west mercia both mention each authority doing its own child protection "
            "arrangements - what about west mercia's area, how's it described",
            "West Mercia Police was selected",
        ),
        ("what were the improvement areas for staffordshire", "improvements should be made"),
        ("how long was the multi agency thing deferred by", "deferred until April 2015"),
        # the two sides of the inspections
        ("who was doing the council side of things while hmic looked at the cops", "Ofsted. "),
        ("which inspectorate did the police side of it", "HMIC. "),
        ("so the police side was checked by hmic and the council side by ofsted?", "Ofsted. "),
        # a force's section asked for in a line or two, or what inspectors rated
        ("staffs section in 2 lines", "good practice"),
        ("what were staffs police particularly impressive at. two things", "sexual exploitation"),
        ("gmp - what bit of their work did inspectors rate", "domestic abuse"),
        ("was the gmp inspection in november or december?", "HMIC's inspection of Greater"),
        ("Could you summarise the findings for each of the three forces please", "domestic abuse"),
        ("name all ten councils in greater manchester", "doesn't say the names"),
        # the date of a deed the question names by its doer is that deed's
        ("when did ofsted inspect the councils", "doesn't say when"),
        ("when exactly did ofsted inspect herefordshire council", "a short while after Ofsted"),
        # a force's fact asked beside an event's name is the force's topic
        ("staffordshire pilot inspection result", "helped and protected by Staffordshire"),
        ("was staffs approach to cse reactive or proactive", "proactive multi-agency"),
        # a body that shares the event's record names the event, not another topic
        ("in what month and year did hmic get renamed", "July 2017. "),
    ],
)
def test_precise_questions_get_the_value_or_the_silence(
    ask: Callable[[str], Reply], question: str, says: str
) -> None:
    assert says in ask(question).text


def test_an_elliptical_follow_up_keeps_the_attribute_and_changes_the_subject(
    assistant: Assistant,
) -> None:
    assistant.reply("c", "was cqc in it")
    assert assistant.reply("c", "and the youth justice board?").text.startswith("No \u2014")
    assistant.reply("d", "was ofsted inspecting at the same time as hmic")
    assert assistant.reply("d", "in herefordshire too?").text.startswith("No \u2014 after")


def test_a_follow_up_keeps_the_subject_and_changes_the_attribute(assistant: Assistant) -> None:
    assistant.reply("c", "which force has ten local authorities")
    reply = assistant.reply("c", "how many councils has it got")
    assert reply.text.startswith("Ten.")
    assert reply.slots["force"] == "greater-manchester"


def test_another_body_is_never_answered_with_hmics_facts(ask: Callable[[str], Reply]) -> None:
    reply = ask("what did cqc find in rochdale")
    assert "impressed" not in reply.text


@pytest.mark.parametrize(
    ("question", "body"),
    [
        ("what does hmi probation do", "HMI Probation"),
        ("what does hmi prisons inspect", "HMI Prisons"),
        ("what is the care quality commission responsible for in general", "Care Quality"),
    ],
)
def test_a_bodys_work_beyond_the_page_is_a_silence_naming_it(
    ask: Callable[[str], Reply], question: str, body: str
) -> None:
    reply = ask(question)
    assert reply.outcome is Outcome.NOT_ON_PAGE
    assert reply.text.startswith("The page doesn't say what ") and body in reply.text.split(".")[0]


def test_a_force_the_page_does_not_cover_gets_no_date_of_the_covered_ones(
    ask: Callable[[str], Reply],
) -> None:
    reply = ask("did hmic inspect thames valley police in 2012")
    assert not reply.text.startswith("Yes")
    assert reply.text.startswith("The page says nothing about Thames Valley Police.")


def test_a_timing_asked_relative_to_ofsted_gets_that_forces_relation(
    ask: Callable[[str], Reply],
) -> None:
    reply = ask("when did the west mercia inspection happen compared to ofsteds herefordshire one")
    assert "a short while after" in reply.text
    # naming the value asks whose it is: the look-up, not the relation
    reply = ask("the force inspected a bit after ofsted had been in - which was that")
    assert reply.slots["force"] == "west-mercia"


@pytest.mark.parametrize(
    "question",
    [
        "herefordshire council - ofsted inspected them before or after hmic went into west mercia",
        "herefordshire council ofsted vs hmic - which came first",
    ],
)
def test_before_or_after_set_against_ofsteds_inspection_is_not_the_forces_order(
    ask: Callable[[str], Reply], question: str
) -> None:
    """ "before or after" beside Ofsted or a council asks the timing against Ofsted's
    inspection (requires_none on the forces' order), which the page gives."""
    reply = ask(question)
    assert reply.slots["attribute"] == "timing_vs_ofsted"
    assert "a short while after" in reply.text
    assert ask("was gmp inspected before or after staffordshire").slots["attribute"] == "order"


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        ("was staffs proactive on anything", "Yes."),
        ("w mercia covers both urban and rural areas right", "Yes."),
        ("staffs only got picked cos they were rubbish at child protection", "No."),
        ("it was rochdale for gmp wasnt it", "Yes."),  # the force named twice, once by place
        ("lancashire was one of the three wasnt it", "No \u2014 Staffordshire Police"),
        (
            "i heard rochdale was inspected by west mercia police",
            "No \u2014 Rochdale was Greater Manchester Police's area",
        ),
        ("there were 3 forces right", "Yes."),  # a list's size
        (
            "gmp was picked because it was expected to show good practice right",
            "No \u2014 the page says that of Staffordshire Police.",
        ),
        ("did ofsted carry out the police inspections", "No \u2014 HMIC."),
        ("was it ofsted that announced the deferral", "Yes."),
        ("so older reports might still say hmic?", "Yes."),
        ("so the 2013 reports would say hmic?", "Yes."),  # 2013 dates the reports
        # a negation turns the claim around
        ("inspectors said children in rochdale were not being protected by gmp", "No."),
        ("were the inspections not announced", "Yes."),
        (
            "ofsted scrapped joint child protection inspections for good in 2013",
            "No. They were deferred until April 2015.",
        ),
        ("so the inspectors were happy with staffordshire police", "Yes."),
        ("the consultation was run by 4 bodies wasnt it", "No \u2014 five: Ofsted"),
        ("it was bolton for gmp wasnt it", "No \u2014 Rochdale, not Bolton."),
    ],
)
def test_a_claim_naming_no_attribute_is_read_by_the_words_of_the_forces_facts(
    ask: Callable[[str], Reply], question: str, verdict: str
) -> None:
    assert ask(question).text.startswith(verdict)


def test_an_open_questions_wrong_date_is_corrected_first(ask: Callable[[str], Reply]) -> None:
    reply = ask("why was west mercia inspected in october 2012?")
    assert reply.text.startswith("The page gives November 2012, not October 2012.")
    assert "urban and rural" in reply.text  # then the answer
    assert not ask("why was west mercia inspected in november 2012").text.startswith("The page")


def test_a_look_up_by_value_names_the_force_and_its_follow_up_looks_up_again(
    assistant: Assistant,
) -> None:
    assistant.reset("c")
    first = assistant.reply("c", "which force had its report in april 2013")
    assert first.text.startswith("West Mercia Police.")
    again = assistant.reply("c", "and feb 2013?")
    assert again.text.startswith("Greater Manchester Police.")
    assert again.slots["force"] == "greater-manchester"


def test_an_attribute_with_no_subject_named_takes_the_event_the_other_words_belong_to(
    ask: Callable[[str], Reply],
) -> None:
    reply = ask("what date in april 2013 did ofsted announce it")
    assert reply.text.startswith("The page doesn't say the exact days.")
    assert "April 2015" in reply.text  # the deferral's, not the inspections' month


def test_an_event_named_in_full_is_answered_from_its_own_facts(
    ask: Callable[[str], Reply],
) -> None:
    reply = ask("who was inspecting the councils child protection services")
    assert reply.text.startswith("Ofsted.")


def test_the_most_specific_event_named_is_the_subject(ask: Callable[[str], Reply]) -> None:
    # "council services" names Ofsted's inspections; "inspected" alone, HMIC's
    assert ask("who inspected the council services").text.startswith("Ofsted.")


def test_what_was_inspected(ask: Callable[[str], Reply]) -> None:
    reply = ask("what exactly was being inspected, like what part of policing")
    assert "child protection services" in reply.text


def test_what_happened_on_a_date_is_the_events_the_page_dates_then(
    ask: Callable[[str], Reply],
) -> None:
    assert "consultation exercise" in ask("what happened in july 2012").text
    assert "Greater Manchester Police" in ask("anything happen feb 2013").text  # a report
    reply = ask("what happened in october 2011 then")
    assert reply.outcome is Outcome.NOT_ON_PAGE
    assert reply.text.startswith("The page doesn't say what happened in October 2011.")
    assert "July 2012" in reply.text  # the dates it does give


def test_a_later_date_is_not_read_as_the_events_date(ask: Callable[[str], Reply]) -> None:
    reply = ask("has gmp been inspected again since 2013")
    assert not reply.text.startswith("No \u2014 November 2012")


def _force_attributes(knowledge: Knowledge) -> list[str]:
    book = knowledge.facts
    forces = {f.id for f in knowledge.forces}
    return sorted({f.attribute for f in book.facts if f.subject in forces})


QUESTIONS = {  # one question per attribute the page gives forces, with {force} in it
    "date": "when was {force} inspected?",
    "report_date": "when did the {force} report come out?",
    "conducted_by": "who inspected {force}?",
    "council_inspection": "who inspected the council in the {force} area?",
    "programme": "what sort of programme was the {force} inspection part of?",
    "has_report": "is there a report on {force}?",
    "end_date": "when did the {force} inspection finish?",
    "announced": "was the {force} inspection announced?",
    "area": "was {force} inspected in bolton?",
    "area_reason": "why that area for {force}?",
    "inspected_what": "what services were inspected at {force}",
    "timing_vs_ofsted": "was {force} inspected at the same time as ofsted?",
    "separate": "were the {force} and ofsted inspections done separately?",
    "in_contact": "were the {force} inspectors in contact with ofsted?",
    "affected_findings": "did ofsted affect the {force} findings?",
    "improvement_details": "what improvements did {force} need to make?",
    "leader": "who led the {force} inspection?",
    "duration": "how long did the {force} inspection last?",
    "exact_day": "what exact day was {force} inspected?",
    "inspector_count": "how many inspectors went to {force}?",
    "case_count": "how many cases did they look at in {force}?",
    "selection_reason": "was {force} chosen for good practice?",
    "local_authority_count": "how many councils does {force} have?",
    "council_names": "name the councils in {force}",
    "protected": "were children kept safe by {force}?",
    "findings": "what did the inspectors find at {force}?",
    "with_partners": "did {force} work with partners?",
    "partner_names": "which partners did {force} work with?",
    "report_contents": "what does the {force} report say about missing children?",
    "report_exact_day": "what was the exact publication date of the {force} report?",
    "report_author": "who wrote the {force} report?",
    "area_character": "what sort of area does {force} cover?",
    "responsible_for_arrangements": "who is responsible for child protection in {force}?",
    "gap_after_ofsted": "how long after ofsted was {force} inspected?",
    "order": "was {force} inspected before or after the other forces?",
    "chooser": "who chose {force} for the pilot?",
    "timing_reason": "why was {force} inspected after ofsted?",
    "contact_names": "who at ofsted were the {force} inspectors in contact with?",
    "improvements_identified": "did {force} have anything that needed improving?",
}


def test_every_force_attribute_has_a_guard_question(knowledge: Knowledge) -> None:
    assert set(_force_attributes(knowledge)) <= set(QUESTIONS)


@pytest.mark.parametrize("attribute", sorted(QUESTIONS))
def test_a_named_force_is_never_answered_with_another_forces_facts(
    assistant: Assistant, knowledge: Knowledge, attribute: str
) -> None:
    """Every attribute x every previous subject x every force named."""
    forces = [(f.id, f.short_name) for f in knowledge.forces]
    for previous, previous_name in forces:
        for asked, asked_name in forces:
            chat = f"{attribute}-{previous}-{asked}"
            assistant.reply(chat, QUESTIONS[attribute].format(force=previous_name))
            reply = assistant.reply(chat, QUESTIONS[attribute].format(force=asked_name))
            got = reply.slots.get("force", "")
            if reply.outcome.value in ("answer", "not_on_page") and got:
                assert got == asked, (attribute, previous, asked, reply.text)


def test_a_question_word_alone_asks_it_of_the_last_subject(assistant: Assistant) -> None:
    assistant.reply("c", "does gmp have several local authorities in its area")
    assert assistant.reply("c", "how many?").text.startswith("Ten.")
    assert "doesn't say the names" in assistant.reply("c", "name them").text
    assistant.reply("d", "were the forces told beforehand")
    assert assistant.reply("d", "who by?").text.startswith("HMIC.")


@pytest.mark.parametrize(
    "question",
    ["hereford fc fixtures this month", "rochdale afc result saturday", "train times hereford"],
)
def test_a_place_name_in_an_off_topic_message_gets_no_fact(
    ask: Callable[[str], Reply], question: str
) -> None:
    assert ask(question).outcome.value == "fallback"


def test_a_question_mark_without_a_value_put_stays_an_open_question(
    ask: Callable[[str], Reply],
) -> None:
    assert "Rochdale" in ask("gmp area?").text
    assert not ask("two things hmic liked about staffordshire?").text.startswith(("Yes", "No"))


@pytest.mark.parametrize(
    "question",
    [
        "my landlord wants to inspect the flat with 24 hours notice is that allowed",
        "landlord wants to do an inspection of my flat with 24h notice is that legal",
        "got a consultation with my gp tomorrow what should i ask about my knee",
        "who won united v city",
        "who played inspector morse",
        "any good true crime podcasts",
        "does a fire extinguisher at work need inspecting every year",
        "what did ofsted rate staffordshire county council in 2011",
        "my car failed its inspection this morning, what do i do now",
        "what is a deferred pension",
        "mother in law turned up unannounced again how do i cope lol",
        "im on probation at my new job can they sack me without notice",
        "what was number one in the charts in november 2012",
        "explain quantum computing simply",
        "what judgement did ofsted give rochdale council in its child protection inspection",
        "can you write a press release for my bakery opening",
        "do i need a licence to pilot a drone in the uk",
        "what is early help in childrens social care",
        "did staffordshire police get a follow up inspection in 2014",
    ],
)
def test_a_message_naming_nothing_with_several_unknown_words_gets_no_answer(
    ask: Callable[[str], Reply], question: str
) -> None:
    assert ask(question).outcome.value == "fallback"


def test_a_council_inspected_is_ofsteds_inspection_not_hmics(ask: Callable[[str], Reply]) -> None:
    assert ask("who inspected the police").text.startswith("HMIC.")  # the forces: HMIC
    for question in (
        "who inspected herefordshire council",
        "herefordshire council was inspected by who",
        "who was inspecting the councils while hmic did the police",
    ):
        assert ask(question).text.startswith("Ofsted."), question
    assert "Herefordshire Council" in ask("which council did ofsted inspect in west mercia").text
    assert ask("was herefordshire council inspected by hmic").text.startswith("No \u2014 Ofsted")
    # what Ofsted found is not on the page
    assert ask("what did ofsted find when it inspected herefordshire council").outcome in (
        Outcome.FALLBACK,
        Outcome.NOT_ON_PAGE,
    )


def test_a_yes_is_never_given_for_a_place_or_topic_the_fact_does_not_cover(
    ask: Callable[[str], Reply],
) -> None:
    assert ask("does hmicfrs inspect fire services").text.startswith("Yes.")
    placed = ask("did hmic take on fire and rescue in staffordshire")
    assert placed.outcome is Outcome.NOT_ON_PAGE
    assert placed.text.startswith("The page doesn't say anything about that in Staffordshire.")
    for question in (
        "does hmicfrs inspect welsh fire and rescue services too",
        "did hmicfrs inspect any fire services in staffordshire",
    ):
        assert ask(question).outcome is Outcome.FALLBACK, question  # not covered
    # "how many" is never answered with a yes or no
    assert not ask("how many fire services does hmicfrs inspect").text.startswith("Yes")


def test_a_value_held_until_a_date_is_checked_against_it(ask: Callable[[str], Reply]) -> None:
    assert ask("in 2012 was it called hmic").text.startswith("Yes.")
    assert ask("reports from 2019 still say hmic?").text.startswith(
        "No \u2014 that changed in July 2017"
    )


def test_a_shorthand_for_the_pages_words_reaches_their_fact(ask: Callable[[str], Reply]) -> None:
    reply = ask("what was the cse bit about for staffs")
    assert "sexual exploitation" in reply.text
    assert reply.slots.get("force") == "staffordshire"


def test_the_event_named_first_is_asked_about_whatever_topic_matched(
    ask: Callable[[str], Reply],
) -> None:
    # "inspections" here is the consultation's topic; the date asked is the consultation's
    reply = ask("consultation on joint child protection inspections what month n year")
    assert reply.text.startswith("July 2012."), reply.text


def test_a_timing_said_of_the_police_side_is_turned_round(ask: Callable[[str], Reply]) -> None:
    # West Mercia's inspection came a short while after Ofsted's
    assert ask("did ofsted do herefordshire before the police inspection").text.startswith("Yes.")
    assert ask("did hmic go in after ofsted in herefordshire").text.startswith("Yes.")
    assert ask("was west mercia inspected before ofsted").text.startswith("No \u2014 after")
    assert ask("ofsted went in after the police, right?").text.startswith("No.")


def test_a_report_asked_with_no_force_is_every_forces(ask: Callable[[str], Reply]) -> None:
    reply = ask("when was the report published")
    assert "February 2013" in reply.text
    assert "April 2013" in reply.text
    assert ask("the gmp one").slots.get("force") == "greater-manchester"


def test_the_forces_report_with_no_force_known_asks_which(ask: Callable[[str], Reply]) -> None:
    assert ask("when was the force's report published?").outcome is Outcome.CLARIFY


def test_a_duration_after_an_event_is_no_question_of_order(ask: Callable[[str], Reply]) -> None:
    reply = ask("how many weeks after ofsted did hmic go into west mercia")
    assert reply.outcome is Outcome.NOT_ON_PAGE


@pytest.mark.parametrize(
    "question",
    [
        "in rochdale the kids were being protected from what",  # a question word last
        "journalist - can you confirm the month hmic published its gmp child protection report",
    ],
)
def test_an_open_question_is_never_answered_yes(assistant: Assistant, question: str) -> None:
    assert not assistant.reply(f"v-{question}", question).text.startswith(("Yes", "No"))


def test_which_came_first_after_a_list_compares_its_forces(ask: Callable[[str], Reply]) -> None:
    ask("when was the report published")
    reply = ask("which came out first")
    assert reply.text.startswith("Greater Manchester Police's report (February 2013) came first")


def test_which_one_asks_which_and_is_no_position(ask: Callable[[str], Reply]) -> None:
    ask("which forces were in the pilot")
    ask("how many local authorities has the manchester one got")
    assert ask("which one did they look at").text.startswith("Rochdale.")


def test_a_quoted_sentence_about_the_force_names_it(ask: Callable[[str], Reply]) -> None:
    reply = ask("domestic abuse - what does the page say")
    assert reply.text.startswith("Of Greater Manchester Police, the page says:")


@pytest.mark.parametrize(
    ("question", "says"),
    [
        (
            "staffs was only put in the pilot cos it was failing, everyone knows that",
            "good practice",
        ),
        ("west mercia was the one praised for its domestic abuse work", "Greater Manchester"),
    ],
)
def test_a_claim_the_page_contradicts_or_says_of_another(
    assistant: Assistant, question: str, says: str
) -> None:
    reply = assistant.reply(f"b-{question}", question)
    assert reply.text.startswith("No")
    assert says in reply.text


@pytest.mark.parametrize(
    "question",
    [
        "ideas for an unannounced surprise party for my mum",
        "what's the difference between a crocodile and an alligator",
    ],
)
def test_page_words_in_the_askers_own_life_are_declined(
    assistant: Assistant, question: str
) -> None:
    assert assistant.reply(f"e-{question}", question).outcome is Outcome.FALLBACK


def test_television_is_not_covered(ask: Callable[[str], Reply]) -> None:
    assert ask("when is line of duty coming back").outcome is Outcome.FALLBACK


def test_a_follow_up_naming_another_body_asks_the_same_of_it(ask: Callable[[str], Reply]) -> None:
    ask("when was the consultation")
    assert ask("was the cqc involved").text.startswith("Yes.")
    assert ask("hmi probation too?").text.startswith("Yes.")
    assert ask("and estyn?").text.startswith("No \u2014")


def test_a_body_who_did_it_in_a_relative_clause(ask: Callable[[str], Reply]) -> None:
    reply = ask("my lecturer said it was hmic who deferred the joint inspections")
    assert reply.text.startswith("No \u2014 Ofsted.")


def test_it_after_a_body_is_that_body(ask: Callable[[str], Reply]) -> None:
    ask("what does hmi probation actually do day to day")
    assert ask("was it involved in this at all").text.startswith("Yes.")


def test_what_they_liked_after_a_force_is_its_findings(ask: Callable[[str], Reply]) -> None:
    ask("where was staffs police inspected")
    assert "information sharing" in ask("what did they like").text


def test_inspection_reports_are_no_inspectors(ask: Callable[[str], Reply]) -> None:
    assert ask("which inspection reports can i read from here").intent == "reports"


def test_how_many_is_no_look_up_of_the_force(ask: Callable[[str], Reply]) -> None:
    reply = ask("how many local authorities are in staffordshire county")
    assert not reply.text.startswith("Staffordshire Police.")


@pytest.mark.parametrize(
    "text", ["\U00010e60", "\u00b2", "was it \u0662\u0660\u0661\u0662", "three \u00b2 forces"]
)
def test_digits_of_other_scripts_never_crash_a_reply(assistant: Assistant, text: str) -> None:
    # str.isdigit() holds for them, int() refuses them (found by the property test)
    assert assistant.reply(f"u-{text}", text).text


# Questions read alone (a new chat each) and how their replies open.
OPENINGS = [
    # questions as people put them
    ("who actually did the police inspections", "HMIC."),  # a hedge inside "who did"
    ("was there a pilot", "Yes."),  # an event the page describes took place
    ("what's hmic called these days", "HMICFRS."),
    ("was hmic renamed to hmicfrs", "Yes."),  # HMIC is what was renamed, not a value
    ("is hmic now called ofsted", "No \u2014 HMICFRS."),
    ("so back in 2012 it was just called hmic?", "Yes."),  # before the July 2017 renaming
    ("did hmic tell the forces they were coming", "No."),
    ("the two inspections affected each others findings surely", "No."),
    # claims, silences and later events
    ("west mercia is just a rural force isnt it", "No"),
    ("was the police federation one of them", "No"),
    ("who at ofsted made the deferral announcement", "The page doesn't say"),
    ("what was the outcome of the consultation", "The page doesn't say"),
    (
        "what did the joint inspections find once they started in 2015",
        "The page does not cover",
    ),
    # which came first, read from the dates
    (
        "which came first the consultation or the inspections",
        "The July 2012 consultation came first",
    ),
    ("the deferral came before the inspections", "No \u2014 HMIC's inspections"),
    ("was hmic renamed after the deferral", "Yes. The deferral (April 2013) came first"),
    (
        "did the gmp report come out before the west mercia one",
        "Yes. Greater Manchester Police's report (February 2013) came first",
    ),
    # yes/no questions as people end them
    ("so they found nothing that needed improving?", "No."),  # "nothing" negates
    ("did ofsted announce the deferral in april 2012", "No \u2014 April 2013"),
    ("hmic did the consultation all on its own", "No \u2014 Ofsted"),
    ("did ofsted and hmic do one combined inspection or what", "No."),
    ("were the inspections announced or not", "No."),
    # a body named beside a count is the doer; an interjection is a tag
    ("hmic inspected 4 forces didnt they", "No \u2014 three"),  # HMIC did it: no member
    ("hmi prisons was part of the consultation?? really", "Yes."),  # "really" is a tag
    # a claim naming who did it is checked against who did
    ("ofsted inspected the police forces in 2012", "No \u2014 HMIC."),
    ("the pilot police inspections were done by ofsted on their own", "No \u2014 HMIC."),
    ("hmic inspected the forces in november 2012", "Yes."),
    ("was ofsted inspecting at the same time as hmic", "Yes."),  # Ofsted's own inspections
    # what the page gives, and no more
    ("when did the consultation close", "The page doesn't say when it ended."),
    ("who did gmp work with on the domestic abuse stuff", "Its partners; the page doesn't"),
    ("did gmp work with the nspcc", "The page doesn't name the NSPCC."),
    (
        "what sort of programme were the three inspections part of",
        "The page says: \u201cA pilot",
    ),
    # the press release and the deferral in other words
    ("who wrote the ofsted press release", "Ofsted. The page doesn't name who"),
    ("ofsted pushed the joint inspections back to 2016 is that right", "No \u2014 April 2015"),
    # a statement with a when-clause; a yes/no of who did it
    ("it was 2014 right when hmic did these inspections", "No \u2014 November 2012"),
    ("hmic changed its name in 2015 when it took over fire services", "No \u2014 July 2017"),
    ("did ofsted inspect the police forces", "No \u2014 HMIC."),
    ("and it was ofsted doing the police ones yeah", "No \u2014 HMIC."),
    # more questions as people put them
    ("were the joint inspections put on hold", "Yes."),  # the event named last happened
    ("is this chatbot from hmicfrs", "I'm"),  # a body's name asks no such thing
    ("so basically hmic and ofsted inspectors never spoke to each other", "No."),
    ("is there a published hmic report for west mercia", "Yes."),
    ("which hmic report came out april 2013", "West Mercia Police."),
    ("west mercia is just a city force isnt it", "No."),
    (
        "staffordshire police were praised for their domestic abuse work thats what i read",
        "No \u2014 the page says that of Greater Manchester Police.",
    ),
    # wrong answers the final blind runs showed
    ("i read hmi prisons wasnt involved at all", "No \u2014"),  # a denied membership
    ("estyn wasnt involved was it", "Yes."),
    ("it was hmi probation that did the unannounced police inspections", "No \u2014 HMIC."),
    (
        "i read the west mercia inspection happened before ofsted went into herefordshire",
        "No \u2014 after, not before.",
    ),
    # misses of the final blind runs
    ("the inspectors were unhappy with how kids in rochdale were protected", "No."),
    ("does west mercia cover just one council or several", "More than one."),
]


@pytest.mark.parametrize(("question", "start"), OPENINGS)
def test_a_question_read_alone_opens_with_its_answer(
    assistant: Assistant, question: str, start: str
) -> None:
    reply = assistant.reply(f"alone-{question}", question)
    assert reply.text.startswith(start), reply.text


# Questions read alone and a phrase their replies must contain.
SAYINGS = [
    # facts asked in other words
    ("full name of the local authority gmp was inspected in", "Rochdale."),
    ("was it ofsted or hmic looking at rochdale council's services", "Ofsted."),
    ("what kind of police services were they inspecting", "child protection services"),
    ("who did staffordshire share info with", "key partners"),
    # bodies named as an event's participants ask about the event
    ("was it just ofsted doing the consultation or were there others too", "HMI Prisons"),
    ("what month n year did ofsted and the others consult on joint inspections", "July 2012"),
]


@pytest.mark.parametrize(("question", "says"), SAYINGS)
def test_a_question_read_alone_says_its_fact(
    assistant: Assistant, question: str, says: str
) -> None:
    assert says in assistant.reply(f"says-{question}", question).text


def test_a_yes_about_whether_it_happened_never_confirms_a_topic_the_page_leaves_out(
    ask: Callable[[str], Reply],
) -> None:
    # the 2012 inspections happened; the page says nothing of fire services being inspected
    assert not ask("were there any fire services inspected").text.startswith("Yes")
    assert ask("were there inspections in 2012").text.startswith("Yes.")


@pytest.mark.parametrize(
    ("question", "opening"),
    [
        ("gmp were inspected in manchester city centre not rochdale", "No \u2014 Rochdale"),
        ("gmp was inspected in 2013 not 2012", "No \u2014 November 2012, not 2013."),
        ("the west mercia report came out in april not february", "Yes."),
    ],
)
def test_a_value_the_claim_denies_is_not_checked_as_asserted(
    ask: Callable[[str], Reply], question: str, opening: str
) -> None:
    assert ask(question).text.startswith(opening)


@pytest.mark.parametrize(
    "question",
    [
        "did ofsted inspect herefordshire again in 2018",
        "did hmicfrs go back and inspect gmp child protection again in 2016",
        "what did the 2015 joint inspections find",
        "hmic child protection inspections 2010",
    ],
)
def test_an_inspection_in_another_year_is_beyond_the_page(
    ask: Callable[[str], Reply], question: str
) -> None:
    """A year after "again" (even with "in" between), or naming an occurrence the page does
    not date, is not checked against the 2012 inspections' date."""
    reply = ask(question)
    assert reply.outcome is Outcome.FALLBACK
    assert "does not cover" in reply.text


def test_a_yes_no_is_settled_before_the_text_of_its_topic(ask: Callable[[str], Reply]) -> None:
    """ "were any improvements needed" asks whether, not what: the page says yes, and
    is silent on what they were."""
    assert ask("were any improvements needed").text.startswith("Yes.")
    assert ask("what improvements were needed").text.startswith("The page doesn't say")


@pytest.mark.parametrize(
    ("question", "says"),
    [
        (
            "i heard staffordshire police was only picked because it was doing badly",
            "good practice",
        ),
        ("i heard west mercia was picked because it was the best at child protection", "urban"),
    ],
)
def test_a_claim_about_why_a_force_was_picked_is_checked_against_the_reason(
    ask: Callable[[str], Reply], question: str, says: str
) -> None:
    reply = ask(question)
    assert reply.text.startswith("No.")
    assert says in reply.text


def test_when_ofsted_inspected_a_forces_council_is_not_on_the_page(
    ask: Callable[[str], Reply],
) -> None:
    """The page dates HMIC's inspections, not Ofsted's: naming Herefordshire Council
    does not make the question one about West Mercia Police's November 2012 inspection."""
    reply = ask("what date did ofsted inspect herefordshire council")
    assert reply.outcome is Outcome.NOT_ON_PAGE
    assert "November 2012" not in reply.text
    # set against the force's own inspection, it is the force's relation to Ofsted's
    reply = ask("when was west mercia inspected compared to ofsted doing herefordshire council")
    assert "a short while after" in reply.text


@pytest.mark.parametrize(
    "question",
    [
        "what did the consultation conclude",
        "did people agree with the proposals in the consultation or not",
        "how many proposals were in the consultation",
    ],
)
def test_what_the_consultation_concluded_is_not_on_the_page(
    ask: Callable[[str], Reply], question: str
) -> None:
    reply = ask(question)
    assert reply.outcome is Outcome.NOT_ON_PAGE
    assert reply.text.startswith("The page doesn't say")


def test_what_the_proposals_were_for_is_on_the_page(ask: Callable[[str], Reply]) -> None:
    reply = ask("what were the proposals in the july 2012 consultation")
    assert "joint inspection" in reply.text
    assert reply.outcome is Outcome.ANSWER


@pytest.mark.parametrize(
    ("question", "opening"),
    [
        ("west mercia covers one council or several", "More than one."),
        ("does west mercia cover several councils", "Yes \u2014 more than one."),
        ("west mercia only covers one council right", "No \u2014 more than one."),
        # a figure the bound does not settle stays the page's silence
        ("west mercia has 3 councils right", "The page doesn't say"),
    ],
)
def test_a_number_the_page_bounds_but_does_not_give(
    ask: Callable[[str], Reply], question: str, opening: str
) -> None:
    """West Mercia covers "a range of local authority boundaries" (at_least: 2)."""
    reply = ask(question)
    assert reply.text.startswith(opening)
    assert "range of local authority boundaries" in reply.text


@pytest.mark.parametrize(
    ("question", "place"),
    [
        ("staffs police inspection - local authority area it covered?", "Staffordshire local"),
        ("w mercia local authority they looked at?", "Herefordshire"),
    ],
)
def test_the_local_authority_looked_at_is_the_area_not_a_count(
    ask: Callable[[str], Reply], question: str, place: str
) -> None:
    assert place in ask(question).text


@pytest.mark.parametrize(
    "question",
    ["gmp was praised mainly for its knife crime work", "was staffs praised for tackling drugs?"],
)
def test_praise_for_work_the_findings_do_not_name_is_denied(
    ask: Callable[[str], Reply], question: str
) -> None:
    reply = ask(question)
    assert reply.text.startswith("No.")
    assert "particularly impressed" in reply.text


@pytest.mark.parametrize(
    ("question", "opening"),
    [
        (
            "pretty sure the pilot happened first and the consultation came after",
            "No \u2014 the July 2012 consultation came first",
        ),
        ("the consultation came first and then the pilot right", "Yes."),
        ("im pretty sure gmp was inspected in 2013", "No \u2014 November 2012, not 2013."),
    ],
)
def test_claims_opened_by_a_hedge_and_orders_said_both_ways(
    ask: Callable[[str], Reply], question: str, opening: str
) -> None:
    assert ask(question).text.startswith(opening)


@pytest.mark.parametrize(
    ("question", "opening"),
    [
        ("so is hmic the same thing as ofsted", "No."),
        ("is ofsted part of the cqc", "No."),
        ("is hmic the same as hmicfrs", "Yes."),
        ("was hmi prisons part of the consultation", "Yes."),
    ],
)
def test_two_bodies_are_not_one(ask: Callable[[str], Reply], question: str, opening: str) -> None:
    """HMIC is HMICFRS renamed; it is not Ofsted, nor is Ofsted the CQC."""
    assert ask(question).text.startswith(opening)


@pytest.mark.parametrize(
    ("question", "opening"),
    [
        ("when was the pilot inspection programme carried out", "November 2012."),
        ("was the pilot in 2013", "No \u2014 November 2012, not 2013."),
        ("was the pilot before the consultation", "No \u2014 the July 2012 consultation"),
    ],
)
def test_the_pilot_is_dated_by_its_inspections(
    ask: Callable[[str], Reply], question: str, opening: str
) -> None:
    assert ask(question).text.startswith(opening)


def test_a_date_said_of_anything_else_is_not_the_events(ask: Callable[[str], Reply]) -> None:
    assert not ask("did ofsted pilot anything else in 2012").text.startswith("Yes")


@pytest.mark.parametrize(
    "question", ["rochdale or oldham for the gmp one?", "was gmp inspected in rochdale or oldham"]
)
def test_towns_offered_with_or_ask_which_was_the_area(
    ask: Callable[[str], Reply], question: str
) -> None:
    reply = ask(question)
    assert reply.text.startswith("Rochdale.")
    assert reply.slots["attribute"] == "area"


def test_a_deed_described_by_its_doer_is_dated_by_the_doers_deed(
    ask: Callable[[str], Reply],
) -> None:
    """ "hmic did the unannounced ones" dates HMIC's inspections, not its renaming."""
    reply = ask("it was 2014 when hmic did the unannounced ones right?")
    assert reply.text.startswith("No \u2014 November 2012, not 2014.")


def test_another_force_said_to_have_done_a_covered_forces_area(
    ask: Callable[[str], Reply],
) -> None:
    reply = ask("it was west midlands police that did herefordshire")
    assert reply.text.startswith("No \u2014 Herefordshire was West Mercia Police's area.")
    assert "nothing about West Midlands Police" in reply.text


@pytest.mark.parametrize(
    "question",
    [
        "so the joint inspections went ahead in 2013 as planned then",
        "so the joint inspections kicked off properly in april 2013?",
        "i heard the joint child protection inspections got scrapped for good in 2013",
    ],
)
def test_the_joint_inspections_to_come_were_deferred(
    ask: Callable[[str], Reply], question: str
) -> None:
    """Said to have gone ahead in 2013, or been scrapped: No, deferred until April 2015."""
    reply = ask(question)
    assert reply.text.startswith("No.")
    assert "April 2015" in reply.text


def test_whether_the_deferred_inspections_went_ahead_in_2015_is_beyond_the_page(
    ask: Callable[[str], Reply],
) -> None:
    reply = ask("did the joint inspections actually go ahead in april 2015 then")
    assert not reply.text.startswith(("Yes", "No"))
    assert "does not cover" in reply.text


@pytest.mark.parametrize(
    ("question", "opening"),
    [
        ("ofsted was the one that did the police inspections", "No \u2014 HMIC."),
        ("hmic was the one that did the police inspections", "Yes."),
        ("was ofsted the one that did the police inspections", "No \u2014 HMIC."),
        (
            "a colleague told me the hmic findings were changed because of what ofsted found",
            "No.",
        ),
    ],
)
def test_the_one_that_did_it_is_the_doer_claimed(
    ask: Callable[[str], Reply], question: str, opening: str
) -> None:
    assert ask(question).text.startswith(opening)


def test_a_vague_word_neither_supports_nor_contradicts_a_claim(ask: Callable[[str], Reply]) -> None:
    reply = ask("is it true gmp was picked because its got ten councils in its area")
    assert reply.text.startswith("Yes.")


@pytest.mark.parametrize(
    ("question", "opening"),
    [
        ("so how long between the consultation and the inspections", "About four months:"),
        ("how long between the gmp report and the west mercia report", "About two months:"),
    ],
)
def test_the_time_between_two_dated_events(
    ask: Callable[[str], Reply], question: str, opening: str
) -> None:
    reply = ask(question)
    assert reply.text.startswith(opening)
    assert "The page gives only the months." in reply.text


def test_how_long_after_ofsted_stays_the_pages_silence(ask: Callable[[str], Reply]) -> None:
    reply = ask("how long after ofsted did hmic go into west mercia, like weeks?")
    assert reply.text.startswith("The page doesn't say")


def test_two_bodies_said_to_have_done_it_together_are_no_one_doer(
    ask: Callable[[str], Reply],
) -> None:
    reply = ask("hmic and ofsted did the inspections separately, not as one joint team, yeah")
    assert reply.text.startswith("Yes.")
    assert not ask("did ofsted go back into herefordshire in 2018").text.startswith("No")


def test_a_force_said_to_cover_only_its_inspected_area(ask: Callable[[str], Reply]) -> None:
    """West Mercia covers "a range of local authority boundaries": Herefordshire was the
    one inspected. (Inspected only in Rochdale is another matter: Yes.)"""
    assert ask("does west mercia only cover herefordshire").text.startswith("No \u2014")
    assert ask("did hmic only inspect gmp in rochdale").text.startswith("Yes.")
