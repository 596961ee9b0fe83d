"""Per-chat dialogue: context for follow-ups, clarifying questions, honest fallbacks.

``Assistant.reply(chat_id, text)`` is the core's entry point. It does no I/O after
``Assistant.load`` and imports nothing from Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.bounded import BoundedCache, BoundedDict
from bot.dialogue import redirects
from bot.dialogue.answers import ANSWERS, Answer, Request, join
from bot.dialogue.buttons import ButtonCatalogue, all_button_texts, short_label
from bot.dialogue.facts import FactAnswer, FactContext, FactDesk
from bot.dialogue.framing import compare, frame, states_a_date
from bot.dialogue.reply import Evidence, Outcome, Reply, Rule, Trace
from bot.lang.text import says, stem, tokens
from bot.lang.words import (
    ALL_FORCES,
    ALL_INSPECTIONS,
    AS_WELL,
    ASKING_FOR_MYSELF,
    AUXILIARIES,
    BEYOND_THE_PAGE,
    EACH,
    FOLLOW_UP_FILLER,
    GENERIC_EVIDENCE,
    MEMBER_CHECKS,
    MORE,
    MORE_FILLER,
    NEXT_EVENT,
    ONE_FORCE_MEANT,
    ORDINALS,
    OTHER_FORCES,
    OTHERS_ASKED,
    OWN_THINGS,
    PICK_WORDS,
    PLURAL_FOLLOW_UP,
    PLURAL_PLACES,
    PREVIOUS_EVENT,
    REFERENTS,
    RELAYED,
    REMAINING,
    SOME_FORCE,
    STOPWORDS,
    VALUE_BESIDE_A_BODY,
    WHICH_FORCE,
)
from bot.nlu.analysis import Analyser, Analysis
from bot.nlu.entities import Entity
from bot.nlu.form import (
    Form,
    asks_how_to,
    assertion,
    is_statement,
    question_parts,
    without_filler,
)
from bot.nlu.matcher import Match, Matcher, Scored, singled_out
from bot.nlu.safety import SafetyScreen, Screening
from bot.nlu.sentences import Found, SentenceIndex
from bot.schema.facts import ValueType
from bot.schema.intents import IntentSpec, check_references, load_intents
from bot.schema.knowledge import Knowledge, load_knowledge
from bot.tuning import TUNING

# The most forces "the other one" may pick among (the page has three).
MAX_LISTING_FORCES = 4
# The longest reply whose forces, named in turn, are a list "the last one" picks from.
MAX_LISTING_REPLY = 1500
# Chats whose context is remembered; the least recently used is forgotten first.
MAX_CHATS = 50_000
# Fact contexts remembered, by message and topic (least recently used forgotten).
CONTEXT_CACHE = 4096
# Buttons offered with one reply.
MAX_SUGGESTIONS = 3
# Intents that end the need for a pending clarification without answering it.
FOLLOW_UP = TUNING.follow_up_confidence  # short name for the many follow-up rules

# The intent names of replies that no intent in intents.yaml produces.
SAFETY = "safety"
PAGE_SENTENCE = "page_sentence"
FALLBACK = "fallback"
CLARIFY = "clarify"
FACT = "fact"
# Replies that give nothing from the page carry no source line, whatever their outcome.
NO_SOURCE_RULES = frozenset({Rule.OTHER_FORCE, Rule.NOT_COVERED, Rule.SMALL_TALK})
# Rules whose replies are already framed by the question's form.
FACT_RULES = frozenset({Rule.FACT, Rule.FACT_CHECK, Rule.FACT_SILENT, Rule.FACT_FOLLOW_UP})


@dataclass(slots=True)
class ChatState:
    """What one chat has been talking about."""

    last_intent: str | None = None
    forces: tuple[str, ...] = ()
    # forces the last list named, in order, for "the second one" (all of them after a roster)
    listed: tuple[str, ...] = ()
    # forces answered about under the last intent, in turn, for "and the other one?"
    topic_forces: tuple[str, ...] = ()
    body: str | None = None
    pending: str | None = None  # intent waiting for a force or body after a clarifying question
    # the last fact asked about, for elliptical follow-ups
    facts: FactContext = field(default_factory=FactContext)
    fallbacks: int = 0  # fallbacks in a row, so the next one is worded differently
    small_talk: tuple[str, ...] = ()  # small-talk intents already answered in this chat


def load_data(root: Path) -> tuple[Knowledge, tuple[IntentSpec, ...]]:
    """Load and cross-check knowledge/ and intents.yaml under ``root``; DataError if invalid."""
    knowledge = load_knowledge(root / "knowledge")
    intents = load_intents(root / "intents.yaml", ANSWERS.keys())
    check_references(intents, knowledge)
    return knowledge, intents


def _screen(knowledge: Knowledge) -> SafetyScreen:
    spec = knowledge.screen
    return SafetyScreen(
        spellings=spec.spellings,
        emoji=spec.emoji,
        concepts=spec.concepts,
        rules=spec.rules,
        window=spec.window,
        hints=spec.hints,
        not_typos=spec.not_typos,
    )


class Assistant:
    """The question-answering core: one per process, many chats."""

    def __init__(
        self,
        knowledge: Knowledge,
        intents: tuple[IntentSpec, ...],
        *,
        min_score: float = TUNING.min_score,
        min_confidence: float = TUNING.min_confidence,
    ) -> None:
        self.root: Path | None = None  # set by load(): where reload() reads again
        self.knowledge = knowledge
        self._index(intents)
        self.matcher = Matcher(knowledge, intents)
        self.sentences = SentenceIndex(knowledge.page)
        self.analyser = Analyser(knowledge)
        self.desk = FactDesk(knowledge)
        self.screen = _screen(knowledge)
        self.min_score = min_score
        self.min_confidence = min_confidence
        self._chats: BoundedDict[str, ChatState] = BoundedDict(MAX_CHATS)
        # the fact context an intent's answer leaves, a pure function of the message
        self._contexts: BoundedCache[
            tuple[tuple[str, ...], tuple[Entity, ...], str, tuple[str, ...]], FactContext
        ] = BoundedCache(CONTEXT_CACHE)
        self.buttons = ButtonCatalogue(all_button_texts(knowledge, self.intents))
        # what each button asks (intent, force), worked out the first time a reply offers it
        self._button_topics: dict[str, tuple[str, str]] = {}
        self._previewing_button = False

    def _index(self, intents: tuple[IntentSpec, ...]) -> None:
        """The intents by id and by kind (from intents.yaml), and the words of entity names."""
        self.intents = {spec.id: spec for spec in intents}
        self.small_talk = frozenset(s.id for s in intents if s.kind == "small_talk")
        self.overviews = {s.slot: s.id for s in intents if s.kind == "overview" and s.slot}
        # towns and counties, as matched (and as written): a force named only by one may
        # be a place
        self._place_names = {" ".join(tokens(p)): p for p in self.knowledge.facts.places}
        self._places = frozenset(self._place_names)
        self.lookups = frozenset(s.id for s in intents if s.kind in ("lookup", "roster"))
        # the "which force ...?" intent, if intents.yaml has one
        self.lookup = next((s.id for s in intents if s.kind == "lookup"), None)
        self.commands = {s.command: s for s in intents if s.command}
        self.starter = next((s for s in intents if s.command == "start"), None)
        self.previous = {s.next: s.id for s in intents if s.next}
        k = self.knowledge
        self.body_ids = frozenset(b.id for b in k.bodies)
        self.force_ids = frozenset(f.id for f in k.forces)
        names = [(f.name, *f.aliases) for f in k.forces] + [
            (b.abbreviation, *b.aliases) for b in k.bodies
        ]
        self.entity_words = frozenset(w for group in names for name in group for w in tokens(name))

    @classmethod
    def load(cls, root: Path) -> Assistant:
        """Load knowledge/ and intents.yaml from ``root``; raise DataError if invalid."""
        knowledge, intents = load_data(root)
        assistant = cls(knowledge, intents)
        assistant.root = root
        return assistant

    # -------------------------------------------------------------- public API

    def reply(self, chat_id: str, text: str) -> Reply:
        """Answer ``text`` in the context of chat ``chat_id``."""
        flagged = self.screen.screen(text)
        if flagged is not None:
            return self._safety(flagged)
        state = self._state(chat_id)
        parts = question_parts(text)
        if len(parts) > 1:
            answered = self._in_parts(state, parts)
            if answered is not None:
                return answered
        match = self.matcher.match(text, _context_kinds(state, text))
        reply = self._decide(state, self._with_topic(state, text, match))
        state.fallbacks = state.fallbacks + 1 if reply.outcome is Outcome.FALLBACK else 0
        return self._with_help(text, self._framed(match, reply))

    def _in_parts(self, state: ChatState, parts: tuple[str, ...]) -> Reply | None:
        """One reply to a message that asks several questions ("which force was it, and
        roughly when?"): each answered in turn, the later ones in the context the earlier
        left. None (and the chat's context untouched) unless every one is answered."""
        trial = replace(state)
        replies: list[Reply] = []
        stated = False  # a part only stated the context of the others
        for index, part in enumerate(parts):
            match = self.matcher.match(part, _context_kinds(trial, part))
            if replies and self._answered_already(match, replies[0]):
                return None  # "which reports are there and when": the first gives dates
            reply = self._framed(match, self._decide(trial, self._with_topic(trial, part, match)))
            if reply.outcome not in (Outcome.ANSWER, Outcome.NOT_ON_PAGE):
                return None
            if reply.trace.rule is Rule.OVERVIEW:
                continue  # "was rochdale ok? were the kids protected": the second says it
            if index < len(parts) - 1 and is_statement(match.words):
                # "hmic inspected staffs in staffordshire, gmp in rochdale and where else?":
                # context for what follows, not a question
                trial.forces = match.ids("force") or trial.forces
                stated = True
                continue
            if all(reply.text != r.text for r in replies):
                replies.append(reply)
        if len(replies) < (1 if stated else 2):
            return None
        for name in ChatState.__slots__:
            setattr(state, name, getattr(trial, name))
        state.fallbacks = 0
        first, last = replies[0], replies[-1]
        forces = [f for r in replies for f in r.slots.get("force", "").split(",") if f]
        slots = {**first.slots, **({"force": ",".join(dict.fromkeys(forces))} if forces else {})}
        answered = any(r.outcome is Outcome.ANSWER for r in replies)
        return replace(
            first,
            text="\n\n".join(r.text for r in replies),
            outcome=Outcome.ANSWER if answered else Outcome.NOT_ON_PAGE,
            source=next((r.source for r in replies if r.source), None),
            suggestions=last.suggestions,
            slots=slots,
            trace=replace(first.trace, rule=Rule.IN_PARTS),
        )

    def _answered_already(self, match: Match, first: Reply) -> bool:
        """Whether a bare "and when?" asks what the first answer already dated."""
        asks = self.analyser.analyse(match).asks
        return asks is ValueType.DATE and states_a_date(first.text)

    def at_risk(self, text: str) -> bool:
        """Whether the safety screen flags ``text`` (cached: the reply reuses the result)."""
        return self.screen.screen(text) is not None

    def reload(self, root: Path | None = None) -> None:
        """Load knowledge/ and intents.yaml afresh and swap them in; keep chat contexts.

        Raises DataError, keeping the current knowledge, if the files are invalid. Nothing
        is swapped until everything has loaded; call it from the thread that answers (the
        event loop's), not from a signal handler, so no reply sees half of each.
        """
        root = root or self.root
        if root is None:
            raise ValueError("reload() needs a root: this assistant was not made by load()")
        knowledge, intents = load_data(root)
        self.root = root
        matcher, screen = Matcher(knowledge, intents), _screen(knowledge)
        self.knowledge, self.matcher = knowledge, matcher
        self._index(intents)
        self.screen = screen
        self.sentences = SentenceIndex(knowledge.page)
        self.analyser, self.desk = Analyser(knowledge), FactDesk(knowledge)
        self._contexts.cache_clear()
        force_ids = {f.id for f in knowledge.forces}
        body_ids = {b.id for b in knowledge.bodies}
        for state in list(self._chats.values()):  # forget context the new files lack
            state.forces = tuple(f for f in state.forces if f in force_ids)
            state.listed = tuple(f for f in state.listed if f in force_ids)
            state.body = state.body if state.body in body_ids else None
            if state.last_intent not in self.intents:
                state.last_intent = None
            if state.pending not in self.intents:
                state.pending = None
            state.facts = FactContext()  # fact ids may have changed: start afresh
        self.buttons.add(all_button_texts(knowledge, self.intents))  # old keys still work
        self._button_topics = {}

    def _button_topic(self, text: str) -> tuple[str, str] | None:
        """What button ``text`` asks (intent, force), so a reply never offers the question it
        has just answered: the button asked in a new chat, once per button text. None while a
        button is being asked (its own reply's buttons are not filtered)."""
        topic = self._button_topics.get(text)
        if topic is not None or self._previewing_button:
            return topic
        self._previewing_button = True
        try:
            _, reply = self.preview("", text)
        finally:
            self._previewing_button = False
        topic = (reply.intent, reply.slots.get("force", ""))
        self._button_topics[text] = topic
        return topic

    def preview(self, chat_id: str, text: str) -> tuple[Match, Reply]:
        """The match and reply ``reply`` would give, on a copy of the chat's context (explain)."""
        state = self.context(chat_id)
        flagged = self.screen.screen(text)
        if flagged is not None:
            return self.matcher.match(""), self._safety(flagged)
        match = self._with_topic(state, text, self.matcher.match(text, _context_kinds(state, text)))
        parts = question_parts(text)
        answered = self._in_parts(state, parts) if len(parts) > 1 else None
        if answered is not None:
            return match, answered
        reply = self._with_help(text, self._framed(match, self._decide(state, match)))
        return match, reply

    def reset(self, chat_id: str) -> None:
        """Forget chat ``chat_id``'s context."""
        self._chats.pop(chat_id, None)

    def context(self, chat_id: str) -> ChatState:
        """A copy of chat ``chat_id``'s context (for explain and tests)."""
        state = self._chats.get(chat_id)
        return replace(state) if state else ChatState()

    def inline(self, text: str, limit: int = 5) -> list[Reply]:
        """The best stand-alone answers to ``text``, for inline mode (no context kept)."""
        flagged = self.screen.screen(text)
        if flagged is not None:
            return [self._safety(flagged)]
        first = self._decide(ChatState(), self.matcher.match(text))
        if first.outcome is not Outcome.CLARIFY:
            return [first]
        out = []
        for choice in first.choices[:limit]:
            state = ChatState(pending=first.intent)
            out.append(
                self._decide(state, self.matcher.match(choice, _context_kinds(state, choice)))
            )
        return out

    def command(self, name: str) -> Reply:
        """The reply to a bot command: start, help, sources or about."""
        spec = self.commands.get(name) or next(iter(self.intents.values()))
        answer = ANSWERS[spec.answer](self.knowledge, Request(spec))
        if name == "sources":
            k = self.knowledge
            answer = replace(
                answer,
                text=f"Everything I say comes from {k.source.citation}, covering "
                f"{k.source.period_start} to {k.source.period_end}. {answer.text}",
                suggestions=(),
            )
        return self._finish(ChatState(), spec, answer, 1.0, None, rule=Rule.COMMAND)

    def misrouted_examples(self) -> list[tuple[str, str, str]]:
        """(example, its intent, the intent it got) for every example of intents.yaml that
        is not routed to its own intent (a clarifying question for it counts as routed)."""
        chat = "check-examples"
        misses = []
        for spec in self.intents.values():
            for example in spec.examples:
                self.reset(chat)
                reply = self.reply(chat, example)
                asked_for = reply.slots.get("pending")
                if spec.id not in (reply.intent, asked_for):
                    misses.append((example, spec.id, reply.intent))
        self.reset(chat)
        return misses

    def deep_link(self, chat_id: str, payload: str) -> Reply | None:
        """The answer a ``t.me/<bot>?start=<payload>`` link asks for, or None if unknown.

        A payload is an intent id ("deferral"), or an intent id and a force id joined by a
        hyphen ("force_selection-west-mercia"); a force question without a force is answered
        for every force.
        """
        intent, _, force = payload.partition("-")
        spec = self.intents.get(intent)
        if spec is None or (force and force not in {f.id for f in self.knowledge.forces}):
            return None
        state = self._state(chat_id)
        match = self.matcher.match("")
        forces: tuple[str, ...] = (force,) if force else ()
        if spec.slot == "force" and not forces and not spec.slot_optional:
            forces = tuple(f.id for f in self.knowledge.forces)  # the question for each
        scored = Scored(spec.id, 0.0, ())
        return self._answer(state, match, scored, 1.0, forces=forces, rule=Rule.COMMAND)

    def button_key(self, text: str) -> str:
        """A short, stable key for a button's text (fits Telegram's 64-byte callback_data)."""
        return self.buttons.key(text)

    def button_text(self, key: str) -> str | None:
        """The text of a button this assistant issued, or None for unknown keys."""
        return self.buttons.text(key)

    # -------------------------------------------------------------- dialogue

    def _state(self, chat_id: str) -> ChatState:
        state = self._chats.touch(chat_id)
        if state is None:
            state = self._chats[chat_id] = ChatState()
        return state

    def _decide(self, state: ChatState, match: Match) -> Reply:
        forces = match.ids("force")
        bodies = match.ids("body")
        best = match.best
        if not match.words:
            return self._fallback(state, match, empty=True, rule=Rule.EMPTY)
        analysis = self.analyser.analyse(match)
        facts = state.facts.about(state.forces)
        bare = self._is_bare_entity(match)
        follows = (
            (state.facts.attribute and analysis.elliptical)
            or (state.facts.subject and analysis.asks is not None)
            or (state.facts.subject and _only_asks_an_attribute(match, analysis))
        )  # "and west mercia?" after a fact; "since when?", "announced when?" after a subject
        if self._checks_member(state, match, analysis):
            # "prisons too?", "hmi prisons?? really" after the consultation's five
            asked = replace(analysis, form=Form.YES_NO)
            found = self.desk.answer(asked, facts, open_ok=True)
            if found is not None and found.follow_up:
                return self._fact(state, match, asked, found, Rule.FACT_FOLLOW_UP)
        if (
            follows
            and not state.pending
            and not (state.facts.inferred and bare)
            and not (match.not_covered and analysis.subjects)
        ):  # ("did ofsted go back into herefordshire in 2018" names its own subjects)
            # "and west mercia?", "in herefordshire too?" after a fact: the same question
            found = self.desk.answer(analysis, facts, open_ok=True)
            if found is not None and found.follow_up:
                return self._fact(state, match, analysis, found, Rule.FACT_FOLLOW_UP)

        which = self._which_force(state, match, analysis)
        if which is not None:
            return which
        checks_a_fact = (
            analysis.form is not Form.OPEN
            and bool(analysis.attributes or analysis.asserted.kinds() - {"entity"})
        ) or self.desk.precise(analysis)
        if (
            bare
            and not self._strong_elsewhere(match)
            and not checks_a_fact  # "was cqc in it?" asks a yes/no of the cqc
            and not match.not_covered  # "what does the cqc actually do" is not about the page
        ):
            follow = self._follow_up_intent(state, forces, bodies)
            if follow is not None and follow == state.pending:
                scored = Scored(follow, 0.0, ())
                return self._answer(state, match, scored, FOLLOW_UP, rule=Rule.PENDING_FILLED)
            if follow is not None:
                overview = follow in self.overviews.values() and follow not in (
                    state.pending,
                    state.last_intent,
                )
                rule = Rule.OVERVIEW if overview else Rule.BARE_ENTITY
                return self._answer(state, match, Scored(follow, 0.0, ()), FOLLOW_UP, rule=rule)
        if state.pending and not (forces or bodies):
            chosen = self._ordinal_choice(state, match)
            if chosen is not None:
                forces, bodies = chosen
                return self._answer(
                    state,
                    match,
                    Scored(state.pending, 0.0, ()),
                    FOLLOW_UP,
                    forces=forces,
                    bodies=bodies,
                    rule=Rule.CHOICE_BY_POSITION,
                )
        listed = self._listed_choice(state, match)
        if listed is not None:
            # "and when was 2 published?" after an answer about two forces: the second one;
            # "and the last one?" asks the last question again about the last of them
            force, intent = listed
            scored = Scored(intent, best.score, best.matched) if best else Scored(intent, 0.0, ())
            return self._answer(state, match, scored, forces=(force,), rule=Rule.CHOICE_BY_POSITION)
        remaining = self._remaining(state, match)
        if remaining is not None:
            # "and the other one" after one report: the other force the page gives one for
            scored = Scored(remaining[1], 0.0, ())
            return self._answer(
                state, match, scored, FOLLOW_UP, forces=(remaining[0],), rule=Rule.OTHER_FORCES
            )
        if state.pending and (forces or bodies) and not self._strong_other(match, state.pending):
            scored = Scored(state.pending, 0.0, ())
            return self._answer(state, match, scored, FOLLOW_UP, rule=Rule.PENDING_FILLED)

        more = self._more(state, match)
        if more is not None:
            return self._answer(
                state, match, Scored(more[0], 0.0, ()), FOLLOW_UP, forces=more[1], rule=Rule.MORE
            )
        last = self.intents.get(state.last_intent or "")
        step = self._timeline_step(last, match) if last and not (forces or bodies) else None
        if step is not None:
            scored = Scored(step, 0.0, ())
            return self._answer(state, match, scored, FOLLOW_UP, rule=Rule.TIMELINE)
        if (
            last is not None
            and last.slot == "force"
            and state.forces
            and not forces
            and not self._strong(match)
            and says(match.words, OTHER_FORCES)
        ):
            scored = Scored(last.id, 0.0, ())
            return self._answer(state, match, scored, FOLLOW_UP, rule=Rule.OTHER_FORCES)
        return self._decide_by_content(state, match, analysis, facts)

    def _decide_by_content(
        self, state: ChatState, match: Match, analysis: Analysis, facts: FactContext
    ) -> Reply:
        """The reply from what the message itself asks, once no follow-up rule applied."""
        forces = match.ids("force")
        best = match.best
        quoted = self._quoted_forces(state, match)
        if quoted is not None:
            return quoted
        ordered = self.desk.order_of(analysis, facts) or self.desk.gap_between(analysis)
        if ordered is not None and not match.not_covered:
            reply = self._fact(state, match, analysis, ordered)  # "which came first, ...?"
            compared = tuple(s for s in analysis.subjects if s in self.force_ids)
            if len(compared) > 1:
                state.listed = compared  # "1 gmp or 2 west mercia" ... "when was 2 published?"
            return reply
        dated = self.desk.happened_on(analysis)
        if dated is not None and not match.not_covered:
            return self._fact(state, match, analysis, dated)  # "what happened in july 2012?"
        offered = "or" in analysis.words and len(analysis.asserted.places) > 1
        if (
            (analysis.form is not Form.OPEN or analysis.attributes or offered)
            and not self._strange(match)
            and not _for_myself(match)  # "can i defer my uni place till september"
        ):
            found = self.desk.answer(analysis, facts, open_ok=False)
            deferred = found is not None and self._defers(found, match, analysis)
            if found is not None and self._per_force_instead(match, found):
                found = None
            if found is not None and not (match.not_covered and deferred):
                return self._fact(state, match, analysis, found)
        declined = best is None or best.intent not in self.small_talk
        if match.not_covered and declined:
            return self._not_covered(match)
        mismatched = self._fact_of_named_event(match, analysis, facts)
        if mismatched is not None:
            return self._fact(state, match, analysis, mismatched)
        of_force = self._topic_of_named_force(match, analysis, facts)
        if of_force is not None and best is not None:
            # "staffordshire pilot inspection result": Staffordshire's findings, not the pilot
            intent, force = of_force
            scored = Scored(intent, best.score, ())
            return self._answer(state, match, scored, forces=(force,), rule=Rule.FORCE_TOPIC)
        others = self._other_bodies(analysis)
        if others and analysis.form is Form.OPEN and not self.desk.precise(analysis):
            # "what's the difference between hmic and the ipcc?": the page names no IPCC
            return self._not_covered(match, rule=Rule.OTHER_BODY, names=others)
        if declined and asks_how_to(match.words):
            return self._not_covered(match, rule=Rule.HOW_TO)
        if best is not None and self._small_talk_ok(match, best):
            return self._answer(state, match, best, rule=Rule.SMALL_TALK)
        # small talk naming a force is a question about it ("what info sharing systems did
        # staffordshire police use" is no request for help; "is this an hmic service?" is)
        chat = best is not None and best.intent in self.small_talk and bool(match.ids("force"))
        if not self._strong(match) or best is None or chat:
            return self._weak(state, match, analysis, facts)
        if match.ids("other_force") and not forces:
            return self._other_force(state, match, best)
        follow_up = self.intents[best.intent].force_follow_up
        if forces and follow_up:
            # "what did the report say about gmp": the reports, for that force
            scored = Scored(follow_up, best.score, best.matched)
            return self._answer(state, match, scored, rule=Rule.FORCE_FOLLOW_UP)
        return self._answer(state, match, best, rule=Rule.BEST_INTENT)

    def _weak(
        self, state: ChatState, match: Match, analysis: Analysis, facts: FactContext
    ) -> Reply:
        """The reply when no intent is strong enough: a fact the words ask, what the page
        says of a body or a described force, a page sentence, or the fallback."""
        weak = self.desk.answer(analysis, facts, open_ok=True)
        about = analysis.subjects or state.facts.subject or state.forces
        # a message with words the bot has never seen ("hereford fc fixtures") is not
        # answered from a fact on the strength of one attribute word
        if (
            weak is not None
            and about
            and not match.unknown
            and not match.ids("other_force")
            and not _for_myself(match)
        ):
            return self._fact(state, match, analysis, weak)
        bodies = self._bodies_asked(match, analysis)
        if bodies:
            # "wot did hmi probation have 2 do with this", "hmi probation & hmi prisons -
            # why are they even mentioned": what the page says of each body
            scored = Scored(self.overviews["body"], 0.0, ())
            replies = [
                self._answer(state, match, scored, bodies=(body,), rule=Rule.BODY_ASKED)
                for body in bodies
            ]
            return replace(replies[-1], text="\n\n".join(r.text for r in replies))
        described = self._described(match, state.forces)
        if described is not None:
            # "in what way is greater manchester police complex": its selection reason
            scored, force = described
            return self._answer(state, match, scored, forces=(force,), rule=Rule.FORCE_DESCRIBED)
        named = frozenset(w for e in match.entities for w in match.words[e.start : e.end])
        sentence = self.sentences.best(match.words, match.ids("force"), named)
        if sentence is not None and not match.ids("other_force"):
            return self._quote(state, match, sentence)
        return self._fallback(state, match, rule=Rule.TOO_WEAK)

    def _fact_of_named_event(
        self, match: Match, analysis: Analysis, facts: FactContext
    ) -> FactAnswer | None:
        """The fact an open question asks of the event it names first, when the best intent
        is another event's topic: "consultation on joint inspections, what month and year?"
        asks the consultation's date, not the inspections'. Not with words the bot does not
        know ("what happens in the pilot episode of breaking bad")."""
        best = match.best
        if best is None or not analysis.attributes or analysis.form is not Form.OPEN:
            return None
        if match.unknown:
            return None
        book = self.knowledge.facts
        events = [s for s in analysis.subjects if book.event(s) is not None]
        if not events or any(s in self.force_ids for s in analysis.subjects):
            return None  # a force named: the intents know it
        # bodies only as the event's own participants ("ofsted, cqc, hmic ... consultation,
        # what year was that?"); any other body named is the intents' to read
        members = self.desk.members_of(events[0])
        if any(s not in members for s in analysis.subjects if book.event(s) is None):
            return None
        others = self.desk.events_of_topic(best.intent)
        if not others or events[0] in others:
            return None  # the intent is this event's topic, or no event's
        found = self.desk.answer(analysis, facts, open_ok=True)
        if found is None or found.silent or found.subject != events[0]:
            return None
        return found

    def _topic_of_named_force(
        self, match: Match, analysis: Analysis, facts: FactContext
    ) -> tuple[str, str] | None:
        """The topic (intent, force) of the fact an open question asks of the one force it
        names, when the best intent is a topic that takes no force ("staffordshire pilot
        inspection result" asks Staffordshire's findings, not about the pilot)."""
        best = match.best
        if best is None or analysis.form is not Form.OPEN or not analysis.attributes:
            return None
        if match.unknown or self.intents[best.intent].slot == "force":
            return None
        forces = [s for s in analysis.subjects if s in self.force_ids]
        if len(forces) != 1:
            return None
        found = self.desk.answer(analysis, facts, open_ok=True)
        if found is None or found.silent or found.subject != forces[0] or found.reverse:
            return None
        spec = self.intents.get(self._fact_intent(found))
        if spec is None or spec.slot != "force" or spec.id == best.intent:
            return None
        # the force's topic must be a close second by words of its own ("result" beside
        # "pilot inspection"), not by words the best intent counted ("the improvement areas
        # for staffs", "multi agency child protection arrangements")
        own = next((s.score for s in match.ranking if s.intent == spec.id), 0.0)
        if own < self.min_score or own < FORCE_TOPIC_SHARE * best.score:
            return None
        counted = {w for term, _ in best.matched for w in term.split()}
        content = {stem(w) for w in match.words if w not in STOPWORDS and w not in AUXILIARIES}
        asked = self.desk.attribute_stems(found.attribute) & content
        if asked <= counted:
            return None
        return spec.id, forces[0]

    def _fact_suggestions(self, found: FactAnswer, is_force: bool) -> tuple[str, ...]:
        """The buttons of the fact's topic (about its force), else the starter questions."""
        spec = self.intents.get(found.intent or "")
        if spec is None or not spec.suggestions:
            return self._starter_suggestions()
        forces = (found.subject,) if is_force else ()
        return self._expand(spec.suggestions, forces)[:MAX_SUGGESTIONS]

    def _described(self, match: Match, talked: tuple[str, ...] = ()) -> tuple[Scored, str] | None:
        """The look-up intent and the force, when the one force named (or, naming none, the
        one just talked about: "complex how") is described by its own look-up words
        ("complex" of Greater Manchester Police) and no other force is."""
        forces = match.ids("force") or (talked if not match.entities else ())
        if len(forces) != 1 or set(match.lookup) != set(forces) or match.unknown:
            return None  # "cheap domestic flights from manchester": not about the force
        return None if self.lookup is None else (Scored(self.lookup, 0.0, ()), forces[0])

    def _fact_intent(self, found: FactAnswer) -> str:
        """The topic of a fact answer: its fact's intent, or the look-up intent when the
        subject was found from its value ("which force has ten local authorities?")."""
        if found.reverse and self.lookup is not None:
            return self.lookup
        return found.intent or FACT

    def _defers(self, found: FactAnswer, match: Match, analysis: Analysis) -> bool:
        """Whether a topic the page does not cover beats this fact answer: yes, unless the
        fact is a precise one the page is silent on ("who led the inspection?"), a yes/no
        the page settles, or a date checked whose year alone raised the topic ("the
        consultation was in 2014, right?" is about 2012's consultation, not later events;
        "did the inspections in 2016 include wales?" asks something else of 2016)."""
        if found.follow_up:
            return True  # an attribute carried from the chat, beside a topic of its own
        attribute = self.knowledge.facts.attribute(found.attribute)
        if attribute.first and (found.silent or self.desk.precise(analysis)):
            return False  # "how many councils are in the gmp area": the count, not the names
        named = {hit.id for hit in analysis.attributes}
        if attribute.holds_before and found.verdict:
            # "so a report from 2015 might still say hmic?": the year is what is checked
            undated = tuple(w for w in match.words if w not in _date_words(match.words))
            if not self.matcher.topics_not_covered(undated):
                return False
        if attribute.type is ValueType.DATE and found.verdict and named <= {attribute.id}:
            undated = tuple(w for w in match.words if w not in _date_words(match.words))
            if not self.matcher.topics_not_covered(undated):
                return False
        # "did Ofsted's findings affect HMIC's?", "was police scotland one of the forces?"
        # are settled by the page, whatever they raise
        settled = attribute.type in (ValueType.YES_NO, ValueType.ENTITIES)
        if not (settled and found.verdict):
            return True
        if (
            found.fact is not None
            and found.fact.attribute != found.attribute
            and "any" in match.words
        ):
            # a No from another fact does not settle whether there were any others: "were
            # there any joint inspections in 2018?" is not answered by November 2012 ("hmic
            # was renamed in 2019" is, by July 2017)
            return True
        if attribute.type is ValueType.YES_NO and found.verdict.startswith("Yes"):
            # a Yes settles only what the fact's own words ask: "does hmicfrs inspect fire
            # services?" is Yes; "does it inspect welsh fire services too?" raises Wales
            # (its asking words only: "were there any fire services inspected?" asks of
            # fire services, whatever words the attribute also requires)
            own = self.desk.attribute_stems(attribute.id, required=False)
            rest = tuple(w for w in match.words if stem(w) not in own)
            return bool(self.matcher.topics_not_covered(rest))
        return False

    def _fact(
        self,
        state: ChatState,
        match: Match,
        analysis: Analysis,
        found: FactAnswer,
        rule: Rule | None = None,
    ) -> Reply:
        """An answer from one fact record: its value or verdict, and the page's sentence."""
        hit = next((h for h in analysis.attributes if h.id == found.attribute), None)
        carried = found.follow_up and analysis.asks is None
        form = state.facts.form if carried else analysis.form
        state.facts = FactContext(
            subject=found.subject,
            attribute=found.attribute,
            form=form if form is not Form.OPEN else analysis.form,
            polarity=hit.polarity if hit else state.facts.polarity,
            option=hit.option if hit else state.facts.option,
            reverse=found.reverse,
        )
        state.pending = None
        if found.intent is not None:
            state.last_intent = found.intent  # "what happened next?" moves on from its topic
        is_force = found.subject in self.force_ids
        if is_force:
            state.forces = (found.subject,)
        elif found.subject in self.body_ids:
            state.body = found.subject
        if rule is None:
            if found.silent:
                rule = Rule.FACT_SILENT
            elif found.verdict:
                rule = Rule.FACT_CHECK
            else:
                rule = Rule.FACT
        text = found.text
        if is_force and analysis.form is Form.OPEN and not (found.verdict or found.silent):
            text = self._whole_text(found) or text
        return self._reply(
            rule=rule,
            text=text,
            intent=self._fact_intent(found),
            outcome=Outcome.NOT_ON_PAGE if found.silent else Outcome.ANSWER,
            confidence=FOLLOW_UP if found.follow_up else max(match.confidence(), FOLLOW_UP),
            source=self.knowledge.source.citation,
            suggestions=self._fact_suggestions(found, is_force),
            slots={
                "subject": found.subject,
                "attribute": found.attribute,
                **({"force": found.subject} if is_force else {}),
                **({"body": found.subject} if found.subject in self.body_ids else {}),
            },
            match=match,
        )

    def _whole_text(self, found: FactAnswer) -> str | None:
        """A force's text fact asked openly, in its topic's words: "fine, staffordshire then"
        after findings gets all of Staffordshire's findings, not the one sentence quoted."""
        attribute = self.knowledge.facts.attribute(found.attribute)
        if attribute.type is not ValueType.TEXT or attribute.first:
            return None  # (a precise attribute's own words: "which partners" -> the partners)
        spec = self.intents.get(found.intent or "")
        if spec is None or spec.slot != "force":
            return None
        answer = ANSWERS[spec.answer](self.knowledge, Request(spec, (found.subject,)))
        return answer.text if answer.outcome is Outcome.ANSWER else None

    def _framed(self, match: Match, reply: Reply) -> Reply:
        """The answer framed by the question's form: "Yes." or "No — ..." where it can tell;
        an open question's wrong date corrected first."""
        reply = self._premise_checked(match, reply)
        if reply.trace.rule in FACT_RULES:
            return reply
        words = match.words
        analysis = self.analyser.analyse(match)
        form, asserted = analysis.form, assertion(words)
        beyond = says(words, BEYOND_THE_PAGE) or _asks_unknown_role(match)
        bodies = match.ids("body")
        framed = frame(
            reply,
            words,
            form,
            asserted,
            bodies_asked=bodies,
            knowledge=self.knowledge,
            beyond=beyond,
        )
        if framed is not reply or form is Form.OPEN or reply.outcome is not Outcome.ANSWER:
            return framed
        return self._compared(words, reply)

    def _premise_checked(self, match: Match, reply: Reply) -> Reply:
        """ "why was west mercia inspected in october 2012?": "The page gives November 2012,
        not October 2012." before the answer about that one subject."""
        if reply.outcome not in (Outcome.ANSWER, Outcome.NOT_ON_PAGE):
            return reply
        if reply.trace.rule in FACT_RULES:
            return reply  # a fact answer already checked the values the question gives
        subjects = [s for s in reply.slots.get("force", "").split(",") if s]
        if not subjects and "subject" in reply.slots:
            subjects = [reply.slots["subject"]]
        analysis = self.analyser.analyse(match)
        if not subjects:
            # an event the question names, if the answer is about it ("why was the
            # consultation in 2013?"), not "why was the joint inspection scrapped in 2013?"
            book = self.knowledge.facts
            subjects = [
                s
                for s in analysis.subjects
                if book.event(s) and any(f.intent == reply.intent for f in book.facts_of(s))
            ][:1]
        if len(subjects) != 1:
            return reply
        wrong = self.desk.misdated(analysis, subjects[0])
        if wrong is None or reply.text.startswith(("No", "The page gives")):
            return reply
        return replace(reply, text=f"{wrong} {reply.text}")

    def _compared(self, words: tuple[str, ...], reply: Reply) -> Reply:
        """A yes/no question about one force, checked against the other forces' answers.

        "was west mercia chosen for good practice?" uses words that only Staffordshire's
        answer to the same question has: No. Words only this force's answer has: Yes.
        """
        spec = self.intents.get(reply.intent)
        forces = tuple(f for f in reply.slots.get("force", "").split(",") if f)
        if spec is None or spec.slot != "force" or len(forces) != 1:
            return reply
        build = ANSWERS[spec.answer]
        others_ids = [f.id for f in self.knowledge.forces if f.id != forces[0]]
        answers = (
            build(self.knowledge, Request(spec, (other,)))
            for other in others_ids[: TUNING.max_compared_forces]
        )
        # only what the page says of the others: "the page does not say" is no contrast
        others = tuple(a.text for a in answers if a.outcome is Outcome.ANSWER)
        return compare(reply, words, others, self.entity_words)

    def _with_help(self, text: str, reply: Reply) -> Reply:
        """A fallback to a message with words of risk also says where help is.

        Such a message may be a disclosure the screen did not recognise, so it is marked
        sensitive: the question log keeps no text of it.
        """
        if reply.outcome is not Outcome.FALLBACK or not self.screen.hints(text):
            return reply
        return replace(
            reply, text=f"{reply.text}\n\n{self.knowledge.safety.in_doubt}", sensitive=True
        )

    def _safety(self, flagged: Screening) -> Reply:
        """Help for someone at risk: the group's reply, no buttons, and no context kept."""
        s = self.knowledge.safety
        return Reply(
            text=f"{s.reply(flagged.group).text}\n{s.not_a_channel}",
            intent=SAFETY,
            outcome=Outcome.SAFETY,
            confidence=1.0,
            safety=flagged.group,
            sensitive=True,
            trace=Trace(rule=Rule.SAFETY),
        )

    def _with_topic(self, state: ChatState, text: str, match: Match) -> Match:
        """Read a vague follow-up ("why?", "who ran it?") as being about the last topic.

        Only when the message alone is too weak to answer, has no words the bot does not
        know, names no entity, and the last intent names its topic in intents.yaml.
        """
        spec = self.intents.get(state.last_intent or "")
        if spec is None or spec.topic is None or match.unknown or match.entities:
            return match
        if _asks_more(match):
            return match  # "tell me more": see _more
        if len(match.words) > TUNING.max_follow_up_words:
            return match
        if match.best is not None and match.best.intent in self.small_talk:
            return match
        if self.desk.happened_on(self.analyser.analyse(match)) is not None:
            return match  # "anything happen feb 2013?" asks about its own date
        refers_back = len(match.words) <= TUNING.short_follow_up or any(
            w in REFERENTS for w in match.words
        )
        if self._strong(match) and not refers_back:
            return match
        expanded = replace(
            self.matcher.match(f"{text} {spec.topic}", _context_kinds(state)), typed=text
        )
        if not self._strong(expanded):
            return match
        # "when was that?" after the deferral: the topic must clearly win
        if (
            self._strong(match)
            and expanded.best
            and match.best
            and expanded.best.score < match.best.score + TUNING.topic_margin
        ):
            return match
        return expanded

    def _strong(self, match: Match) -> bool:
        best = match.best
        if best is None:
            return False
        score = _unpenalised(best)
        confidence = match.confidence(Scored(best.intent, score, best.matched))
        if _about_own_things(match) and (
            score < TUNING.personal_min_score or not self.analyser.analyse(match).subjects
        ):
            # "my car failed its mot inspection", "ideas for an unannounced surprise party
            # for my mum": about the asker's own life, naming nothing of the page's
            return False
        if (
            best.intent in self.small_talk
            and len(match.unknown) > TUNING.small_talk_unknown_words
            and score < TUNING.small_talk_sure_score
        ):
            return False  # "got a consultation with my gp, what should i ask about my knee"
        if match.unknown and not match.entities and _only_generic(best):
            return False  # "what year did the titanic sink": only "what year" is the page's
        return score >= self.min_score and confidence >= self.min_confidence

    def _small_talk_ok(self, match: Match, best: Scored) -> bool:
        """Short small talk ("yo", "ta", "thanks love") is answered on weaker evidence than
        questions: a word or two the bot does not know may come with it."""
        spec = self.intents[best.intent]
        # on less than a question's evidence, not a word it does not know: "who won the
        # darts last night" is no "good night"
        unknown = TUNING.small_talk_unknown_words if best.score >= self.min_score else 0
        return (
            spec.max_tokens is not None
            and best.score >= TUNING.small_talk_min_score
            and len(match.unknown) <= unknown
            and not match.entities
        )

    def _other_bodies(self, analysis: Analysis) -> tuple[str, ...]:
        """The names of organisations the page does not name that the question does."""
        named = analysis.asserted.entities
        return tuple(b.name for b in self.knowledge.facts.other_bodies if b.id in named)

    def _not_covered(
        self, match: Match, rule: Rule = Rule.NOT_COVERED, names: tuple[str, ...] = ()
    ) -> Reply:
        k = self.knowledge
        if rule is Rule.HOW_TO:
            text = redirects.how_to(k)
        elif rule is Rule.OTHER_BODY:
            text = redirects.other_body(k, names)
        else:
            text = redirects.not_covered(k, match.not_covered)
        forces = match.ids("force")
        suggestions = (
            self._expand(self._overview_suggestions("force"), forces[:1])
            if forces
            else self._starter_suggestions()
        )
        return self._reply(
            rule=rule,
            text=text,
            intent=FALLBACK,
            outcome=Outcome.FALLBACK,
            confidence=match.confidence(),
            source=k.source.citation,
            suggestions=suggestions,
            match=match,
            slots={"not_covered": "; ".join(match.not_covered)} if match.not_covered else {},
        )

    def _more(self, state: ChatState, match: Match) -> tuple[str, tuple[str, ...]] | None:
        """What "tell me more" or "anything else?" asks, after an answer: everything the page
        says of the one force just talked about, or else the topic that follows the last."""
        last = self.intents.get(state.last_intent or "")
        if last is None or not _asks_more(match):
            return None
        force = self.overviews.get("force")
        if len(state.forces) == 1 and force is not None and last.id != force:
            return force, state.forces
        if last.next is not None:
            return last.next, ()
        return None

    def _timeline_step(self, last: IntentSpec, match: Match) -> str | None:
        """The intent after or before ``last`` on the timeline, for "what happened next?"."""
        if len(match.words) > TUNING.max_follow_up_words:
            return None
        if says(match.words, NEXT_EVENT):
            return last.next
        if says(match.words, PREVIOUS_EVENT):
            return self.previous.get(last.id)
        return None

    def _per_force_instead(self, match: Match, found: FactAnswer) -> bool:
        """Whether an open question asks a topic of each force, not for the list of forces
        that names them: "summarise the findings for each of the three forces"."""
        best = match.best
        if found.verdict is not None or found.silent or best is None:
            return False
        value = found.fact.value if found.fact is not None else None
        listed = isinstance(value, tuple) and bool(value) and set(value) <= self.force_ids
        spec = self.intents[best.intent]
        return (
            listed
            and spec.slot == "force"
            and _asks_about_all(match)
            and self._strong(match)
            and says(match.words, EACH)
        )

    def _checks_member(self, state: ChatState, match: Match, analysis: Analysis) -> bool:
        """Whether a body named after a list of bodies asks if it is one of them ("prisons
        too?", "hmi prisons?? really" after the consultation's five), not about the body."""
        attribute = state.facts.attribute
        if attribute is None or state.pending or analysis.attributes:
            return False
        named = [e for e in analysis.asserted.entities if e not in self.force_ids]
        if not named or match.ids("force") or match.unknown:
            return False
        listed = self.knowledge.facts.attribute(attribute).type is ValueType.ENTITIES
        checks = not MEMBER_CHECKS.isdisjoint(match.words) or says(match.words, AS_WELL)
        return listed and checks

    def _bodies_asked(self, match: Match, analysis: Analysis) -> tuple[str, ...]:
        """The bodies an open question names, when it names nothing else of the page (no
        force, event or attribute) and no word the bot does not know; at most two."""
        if analysis.form is not Form.OPEN or analysis.attributes or match.unknown:
            return ()
        if VALUE_BESIDE_A_BODY.intersection(match.words):
            return ()  # "which one did hmic look at" asks a value, not about HMIC
        if "body" not in self.overviews or match.not_covered or match.ids("other_force"):
            return ()
        named = [s for s in analysis.subjects if s != self.knowledge.facts.page_subject]
        if not 1 <= len(named) <= MAX_BODIES_ASKED or any(s not in self.body_ids for s in named):
            return ()
        return tuple(named)

    def _is_bare_entity(self, match: Match) -> bool:
        """Only an entity and filler words: "what about west mercia?", "and gmp"."""
        if not match.entities or match.ids("other_force"):
            return False
        return all(w in FOLLOW_UP_FILLER for w in match.non_entity_words())

    def _strong_elsewhere(self, match: Match) -> bool:
        """Whether a bare-looking message still clearly asks something: "what is hmicfrs"."""
        best = match.best
        return (
            best is not None
            and best.intent not in self.overviews.values()
            and best.intent not in self.small_talk  # "ok and gmp" continues the last question
            and self._strong(match)
        )

    def _follow_up_intent(
        self, state: ChatState, forces: tuple[str, ...], bodies: tuple[str, ...]
    ) -> str | None:
        """The intent a bare entity continues: the pending or last one, else an overview."""
        for candidate in (state.pending, state.last_intent):
            spec = self.intents.get(candidate or "")
            if spec is None:
                continue
            if forces and spec.force_follow_up:
                return spec.force_follow_up
            if (spec.slot == "force" and forces) or (spec.slot == "body" and bodies):
                return spec.id
        if forces:
            return self.overviews.get("force")
        if bodies:
            return self.overviews.get("body")
        return None

    def _ordinal_choice(
        self, state: ChatState, match: Match
    ) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """The choice "the first one", "the second", "the last one" picks, if any."""
        if len(match.words) > TUNING.max_ordinal_words:
            return None
        picks = _positions(match)
        if not picks or state.pending is None:
            return None
        index = picks[0]
        if self.intents[state.pending].slot == "body":
            body_ids = [b.id for b in self.knowledge.bodies]
            return (), (body_ids[index],)
        return (self.knowledge.forces[index].id,), ()

    def _listed_choice(self, state: ChatState, match: Match) -> tuple[str, str] | None:
        """The force a position picks among those the last list named, and the question
        asked of it, in a short message that names no force: "and when was 2 published?",
        or a position alone ("and the last one?") for the last question."""
        if state.pending or match.entities or len(state.listed) < 2:
            return None
        if len(match.words) > TUNING.max_follow_up_words:
            return None
        picks = _positions(match)
        if len(picks) != 1 or picks[0] >= len(state.listed):
            return None
        intent = match.best.intent if match.best else None
        bare = all(
            w in FOLLOW_UP_FILLER or w in ORDINALS or w in STOPWORDS or w == "list"
            for w in match.words  # "and the last one on the list?"
        )
        last = self.intents.get(state.last_intent or "")
        if bare and (intent is None or (last is not None and last.slot == "force")):
            intent = state.last_intent  # (the last question, not a word of the list's)
        if (intent is None or self.intents[intent].slot != "force") and bare:
            intent = self.overviews.get("force")  # "more on the 2nd one" after the roster
        if intent is None or self.intents[intent].slot != "force":
            return None
        return state.listed[picks[0]], intent

    def _strange(self, match: Match) -> bool:
        """Whether a message names nothing of the page but a town, and has several words the
        bot has never seen ("my landlord wants to inspect the flat with 24 hours notice, is
        that allowed?", "is a domestic flight to manchester cheaper than the train"): it is
        not checked against a fact on the strength of a word or two the page also uses."""
        named = [e for e in match.entities if not (e.kind == "force" and e.alias in self._places)]
        return len(match.unknown) >= STRANGE_UNKNOWN_WORDS and not named

    def _which_force(self, state: ChatState, match: Match, analysis: Analysis) -> Reply | None:
        """The reply to a message that offers forces to choose between by a town, or asks
        about one force without naming it."""
        picked = self._place_picks(match)
        if picked is not None and self.lookup is not None:
            # "rock dale was that gmp or staffs": the force whose area it is
            scored = Scored(self.lookup, 0.0, ())
            return self._answer(state, match, scored, forces=(picked,), rule=Rule.PLACE_PICKS)
        if not match.ids("force") and self._some_force(match, analysis):
            # "tell me about one of the forces": which one?
            return self._clarify(state, match, self.intents[self.overviews["force"]], "force")
        return None

    def _place_picks(self, match: Match) -> str | None:
        """The force a town names, when the message offers two or more forces to choose
        from ("rochdale, was that gmp or staffs?")."""
        if "or" not in match.words:
            return None
        by_place = {e.id for e in match.entities if e.kind == "force" and e.alias in self._places}
        offered = {
            e.id for e in match.entities if e.kind == "force" and e.alias not in self._places
        }
        if len(by_place) != 1 or len(offered) < 2 or not by_place <= offered:
            return None
        return next(iter(by_place))

    def _some_force(self, match: Match, analysis: Analysis) -> bool:
        """Whether the message asks about one force without naming it, and nothing else
        of it: "i want to know about one of the forces", "tell me about the force"."""
        if "force" not in self.overviews or not says(match.words, SOME_FORCE) or match.entities:
            return False
        if not {"force", "forces"}.intersection(match.words):
            return False
        return not {h.id for h in analysis.attributes} - {"forces", "participants"}

    def _named_in(self, text: str) -> tuple[str, ...]:
        """The forces a short reply names, in the order it names them (one pass over its
        words, whatever the number of forces; a long reply lists more than a chat picks
        from)."""
        if len(text) > MAX_LISTING_REPLY:
            return ()
        found = self.matcher.entities.find(tokens(text))
        return tuple(dict.fromkeys(e.id for e in found if e.kind == "force"))

    def _remaining(self, state: ChatState, match: Match) -> tuple[str, str] | None:
        """The one force left for the last question, and that question, in a short message
        naming none: "and the 3rd" after two of the three, "the other one" after one of the
        two forces the page names a report for; or the one a message leaves when it names
        two ("herefordshire, rochdale and what was the 3rd area")."""
        if state.pending or not says(match.words, REMAINING):
            return None
        named = match.ids("force")
        left = [f.id for f in self.knowledge.forces if f.id not in named]
        if len(named) > 1 and len(left) == 1 and match.best is not None:
            spec = self.intents[match.best.intent]
            return (left[0], spec.id) if spec.slot == "force" and not spec.lookup else None
        if match.entities:
            return None
        if len(state.listed) > 1 and _positions(match):
            return None  # "the 3rd" of a list just given is its third
        last = self.intents.get(state.last_intent or "")
        if last is None or last.slot != "force" or not state.topic_forces:
            return None
        if len(match.words) > TUNING.max_follow_up_words:
            return None
        rest = [f.id for f in self.knowledge.forces if f.id not in state.topic_forces]
        if len(rest) > MAX_LISTING_FORCES:
            return None  # "the other one" of many is no one force
        if len(rest) > 1:
            rest = [
                f
                for f in rest
                if ANSWERS[last.answer](self.knowledge, Request(last, (f,))).outcome
                is Outcome.ANSWER
            ]
        return (rest[0], last.id) if len(rest) == 1 else None

    def _strong_other(self, match: Match, pending: str) -> bool:
        """Whether the message clearly asks something else than the pending question."""
        best = match.best
        if best is None or best.intent == pending or best.intent in self.overviews.values():
            return False
        if self.intents[best.intent].kind == "lookup":
            return False
        return best.score >= self.min_score + TUNING.strong_other_margin

    def _answer(
        self,
        state: ChatState,
        match: Match,
        scored: Scored,
        confidence: float | None = None,
        *,
        forces: tuple[str, ...] | None = None,
        bodies: tuple[str, ...] | None = None,
        rule: Rule = Rule.BEST_INTENT,
    ) -> Reply:
        spec = self.intents[scored.intent]
        chosen = forces is not None  # the caller resolved which force is meant
        forces = match.ids("force") if forces is None else forces
        bodies = match.ids("body") if bodies is None else bodies
        confidence = match.confidence(scored) if confidence is None else confidence
        if spec.slot == "force" and not forces and state.forces and says(match.words, OTHER_FORCES):
            # "and the other two?": the forces not talked about yet
            forces = tuple(f.id for f in self.knowledge.forces if f.id not in state.forces)
        singled = singled_out(match.lookup)
        if spec.slot == "force" and not forces and singled and "which" in match.words:
            # "the forces inspected, which was chosen as 'might provide good practice
            # examples'": the one force the words describe
            forces = (singled[0],)
        if spec.slot == "force" and not forces and _asks_about_all(match):
            # "what criteria were used to choose the forces": each of them
            forces = tuple(f.id for f in self.knowledge.forces)
        if spec.slot == "force" and not forces:
            if not spec.slot_optional:
                # "what level of risk were the domestic abuse cases?": only GMP's had them
                singled = singled_out(match.lookup)
                use = singled and not _refers_back(match)
                forces = (singled[0],) if singled and use else state.forces
                # (unless one force is meant: "when was the force's report published?")
                every = spec.all_when_unnamed and not _one_force_meant(match)
                if not forces and (every or not ALL_INSPECTIONS.isdisjoint(match.words)):
                    # "what did the inspections find?": all of them, not a question back
                    forces = tuple(f.id for f in self.knowledge.forces)
                plural = not PLURAL_FOLLOW_UP.isdisjoint(match.words)
                if not forces and len(state.listed) > 1 and plural:
                    # "and the council areas?" after the three forces: each of them
                    forces = state.listed
                roster = self._roster_instead(match)
                if not forces and roster is not None:
                    # "which local authority areas were covered": the list answers for all
                    return self._answer(state, match, roster, rule=rule)
                if not forces:
                    return self._clarify(state, match, spec, "force")
            elif _refers_back(match):
                # "when was that?", "was ofsted there then?": the force just talked about
                forces = state.forces
        if spec.slot == "body" and not bodies:
            bodies = (state.body,) if state.body else ()
            if not bodies:
                return self._clarify(state, match, spec, "body")
        if (spec.lookup and not chosen) or spec.slot != "force":
            # look-ups and answers without a force slot use only the forces named now, or
            # the one a rule resolved ("and the 3rd", "rock dale was that gmp or staffs")
            forces = match.ids("force")
        lookup = match.lookup
        if forces and "which" in match.words:
            # a force named and "which ...": its description is not what is asked ("gmp
            # covers loads of councils, which one did hmic look at" asks its area)
            lookup = {}
        request = Request(spec, forces, bodies[0] if bodies else None, lookup)
        answer = ANSWERS[spec.answer](self.knowledge, request)
        if answer.outcome is Outcome.FALLBACK:
            return self._fallback(state, match, rule=Rule.NOTHING_ON_PAGE)
        return self._finish(state, spec, answer, confidence, match, rule=rule)

    def _finish(
        self,
        state: ChatState,
        spec: IntentSpec,
        answer: Answer,
        confidence: float,
        match: Match | None,
        *,
        rule: Rule,
    ) -> Reply:
        if spec.reply_again and spec.id in state.small_talk:
            answer = replace(answer, text=spec.reply_again)  # "hi" again: no second intro
        if spec.id in self.small_talk and spec.id not in state.small_talk:
            state.small_talk = (*state.small_talk, spec.id)
        if spec.id not in self.small_talk:
            same_topic = state.last_intent == spec.id
            state.last_intent = spec.id
            state.pending = None
            if not same_topic:
                state.topic_forces = ()
            if answer.forces:
                state.forces = answer.forces
            if len(answer.forces) == 1:  # (an answer for every force singles none out)
                state.topic_forces = tuple(dict.fromkeys([*state.topic_forces, *answer.forces]))
            # "which forces were in the pilot?" lists them all: "the second one" picks
            # (a pick leaves the list as it was: "the first one" then "and the last one?")
            if spec.kind == "roster":
                state.listed = tuple(f.id for f in self.knowledge.forces)
            elif len(answer.forces) > 1:
                state.listed = answer.forces
            elif not answer.forces:
                # a general answer naming forces in turn ("In November 2012 HMIC conducted
                # unannounced inspections of ... Staffordshire Police, ...") lists them too
                named = self._named_in(answer.text)
                if len(named) > 1:
                    state.listed = named
            context = self._context_of(state, match, spec.id)
            # the same topic again ("announced or not" after "when were the inspections?")
            # keeps the subject when its words name none
            if same_topic and not context.subject and state.facts.subject:
                context = FactContext(state.facts.subject, inferred=True)
            state.facts = context
            if answer.body:
                state.body = answer.body
        suggestions = answer.suggestions
        if suggestions is None:
            suggestions = self._expand(spec.suggestions, answer.forces)
        slots: dict[str, str] = {}
        if answer.forces:
            slots["force"] = ",".join(answer.forces)
        if answer.body:
            slots["body"] = answer.body
        return self._reply(
            rule=rule,
            text=answer.text,
            intent=spec.id,
            outcome=answer.outcome,
            confidence=confidence,
            source=answer.source,
            suggestions=suggestions[:MAX_SUGGESTIONS],
            slots=slots,
            match=match,
        )

    def _context_of(self, state: ChatState, match: Match | None, intent: str) -> FactContext:
        """The fact context an intent's answer leaves: the fact its question asks, where
        the fact desk reads the question as that same topic ("when was the consultation?"
        leaves the consultation's date, so "and the inspections?" asks theirs)."""
        if match is None:
            return FactContext()
        key = (match.words, match.entities, intent, state.forces)
        cached = self._contexts.get(key)
        if cached is None:
            cached = self._contexts[key] = self._context_uncached(state, match, intent)
        return cached

    def _context_uncached(self, state: ChatState, match: Match, intent: str) -> FactContext:
        analysis = self.analyser.analyse(match)
        found = self.desk.answer(analysis, FactContext(), open_ok=True)
        if found is None and analysis.subjects and not analysis.attributes:
            # "what does hmicfrs stand for?": no fact asked, but "since when?" asks its date
            subject = analysis.subjects[0]
            return FactContext(subject, inferred=True)
        if found is None or self._fact_intent(found) != intent:
            return FactContext()
        if state.forces and found.subject not in state.forces:
            return FactContext()  # the chat is about a force: its facts come first
        hit = next((h for h in analysis.attributes if h.id == found.attribute), None)
        return FactContext(
            found.subject,
            found.attribute,
            polarity=hit.polarity if hit else None,
            option=hit.option if hit else None,
            inferred=True,
            reverse=found.reverse,
        )

    def _expand(self, templates: tuple[str, ...], forces: tuple[str, ...]) -> tuple[str, ...]:
        out: list[str] = []
        for template in templates:
            if "{force}" in template:
                if len(forces) == 1:
                    out.append(template.replace("{force}", self.knowledge.force(forces[0]).name))
            else:
                out.append(template)
        return tuple(out)

    def _roster_instead(self, match: Match) -> Scored | None:
        """The roster intent (every force, and where), when it also answers a question in
        the plural ("which local authority areas were covered"): better than asking which
        force. A question in the singular ("which area was the force inspected in?") asks."""
        if PLURAL_PLACES.isdisjoint(match.words):
            return None
        return next(
            (
                s
                for s in match.ranking
                if self.intents[s.intent].kind == "roster" and s.score >= self.min_score
            ),
            None,
        )

    def _clarify(self, state: ChatState, match: Match, spec: IntentSpec, slot: str) -> Reply:
        state.pending = spec.id
        if slot == "force":
            text, choices = redirects.clarify_force(self.knowledge)
        else:
            text, choices = redirects.clarify_body(self.knowledge)
        return self._reply(
            rule=Rule.CLARIFY,
            text=text,
            intent=CLARIFY,
            outcome=Outcome.CLARIFY,
            confidence=match.confidence(),
            choices=choices,
            match=match,
            slots={"pending": spec.id},
        )

    def _quoted_forces(self, state: ChatState, match: Match) -> Reply | None:
        """ "each authority responsible for individual child protection arrangements - which
        forces does that apply to?": the forces of the page sentences the question quotes
        (not words every force's sentences share, such as "took part in the pilot")."""
        if match.entities or not says(match.words, WHICH_FORCE):
            return None
        sentences = self.sentences.quoted(match.words)
        forces = tuple(dict.fromkeys(s.subject for s in sentences if s.subject))
        if not forces or len(forces) == len(self.knowledge.forces):
            return None
        intent = self.lookup or FACT
        state.forces = state.listed = forces
        state.pending, state.last_intent, state.facts = None, intent, FactContext()
        names = join([f.name for f in self.knowledge.forces if f.id in forces])
        quotes = " ".join(f"\u201c{s.text}\u201d" for s in sentences[:2])
        return self._reply(
            rule=Rule.QUOTED,
            text=f"{names}. The page says: {quotes}",
            intent=intent,
            outcome=Outcome.ANSWER,
            confidence=FOLLOW_UP,
            source=self.knowledge.source.citation,
            suggestions=self._expand(self._overview_suggestions("force"), forces[:1]),
            slots={"force": ",".join(forces)},
            match=match,
        )

    def _force_name(self, force_id: str) -> str | None:
        """A force's full name, by its id."""
        return next((f.name for f in self.knowledge.forces if f.id == force_id), None)

    def _quote(self, state: ChatState, match: Match, found: Found) -> Reply:
        """The page's own sentence, quoted: every sentence of the page can be reached."""
        sentence = found.sentence
        lead = "The page says"
        if sentence.subject is not None:
            state.forces = (sentence.subject,)
            name = self._force_name(sentence.subject)
            if name and name not in sentence.text:
                lead = f"Of {name}, the page says"  # "the force had made ..." is GMP's
        state.pending = None
        return self._reply(
            rule=Rule.PAGE_SENTENCE,
            text=f"{lead}: \u201c{sentence.text}\u201d",
            intent=PAGE_SENTENCE,
            outcome=Outcome.ANSWER,
            confidence=found.coverage,
            source=self.knowledge.source.citation,
            suggestions=self._starter_suggestions(),
            slots={"force": sentence.subject} if sentence.subject else {},
            match=match,
        )

    def _fallback(
        self, state: ChatState, match: Match, *, empty: bool = False, rule: Rule = Rule.TOO_WEAK
    ) -> Reply:
        k = self.knowledge
        forces = match.ids("force")
        if match.ids("other_force") and not empty:
            return self._other_force(state, match, None)
        if empty:
            text = redirects.empty_message()
            suggestions = self._starter_suggestions()
        elif forces:
            text = redirects.not_about_force(k, forces)
            suggestions = self._expand(self._overview_suggestions("force"), forces[:1])
        elif state.fallbacks:
            text = redirects.not_understood_again(k, state.fallbacks)
            suggestions = self._starter_suggestions()
        else:
            text = redirects.not_understood(k)
            suggestions = self._starter_suggestions()
        return self._reply(
            rule=rule,
            text=text,
            intent=FALLBACK,
            outcome=Outcome.FALLBACK,
            confidence=match.confidence(),
            suggestions=suggestions,
            match=match,
        )

    def _other_force(self, state: ChatState, match: Match, best: Scored | None) -> Reply:
        k = self.knowledge
        text = redirects.other_force(k, match.ids("other_force"))
        placed = {
            (e.id, self._place_names[e.alias])
            for e in match.entities
            if e.kind == "force" and e.alias in self._places
        }
        if len(placed) == 1 and self.analyser.analyse(match).form is not Form.OPEN:
            # "it was west midlands police that did herefordshire": No, West Mercia Police
            force, place = next(iter(placed))
            text = f"No \u2014 {place} was {k.force(force).name}'s area. {text}"
        intent = best.intent if best and best.intent in self.lookups else FALLBACK
        return self._reply(
            rule=Rule.OTHER_FORCE,
            text=text,
            intent=intent,
            outcome=Outcome.NOT_ON_PAGE if intent != FALLBACK else Outcome.FALLBACK,
            confidence=match.confidence(best),
            source=k.source.citation,
            suggestions=self._starter_suggestions(),
            match=match,
        )

    def _labels(self, suggestions: tuple[str, ...], slots: dict[str, str]) -> dict[str, str]:
        """Short labels for buttons under an answer about one force: its name is left out."""
        forces = [f for f in slots.get("force", "").split(",") if f]
        if len(forces) != 1:
            return {}
        force = self.knowledge.force(forces[0])
        names = (force.name, force.short_name)
        labels = {text: short_label(text, names) for text in suggestions}
        return {text: label for text, label in labels.items() if label != text}

    def _starter_suggestions(self) -> tuple[str, ...]:
        return self.starter.suggestions[:MAX_SUGGESTIONS] if self.starter else ()

    def _overview_suggestions(self, slot: str) -> tuple[str, ...]:
        overview = self.intents.get(self.overviews.get(slot, ""))
        return overview.suggestions if overview else ()

    def _reply(
        self,
        *,
        text: str,
        intent: str,
        outcome: Outcome,
        confidence: float,
        match: Match | None,
        source: str | None = None,
        suggestions: tuple[str, ...] = (),
        choices: tuple[str, ...] = (),
        slots: dict[str, str] | None = None,
        rule: Rule,
    ) -> Reply:
        runner = match.runner_up if match else None
        best = match.best if match else None
        answered = (intent, (slots or {}).get("force", ""))
        suggestions = tuple(s for s in suggestions if self._button_topic(s) != answered)
        labels = self._labels(suggestions, slots or {})
        chosen = next((s for s in match.ranking if s.intent == intent), None) if match else None
        evidence = tuple(
            Evidence(term, weight)
            for term, weight in (chosen.matched if chosen else ())
            if not term.startswith("(no ")
        )
        missing = next(
            (t[4:-1] for t, _ in (chosen.matched if chosen else ()) if t.startswith("(no ")), None
        )
        for button in (*suggestions, *choices):
            self.button_key(button)
        if outcome not in (Outcome.ANSWER, Outcome.NOT_ON_PAGE) or rule in NO_SOURCE_RULES:
            source = None  # small talk, refusals, "the page doesn't cover that": no source
        return Reply(
            text=text,
            intent=intent,
            outcome=outcome,
            confidence=confidence,
            source=source,
            source_url=self.knowledge.source.url if source else None,
            suggestions=suggestions,
            choices=choices,
            slots=slots or {},
            labels=labels,
            trace=Trace(
                rule=rule,
                normalised=match.normalised if match else "",
                best_intent=best.intent if best else None,
                score=best.score if best else 0.0,
                runner_up=runner.intent if runner else None,
                runner_up_score=runner.score if runner else 0.0,
                evidence=evidence,
                missing_slot=missing,
                typed=match.typed if match else "",
            ),
        )


def _asks_unknown_role(match: Match) -> bool:
    """Whether a "who ...?" asks a role no word of the bot knows: "who chaired the
    consultation?", "who funded the pilot?". The answer about the subject is then what the
    page does say, after saying plainly it gives no more."""
    words = without_filler(match.words)
    if not words or words[0] not in ("who", "whom"):
        return False
    rest = [w for w in words[1:3] if w not in AUXILIARIES]
    return bool(rest) and rest[0] in match.unknown


def _only_asks_an_attribute(match: Match, analysis: Analysis) -> bool:
    """Whether a short message names an attribute and nothing else ("announced when",
    "report date?"), so it asks that of the subject the chat is about."""
    return (
        bool(analysis.attributes)
        and not analysis.subjects
        and not match.entities
        and not match.unknown
        and len(match.words) <= SHORT_FOLLOW_UP_WORDS
        and not says(match.words, OTHER_FORCES)
        and OTHERS_ASKED.isdisjoint(match.words)  # "and where else"
    )


# How close to the best intent's score a force's topic must come to answer instead of it.
FORCE_TOPIC_SHARE = 0.6

# Bodies one open question may ask about at once ("hmi probation and hmi prisons, what did
# they do here"); more is a list the consultation answer gives better.
MAX_BODIES_ASKED = 2

# Words a follow-up that only names an attribute may have ("who announced it then").
SHORT_FOLLOW_UP_WORDS = 4


# Unknown words that make a message naming nothing of the page another matter ("landlord",
# "flat", "allowed"); two may be an idiom ("a clean bill of health").
STRANGE_UNKNOWN_WORDS = 3


def _about_own_things(match: Match) -> bool:
    """Whether the message is about something of the asker's own ("my car", "my gp", "my
    mum", "my son's school": a word the bot does not know, or one of OWN_THINGS), naming no
    force ("my constituent is asking when West Mercia Police were inspected" is about the
    page)."""
    words = match.words
    if match.ids("force") or match.ids("other_force") or "my" not in words:
        return False
    if without_filler(words)[:2] in ASKING_FOR_MYSELF:
        return True  # "can i defer my uni place for a year"
    own = set(match.unknown) | OWN_THINGS
    return any(
        word == "my"
        and set(words[i + 1 : i + 3]) & own
        # (not who passes a claim on: "my mate says hmic found nothing to improve")
        and not RELAYED.intersection(words[i + 1 : i + 4])
        for i, word in enumerate(words)
    )


def _for_myself(match: Match) -> bool:
    """Whether the message asks something for the asker's own life: "can i defer my uni
    place till next september" (not "for my uni assignment: which inspectorate ...")."""
    words = match.words
    return (
        "my" in words
        and without_filler(words)[:2] in ASKING_FOR_MYSELF
        and not match.ids("force")
        and not match.ids("body")
    )


def _date_words(words: tuple[str, ...]) -> frozenset[str]:
    """The months and years among ``words``."""
    said = assertion(words)
    return said.months | said.years


def _asks_more(match: Match) -> bool:
    """Whether the message only asks for more: "tell me more", "anything else?" (not "what
    else did they find", a question of its own)."""
    if match.entities or not says(match.words, MORE):
        return False
    return set(match.words) - _MORE_WORDS <= MORE_FILLER


_MORE_WORDS = frozenset(w for phrase in MORE for w in phrase)


def _positions(match: Match) -> list[int]:
    """The positions the message names: "the second one", "2", "the last" (-1).

    "one" after an ordinal ("the second one", normalised "second 1") is no position, nor
    "two" in "the other two"."""
    words = match.words
    return [
        ORDINALS[w]
        for i, w in enumerate(words)
        if w in ORDINALS
        and not (w == "1" and i > 0 and words[i - 1] in ORDINALS)
        and not (i > 0 and words[i - 1] == "other")  # "the other two" are no position
        # "which one did they look at" asks which, and "the later one" is no position:
        # "1" is one only alone or after a word that picks ("number 1", "and 1")
        and not (w == "1" and i > 0 and words[i - 1] not in PICK_WORDS)
        # "which came out first?" asks the order, not for the first of the list (but "which
        # council area for the last one" picks it)
        and not (
            w in ("first", "last")
            and without_filler(words)[:1] in (("which",), ("what",))
            and words[i + 1 : i + 2] != ("1",)
        )
    ]


def _refers_back(match: Match) -> bool:
    """Whether the message points at what was just said ("that", "they") or is very short."""
    return len(match.words) <= TUNING.short_follow_up or any(w in REFERENTS for w in match.words)


def _one_force_meant(match: Match) -> bool:
    """Whether the message points at one force it does not name ("the force's report",
    "their report", "that one")."""
    return says(match.words, ONE_FORCE_MEANT) or any(w in REFERENTS for w in match.words)


def _asks_about_all(match: Match) -> bool:
    """Whether the question is about every force at once ("the forces", "all three")."""
    return says(match.words, ALL_FORCES)


def _only_generic(scored: Scored) -> bool:
    """Whether an intent's evidence is only words asking when or what, or naming a month
    (a year is the page's own: "october 2011" is its period)."""
    terms = [term for term, _ in scored.matched if not term.startswith("(")]
    return bool(terms) and all(word in _GENERIC_STEMS for term in terms for word in term.split())


_GENERIC_STEMS = frozenset(stem(w) for w in GENERIC_EVIDENCE)


def _unpenalised(scored: Scored) -> float:
    """The score without the missing-slot penalty: a clarifying question can supply it."""
    return scored.score - sum(w for k, w in scored.matched if k.startswith("(no "))


def _context_kinds(state: ChatState, text: str = "") -> frozenset[str]:
    """The slot kinds the chat's context (or "the forces" in ``text``) can fill."""
    kinds = set()
    if says(tokens(text), ALL_FORCES):
        kinds.add("force")
    if state.forces:
        kinds.add("force")
    if state.body:
        kinds.add("body")
    return frozenset(kinds)
