"""Runs a labelled question file through the core and measures how well it answers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.dialogue.assistant import Assistant
from bot.dialogue.reply import Outcome, Reply
from bot.schema.yamlfile import DataError, Fields, Problem, read_yaml
from bot.tools.expectations import EXPECTATIONS, OFF_TOPIC, Verdict, judge

# Expected labels that mean "do not answer with a fact".
REJECT = "fallback"
CLARIFY = "clarify"


@dataclass(frozen=True, slots=True)
class Turn:
    """One labelled message."""

    conversation: str
    question: str
    intent: str
    force: str | None
    body: str | None
    # a content label instead of an intent (see bot.tools.expectations)
    expect: str | None = None
    must_say: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Result:
    """One turn's expected and actual outcome."""

    turn: Turn
    reply: Reply

    @property
    def got_forces(self) -> frozenset[str]:
        """The forces the reply was about."""
        value = self.reply.slots.get("force", "")
        return frozenset(value.split(",")) if value else frozenset()

    @property
    def verdict(self) -> Verdict | None:
        """The content judgement, for a turn labelled with ``expect``."""
        if self.turn.expect is None:
            return None
        return judge(
            self.reply,
            str(self.reply.outcome),
            self.turn.expect,
            self.turn.force,
            self.turn.must_say,
        )

    @property
    def correct(self) -> bool:
        """Right intent, and right force and body where the label names one."""
        verdict = self.verdict
        if verdict is not None:
            return verdict.ok
        if self.turn.intent == REJECT and self.reply.outcome is Outcome.NOT_ON_PAGE:
            return True  # declined: the page's silence said plainly, no fact given
        if self.reply.intent != self.turn.intent:
            return False
        if self.turn.force and self.got_forces != {self.turn.force}:
            return False
        return not (self.turn.body and self.reply.slots.get("body") != self.turn.body)

    @property
    def wrong_fact(self) -> bool:
        """An answer about a force other than the one asked about: the worst mistake."""
        verdict = self.verdict
        if verdict is not None:
            return verdict.wrong_subject
        if self.reply.outcome not in (Outcome.ANSWER, Outcome.NOT_ON_PAGE):
            return False
        got = self.got_forces
        if not got:
            return False
        return self.turn.force is None or got != {self.turn.force}

    @property
    def wrong_force(self) -> bool:
        """Facts about a different force than the one the question was about."""
        return self.wrong_fact and self.turn.force is not None


@dataclass(slots=True)
class Report:
    """Aggregate figures for one evaluation run."""

    results: list[Result] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Share of turns answered with the right intent and slots."""
        return sum(r.correct for r in self.results) / max(len(self.results), 1)

    @property
    def wrong_forces(self) -> list[Result]:
        """Turns answered with another force's facts."""
        return [r for r in self.results if r.wrong_force]

    @property
    def off_topic_rejection(self) -> float:
        """Share of turns labelled fallback that the bot did not answer with a fact."""
        off = [r for r in self.results if r.turn.intent in (REJECT, OFF_TOPIC)]
        rejected = [r for r in off if r.reply.outcome in (Outcome.FALLBACK, Outcome.NOT_ON_PAGE)]
        return len(rejected) / max(len(off), 1)

    def per_intent(self) -> dict[str, tuple[float, float, int]]:
        """intent -> (precision, recall, support)."""
        expected = Counter(r.turn.intent for r in self.results)
        predicted = Counter(r.reply.intent for r in self.results)
        hits = Counter(r.turn.intent for r in self.results if r.correct)
        out = {}
        for intent in sorted(set(expected) | set(predicted)):
            precision = hits[intent] / predicted[intent] if predicted[intent] else 0.0
            recall = hits[intent] / expected[intent] if expected[intent] else 0.0
            out[intent] = (precision, recall, expected[intent])
        return out

    def confusions(self) -> list[tuple[tuple[str, str], int]]:
        """(expected, got) pairs that were wrong, most frequent first."""
        pairs = Counter((r.turn.intent, r.reply.intent) for r in self.results if not r.correct)
        return pairs.most_common()

    def format(self, *, show_errors: bool = True) -> str:
        """The report as plain text."""
        lines = [f"{'intent':<20} {'precision':>9} {'recall':>7} {'n':>4}"]
        for intent, (precision, recall, support) in self.per_intent().items():
            lines.append(f"{intent:<20} {precision:>9.2f} {recall:>7.2f} {support:>4}")
        lines.append("")
        lines.append("confused pairs (expected -> got):")
        for (expected, got), n in self.confusions() or [(("none", "none"), 0)]:
            lines.append(f"  {expected} -> {got}: {n}" if n else "  none")
        if show_errors:
            lines.append("")
            lines.append("errors:")
            for r in self.results:
                if not r.correct:
                    got = r.reply.intent + (f" {r.reply.slots}" if r.reply.slots else "")
                    want = r.turn.intent + (f" force={r.turn.force}" if r.turn.force else "")
                    lines.append(
                        f"  [{r.turn.conversation}] {r.turn.question!r}: want {want}, got {got}"
                    )
        lines.append("")
        correct = sum(r.correct for r in self.results)
        lines.append(f"turns: {len(self.results)}")
        lines.append(f"accuracy: {self.accuracy:.1%} ({correct}/{len(self.results)})")
        lines.append(f"off-topic rejection: {self.off_topic_rejection:.1%}")
        lines.append(f"wrong-force answers: {len(self.wrong_forces)}")
        return "\n".join(lines)


def load_turns(path: Path) -> list[list[Turn]]:
    """The conversations of a labelled file; raise DataError naming entry and field."""
    doc = read_yaml(path, path.name)
    problems: list[Problem] = []
    conversations: list[list[Turn]] = []
    for conv in Fields(doc, (), problems).items("conversations"):
        conv_id = conv.text("id")
        turns = []
        for turn in conv.items("turns"):
            expect = turn.optional_text("expect")
            if expect is not None and expect not in EXPECTATIONS:
                turn.fail("expect", f"expected one of {', '.join(EXPECTATIONS)}")
            turns.append(
                Turn(
                    conv_id,
                    turn.text("q"),
                    turn.text("intent") if expect is None else expect,
                    turn.optional_text("force") or turn.optional_text("about"),
                    turn.optional_text("body"),
                    expect,
                    turn.texts("must_say", required=False),
                )
            )
        conv.optional_text("category")
        conversations.append(turns)
    if problems:
        raise DataError(problems)
    return conversations


def evaluate(assistant: Assistant, conversations: list[list[Turn]]) -> Report:
    """Run every conversation in a fresh chat and collect the results."""
    report = Report()
    for index, turns in enumerate(conversations):
        chat = f"eval-{index}"
        assistant.reset(chat)
        for turn in turns:
            report.results.append(Result(turn, assistant.reply(chat, turn.question)))
        assistant.reset(chat)
    return report
