"""Every weight and threshold of the matcher and the dialogue, with the reason for its value.

One frozen object, so the numbers that act on the same score scale sit side by side and a
change to one is read beside the others. Measured against the labelled sets in tests/data.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Tuning:
    """The tuning values; ``TUNING`` is the one in use."""

    # ---- nlu/entities.py
    # A whole phrase that is not an exact alias must be this close to one (fuzz.ratio) to count:
    # "greatermanchester" and "west mercia polic" do; "west midlands" does not.
    fuzzy_alias_cutoff: float = 88.0
    # Shortest phrase worth comparing fuzzily: short strings match everything.
    min_fuzzy_chars: int = 6
    # ---- nlu/matcher.py
    # Added to an intent's score when the question names the kind of entity the intent is about:
    # "why gmp?" leans towards force_selection rather than deferral_reason.
    slot_bonus: float = 1.5
    # Added when an entity fills an optional slot ("when was gmp inspected?"): less than a needed
    # slot, so "is there a west mercia report, what month" stays a report question.
    optional_slot_bonus: float = 0.5
    # Added instead when the chat's context can fill the slot ("and what did they find?").
    context_slot_bonus: float = 1.0
    # Taken off an intent that needs a slot nobody named: "is there a report?" is more likely
    # about the reports in general than about one force's.
    missing_slot_penalty: float = 1.5
    # An intent with `priority:` in intents.yaml gets it only on this much keyword evidence
    # (none has one since the safety screen replaced the safety intent).
    priority_min_evidence: float = 3.0
    # Confidence is score / (score + CONFIDENCE_HALF): a score of 3 is 50% sure.
    confidence_half: float = 3.0
    # Each word the bot has never seen counts against the confidence like this much missing
    # keyword evidence: "how tall is the shard" has nothing the page covers. (Subjects people ask
    # that the page does not cover are named in knowledge/not_covered.yaml.)
    unknown_word_cost: float = 1.5
    # In a long message, one unknown word per this many words is not held against it: "I served on
    # Herefordshire Council for many years and would be grateful ..."
    words_per_free_unknown: int = 10
    # A keyword right before a word the bot does not know counts half ("deferred revenue") only
    # when the message has at least this many unknown words: one alone may be a typo ("was there a
    # press releace").
    unknown_words_after_keyword: int = 2
    # A phrase keyword still matches with a few words inside it: "what do you actually do" has
    # "what do you do", "push it all back" has "push back". A question word takes at most one word
    # before the next ("which council areas" has "which areas", but "what should the forces do"
    # does not have "what forces").
    max_phrase_gap: int = 2
    max_question_word_gap: int = 1
    # Look-up evidence (see lookup_weight) that a message names a force by what the page says
    # of it ("the complex force", "the rural one"): one look-up word, and lookup_margin over
    # the runner-up force.
    min_description_score: float = 2.5
    # What a one-word keyword still counts right after a word the bot has never seen, which
    # makes it that word's in another sense ("javascript framework", "airline pilot").
    modified_keyword_factor: float = 0.5
    # Shortest not-covered word a typo is corrected to ("complian" -> "complain").
    min_corrected_topic_word: int = 6
    # Weight of one "which force ...?" look-up word (from knowledge/forces.yaml) per word.
    lookup_weight: float = 2.5
    # ---- nlu/sentences.py
    # Words in a row, as a page sentence has them, that make a question quote the sentence.
    min_quoted_words: int = 4
    # ---- dialogue/answers.py
    # A "which force ...?" look-up must beat the runner-up force by this factor to name one.
    lookup_margin: float = 1.5
    # ---- dialogue/assistant.py
    # Weakest keyword evidence that is answered: one strong keyword ("consultation") or two weak
    # ones ("when" + "inspections"). Below it, the bot says what it can answer instead.
    min_score: float = 3.0
    # Weakest keyword evidence answered when the message is about something of the asker's the
    # bot has no word for ("my car failed its mot inspection", "booked a consultation with my
    # gp"): such messages are nearly always about their own lives, not the page.
    personal_min_score: float = 8.0
    # Lowest confidence that is answered, after the penalty for unknown words.
    min_confidence: float = 0.45
    # Confidence reported for a follow-up resolved from the chat's context ("and gmp?").
    follow_up_confidence: float = 0.9
    # Small talk with max_tokens ("yo", "ta") needs only this much keyword evidence.
    small_talk_min_score: float = 2.0
    # Unknown words small talk may carry ("thanks love", "hi, I'm a caseworker").
    small_talk_unknown_words: int = 2
    # Small talk this sure is answered whatever words come with it ("retired magistrate here,
    # not very good with these gadgets. what sort of thing can i ask you")
    small_talk_sure_score: float = 10.0
    # Longest message read as a vague follow-up of the last topic.
    max_follow_up_words: int = 8
    # A message this short ("why?", "and when?") is read against the last topic first.
    short_follow_up: int = 3
    # How much the last topic must add to a vague follow-up that already matches alone.
    topic_margin: float = 2.0
    # Longest message read as picking a choice by position.
    max_ordinal_words: int = 5
    # While a clarifying question is pending, a message that names a force is read as its
    # answer unless another intent beats the answered minimum by this much ("gmp, and when
    # was the consultation?" asks something new).
    strong_other_margin: float = 1.5

    # A yes/no question about one force is compared with at most this many other forces'
    # answers: enough for the page's three, and bounded for a knowledge base of thousands.
    max_compared_forces: int = 8
    # ---- nlu/sentences.py
    # A page sentence is quoted as a last resort only when it covers this share of the
    # question's word weight (rare words weigh more) ...
    sentence_min_coverage: float = 0.6
    # ... with at least this many of its content words ...
    sentence_min_words: int = 2
    # ... and clearly better than the next sentence (share of the question's weight).
    sentence_margin: float = 0.1


TUNING = Tuning()
