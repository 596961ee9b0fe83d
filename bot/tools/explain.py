"""Why the bot answered a question the way it did: match, context, decision and reason."""

from __future__ import annotations

import textwrap
from dataclasses import asdict, dataclass

from bot.dialogue.assistant import (
    BODY_INFO,
    FOLLOW_UP_FILLER,
    FORCE_OVERVIEW,
    SMALL_TALK_MIN_SCORE,
    Assistant,
    ChatState,
)
from bot.dialogue.reply import Outcome, Reply
from bot.lang.text import tokens
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
        decision=reply.outcome,
        reason=_reason(assistant, state, match, reply),
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
    elif (
        state.last_intent
        and _is_bare_entity(match)
        and (reply.intent == state.last_intent or reply.intent not in (FORCE_OVERVIEW, BODY_INFO))
    ):
        used.append(f"continues the last question ({state.last_intent})")
    return tuple(used)


def _reason(assistant: Assistant, state: ChatState, match: Match, reply: Reply) -> str:
    """The evidence for the decision, in words."""
    best = match.best
    min_score, min_confidence = assistant.min_score, assistant.min_confidence
    confidence = match.confidence()
    others = match.ids("other_force")
    if not match.words:
        return "the message has no words to match"
    if reply.outcome is Outcome.CLARIFY:
        pending = reply.slots.get("pending", "?")
        spec = assistant.intents.get(pending)
        slot = spec.slot if spec and spec.slot else "detail"
        return (
            f"{pending} needs a {slot}: the question names none and the chat has none in "
            f"context, so the bot asks which"
        )
    if "not_covered" in reply.slots:
        return f"the question raises {reply.slots['not_covered']}, which the page does not cover"
    if others and reply.outcome in (Outcome.FALLBACK, Outcome.NOT_ON_PAGE):
        return f"it names {', '.join(others)}, a force the page does not cover"
    if reply.outcome is Outcome.FALLBACK:
        if best is None:
            return "no intent's keywords matched"
        if best.score < min_score:
            return (
                f"the best intent, {best.intent}, scored {best.score:g}, below the minimum "
                f"{min_score:g}"
            )
        if confidence < min_confidence:
            unknown = (
                f" ({len(match.unknown)} unknown: {', '.join(match.unknown)})"
                if match.unknown
                else ""
            )
            return (
                f"the best intent, {best.intent}, scored {best.score:g}, but its confidence "
                f"{confidence:.2f}{unknown} is below the minimum {min_confidence:.2f}"
            )
        return f"{best.intent} scored enough, but the page has nothing on it for this question"
    if best is None or reply.intent != best.intent:
        return _dialogue_reason(state, match, reply, best)
    if reply.outcome is Outcome.NOT_ON_PAGE:
        return f"{best.intent} scored {best.score:g}; the page says nothing on this point"
    if best.score < min_score:
        return (
            f"short small talk: {best.intent} scored {best.score:g}, enough for small talk "
            f"(minimum {SMALL_TALK_MIN_SCORE:g})"
        )
    runner = match.runner_up
    behind = f"; runner-up {runner.intent} scored {runner.score:g}" if runner else ""
    return (
        f"{best.intent} scored {best.score:g} (minimum {min_score:g}) with confidence "
        f"{confidence:.2f} (minimum {min_confidence:.2f}){behind}"
    )


def _dialogue_reason(state: ChatState, match: Match, reply: Reply, best: Scored | None) -> str:
    """Why the dialogue answered another intent than the best-scoring one."""
    names = ", ".join(e.alias for e in match.entities)
    instead = f" (instead of the best-scoring {best.intent})" if best else ""
    if state.pending == reply.intent and match.entities:
        return f"{names} answers the clarifying question the bot asked about {reply.intent}"
    if _is_bare_entity(match):
        if reply.intent in (state.last_intent, state.pending):
            return f"only {names} and filler words: the same question as before, about {names}"
        if reply.intent in (FORCE_OVERVIEW, BODY_INFO):
            return f"only {names} and filler words, with nothing to continue: an overview"
        if state.last_intent:
            return (
                f"only {names} and filler words: a follow-up of the last question "
                f"({state.last_intent}), answered as {reply.intent}"
            )
    return f"the dialogue rules chose {reply.intent}{instead}"


def _is_bare_entity(match: Match) -> bool:
    """Only an entity and filler words: "what about west mercia?"."""
    if not match.entities or match.ids("other_force"):
        return False
    return all(w in FOLLOW_UP_FILLER for w in match.non_entity_words())


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
