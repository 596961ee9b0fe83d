"""Why the bot answered a question the way it did: match, context, decision and reason."""

from __future__ import annotations

import textwrap
from dataclasses import asdict, dataclass

from bot.dialogue.assistant import Assistant, ChatState
from bot.dialogue.reply import Outcome, Reply, Rule
from bot.lang.text import tokens
from bot.nlu.analysis import Analysis
from bot.nlu.entities import Entity
from bot.nlu.matcher import Match, Scored

# Intents shown with their score breakdown.
TOP_INTENTS = 5
LABEL_WIDTH = 12  # column where values start in the plain-text output
WRAP = 88  # columns for the wrapped reply text


@dataclass(frozen=True, slots=True)
class Explanation:
    """Everything that went into one reply."""

    question: str
    normalised: str  # the question's own words, normalised
    match: Match  # what was scored: the question, plus the last topic for a vague follow-up
    context: ChatState  # the chat's context before the question
    context_used: tuple[str, ...]
    analysis: Analysis  # the question read at the level of facts
    decision: Outcome
    reason: str
    reply: Reply
    min_score: float
    min_confidence: float

    @property
    def top(self) -> tuple[Scored, ...]:
        """The best intents, with the keywords that scored."""
        return self.match.ranking[:TOP_INTENTS]


def explain(assistant: Assistant, text: str, chat_id: str = "explain") -> Explanation:
    """Explain the reply ``assistant`` would give ``text`` in chat ``chat_id`` (unchanged)."""
    state = assistant.context(chat_id)
    match, reply = assistant.preview(chat_id, text)
    normalised = " ".join(tokens(text))
    used = _context_used(assistant, state, match, reply, normalised)
    return Explanation(
        question=text,
        normalised=normalised,
        match=match,
        context=state,
        context_used=used,
        analysis=assistant.analyser.analyse(match),
        decision=reply.outcome,
        reason=_reason(reply, match, assistant.min_score, assistant.min_confidence),
        reply=reply,
        min_score=assistant.min_score,
        min_confidence=assistant.min_confidence,
    )


def _context_used(
    assistant: Assistant, state: ChatState, match: Match, reply: Reply, normalised: str
) -> tuple[str, ...]:
    used: list[str] = []
    if match.normalised != normalised:
        spec = assistant.intents.get(state.last_intent or "")
        topic = spec.topic if spec and spec.topic else match.normalised[len(normalised) :].strip()
        used.append(f"vague follow-up of {state.last_intent}: read with its topic {topic!r}")
    named_forces = match.ids("force")
    forces = reply.slots.get("force", "")
    if forces and not named_forces:
        used.append(f"force {forces} from the chat's context")
    body = reply.slots.get("body")
    if body and not match.ids("body"):
        used.append(f"body {body} from the chat's context")
    if state.pending and reply.intent == state.pending:
        used.append(f"answers the pending clarifying question ({state.pending})")
    elif state.last_intent and reply.trace.rule is Rule.BARE_ENTITY:
        used.append(f"continues the last question ({state.last_intent})")
    return tuple(used)


def _reason(reply: Reply, match: Match, min_score: float, min_confidence: float) -> str:
    """The decision's trace in words: the rule that fired and the evidence it weighed."""
    trace = reply.trace
    rule = trace.rule
    if rule is None:
        return "no rule recorded"
    names = ", ".join(e.alias for e in match.entities)
    words = [rule.value]
    if rule is Rule.TOO_WEAK:
        if trace.best_intent is None:
            return "no intent's keywords matched"
        if trace.score < min_score:
            return (
                f"the best intent, {trace.best_intent}, scored {trace.score:g}, below the "
                f"minimum {min_score:g}"
            )
        unknown = (
            f" ({len(match.unknown)} unknown: {', '.join(match.unknown)})" if match.unknown else ""
        )
        return (
            f"the best intent, {trace.best_intent}, scored {trace.score:g}, but its confidence "
            f"{reply.confidence:.2f}{unknown} is below the minimum {min_confidence:.2f}"
        )
    if rule in (Rule.BEST_INTENT, Rule.SMALL_TALK, Rule.FORCE_FOLLOW_UP) and trace.best_intent:
        words.append(
            f"{trace.best_intent} scored {trace.score:g} (minimum {min_score:g}); "
            f"confidence {reply.confidence:.2f} (minimum {min_confidence:.2f})"
        )
        if trace.runner_up:
            words.append(f"runner-up {trace.runner_up} scored {trace.runner_up_score:g}")
    elif rule is Rule.CLARIFY:
        words.append(f"{reply.slots.get('pending', '?')} needs a {trace.missing_slot or 'force'}")
    elif rule is Rule.NOT_COVERED and "not_covered" in reply.slots:
        words.append(reply.slots["not_covered"])
    elif rule is Rule.OTHER_FORCE:
        words.append(f"{', '.join(match.ids('other_force'))}, a force the page does not cover")
    elif rule in (Rule.BARE_ENTITY, Rule.OVERVIEW, Rule.PENDING_FILLED) and names:
        words.append(f"{names}, answered as {reply.intent}")
    if trace.missing_slot and rule is not Rule.CLARIFY:
        words.append(f"no {trace.missing_slot} named")
    return "; ".join(words)


# ---------------------------------------------------------------------- output


