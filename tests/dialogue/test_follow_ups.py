"""Follow-ups that keep the question and change the subject, or move along the timeline."""

from __future__ import annotations

import pytest

from bot.dialogue.assistant import Assistant


def talk(assistant: Assistant, *messages: str) -> list[tuple[str, str]]:
    """(intent, force) of each reply in one fresh chat."""
    assistant.reset("talk")
    out = []
    for message in messages:
        reply = assistant.reply("talk", message)
        out.append((reply.intent, reply.slots.get("force", "")))
    assistant.reset("talk")
    return out


def said(assistant: Assistant, *messages: str) -> str:
    """The text of the last reply to ``messages``, sent in turn in one fresh chat."""
    assistant.reset("said")
    texts = [assistant.reply("said", message).text for message in messages]
    assistant.reset("said")
    return texts[-1]


def test_a_correction_re_asks_the_last_question_about_the_force_meant(
    assistant: Assistant,
) -> None:
    assert talk(
        assistant, "why was gmp chosen", "no, i meant staffordshire", "what did they find"
    ) == [
        ("force_selection", "greater-manchester"),
        ("force_selection", "staffordshire"),
        ("force_findings", "staffordshire"),
    ]


def test_going_back_to_an_earlier_force(assistant: Assistant) -> None:
    turns = talk(assistant, "what did inspectors find in staffs", "going back to gmp")
    assert turns[-1] == ("force_findings", "greater-manchester")


def test_what_happened_next_and_before_follow_the_timeline(assistant: Assistant) -> None:
    intents = [
        i
        for i, _ in talk(
            assistant, "when was the consultation", "what happened next?", "and after that?"
        )
    ]
    assert intents == ["consultation", "pilot", "inspection_timing"]
    back = [i for i, _ in talk(assistant, "when was it deferred", "what came before that?")]
    assert back == ["deferral", "reports"]


def test_button_labels_fit_a_phone(assistant: Assistant) -> None:
    """About 30 characters at most; under an answer about a force, its name is left out."""
    from bot.dialogue.buttons import MAX_LABEL_CHARS

    for question in (
        "hi",
        "why was gmp chosen",
        "what did inspectors find in staffs",
        "and west mercia?",
    ):
        reply = assistant.reply("labels", question)
        for button in reply.buttons:
            assert len(reply.label(button)) <= MAX_LABEL_CHARS, (question, reply.label(button))
    assistant.reset("labels")
    reply = assistant.reply("labels", "why was gmp chosen")
    assert "What did inspectors find?" in [reply.label(b) for b in reply.buttons]
    assert all("Greater Manchester" in b for b in reply.buttons if "find" in b)  # still asks it
    assistant.reset("labels")


def test_a_position_picks_among_the_forces_the_last_answer_listed(
    assistant: Assistant,
) -> None:
    assistant.reply("c", "which report came first: 1 gmp or 2 west mercia")
    reply = assistant.reply("c", "ok and when was 2 published")
    assert reply.slots["force"] == "west-mercia"
    assert "April 2013" in reply.text


def test_after_an_intents_answer_a_follow_up_keeps_its_fact_and_changes_the_subject(
    assistant: Assistant,
) -> None:
    assistant.reset("c")
    assistant.reply("c", "when was the consultation")
    assert assistant.reply("c", "and the inspections?").text.startswith("November 2012.")
    assert assistant.reply("c", "were they announced").text.startswith("No.")


def test_a_question_word_alone_after_a_body_asks_it_of_that_body(assistant: Assistant) -> None:
    assert said(assistant, "what does hmicfrs stand for", "since when").startswith("July 2017.")


def test_a_new_subject_named_in_a_follow_up_is_never_answered_as_the_old_one(
    assistant: Assistant,
) -> None:
    assistant.reset("c")
    assistant.reply("c", "tell me about hmic being renamed")
    reply = assistant.reply("c", "what's ofsted then")
    assert "renamed" not in reply.text
    assert reply.slots.get("body") == "ofsted"


def test_positions_pick_from_the_list_of_all_forces_until_a_new_list(
    assistant: Assistant,
) -> None:
    assert talk(
        assistant,
        "which forces were in the pilot",
        "the second one, why was it chosen",
        "and the last one?",
    )[1:] == [("force_selection", "greater-manchester"), ("force_selection", "west-mercia")]


def test_more_on_a_position_after_the_roster_is_that_forces_overview(
    assistant: Assistant,
) -> None:
    assert talk(assistant, "list the forces in the pilot", "more on the 2nd one")[1] == (
        "force_overview",
        "greater-manchester",
    )


