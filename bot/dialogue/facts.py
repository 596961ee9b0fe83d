"""Answers built from fact records: "Yes.", "No — April 2015, not 2014.", "Ten.", or
"The page doesn't say ...", each with the page sentence it rests on.

Pure functions of an Analysis, the chat's fact context and the FactBook. Nothing here
knows a phrasing: the analysis found the subject and attribute, and the value's type
decides how a claim is checked. Where the check cannot settle it, there is no answer and
the intents answer instead: a wrong "Yes" is worse than none.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from bot.bounded import BoundedCache
from bot.lang.text import says, stem, tokens
from bot.lang.words import (
    ANYTHING_ELSE,
    CLAIM_NEUTRAL,
    COMPARED,
    COVERS,
    DOING,
    EARLIER_WORDS,
    EXCLUSIVE,
    GAP_ASKED,
    HAPPENED,
    LATER_WORDS,
    NEGATIONS,
    ONE,
    ORDER_ASKED,
    OWN_DEED,
    QUESTION_WORDS,
    STOPWORDS,
    VAGUE_WORDS,
    VALUE_QUESTIONS,
    WHAT_ABOUT,
)
from bot.nlu.analysis import Analysis, Asserted, AttributeHit
from bot.nlu.form import Form, chronological, said_date, without_filler
from bot.schema.facts import Attribute, Fact, FactValue, ValueType
from bot.schema.knowledge import Knowledge

# Words too vague to support or contradict a claim about a text value ("ten councils in
# its area": "area" is no word of Staffordshire's "in the area of child protection").
_VAGUE_STEMS = frozenset(stem(w) for w in VAGUE_WORDS)
# Where an attribute's `silent:` phrase names the subject ("what {subject} does").
SUBJECT_PLACEHOLDER = "{subject}"
# Fact answers remembered, by question analysis and context (least recently used forgotten).
ANSWER_CACHE = 4096
_NUMBER_NAMES = (
    "Zero One Two Three Four Five Six Seven Eight Nine Ten Eleven Twelve".split()  # noqa: SIM905
)


@dataclass(frozen=True, slots=True)
class FactContext:
    """What the chat last asked at the level of facts, for elliptical follow-ups."""

    subject: str | None = None
    attribute: str | None = None
    form: Form = Form.OPEN
    polarity: bool | None = None
    option: str | None = None
    forces: tuple[str, ...] = ()  # forces the last answer was about (from any rule)
    reverse: bool = False  # the subject was found from its value ("which force has ten ...?")
    # read off a question an intent answered, not a fact answer's own: a bare "and gmp?"
    # then continues the intent
    inferred: bool = False

    def about(self, forces: tuple[str, ...]) -> FactContext:
        """This context with the forces the chat last talked about (by any rule)."""
        return self if forces == self.forces else replace(self, forces=forces)


@dataclass(frozen=True, slots=True)
class FactAnswer:
    """An answer from one fact, or the page's silence on it."""

    subject: str
    attribute: str
    text: str
    silent: bool  # the page does not give this value
    verdict: str | None  # "Yes.", "No — ...", None for an open question
    fact: Fact | None
    follow_up: bool  # subject or attribute came from the chat's context
    reverse: bool = False  # the subject was found from its value: "which force has ten ...?"
    intent: str | None = None  # the intents.yaml topic the answer belongs to