def format_text(ex: Explanation) -> str:
    """The explanation as plain text, one labelled line per part."""
    m = ex.match
    lines = [
        _line("question", ex.question),
        _line("normalised", ex.normalised),
        _line("corrections", ", ".join(f"{a} -> {b}" for a, b in m.corrections) or "none"),
        _line("unknown", ", ".join(m.unknown) or "none"),
        _line("entities", "; ".join(_entity(e) for e in m.entities) or "none"),
    ]
    if m.not_covered:
        lines.append(_line("not covered", ", ".join(m.not_covered)))
    lines.append(_line("analysis", _analysis(ex.analysis)))
    lines.append(_line("context", _state(ex.context)))
    for item in ex.context_used:
        lines.append(_line("", f"used: {item}"))
    lines.append(_line("intents", "none scored" if not ex.top else f"top {len(ex.top)}"))
    width = max((len(s.intent) for s in ex.top), default=0)
    for scored in ex.top:
        parts = " + ".join(f"{k} {w:g}" for k, w in scored.matched)
        lines.append(
            f"  {scored.intent:<{width}} {scored.score:>5g}  "
            f"conf {m.confidence(scored):.2f}  = {parts}"
        )
    lines.append(
        _line(
            "decision", f"{ex.decision} -> {ex.reply.intent}, confidence {ex.reply.confidence:.2f}"
        )
    )
    lines += _wrapped("reason", ex.reason)
    lines.append(_line("thresholds", f"score {ex.min_score:g}, confidence {ex.min_confidence:.2f}"))
    lines += _wrapped("reply", ex.reply.text)
    if ex.reply.source:
        lines += _wrapped("source", ex.reply.source)
    return "\n".join(lines)


def to_json(ex: Explanation) -> dict[str, object]:
    """The explanation as a JSON-ready dict."""
    m = ex.match
    return {
        "question": ex.question,
        "normalised": ex.normalised,
        "matched_text": m.normalised,
        "corrections": [list(pair) for pair in m.corrections],
        "unknown": list(m.unknown),
        "entities": [
            {"kind": e.kind, "id": e.id, "alias": e.alias, "score": e.score} for e in m.entities
        ],
        "not_covered": list(m.not_covered),
        "analysis": {
            "form": str(ex.analysis.form),
            "subjects": list(ex.analysis.subjects),
            "attributes": [asdict(hit) for hit in ex.analysis.attributes],
            "asserted": _asserted(ex.analysis),
        },
        "context": asdict(ex.context),
        "context_used": list(ex.context_used),
        "intents": [
            {
                "intent": s.intent,
                "score": s.score,
                "confidence": m.confidence(s),
                "keywords": [{"term": k, "weight": w} for k, w in s.matched],
            }
            for s in ex.top
        ],
        "decision": str(ex.decision),
        "intent": ex.reply.intent,
        "confidence": ex.reply.confidence,
        "reason": ex.reason,
        "thresholds": {"score": ex.min_score, "confidence": ex.min_confidence},
        "reply": ex.reply.text,
        "source": ex.reply.source,
        "slots": ex.reply.slots,
    }


def _asserted(analysis: Analysis) -> dict[str, list[str]]:
    a = analysis.asserted
    values = {
        "months": sorted(a.months),
        "years": sorted(a.years),
        "numbers": [str(n) for n in sorted(a.numbers)],
        "places": list(a.places),
        "entities": list(a.entities),
        "other_forces": list(a.other_forces),
        # who the question says did it ("by ofsted" when said in the passive)
        "actor": [f"by {a.actor}" if a.by_actor else a.actor] if a.actor else [],
    }
    return {kind: items for kind, items in values.items() if items}


def _analysis(analysis: Analysis) -> str:
    """Form, subjects, attributes and asserted values on one line."""
    parts = [f"form {analysis.form}"]
    if analysis.subjects:
        parts.append("subjects " + ", ".join(analysis.subjects))
    if analysis.attributes:
        hits = []
        for hit in analysis.attributes:
            extra = "" if hit.polarity is None else (" +" if hit.polarity else " -")
            extra += f" ({hit.option}{', turned' if hit.turned else ''})" if hit.option else ""
            hits.append(f"{hit.id}{extra}")
        parts.append("attributes " + ", ".join(hits))
    asserted = _asserted(analysis)
    if asserted:
        parts.append("asserts " + "; ".join(f"{k} {', '.join(v)}" for k, v in asserted.items()))
    return "; ".join(parts)


def _line(label: str, value: str) -> str:
    return f"{label:<{LABEL_WIDTH}}{value}".rstrip()


def _wrapped(label: str, value: str) -> list[str]:
    """A labelled value wrapped to WRAP columns, continued under the value."""
    parts = textwrap.wrap(value, WRAP - LABEL_WIDTH) or [""]
    return [_line(label, parts[0]), *(_line("", rest) for rest in parts[1:])]


def _entity(e: Entity) -> str:
    return f"{e.kind} {e.id} <- {e.alias!r} ({e.score:g})"


def _state(state: ChatState) -> str:
    parts = [
        f"last intent {state.last_intent}" if state.last_intent else "",
        f"forces {', '.join(state.forces)}" if state.forces else "",
        f"body {state.body}" if state.body else "",
        f"pending {state.pending}" if state.pending else "",
    ]
    return "; ".join(p for p in parts if p) or "none (a new chat)"