def test_the_other_two_is_no_position(assistant: Assistant) -> None:
    replies = talk(assistant, "why was gmp chosen", "and the other two?")
    assert replies[1][1] == "staffordshire,west-mercia"


def test_which_ones_after_a_count_asks_for_the_counted_and_which_one_was_inspected(
    assistant: Assistant,
) -> None:
    assistant.reset("c")
    assistant.reply("c", "how many local authorities in the gmp area")
    names = assistant.reply("c", "which ones")
    assert names.text.startswith("The page doesn't say the names of the local authorities")
    inspected = assistant.reply("c", "which one was inspected")
    assert inspected.slots["force"] == "greater-manchester" and "Rochdale" in inspected.text


def test_a_name_put_to_the_list_just_given_asks_whether_it_is_one_of_them(
    assistant: Assistant,
) -> None:
    for follow_up, opening in (
        ("prisons?? really", "Yes."),
        ("cqc as well?", "Yes."),
        ("estyn too?", "No \u2014 Ofsted"),
        ("hmi prisons?", "HMI Prisons is short for"),  # no check asked: about the body
    ):
        listed = "which inspectorates were in on the consultation"
        assert said(assistant, listed, follow_up).startswith(opening), follow_up


def test_a_plural_follow_up_after_a_list_of_forces_asks_it_of_each(
    assistant: Assistant,
) -> None:
    assert talk(assistant, "which forces got inspected", "and the council areas?")[1] == (
        "force_area",
        "staffordshire,greater-manchester,west-mercia",
    )
    # one force meant still asks which
    assert talk(assistant, "which forces got inspected", "why was it chosen")[1][0] == "clarify"


def test_a_forces_findings_asked_as_a_follow_up_are_all_of_them(assistant: Assistant) -> None:
    text = said(assistant, "what did inspectors find in west mercia", "fine, staffordshire then")
    assert "helped and protected by Staffordshire Police" in text  # the first sentence too
    assert "sexual exploitation" in text


def test_a_follow_up_naming_only_an_attribute_asks_it_of_the_subject(
    assistant: Assistant,
) -> None:
    assert said(assistant, "what did ofsted defer", "announced when").startswith("April 2013.")
    forces = "which police forces got inspected"
    assert said(assistant, forces, "and when", "by who").startswith("HMIC.")


def test_the_same_topic_again_keeps_the_subject_for_a_precise_follow_up(
    assistant: Assistant,
) -> None:
    asked = ("when were the police inspections", "announced or not", "what day exactly")
    assert "November 2012" in said(assistant, *asked)


def test_last_one_before_a_force_named_is_that_force(assistant: Assistant) -> None:
    assert talk(assistant, "why was staffs chosen", "and gmp", "last one, west mercia")[2] == (
        "force_selection",
        "west-mercia",
    )


def test_ok_is_acknowledged_and_ok_with_a_force_continues_the_question(
    assistant: Assistant,
) -> None:
    assert talk(assistant, "ok")[0] == ("acknowledge", "")
    assert talk(assistant, "what did they find in staffs", "ok and gmp")[1] == (
        "force_findings",
        "greater-manchester",
    )


def test_a_question_word_after_a_claim_asks_anew(assistant: Assistant) -> None:
    # "which one was april" looks the force up; it does not check April against GMP again
    assert talk(assistant, "gmp report was april 2013 yeah", "oh ok which one was april then")[
        1
    ] == ("which_force", "west-mercia")


@pytest.mark.parametrize(
    ("messages", "force"),
    [
        # two of the three asked about: the third
        (("which force was in rochdale", "and herefordshire?", "and the 3rd"), "staffordshire"),
        (("why was staffs chosen", "and gmp", "and the other one"), "west-mercia"),
        # one of the two forces the page names a report for: the other
        (("report date?", "west mercia", "and the other one"), "greater-manchester"),
        (("why was west mercia picked", "gmp report when", "the other one?"), "west-mercia"),
        # a general answer naming the forces in turn lists them: "the last one" is its last
        (("who did hmic inspect in november 2012", "and the last one, what area"), "west-mercia"),
        # two named in the message itself: the third
        (("herefordshire, rochdale and what was the 3rd area",), "staffordshire"),
        # and a list's "last one" is its last, not the one not asked about yet
        (
            (
                "which forces did hmic inspect",
                "what did they find in staffordshire",
                "and the last one on the list?",
            ),
            "west-mercia",
        ),
    ],
)
def test_the_other_one_is_the_force_left_for_the_last_question(
    assistant: Assistant, messages: tuple[str, ...], force: str
) -> None:
    assert talk(assistant, *messages)[-1][1] == force