class FactDesk:
    """Resolves an analysis to one fact and words the answer."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.book = knowledge.facts
        self.force_ids = tuple(f.id for f in knowledge.forces)
        self._body_ids = frozenset(b.id for b in knowledge.bodies)
        self._other_body_ids = frozenset(b.id for b in knowledge.facts.other_bodies)
        # the bodies the page speaks for (HMIC): naming one asks about the page's own facts
        self.voices = self.book.voices
        self._answers: BoundedCache[tuple[Analysis, FactContext, bool], FactAnswer | None] = (
            BoundedCache(ANSWER_CACHE)
        )
        # every dated fact, the events' first ("what happened in july 2012?"), and the
        # events' with their names (the dates the page gives)
        self._dated = sorted(
            (
                fact
                for fact in self.book.facts
                if self.book.attribute(fact.attribute).type is ValueType.DATE
                and isinstance(fact.value, str)
            ),
            key=lambda fact: self.book.event(fact.subject) is None,
        )
        self._event_dates = [
            (fact, event.name)
            for fact in self._dated
            if (event := self.book.event(fact.subject)) is not None
        ]
        # "how many ...", "how much ...": an open question asking for a number
        self._number_asks = tuple(
            tokens(phrase)
            for kind, phrases in self.book.asks
            if kind is ValueType.NUMBER
            for phrase in phrases
        )
        # what each actor attribute's deed was done to ("council": Ofsted's inspection)
        self._done_to = {
            a.id: frozenset(tokens(w) for w in a.done_to) for a in self.book.attributes if a.done_to
        }
        # the stems of each attribute's words ("which ones?" after "how many councils?")
        self._attribute_stems = {a.id: _word_stems(a) for a in self.book.attributes}
        topic_events: dict[str, set[str]] = {}
        for fact in self.book.facts:
            topic = fact.intent or self.book.attribute(fact.attribute).intent
            if topic is not None and self.book.event(fact.subject) is not None:
                topic_events.setdefault(topic, set()).add(fact.subject)
        self._topic_events = {k: frozenset(v) for k, v in topic_events.items()}
        # the forces and bodies each subject's list facts name (the consultation's five),
        # and the bodies an event shares a record with (HMIC, renamed in the renaming)
        members: dict[str, set[str]] = {}
        records: dict[tuple[str, int, str], set[str]] = {}
        for fact in self.book.facts:
            if isinstance(fact.value, tuple):
                members.setdefault(fact.subject, set()).update(fact.value)
            records.setdefault((fact.attribute, fact.sentence, repr(fact.value)), set()).add(
                fact.subject
            )
        for together in records.values():
            for named in (s for s in together if self.book.event(s) is not None):
                members.setdefault(named, set()).update(together & self._body_ids)
        self._members = {k: frozenset(v) for k, v in members.items()}
        # each subject's facts of who did it (actor attributes), in attribute order: the
        # first is its main deed (HMIC inspected the forces, Ofsted announced the deferral)
        doers: dict[str, list[Fact]] = {}
        for attribute in self.book.attributes:
            if attribute.actor:
                for subject in self.book.subjects_with(attribute.id):
                    did = self.book.fact(subject, attribute.id)
                    if did is not None:
                        doers.setdefault(subject, []).append(did)
        self._doers = {k: tuple(v) for k, v in doers.items()}
        self._asking_stems = {
            a.id: frozenset(stem(w) for phrase in a.words for w in tokens(phrase))
            for a in self.book.attributes
        }
        self._own_stems = {
            a.id: self._asking_stems[a.id]
            | frozenset(stem(w) for phrase in a.requires_any for w in tokens(phrase))
            for a in self.book.attributes
        }
        self._subject_stems = {
            stem(w)
            for force in knowledge.forces
            for name in (force.name, *force.aliases)
            for w in tokens(name)
        }

    # ------------------------------------------------------------------ resolving

    def answer(
        self, analysis: Analysis, context: FactContext, *, open_ok: bool
    ) -> FactAnswer | None:
        """The answer to ``analysis`` from one fact, or None when no fact settles it.

        A pure function of its arguments, remembered (a bounded cache): the same question
        in the same context is resolved once."""
        key = (analysis, context, open_ok)
        if key in self._answers:
            return self._answers[key]
        found = self._answers[key] = self._answer(analysis, context, open_ok=open_ok)
        return found

    def _answer(
        self, analysis: Analysis, context: FactContext, *, open_ok: bool
    ) -> FactAnswer | None:
        """The answer to ``analysis`` from one fact, or None when no fact settles it.

        ``open_ok``: an open question may be answered from any attribute (the intents
        found nothing strong); otherwise only from attributes marked ``first``.
        """
        hits, follow_up = self._hits(analysis, context)
        every_hit = hits
        form = _form_carried(analysis, context) if follow_up else analysis.form
        if form is not Form.OPEN and not analysis.unknown:
            denied = self._denied(analysis, form, context)
            if denied is not None:
                return denied  # "staffs was only put in the pilot cos it was failing"
        settled, dated = self._deed_date(analysis, hits, form, context)
        if settled:
            return dated
        if form is Form.OPEN and analysis.words[:1] == ("why",):
            # "why wasn't it at the same time as Ofsted's?" asks the timing's reason; a
            # reason is text ("why were the three forces chosen" asks no list of forces)
            hits = tuple(self._why(hit) for hit in hits)
            reasons = [h for h in hits if self.book.attribute(h.id).type is ValueType.TEXT]
            hits = tuple(reasons) or hits
        wanted = _type_asked(analysis) if form is Form.OPEN else None
        if wanted is not None and any(self.book.attribute(h.id).type is wanted for h in hits):
            # "the urban and rural force, its report came out when": a value of the type
            # the question word asks, before a description
            hits = tuple(
                sorted(hits, key=lambda h: self.book.attribute(h.id).type is ValueType.TEXT)
            )
        hits = self._checked_first(analysis, form, hits)
        if form is Form.OPEN and hits:
            # "whose report came out in feb 2013?": an attribute whose value the question
            # gives names the subject, whatever other attribute words it has
            reversed_ = [h for h in hits if self._reverse(analysis, self.book.attribute(h.id))]
            top = [h for h in hits if h.strength == hits[0].strength]
            hits = tuple(dict.fromkeys([*reversed_, *top]))
        if not analysis.subjects and context.subject:
            # a follow-up naming no subject ("who by?") asks about the last one first
            held = [h for h in hits if self.book.fact(context.subject, h.id) is not None]
            hits = (*held, *(h for h in hits if h not in held))
        for hit in hits:
            attribute = self.book.attribute(hit.id)
            named = hit.strength > 0
            if analysis.asserted.other_forces and not (
                named and attribute.type is ValueType.ENTITIES
            ):
                # "did hmic inspect thames valley in 2012?" is about a force the page does
                # not cover: never answered with the covered forces' date; only a list the
                # question names ("was thames valley one of them?") settles it
                continue
            if (
                form is Form.OPEN
                and attribute.type is ValueType.YES_NO
                and self._asks_for_a_value(analysis.words)
            ):
                continue  # "how many fire services does hmicfrs inspect?" is no yes or no
            # "which force's report came out in april 2013?" then "and feb 2013?": the same
            # look-up of another value
            again = follow_up and context.reverse
            reverse = (
                self._reverse(analysis, attribute, again) if form is Form.OPEN or again else None
            )
            if (
                form is Form.OPEN
                and reverse is None
                and not (
                    open_ok
                    or _asked_first(attribute, hit)
                    or (hit.strength and self._of_strong_subject(analysis, attribute))
                    or _offers_values(analysis, attribute)
                )
            ):
                continue
            subject = (
                reverse
                or self._subject(analysis, attribute, context)
                or self._event_of_others(every_hit, hit, attribute)
            )
            if subject is None:
                continue
            if (
                follow_up
                and analysis.subjects
                and subject not in analysis.subjects
                and not (
                    attribute.type is ValueType.ENTITIES
                    and form is not Form.OPEN
                    and all(s in self._body_ids for s in analysis.subjects)
                )
            ):
                # "what's ofsted then?" after the renaming: not the renaming again (but "hmi
                # probation too?" after "was the cqc involved?" asks the same of another body)
                continue
            fact = self.book.fact(subject, attribute.id)
            built = self._build(analysis, form, hit, attribute, subject, fact, context)
            if built is None and form is not Form.OPEN and _asked_first(attribute, hit):
                # a statement naming an attribute strongly, with no value to check, asks for
                # it: "full name of the local authority gmp was inspected in"
                built = self._build(analysis, Form.OPEN, hit, attribute, subject, fact, context)
            if built is not None and reverse is not None and built.fact is not None:
                # "which force's report came out in april 2013?": the force, not the date
                built = replace(built, text=f"{self._name(subject)}. {self._quote(built.fact)}")
            if built is not None:
                topic = built.fact.intent if built.fact else attribute.intent
                return replace(
                    built,
                    follow_up=follow_up or built.follow_up,
                    intent=topic,
                    reverse=reverse is not None,
                )
        if form is not Form.OPEN:
            return self._by_doer(analysis) or self._by_value_words(analysis, form, context)
        return None

    def _by_doer(self, analysis: Analysis) -> FactAnswer | None:
        """A yes/no question about who did an event it names, when nothing else settles it:
        "did ofsted inspect the police forces?" is No, HMIC did."""
        said = analysis.asserted
        if said.actor is None or analysis.unknown or said.places or said.other_forces:
            return None  # "does cqc inspect care homes in stafford?" is another matter
        if any(e in self._other_body_ids or e in self.force_ids for e in said.entities):
            return None
        for subject in analysis.subjects:
            if self.book.event(subject) is None:
                continue
            found = self._other_actor(analysis, subject) or self._same_actor(analysis, subject)
            if found is not None:
                verdict, fact = found
                topic = fact.intent or self.book.attribute(fact.attribute).intent
                text = f"{verdict} {self._quote(fact)}"
                return FactAnswer(
                    subject, fact.attribute, text, False, verdict, fact, False, intent=topic
                )
        return None

    def _doer_facts(self, analysis: Analysis, subject: str) -> list[Fact]:
        """Who did what the question names ("inspected the councils": Ofsted), else who did
        the subject's main deed (the first actor attribute: HMIC inspected the forces)."""
        named = {h.id for h in analysis.attributes}
        doers = self._doers.get(subject, ())
        return [f for f in doers if f.attribute in named] or list(doers[:1])

    def _main_doers(self, subject: str) -> FactValue:
        """Who did ``subject``'s main deed (its first actor fact's value), or None."""
        doers = self._doers.get(subject, ())
        return doers[0].value if doers else None

    def _same_actor(self, analysis: Analysis, subject: str) -> tuple[str, Fact] | None:
        """ "Yes." when a claim names as the doer the body the page does, unnegated: "ofsted
        announced the delay, not hmic" (but not "ofsted didn't announce it")."""
        actor = analysis.asserted.actor
        if actor is None or analysis.form is not Form.CLAIM:
            return None
        words = analysis.words
        bodies_at = {
            at
            for s, at in zip(analysis.subjects, analysis.positions, strict=False)
            if s in self._body_ids
        }
        if any(w in NEGATIONS and i + 1 not in bodies_at for i, w in enumerate(words)):
            return None  # negated, other than "not hmic"
        for fact in self._doer_facts(analysis, subject):
            if isinstance(fact.value, tuple) and actor in fact.value:
                return "Yes.", fact
        return None

    def _by_value_words(
        self, analysis: Analysis, form: Form, context: FactContext
    ) -> FactAnswer | None:
        """A yes/no question or claim about one force that names nothing the page can check,
        read by the words it shares with the force's text facts: "was staffs proactive on
        anything?" is about its findings. Only where every such fact gives the same verdict."""
        forces = [s for s in analysis.subjects if s in self.force_ids]
        if len(forces) == 1:
            subject = forces[0]
        elif not forces and analysis.refers_back and context.forces[:1]:
            subject = context.forces[0]
        else:
            return None
        asked = _content_stems(analysis.words) - self._subject_stems
        scored: list[tuple[int, Attribute, Fact]] = []
        for attribute in self.book.attributes:
            fact = self.book.fact(subject, attribute.id)
            if attribute.type is not ValueType.TEXT or fact is None or fact.value is None:
                continue
            shared = asked & {stem(w) for w in tokens(str(fact.value))}
            if shared:
                scored.append((len(shared), attribute, fact))
        if not scored:
            return None
        most = max(n for n, _, _ in scored)
        answers = [
            self._build(analysis, form, AttributeHit(a.id, 0), a, subject, f, context)
            for n, a, f in scored
            if n == most
        ]
        # a phrase the page contradicts outright ("just a rural force") settles it, whatever
        # the words shared with other facts would say
        denied: list[FactAnswer | None] = [
            a
            for a in answers
            if a is not None and a.fact is not None and self._contradicts(analysis, a.fact)
        ]
        if not analysis.unknown:  # "broadband is rubbish in rural herefordshire" is not
            answers = denied or answers
        verdicts = {a.verdict for a in answers if a is not None}
        first = next((a for a in answers if a is not None), None)
        if first is None or len(verdicts) != 1 or first.fact is None:
            return None
        return replace(
            first, intent=first.fact.intent or self.book.attribute(first.attribute).intent
        )

    def order_of(self, analysis: Analysis, context: FactContext | None = None) -> FactAnswer | None:
        """Which of two named things came first, by the dates the page gives them: "which
        came first, the consultation or the inspections?", "the gmp report came out before
        west mercia's, right?". None unless two subjects have different dates."""
        words = set(analysis.words)
        earlier, later = bool(words & EARLIER_WORDS), bool(words & LATER_WORDS)
        subjects, positions = analysis.subjects, analysis.positions
        if earlier and later and positions:
            # "the pilot happened first and the consultation came after": the first word
            # of order after the first thing named says which it is claimed to be
            said = next(
                (
                    w
                    for w in analysis.words[min(positions) :]
                    if w in EARLIER_WORDS or w in LATER_WORDS
                ),
                None,
            )
            earlier, later = said in EARLIER_WORDS, said in LATER_WORDS
        if not subjects and context is not None and words & ORDER_ASKED:
            # "which came out first?" after an answer about several forces: those forces
            subjects = context.forces
            positions = tuple(range(len(subjects)))
        if not (earlier or later) or len(subjects) < 2:
            return None
        if analysis.form is Form.OPEN and not (words & ORDER_ASKED and words & {"which", "or"}):
            return None  # "what was carried out after the consultation?" asks no order
        if self._asks_number(analysis.words) or {"how", "long"} <= words:
            return None  # "how long after ofsted ...?": a duration, not an order
        named = [
            h.id for h in analysis.attributes if self.book.attribute(h.id).type is ValueType.DATE
        ]
        dated: list[tuple[int, str, Fact]] = []
        for subject, at in zip(subjects, positions, strict=False):
            if subject not in self.force_ids and self.book.event(subject) is None:
                continue  # a body's date is an event's ("hmic" is dated by its renaming)
            fact = self._dated_fact(subject, named)
            # one event named twice ("hmic was renamed"): the same dated sentence
            if fact is not None and all(
                (f.sentence, f.value) != (fact.sentence, fact.value) for _, _, f in dated
            ):
                dated.append((at, subject, fact))
        if len(dated) != 2:
            claimed = None if earlier == later else earlier
            return self._order_by_sequence(analysis, subjects, positions, claimed)
        (_, a, fact_a), (_, b, fact_b) = sorted(dated)  # in the order named
        when_a, when_b = chronological(str(fact_a.value)), chronological(str(fact_b.value))
        if not (when_a[0] and when_b[0]) or when_a == when_b:
            return None
        first, then = ((a, fact_a), (b, fact_b)) if when_a < when_b else ((b, fact_b), (a, fact_a))
        said = f"{self._dated_name(*first)} came first, then {self._dated_name(*then)}."
        text = _capital(said)
        verdict = None
        if analysis.form is not Form.OPEN and earlier != later:
            # the one named first is claimed earlier ("a before b") or later ("a after b")
            claimed_first = a if earlier else b
            verdict = "Yes." if claimed_first == first[0] else "No \u2014"
            # a verdict shows its evidence: the sentence dating the one that came first
            text = f"{verdict} {text if verdict == 'Yes.' else said} {self._quote(first[1])}"
        topic = first[1].intent or self.book.attribute(first[1].attribute).intent
        return FactAnswer(
            first[0], first[1].attribute, text, False, verdict, first[1], False, intent=topic
        )

    def _order_by_sequence(
        self,
        analysis: Analysis,
        subjects: tuple[str, ...],
        positions: tuple[int, ...],
        claimed: bool | None,
    ) -> FactAnswer | None:
        """Which of two named events came first where the page gives one no date but says
        it followed the other (facts.yaml `after`): "was the pilot run before the
        consultation?" is No, the consultation came first."""
        named = sorted(
            (at, s) for s, at in zip(subjects, positions, strict=False) if self.book.event(s)
        )
        events = list(dict.fromkeys(s for _, s in named))
        if len(events) != 2:
            return None
        a, b = events
        event_a, event_b = self.book.event(a), self.book.event(b)
        if event_a is None or event_b is None:
            return None
        if b in event_a.after:
            first, then = b, a
        elif a in event_b.after:
            first, then = a, b
        else:
            return None
        # the sentence that says it followed: the one its (undated) date fact cites
        fact = next(
            (
                f
                for attribute in self.book.attributes
                if attribute.type is ValueType.DATE
                and (f := self.book.fact(then, attribute.id)) is not None
            ),
            None,
        )
        if fact is None:
            return None
        said = f"{self._name(first)} came first, then {self._name(then)}."
        text = _capital(said)
        verdict = None
        if analysis.form is not Form.OPEN and claimed is not None:
            # ``claimed``: the one named first is said to be earlier
            claimed_first = a if claimed else b
            verdict = "Yes." if claimed_first == first else "No \u2014"
            text = f"{verdict} {text if verdict == 'Yes.' else said}"
        text = f"{text} {self._quote(fact)}"
        topic = fact.intent or self.book.attribute(fact.attribute).intent
        return FactAnswer(first, fact.attribute, text, False, verdict, fact, False, intent=topic)

    def gap_between(self, analysis: Analysis) -> FactAnswer | None:
        """How long between two events the page dates ("so how long between the consultation
        and the inspections"): the months from one date to the other, as the page gives them
        to the month."""
        words = analysis.words
        if not says(words, GAP_ASKED) or len(analysis.subjects) < 2:
            return None
        named = [
            h.id for h in analysis.attributes if self.book.attribute(h.id).type is ValueType.DATE
        ]
        dated: list[tuple[str, Fact]] = []
        for subject in analysis.subjects:
            if subject not in self.force_ids and self.book.event(subject) is None:
                continue  # a body's date is its renaming's, no event of its own
            fact = self._dated_fact(subject, named) or self._dated_fact(subject, [])
            if fact is not None and all(fact.value != f.value for _, f in dated):
                dated.append((subject, fact))
        if len(dated) != 2:
            return None
        (a, fact_a), (b, fact_b) = sorted(dated, key=lambda d: chronological(str(d[1].value)))
        (year_a, month_a), (year_b, month_b) = (
            chronological(str(fact_a.value)),
            chronological(str(fact_b.value)),
        )
        if not (month_a and month_b):
            return None
        months = (year_b - year_a) * 12 + month_b - month_a
        span = f"{_number(months).lower()} month{'s' if months != 1 else ''}"
        if months % 12 == 0:
            years = months // 12
            span = f"{_number(years).lower()} year{'s' if years != 1 else ''}"
        text = (
            f"About {span}: {self._dated_name(a, fact_a)}, then {self._dated_name(b, fact_b)}. "
            f"The page gives only the months."
        )
        topic = fact_b.intent or self.book.attribute(fact_b.attribute).intent
        return FactAnswer(b, fact_b.attribute, text, False, None, fact_b, False, intent=topic)

    def _dated_name(self, subject: str, fact: Fact) -> str:
        """ "Greater Manchester Police's report (February 2013)", "the July 2012
        consultation": the subject's name, what is dated, and the date if not in the name."""
        name = self._name(subject)
        noun = self.book.attribute(fact.attribute).noun
        if noun:
            name = f"{name}'s {noun}"
        return name if str(fact.value) in name else f"{name} ({fact.value})"

    def _dated_fact(self, subject: str, named: list[str]) -> Fact | None:
        """The subject's date: of a date attribute the question names, else its first."""
        attributes = named or [a.id for a in self.book.attributes if a.type is ValueType.DATE]
        for attribute in attributes:
            fact = self.book.fact(subject, attribute)
            if fact is not None and isinstance(fact.value, str):
                return fact
        return None

    def happened_on(self, analysis: Analysis) -> FactAnswer | None:
        """ "What happened in November 2012?": the events the page dates then, or its
        silence with the dates it does give. Only for an open question naming no subject."""
        said = analysis.asserted
        asked_of = set(analysis.subjects) - {self.book.page_subject}  # "the page title says"
        if analysis.form is not Form.OPEN or asked_of or not (said.months or said.years):
            return None
        if not says(analysis.words, HAPPENED):
            return None
        dated = self._event_dates
        if not dated:
            return None
        # any dated fact may be the one: "anything happen feb 2013?" is GMP's report
        on = [f for f in self._dated if _matches(f, said)]
        if on:
            sentences = list(dict.fromkeys(f.sentence for f in on))
            text = " ".join(
                f"The page says: \u201c{self.knowledge.page[i].text}\u201d" for i in sentences[:2]
            )
            first = on[0]
            topic = first.intent or self.book.attribute(first.attribute).intent
            return FactAnswer(
                first.subject, first.attribute, text, False, None, first, False, intent=topic
            )
        asked = said_date(said.months, said.years)
        dates = list(dict.fromkeys(f"{f.value} ({name})" for f, name in dated))
        text = (
            f"The page doesn't say what happened in {asked}. The dates it gives are: "
            f"{'; '.join(dates)}."
        )
        subject = self.book.page_subject or dated[0][0].subject
        return FactAnswer(subject, dated[0][0].attribute, text, True, None, None, False)

    def misdated(self, analysis: Analysis, subject: str) -> str | None:
        """What an open question gets wrong about ``subject``'s date, said first: "why was
        west mercia inspected in october 2012?" -> "The page gives November 2012, not October
        2012."
        Only the date a date asserted with no attribute word means (facts.yaml implied_by)."""
        said = analysis.asserted
        if analysis.form is not Form.OPEN or not (said.months or said.years):
            return None
        if len(said.months) > 1 or len(said.years) > 1:
            return None  # dates offered to choose from, no premise: "november or december?"
        named = [self.book.attribute(h.id) for h in analysis.attributes]
        dates = [a for a in named if a.type is ValueType.DATE]
        if not dates:
            if any(a.type is ValueType.DATE or a.implied_by for a in named):
                return None
            dates = [a for a in self.book.attributes if a.implied_by == "date"]
        for attribute in dates:
            fact = self.book.fact(subject, attribute.id)
            if fact is None or not isinstance(fact.value, str) or _matches(fact, said):
                continue
            month, _, year = fact.value.rpartition(" ")
            if (said.months and said.months != {month.lower()}) or (
                said.years and said.years != {year}
            ):
                asked = said_date(said.months, said.years)
                return f"The page gives {fact.value}, not {asked}."
        return None

    def precise(self, analysis: Analysis) -> bool:
        """Whether the question names an attribute a fact answers before any intent
        ("how many councils ...", "what does HMI Probation do")."""
        return any(_asked_first(self.book.attribute(h.id), h) for h in analysis.attributes)

    def _of_strong_subject(self, analysis: Analysis, attribute: Attribute) -> bool:
        """Whether an open question names, in three words or more and with no force, an
        event with a fact for ``attribute``: "who was inspecting the councils' child
        protection services?" is answered from Ofsted's inspections' facts."""
        if set(analysis.subjects) & set(self.force_ids):
            return False
        strong = [s for s in analysis.subjects if s in analysis.strong_subjects]
        return any(self.book.fact(s, attribute.id) is not None for s in strong[:1])

    def _event_of_others(
        self, hits: tuple[AttributeHit, ...], hit: AttributeHit, attribute: Attribute
    ) -> str | None:
        """The one event the question's other attribute words belong to, when it names no
        subject: "what date in april 2013 did ofsted announce it?" asks the exact day of
        the deferral, the only event something was announced of."""
        # the events of the other attributes that belong to one event only; the one most
        # of them belong to
        votes: Counter[str] = Counter()
        for other in hits:
            owners = {
                s for s in self.book.subjects_with(other.id) if self.book.event(s) is not None
            }
            if other.id != hit.id and len(owners) == 1:
                votes.update(owners)
        ranked = votes.most_common(2)
        if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
            return None
        event = ranked[0][0]
        return event if self.book.fact(event, attribute.id) is not None else None

    def _deed_date(
        self,
        analysis: Analysis,
        hits: tuple[AttributeHit, ...],
        form: Form,
        context: FactContext,
    ) -> tuple[bool, FactAnswer | None]:
        """(settled, answer) for an open question dating a deed it names by its doer: "when
        did ofsted inspect the councils" is the date of Ofsted's own inspections, not of
        HMIC's, with a force's council named too ("when exactly did ofsted inspect
        herefordshire council": the page gives no date, only that HMIC's came after)."""
        deed = self._deed_event(analysis) if form is Form.OPEN else None
        dates = [h for h in hits if self.book.attribute(h.id).type is ValueType.DATE]
        if deed is None or not dates:
            return False, None
        compared = not (COMPARED | {"compared", "relative"}).isdisjoint(analysis.words)
        if compared and any(s in self.force_ids for s in analysis.subjects):
            # "when was west mercia inspected compared to ofsted doing herefordshire
            # council": the force's topic (its relation to Ofsted's)
            return True, None
        for hit in dates:
            fact = self.book.fact(deed, hit.id)
            attribute = self.book.attribute(hit.id)
            built = self._build(analysis, form, hit, attribute, deed, fact, context)
            if fact is not None and built is not None:
                return True, replace(built, intent=fact.intent or attribute.intent)
        return False, None

    def _deed_event(self, analysis: Analysis) -> str | None:
        """The event that is the doer's own deed, when a question names a deed done to
        something (facts.yaml done_to) by the body whose main deed that event is: "ofsted
        inspected herefordshire council" is Ofsted's inspections of the councils."""
        actor = analysis.asserted.actor
        if actor is None:
            return None
        for attribute_id, objects in self._done_to.items():
            if not says(analysis.words, objects):
                continue
            for subject in self.book.subjects_with(attribute_id):
                value = self.book.value(subject, attribute_id)
                if self.book.event(subject) is None or not isinstance(value, tuple):
                    continue
                doers = self._main_doers(subject)
                if actor in value and isinstance(doers, tuple) and actor in doers:
                    return subject  # (its main deed, whatever deed the question names)
        return None

    def _deed_done(self, analysis: Analysis) -> tuple[AttributeHit, ...]:
        """The hits of a claim naming what its doer's deed was done to: "ofsted went into
        herefordshire council a bit before the police one" is about Ofsted's inspection of
        the council (which it did), not a claim that Ofsted inspected the force. Empty when
        the claim names no such deed of its doer."""
        actor = analysis.asserted.actor
        deeds = [h for h in analysis.attributes if self.book.attribute(h.id).actor]
        if actor is None or analysis.form is Form.OPEN or not deeds:
            return ()
        if any(h.polarity is not None for h in analysis.attributes):
            # a yes/no asked in its own words is that question: "the herefordshire council
            # inspection by ofsted - did that affect west mercia's result?"
            return ()
        for attribute_id, objects in self._done_to.items():
            did = any(
                isinstance(fact.value, tuple) and actor in fact.value
                for subject in analysis.subjects
                if (fact := self.book.fact(subject, attribute_id)) is not None
            )
            if did and says(analysis.words, objects):
                others = (h for h in analysis.attributes if not self.book.attribute(h.id).actor)
                return (*others, AttributeHit(attribute_id, 1))
        return ()

    def _why(self, hit: AttributeHit) -> AttributeHit:
        """The attribute a "why ...?" about ``hit`` asks for, where one is named."""
        reason = self.book.attribute(hit.id).reason
        return AttributeHit(reason, hit.strength) if reason else hit

    def _hits(
        self, analysis: Analysis, context: FactContext
    ) -> tuple[tuple[AttributeHit, ...], bool]:
        """Attribute hits: named, implied by an asserted value, or carried from context."""
        named = self._deed_done(analysis) or analysis.attributes
        kinds = analysis.asserted.kinds()
        implied: tuple[AttributeHit, ...] = ()
        offered = "or" in analysis.words and len(analysis.asserted.places) > 1
        if (analysis.form is not Form.OPEN or offered) and not says(analysis.words, ANYTHING_ELSE):
            # (not "did ofsted pilot anything else in 2012": a value said of another thing)
            implied = self._implied(analysis, kinds)
        if named:
            # a hit whose type fits the asserted value goes first among equals
            asks_yes_no = analysis.form is not Form.OPEN

            def rank(hit: AttributeHit) -> tuple[int, int, int, int, int]:
                # among equals, a yes/no question goes to the attribute its words can check
                attribute = self.book.attribute(hit.id)
                checkable = (
                    hit.polarity is not None
                    or hit.option is not None
                    or _fits(attribute.type, kinds)
                )
                specific = 0 if attribute.requires_any else 1  # "report ... dated" over "date"
                # a value the question gives checks more than a yes or no word: "is hmic now
                # called ofsted?" asks the new name
                fits = 0 if _fits(attribute.type, kinds) or not asks_yes_no else 1
                # a body said to have done it is checked against who did it, first: "the
                # inspections were done by ofsted on their own" is about who did them
                doer = 0 if attribute.actor and analysis.asserted.by_actor and asks_yes_no else 1
                return (
                    doer,
                    -hit.strength,
                    0 if checkable or not asks_yes_no else 1,
                    fits,
                    specific,
                )

            return (*sorted(named, key=rank), *implied), False
        doer = self._doer_asked(analysis)
        if doer is not None:
            return (doer,), False  # "who pulled the plug / delayed the joint inspections"
        if analysis.asks is not None:
            asked = self._asked(analysis, context)
            if asked is not None:
                return (asked,), True
        topic = self.book.attribute(context.attribute).intent if context.attribute else None
        unmet = [h for h in analysis.unmet if self.book.attribute(h.id).intent == topic]
        if unmet and topic is not None:
            # "going back to west mercia, was it exactly the same time there" after a
            # question about Ofsted's inspection: the topic supplies the missing "ofsted"
            return tuple(unmet), True
        carried = context.attribute is not None and bool(analysis.subjects or kinds)
        if carried and context.attribute is not None:
            hit = AttributeHit(context.attribute, 0, context.polarity, context.option, carried=True)
            return (hit,), True
        if not implied and analysis.form is Form.YES_NO and not kinds - {"entity"}:
            # "were the joint inspections put on hold?": whether the event named last, as
            # the question's verb, happened
            event = self._event_named_last(analysis)
            implied = tuple(
                AttributeHit(a.id, 0)
                for a in self.book.attributes
                if a.asked_by_name and event and self.book.fact(event, a.id) is not None
            )
        return implied, False

    def _event_named_last(self, analysis: Analysis) -> str | None:
        """The event a yes/no question about another event ends by naming, as its verb ("were
        the joint inspections put on hold?"), not one after "after" or "before" ("carry on
        after the pilot")."""
        words = analysis.words
        named = [
            (at, s)
            for s, at in zip(analysis.subjects, analysis.positions, strict=False)
            if self.book.event(s) is not None
        ]
        if len({s for _, s in named}) < 2:
            return None  # one event named is what the question is about, not its verb
        at, event = max(named)
        if at >= len(words) or len(words) - at > EVENT_AT_END:
            return None
        if (COMPARED | {"of"}).intersection(words[max(0, at - 3) : at]):
            return None  # "carry on after the pilot": the pilot is no question's verb
        bodies = {
            p
            for s, p in zip(analysis.subjects, analysis.positions, strict=False)
            if s in self._body_ids
        }
        if at in bodies:
            return None  # named by a body's name ("from hmicfrs"), not by what happened
        return event

    def _asked(self, analysis: Analysis, context: FactContext) -> AttributeHit | None:
        """The attribute a bare "how many?" or "since when?" asks of the last subject: the
        first of that type the subject has a value for, else the first it has a fact for."""
        subject = context.subject or (context.forces[0] if context.forces else None)
        if subject is None:
            return None
        facts = [
            fact
            for attribute in self.book.attributes
            if attribute.type is analysis.asks
            and (fact := self.book.fact(subject, attribute.id)) is not None
        ]
        if context.attribute is not None:
            # "which ones?" after "how many councils?": the councils, the list whose words
            # the last attribute shares most
            last = self._attribute_stems[context.attribute]
            shared = [(len(last & self._attribute_stems[f.attribute]), f) for f in facts]
            best = max(shared, key=lambda x: x[0], default=None)
            if best is not None and best[0] > 0:
                return AttributeHit(best[1].attribute, 0)
        chosen = next((f for f in facts if f.value is not None), facts[0] if facts else None)
        return AttributeHit(chosen.attribute, 0) if chosen else None

    def _implied(self, analysis: Analysis, kinds: frozenset[str]) -> tuple[AttributeHit, ...]:
        """Attributes a yes/no question's asserted values imply when it names none.

        Entities imply an attribute only of an event named as the subject: "the
        consultation was just Ofsted, right?" is about its participants; "is Rochdale any
        good now?" is about nothing the page lists.
        """
        events = [s for s in analysis.subjects if self.book.event(s) is not None]
        out = []
        for attribute in self.book.attributes:
            if attribute.implied_by not in kinds:
                continue
            if attribute.implied_by == "entity" and not any(
                self.book.fact(e, attribute.id) for e in events
            ):
                continue
            out.append(attribute)
        out.sort(key=lambda a: _IMPLIED_ORDER.index(a.implied_by or ""))
        return tuple(AttributeHit(a.id, 0) for a in out)

    def _subject(
        self, analysis: Analysis, attribute: Attribute, context: FactContext
    ) -> str | None:
        """The subject asked about; never another force's when one is named."""
        book = self.book
        named = analysis.subjects
        if attribute.asked_by_name and not analysis.attributes:
            return self._event_named_last(analysis)  # "were the inspections postponed?"
        forces_named = [s for s in named if s in self.force_ids]
        holders = book.subjects_with(attribute.id)
        sole = self._sole_deed(analysis, attribute)
        if sole is not None:
            return sole  # "hmic went in in november 2012, right?": the inspections' date
        if forces_named:
            for subject in forces_named:
                if book.fact(subject, attribute.id) is not None:
                    return subject
            if any(h in self.force_ids for h in holders):
                return forces_named[0]  # the page is silent on this force's attribute
            if attribute.type is not ValueType.ENTITIES:
                return None  # a force named, an attribute the page gives no force: not this
        held = [s for s in named if book.fact(s, attribute.id) is not None]
        if (
            not held
            and named
            and attribute.type is ValueType.YES_NO
            and all(s in self._body_ids and s not in self.voices for s in named)
            and not (context.subject or context.forces)  # ("did ofsted affect theirs?")
        ):
            return None  # "is ofsted being scrapped?" is about Ofsted, not what it announced
        if analysis.form is not Form.OPEN and analysis.asserted.kinds() - {"entity"}:
            # a value checked goes to a subject the page gives it for: "was the pilot
            # inspection in 2014?" is settled by the inspections' date (the pilot has none)
            held.sort(key=lambda s: book.value(s, attribute.id) is None)
        if (
            not held
            and holders
            and all(h in self.force_ids for h in holders)
            and any(s not in self.voices and book.event(s) is None for s in named)
        ):
            # "what did the CQC find in Rochdale?": the page gives HMIC's findings of the
            # forces, not the CQC's; another body's attribute is never answered with them
            return None
        if not forces_named:
            by_place = self._subject_by_place(analysis, attribute)
            if by_place is not None:
                return by_place  # "was ofsted there at the same time in Staffordshire?"
            if analysis.refers_back:
                # "was that inspection at the same time as Ofsted's?": the force just asked about
                for candidate in context.forces[:1]:
                    if book.fact(candidate, attribute.id) is not None:
                        return candidate
        if held:
            return held[0]
        if any(book.event(s) is not None for s in named):
            # an event named that the page gives no such fact: not another's; but the
            # force the chat is about has its own of the inspections ("which one was
            # inspected?" after its councils)
            for force in (context.subject or "", *context.forces[:1]):
                if (
                    force in self.force_ids
                    and book.fact(force, attribute.id) is not None
                    and all(self._shares_facts(e, force) for e in named)
                ):
                    return force
            return None
        for candidate in (context.subject or "", *context.forces[:1]):
            if candidate and book.fact(candidate, attribute.id) is not None:
                return candidate
        general = [h for h in holders if h not in self.force_ids]
        if len(holders) == 1:
            return holders[0]
        if len(general) == 1:
            return general[0]
        values = [book.fact(h, attribute.id) for h in general]
        given = {repr(f.value) for f in values if f is not None and f.value is not None}
        if general and len(given) == 1 and all(f and f.value is not None for f in values):
            return general[0]  # "one of the three": the pilot's forces are the inspections'
        return None

    def members_of(self, subject: str) -> frozenset[str]:
        """Every force or body one of ``subject``'s list facts names, and every body that
        shares one of its records."""
        return self._members.get(subject, frozenset())

    def events_of_topic(self, intent: str) -> frozenset[str]:
        """The events whose facts answer within the topic ``intent``."""
        return self._topic_events.get(intent, frozenset())

    def attribute_stems(self, attribute: str, *, required: bool = True) -> frozenset[str]:
        """The stems of the words that name ``attribute``: its phrases and, with
        ``required``, the words it requires beside them."""
        return self._own_stems[attribute] if required else self._asking_stems[attribute]

    def _holds_before(
        self, analysis: Analysis, dated: str, subject: str
    ) -> tuple[str, Fact | None] | None:
        """The verdict on a claim dated before or after the date a value holds until:
        "back in 2012 it was still HMIC?" is Yes; "in 2019 it was still HMIC?" is No."""
        said = analysis.asserted
        until = self.book.fact(subject, dated)
        if not said.years or until is None or not isinstance(until.value, str):
            return None
        end = chronological(until.value)
        claimed = [chronological(f"{m} {y}") for y in said.years for m in (said.months or {""})]
        if all(c < end for c in claimed):
            return "Yes.", None
        if all(c >= end for c in claimed):
            return f"No — that changed in {until.value}.", until
        return None

    def _place_owner(self, places: tuple[str, ...], subject: str) -> tuple[str, str] | None:
        """The one place asserted that is another force's area, and that force."""
        for place in places:
            for force in self._forces_of(place):
                if force != subject:
                    return place, force
        return None

    def _forces_of(self, place: str) -> list[str]:
        """The forces whose inspected area (the place attribute's fact) is ``place``."""
        return [
            force
            for force in self.force_ids
            if (area := self.book.fact(force, self.book.place_attribute or "")) is not None
            and area.value == place
        ]

    def _asks_for_a_value(self, words: tuple[str, ...]) -> bool:
        """Whether an open question asks for a value, which no yes or no gives: "how many
        ...", or a question word first ("who led it?")."""
        if without_filler(words)[:1] in {(w,) for w in VALUE_QUESTIONS}:
            return True
        if words[-1:] and words[-1] in (*VALUE_QUESTIONS, "what") and words[-2:-1] != ("or",):
            return True  # "the kids were being protected from what" (not "... or what")
        return self._asks_number(words)

    def _at_least(
        self, analysis: Analysis, form: Form, subject: str, fact: Fact | None
    ) -> str | None:
        """What a number the page bounds but does not give settles: "one council or
        several?" is "More than one.", "it covers just one council, right?" is "No — more
        than one."; None where the bound settles nothing ("three councils?")."""
        if fact is None or fact.at_least is None:
            return None
        said = analysis.asserted
        one = not said.plural and not said.numbers and says(analysis.words, ONE)
        below = [n for n in said.numbers if n < fact.at_least]
        if said.numbers and len(below) < len(said.numbers):
            return None
        if not (said.plural or below or one):
            return None
        many = "more than one" if fact.at_least == 2 else f"at least {fact.at_least}"
        if form is Form.OPEN:
            return f"{many.capitalize()}."
        return f"Yes — {many}." if said.plural else f"No — {many}."

    def _checked_first(
        self, analysis: Analysis, form: Form, hits: tuple[AttributeHit, ...]
    ) -> tuple[AttributeHit, ...]:
        """A yes/no question's or claim's hits in the order to check them."""
        if form is Form.YES_NO:
            hits = self._yes_no_first(hits)
        if form is Form.OPEN or len(analysis.subjects) < 2:
            return hits

        def of_others(hit: AttributeHit) -> bool:
            return not any(self.book.fact(s, hit.id) is not None for s in analysis.subjects)

        # "is ofsted part of the cqc": an attribute of the bodies named before one of an
        # event they are named in (the consultation's participants)
        return tuple(sorted(hits, key=of_others))

    def _covers_more(self, subject: str) -> bool:
        """Whether the page gives a subject a count of more than one, or says it is at least
        two ("a range of local authority boundaries")."""
        for attribute in self.book.attributes:
            if attribute.type is not ValueType.NUMBER:
                continue
            fact = self.book.fact(subject, attribute.id)
            if fact is None:
                continue
            if isinstance(fact.value, int) and not isinstance(fact.value, bool):
                if fact.value > 1:
                    return True
            elif fact.at_least is not None and fact.at_least > 1:
                return True
        return False

    def _yes_no_first(self, hits: tuple[AttributeHit, ...]) -> tuple[AttributeHit, ...]:
        """A yes/no question's hits with a yes/no attribute before the text attribute of the
        same topic it also names: "were any improvements needed" asks whether there were
        any, not what they were."""
        topics = {
            self.book.attribute(h.id).intent
            for h in hits
            if self.book.attribute(h.id).type is ValueType.YES_NO
        }
        if not topics:
            return hits

        def after(hit: AttributeHit) -> bool:
            attribute = self.book.attribute(hit.id)
            return attribute.type is ValueType.TEXT and attribute.intent in topics

        return tuple(sorted(hits, key=after))

    def _asks_number(self, words: tuple[str, ...]) -> bool:
        """Whether the question says "how many", "how much" ..."""
        return any(
            words[i : i + len(phrase)] == phrase
            for phrase in self._number_asks
            for i in range(len(words) - len(phrase) + 1)
        )

    def _placed_elsewhere(self, analysis: Analysis, subject: str) -> bool:
        """Whether the question places a claim about ``subject`` somewhere its facts have no
        place: an event no force's inspection is part of (the renaming, the consultation)."""
        if not analysis.asserted.places or subject in self.force_ids:
            return False
        return not any(self._shares_facts(subject, force) for force in self.force_ids)

    def _shares_facts(self, event: str, force: str) -> bool:
        """Whether ``event`` is partly ``force``'s: a fact of both, the same value from the
        same sentence (the inspections' date is each force's inspection date)."""
        for attribute in self.book.attributes:
            mine, theirs = self.book.fact(event, attribute.id), self.book.fact(force, attribute.id)
            if mine and theirs and mine.value == theirs.value and mine.sentence == theirs.sentence:
                return True
        return False

    def _reverse(self, analysis: Analysis, attribute: Attribute, again: bool = False) -> str | None:
        """The one force whose value the question gives: "which force has 10 councils?";
        ``again``: a follow-up of such a look-up, which needs no question word."""
        said = analysis.asserted
        asks = again or not QUESTION_WORDS.isdisjoint(analysis.words)
        # (the body the page speaks for names no subject: "which hmic report came out ...")
        named = [s for s in analysis.subjects if s not in self.voices]
        if named or analysis.unknown or not asks or self._asks_number(analysis.words):
            return None  # ("how many local authorities are in staffordshire?" asks a number)
        holders = [
            h
            for h in self.book.subjects_with(attribute.id)
            if h in self.force_ids and _matches(self.book.fact(h, attribute.id), said)
        ]
        return holders[0] if len(holders) == 1 else None

    def _doer_asked(self, analysis: Analysis) -> AttributeHit | None:
        """Who did the event an open "who ...?" names, when it names no attribute: the
        event's main deed ("who was it that pushed the joint inspections back" -> who
        announced the deferral)."""
        if analysis.form is not Form.OPEN or without_filler(analysis.words)[:1] != ("who",):
            return None
        events = [s for s in analysis.subjects if self.book.event(s) is not None]
        if not events or analysis.unknown or DOING.isdisjoint(analysis.words):
            return None  # (a verb of doing it: not "who played inspector morse")
        main = self._doers.get(events[0], ())
        return AttributeHit(main[0].attribute, 1) if main else None

    def _sole_deed(self, analysis: Analysis, attribute: Attribute) -> str | None:
        """The one event a body named as the doer did alone, when a date is asked of the
        body and nothing else: "hmic went in in november 2012, right?" dates HMIC's
        inspections, not HMIC's own date (its renaming)."""
        actor = analysis.asserted.actor
        if actor is None or attribute.type is not ValueType.DATE:
            return None
        if any(s != actor for s in analysis.subjects):
            return None
        # other words may describe the deed ("hmic did the unannounced ones"), not the body
        described = [
            h.id
            for h in analysis.attributes
            if self.book.attribute(h.id).type is not ValueType.DATE
        ]
        alone = [
            event.id
            for event in self.book.subjects
            if self._main_doers(event.id) == (actor,)
            and self.book.fact(event.id, attribute.id) is not None
            and all(self.book.fact(event.id, d) is not None for d in described)
            and (not described or any(self.book.fact(actor, d) is None for d in described))
        ]
        return alone[0] if len(alone) == 1 else None

    def _subject_by_place(self, analysis: Analysis, attribute: Attribute) -> str | None:
        """The force whose inspected area the question names, when it names no force.

        Like a force named, the place decides the subject even where the page is silent
        on it: "who is responsible in Staffordshire?" is never answered about another force.
        """
        if not analysis.asserted.places:
            return None
        if attribute.type is ValueType.PLACE and (analysis.form is Form.OPEN or analysis.unknown):
            return None  # (a claim is settled by the force whose area it names: "hmic went
            # to rochdale, right?" is Yes, Greater Manchester Police's)
        about_forces = any(h in self.force_ids for h in self.book.subjects_with(attribute.id))
        for force in self.force_ids:
            if not any(force in self._forces_of(p) for p in analysis.asserted.places):
                continue
            if about_forces or self.book.fact(force, attribute.id) is not None:
                return force
        return None

    # ------------------------------------------------------------------ wording

    def _build(  # noqa: PLR0917 (the resolved question, in the order it was resolved)
        self,
        analysis: Analysis,
        form: Form,
        hit: AttributeHit,
        attribute: Attribute,
        subject: str,
        fact: Fact | None,
        context: FactContext,
    ) -> FactAnswer | None:
        follow_up = not analysis.subjects and context.subject == subject
        bounded = self._at_least(analysis, form, subject, fact)
        if bounded is not None:
            text = f"{bounded} {self._silence(attribute, subject, fact)}"
            return FactAnswer(subject, attribute.id, text, False, bounded, fact, follow_up)
        if fact is None or fact.value is None:
            contrast = (
                self._elsewhere(analysis, attribute, subject) if form is not Form.OPEN else None
            )
            text = self._silence(attribute, subject, fact)
            if contrast is not None:
                text = f"{contrast} {text}"
            return FactAnswer(
                subject,
                attribute.id,
                text,
                silent=True,
                verdict=None,
                fact=fact,
                follow_up=follow_up,
            )
        if form is Form.OPEN:
            # "were they done together or separately?": the sentence, no yes or no
            choice = attribute.type is ValueType.YES_NO and "or" in analysis.words
            lead = "" if choice else self._value_lead(attribute, fact.value)
            if fact.note:
                lead += f"{fact.note} "  # what the page does not give beyond the value
            return FactAnswer(
                subject,
                attribute.id,
                f"{lead}{self._quote(fact)}",
                silent=False,
                verdict=None,
                fact=fact,
                follow_up=follow_up,
            )
        said = analysis.asserted
        if (
            attribute.type is ValueType.ENTITIES
            and not said.entities
            and analysis.refers_back
            and context.subject in self._body_ids
        ):
            # "was it involved in this at all?" after a question about HMI Probation: it
            analysis = replace(analysis, asserted=replace(said, entities=(context.subject,)))
        verdict = self._verdict(analysis, hit, attribute, subject, fact)
        if verdict is None:
            return None
        if verdict == "Yes." and attribute.holds_before is not None:
            dated = self._holds_before(analysis, attribute.holds_before, subject)
            if dated is not None:
                verdict, fact = dated[0], dated[1] or fact
                return FactAnswer(
                    subject,
                    attribute.id,
                    f"{verdict} {self._quote(fact)}",
                    silent=False,
                    verdict=verdict,
                    fact=fact,
                    follow_up=follow_up,
                )
        unnamed = [e for e in analysis.asserted.entities if e in self._other_body_ids]
        if verdict == "Yes." and unnamed and attribute.type is not ValueType.ENTITIES:
            # "did gmp work with the nspcc?": a Yes about its partners would name one the
            # page never names
            names = " or ".join(self._name(e) for e in unnamed)
            return FactAnswer(
                subject,
                attribute.id,
                f"The page doesn't name {names}. {self._quote(fact)}",
                silent=True,
                verdict=None,
                fact=fact,
                follow_up=follow_up,
            )
        if verdict == "Yes." and self._placed_elsewhere(analysis, subject):
            # "did hmicfrs inspect any fire services in staffordshire?": the renaming has no
            # place; a Yes would confirm what the page never says
            places = " or ".join(analysis.asserted.places)
            return FactAnswer(
                subject,
                attribute.id,
                f"The page doesn't say anything about that in {places}. {self._quote(fact)}",
                silent=True,
                verdict=None,
                fact=fact,
                follow_up=follow_up,
            )
        own_deed = OWN_DEED.intersection(analysis.words)
        if verdict == "Yes." and (
            attribute.type in (ValueType.DATE, ValueType.PLACE, ValueType.NUMBER)
            or (attribute.type is ValueType.YES_NO and not own_deed)
        ):
            # the body said to have done it on that date, there, must be who did it:
            # "ofsted inspected the police forces in 2012" is No, HMIC did (a claim about
            # how Ofsted's own inspections related to HMIC's is another matter)
            other = self._other_actor(analysis, subject)
            if other is not None:
                verdict, fact = other
        if verdict.startswith("No") and attribute.id == self.book.place_attribute:
            # "was rochdale inspected by west mercia?": Rochdale was another force's area;
            # the answer says whose, and stays about the force named
            owner = self._place_owner(analysis.asserted.places, subject)
            if owner is not None:
                place, owner_id = owner
                text = (
                    f"No \u2014 {place} was {self._name(owner_id)}'s area; "
                    f"{self._name(subject)}'s was {fact.value}. {self._quote(fact)}"
                )
                return FactAnswer(subject, attribute.id, text, False, "No.", fact, follow_up)
        if verdict == "Yes.":
            # every value the claim asserts must hold: "renamed in 2015, wasn't it?"; and
            # every yes or no it asks in its own words: "the council inspection by ofsted -
            # did that affect west mercia's result?" is No, whoever inspected the council
            wrong = self._conflict(analysis, attribute, subject) or self._denied_too(
                analysis, attribute, subject
            )
            if wrong is not None:
                verdict, fact = wrong
        note = f"{fact.note} " if fact.note else ""  # "They were deferred until April 2015."
        return FactAnswer(
            subject,
            attribute.id,
            f"{verdict} {note}{self._quote(fact)}",
            silent=False,
            verdict=verdict,
            fact=fact,
            follow_up=follow_up,
        )

    def _verdict(
        self,
        analysis: Analysis,
        hit: AttributeHit,
        attribute: Attribute,
        subject: str,
        fact: Fact,
    ) -> str | None:
        value = fact.value
        said = analysis.asserted
        kind = attribute.type
        if kind is ValueType.YES_NO and isinstance(value, bool):
            polarity = True if hit.polarity is None else hit.polarity
            return "Yes." if polarity == value else "No."
        if kind is ValueType.DATE and isinstance(value, str):
            if not (said.months or said.years):
                return None
            month, _, year = value.rpartition(" ")
            month_ok = not said.months or said.months == {month.lower()}
            year_ok = not said.years or said.years == {year}
            if month_ok and year_ok:
                return "Yes."
            asked = said_date(said.months, said.years)
            return f"No \u2014 {value}, not {asked}."
        if kind is ValueType.NUMBER and isinstance(value, int):
            if not said.numbers and said.plural:
                return "Yes." if value > 1 else "No."
            if not said.numbers:
                return None
            if said.numbers == {value}:
                return "Yes."
            asked = ", ".join(str(n) for n in sorted(said.numbers))
            return f"No \u2014 {_number(value).lower()}, not {asked}."
        if kind is ValueType.PLACE and isinstance(value, str):
            if not said.places:
                return None
            if value in said.places:
                covers = not COVERS.isdisjoint(analysis.words)
                if covers and says(analysis.words, EXCLUSIVE) and self._covers_more(subject):
                    # "does west mercia only cover herefordshire": the area inspected was
                    # one of several
                    return f"No \u2014 {value} was the area inspected, one of several."
                return "Yes."
            return f"No \u2014 {value}, not {', '.join(said.places)}."
        if kind is ValueType.CHOICE and isinstance(value, str):
            if hit.option is None:
                return None
            if hit.option == value:
                return "Yes."
            if hit.turned:
                return "No."  # said of the other side: "ofsted went in after the police?"
            return f"No \u2014 {value}, not {hit.option}."
        if kind is ValueType.ENTITIES and isinstance(value, tuple):
            of_forces = all(m in self.force_ids for m in value)
            # a body named beside a count of forces is who did it, not one of them ("hmic
            # inspected 4 forces, didn't they?")
            kinded = [e for e in said.entities if not (of_forces and e in self._body_ids)]
            if said.numbers and not kinded and not said.other_forces:
                # "there were 3 forces, right?", "it was run by 4 bodies, wasn't it?"
                if said.numbers == {len(value)}:
                    return "Yes."
                return f"No \u2014 {_number(len(value)).lower()}: {self._names(value)}."
            exclusive = says(analysis.words, EXCLUSIVE)
            # a name that holds this attribute itself is a subject, not a value: "was hmic
            # renamed to hmicfrs?" asks HMIC's new name
            named = tuple(
                e for e in said.entities if e == subject or self.book.fact(e, attribute.id) is None
            )
            if attribute.actor and said.actor is not None:
                named = (said.actor,)  # who did it, not who else is named ("after ofsted")
            deeds = [h for h in analysis.attributes if self.book.attribute(h.id).actor]
            if attribute.actor and said.actor is None and len(deeds) > 1 and len(named) > 1:
                # two deeds, two doers: "the police side was checked by hmic and the council
                # side by ofsted?" pairs them; no one list settles it
                return None
            # a body a timing is compared with is no member ("before ofsted went in")
            compared = {
                s
                for s, at in zip(analysis.subjects, analysis.positions, strict=False)
                if at > 0 and analysis.words[at - 1] in COMPARED
            }
            named = tuple(e for e in named if e not in compared)
            verdict = self._membership(named, said.other_forces, subject, value, exclusive)
            if hit.strength == 0 and not hit.carried and verdict == "Yes.":
                # implied by a name alone ("were the inspectors happy with staffs?"), a Yes
                # for membership answers a question nobody asked; a No still corrects
                return None
            if hit.polarity is False and verdict is not None:
                # "hmi prisons wasn't involved": the membership claimed is denied
                return f"No \u2014 {self._names(value)}." if verdict == "Yes." else "Yes."
            return verdict
        if kind is ValueType.TEXT and isinstance(value, str):
            return self._text_check(analysis, attribute, subject, fact)
        return None

    def _other_actor(self, analysis: Analysis, subject: str) -> tuple[str, Fact] | None:
        """ "No — HMIC." when the claim names as the doer a body the page does not."""
        actor = analysis.asserted.actor
        if actor is None:
            return None
        for fact in self._doer_facts(analysis, subject):
            if isinstance(fact.value, tuple) and actor not in fact.value:
                return f"No \u2014 {self._names(fact.value)}.", fact
        return None

    def _denied_too(
        self, analysis: Analysis, checked: Attribute, subject: str
    ) -> tuple[str, Fact] | None:
        """ "No." from another yes/no attribute the question asks in its own words, whose
        fact of the same subject says the opposite."""
        if not checked.actor:
            return None  # (only a Yes about who did it, beside a question of its own)
        for hit in analysis.attributes:
            if hit.id == checked.id or hit.polarity is None:
                continue
            fact = self.book.fact(subject, hit.id)
            if fact is not None and isinstance(fact.value, bool) and fact.value != hit.polarity:
                return "No.", fact
        return None

    def _conflict(
        self, analysis: Analysis, checked: Attribute, subject: str
    ) -> tuple[str, Fact] | None:
        """A "No" from another fact of the subject that an asserted value contradicts."""
        kinds = analysis.asserted.kinds()
        # a value the question gives another attribute it names is that one's: "the 2013
        # reports would say hmic?" dates the reports, not HMIC
        named = {self.book.attribute(h.id).type for h in analysis.attributes}
        named_ids = {h.id for h in analysis.attributes}
        for attribute in self.book.attributes:
            if attribute.type is checked.type:
                continue
            if attribute.id in named_ids:
                # a named attribute checks the value it fits: "did ofsted announce the
                # deferral in april 2012?" is checked against when it was announced
                if not _fits(attribute.type, kinds):
                    continue
            elif attribute.implied_by not in kinds or attribute.type in named:
                continue
            if attribute.type is ValueType.ENTITIES:
                continue  # a body named in a claim is usually its subject, not a value
            fact = self.book.fact(subject, attribute.id)
            if fact is None or fact.value is None:
                continue
            hit = AttributeHit(attribute.id, 0)
            verdict = self._verdict(analysis, hit, attribute, subject, fact)
            if verdict is not None and verdict != "Yes.":
                return verdict, fact
        return None

    def _membership(
        self,
        entities: tuple[str, ...],
        other_forces: tuple[str, ...],
        subject: str,
        members: tuple[str, ...],
        exclusive: bool,
    ) -> str | None:
        of_forces = all(m in self.force_ids for m in members)
        asked = [e for e in entities if e != subject and (e in self.force_ids) == of_forces]
        if not of_forces:
            other_forces = ()
        if not asked and not other_forces:
            return None
        outside = [e for e in asked if e not in members]
        if not outside and not other_forces and not (exclusive and len(asked) < len(members)):
            return "Yes."
        return f"No \u2014 {self._names(members)}."

    def _denied(self, analysis: Analysis, form: Form, context: FactContext) -> FactAnswer | None:
        """A claim about the one force it names that the page contradicts outright: a `not:`
        phrase of a text fact of the force, of an attribute the claim names, settles it
        before the strongest attribute's check ("picked ... cos it was failing")."""
        forces = [s for s in analysis.subjects if s in self.force_ids]
        if len(forces) != 1:
            return None
        named = {h.id for h in analysis.attributes}  # of an attribute the question names
        # a yes/no attribute of the same topic checks it more directly ("did inspectors find
        # staffs was failing children" is the protected question, not the findings' text)
        checked_by_yes_no = {
            self.book.attribute(h.id).intent
            for h in analysis.attributes
            if h.polarity is not None and self.book.fact(forces[0], h.id) is not None
        }
        for attribute in self.book.attributes:
            if (named and attribute.id not in named) or attribute.intent in checked_by_yes_no:
                continue  # (a claim naming no attribute: any of the force's text facts)
            fact = self.book.fact(forces[0], attribute.id)
            if (
                attribute.type is ValueType.TEXT
                and fact is not None
                and fact.value is not None
                and self._contradicts(analysis, fact)
            ):
                hit = AttributeHit(attribute.id, 0)
                built = self._build(analysis, form, hit, attribute, forces[0], fact, context)
                if built is not None and built.verdict and built.verdict.startswith("No"):
                    topic = fact.intent or attribute.intent
                    return replace(built, intent=topic)
        return None

    def _contradicts(self, analysis: Analysis, fact: Fact) -> bool:
        """Whether the question has one of the fact's `not:` phrases."""
        return self._contradicting(analysis, fact) is not None

    def _contradicting(self, analysis: Analysis, fact: Fact) -> tuple[str, ...] | None:
        """The stems of the first of the fact's `not:` phrases the question has."""
        stems_ = tuple(stem(w) for w in analysis.words)
        for phrase in fact.contradicted_by:
            p = tuple(stem(w) for w in tokens(phrase))
            if any(stems_[i : i + len(p)] == p for i in range(len(stems_))):
                return p
        return None

    def _text_check(
        self, analysis: Analysis, attribute: Attribute, subject: str, fact: Fact
    ) -> str | None:
        """A claim about a text value: contradicted by its `not:` phrases, or by words only
        other subjects' values of the same attribute have; supported by words only its own
        value has."""
        words = analysis.words
        phrase = self._contradicting(analysis, fact)
        if phrase is not None:
            return self._said_of_another(attribute, subject, set(phrase))
        asked = _content_stems(words) - self._subject_stems - _VAGUE_STEMS
        own = {stem(w) for w in tokens(str(fact.value))}
        others: set[str] = set()
        for holder in self.book.subjects_with(attribute.id):
            other = self.book.fact(holder, attribute.id)
            if holder != subject and other is not None and isinstance(other.value, str):
                others |= {stem(w) for w in tokens(other.value)}
        supports = asked & (own - others)
        contradicts = asked & (others - own)
        if supports and not contradicts:
            return "Yes."
        if contradicts and not supports:
            return self._said_of_another(attribute, subject, contradicts)
        return None

    def _said_of_another(self, attribute: Attribute, subject: str, words: set[str]) -> str:
        """ "No." to a claim about a text value; "No — the page says that of Staffordshire
        Police." when one other force's value has the claim's words ("gmp was picked to show
        good practice, right?")."""
        holders = [
            h
            for h in self.book.subjects_with(attribute.id)
            if h != subject
            and h in self.force_ids
            and (other := self.book.fact(h, attribute.id)) is not None
            and isinstance(other.value, str)
            and words <= {stem(w) for w in tokens(other.value)}
        ]
        if len(holders) == 1:
            return f"No \u2014 the page says that of {self._name(holders[0])}."
        return "No."

    def _elsewhere(self, analysis: Analysis, attribute: Attribute, subject: str) -> str | None:
        """ "No — the page says that of Greater Manchester Police." when a yes/no question
        asserts of one subject a value the page gives another."""
        said = analysis.asserted
        for holder in self.book.subjects_with(attribute.id):
            other = self.book.fact(holder, attribute.id)
            if holder == subject or other is None or other.value is None:
                continue
            if holder not in self.force_ids:
                continue
            value = other.value
            if (
                isinstance(value, int) and not isinstance(value, bool) and value in said.numbers
            ) or (isinstance(value, str) and value in said.places):
                return f"No \u2014 the page says that of {self._name(holder)}."
        if attribute.type is ValueType.TEXT:
            # "west mercia was the one praised for its domestic abuse work": words of
            # another force's value only
            asked = _content_stems(analysis.words) - self._subject_stems
            values = {
                h: {stem(w) for w in tokens(str(f.value))}
                for h in self.book.subjects_with(attribute.id)
                if h in self.force_ids
                and (f := self.book.fact(h, attribute.id)) is not None
                and isinstance(f.value, str)
            }
            for holder, own in values.items():
                others = set().union(*(v for h, v in values.items() if h != holder))
                if holder != subject and len(asked & (own - others)) >= MIN_DISTINCT_WORDS:
                    return f"No \u2014 the page says that of {self._name(holder)}."
        return None

    def _silence(self, attribute: Attribute, subject: str, fact: Fact | None) -> str:
        if SUBJECT_PLACEHOLDER in attribute.silent:
            silent, about = attribute.silent.replace(SUBJECT_PLACEHOLDER, self._name(subject)), ""
        else:
            silent = attribute.silent
            about = f" for {self._name(subject)}" if subject in self.force_ids else ""
        text = f"The page doesn't say {silent}{about}."
        if fact is not None and fact.note:
            text += f" {fact.note}"
        return text

    def _value_lead(self, attribute: Attribute, value: FactValue) -> str:
        kind = attribute.type
        if kind is ValueType.NUMBER and isinstance(value, int) and not isinstance(value, bool):
            return f"{_number(value)}. "
        if kind in (ValueType.DATE, ValueType.PLACE) and isinstance(value, str):
            return f"{value}. "
        if kind is ValueType.ENTITIES and isinstance(value, tuple):
            return f"{_capital(self._names(value))}. "
        if kind is ValueType.YES_NO and isinstance(value, bool):
            return "Yes. " if value else "No. "
        return ""

    def _quote(self, fact: Fact) -> str:
        return f"The page says: \u201c{self.knowledge.page[fact.sentence].text}\u201d"

    def _name(self, subject: str) -> str:
        k = self.knowledge
        for force in k.forces:
            if force.id == subject:
                return force.name
        for body in k.bodies:
            if body.id == subject:
                return body.page_name
        for other in k.facts.other_bodies:
            if other.id == subject:
                return other.name
        event = k.facts.event(subject)
        return event.name if event else subject

    def _names(self, ids: tuple[str, ...]) -> str:
        names = [self._name(i) for i in ids]
        if len(names) <= 1:
            return "".join(names)
        return f"{', '.join(names[:-1])} and {names[-1]}"