def test_the_deferral_asked_of_in_turn_keeps_its_subject(assistant: Assistant) -> None:
    """ "announce" after the deferral is its announcement (the inspections were unannounced),
    and "why tho" asks its reason, which the page does not give."""
    first = "what happened to the joint inspections in the end"
    announced = "when did they announce it"
    texts = [
        said(assistant, first),
        said(assistant, first, announced),
        said(assistant, first, announced, "why tho"),
    ]
    assert "April 2015" in texts[0]
    assert "April 2013" in texts[1]
    assert texts[2].startswith("The page does not say why.")


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("so the joint inspections were due to start back up in what month", "April 2015"),
        ("so the joint inspections got pushed back to when in the end", "April 2015"),
        ("when r the joint inspections meant to start again", "April 2015"),
        ("why did ofsted put the joint inspections on hold", "The page does not say why."),
    ],
)
def test_the_deferral_in_other_words(assistant: Assistant, question: str, says: str) -> None:
    assert says in said(assistant, question)


def test_whether_they_started_again_is_beyond_the_page(assistant: Assistant) -> None:
    reply = assistant.reply("again", "did they start again in 2015")
    assistant.reset("again")
    assert not reply.text.startswith("Yes")


def test_more_after_an_answer(assistant: Assistant) -> None:
    """ "anything else" after a force's fact is everything the page says of it; "tell me
    more" after a topic moves on to the one that follows."""
    findings = said(assistant, "staffs inspection what did they like", "anything else")
    assert "good practice" in findings  # its selection reason, beside the findings
    assert talk(assistant, "who ran the consultation", "tell me more")[-1][0] == "pilot"
    # a question of its own is no request for more
    assert talk(assistant, "why was gmp chosen", "what else did they find")[-1][0] == (
        "force_findings"
    )


def test_the_timing_against_ofsteds_asked_of_west_mercia_after_others(
    assistant: Assistant,
) -> None:
    """West Mercia's came "a short while after" Ofsted's: "the timing the same?" is No."""
    text = said(
        assistant,
        "did ofsted affect what hmic found",
        "and in herefordshire was the timing the same",
    )
    assert text.startswith("No \u2014 after")


def test_the_chats_topic_supplies_the_words_an_attribute_requires(assistant: Assistant) -> None:
    """ "same time" asks the timing against Ofsted's only with Ofsted named; after a question
    about Ofsted's inspection, the chat's topic names it."""
    text = said(
        assistant,
        "was ofsted doing anything at the same time as the police inspections",
        "did they affect each other",
        "going back to west mercia, was it exactly the same time there",
    )
    assert text.startswith("No \u2014 after")


def test_who_was_inspected_in_a_place_is_that_forces_inspection(assistant: Assistant) -> None:
    """The list of forces asked with one named is that force's inspection: where and when."""
    assert talk(assistant, "herefordshire - who was inspected there") == [
        ("inspection_timing", "west-mercia")
    ]
    text = said(
        assistant,
        "as a herefordshire councillor i'd like to know when hmic inspected our local force's "
        "child protection work",
    )
    assert "West Mercia Police" in text
    assert "November 2012" in text


def test_a_correction_denying_a_force_is_about_the_other_alone(assistant: Assistant) -> None:
    replies = talk(
        assistant,
        "why was staffs picked for the pilot",
        "and what impressed them there",
        "sorry i meant manchester not staffs",
    )
    assert replies[-1] == ("force_findings", "greater-manchester")


def test_the_last_one_of_a_list_asked_with_which(assistant: Assistant) -> None:
    replies = talk(
        assistant,
        "which forces got the surprise visits in nov 2012",
        "which council area for the last one",
        "why was it picked",
    )
    assert [force for _, force in replies[1:]] == ["west-mercia", "west-mercia"]


def test_a_word_describing_the_force_just_talked_about(assistant: Assistant) -> None:
    text = said(assistant, "why was gmp chosen", "complex how")
    assert text.startswith("Greater Manchester Police was selected")


def test_help_asked_with_words_the_bot_does_not_know(assistant: Assistant) -> None:
    assert talk(
        assistant,
        "evening. retired magistrate here, not very good with these gadgets. "
        "what sort of thing can i ask you",
    ) == [("help", "")]