# Words only one force's text value has that a claim about another must share for "No —
# the page says that of <the force>" ("domestic abuse" is Greater Manchester's).
MIN_DISTINCT_WORDS = 2
# How near the end a yes/no question names the event it asks happened ("... put on hold?").
EVENT_AT_END = 3


# When a question asserts several kinds of value and names no attribute, the most specific
# kind says what it is about: "did hmic inspect gmp in bolton?" is about the place.
def _asked_first(attribute: Attribute, hit: AttributeHit) -> bool:
    """Whether an open question names ``attribute`` strongly enough for its fact to answer
    before any intent. Not when it names one of its options: "the force inspected a bit
    after ofsted, which was that?" gives the value and asks whose it is."""
    return 0 < attribute.first <= hit.strength and hit.option is None


_IMPLIED_ORDER = ("place", "date", "number", "entity", "")
_NEUTRAL = frozenset(stem(w) for w in CLAIM_NEUTRAL)


def _word_stems(attribute: Attribute) -> set[str]:
    """The stems of the content words of an attribute's phrases."""
    return _content_stems(tuple(w for phrase in attribute.words for w in tokens(phrase)))


def _content_stems(words: tuple[str, ...]) -> set[str]:
    """The stems of a question's words that can support or contradict a text value."""
    return {
        stem(w)
        for w in words
        if w not in STOPWORDS and len(w) > 2 and not w.isdigit() and stem(w) not in _NEUTRAL
    }


def _matches(fact: Fact | None, said: Asserted) -> bool:
    """Whether a fact's value is one the question asserts (a number, place or date)."""
    if fact is None or fact.value is None:
        return False
    value = fact.value
    if isinstance(value, int) and not isinstance(value, bool):
        return value in said.numbers
    if isinstance(value, str):
        month, _, year = value.rpartition(" ")
        if year in said.years and (not said.months or month.lower() in said.months):
            return True
        if not said.years and month and month.lower() in said.months:
            return True  # "which one was april?"
        return value in said.places
    return False


def _form_carried(analysis: Analysis, context: FactContext) -> Form:
    """A follow-up's form: the last question's yes/no or claim carries over to an open
    follow-up ("and the youth justice board?" after "was cqc in it?", "what about the
    police federation?"), not to one asking anew ("which one was april then")."""
    form = analysis.form
    if analysis.asks is not None or form is not Form.OPEN or context.form is Form.OPEN:
        return form
    rest = without_filler(analysis.words)
    rest = rest[2:] if rest[:2] in WHAT_ABOUT else rest
    return form if not QUESTION_WORDS.isdisjoint(rest) else context.form


def _type_asked(analysis: Analysis) -> ValueType | None:
    """The type of value a question word asks for, where the question has one: "when" a
    date, "how many" a number, "where" a place."""
    words = set(analysis.words)
    if "when" in words:
        return ValueType.DATE
    if {"how", "many"} <= words:
        return ValueType.NUMBER
    if "where" in words:
        return ValueType.PLACE
    return None


def _offers_values(analysis: Analysis, attribute: Attribute) -> bool:
    """Whether the question offers values of the attribute to choose between: "10 or 12
    local authorities in the gmp area?", "was it november or december?"."""
    said = analysis.asserted
    offered = {
        ValueType.NUMBER: len(said.numbers),
        ValueType.DATE: len(said.months | said.years),
        ValueType.PLACE: len(said.places),
    }.get(attribute.type, 0)
    return "or" in analysis.words and offered >= 2


def _fits(kind: ValueType, asserted: frozenset[str]) -> bool:
    return (
        (kind is ValueType.DATE and "date" in asserted)
        or (kind is ValueType.NUMBER and "number" in asserted)
        or (kind is ValueType.PLACE and "place" in asserted)
        or (kind is ValueType.ENTITIES and "entity" in asserted)
    )


def _number(value: int) -> str:
    return _NUMBER_NAMES[value] if 0 <= value < len(_NUMBER_NAMES) else str(value)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
