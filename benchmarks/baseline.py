"""The baseline most teams write first: rapidfuzz extractOne over intents.yaml's examples.

It runs on the same questions as the bot, in the same process, with a cut-off tuned on
tests/data/questions.yaml by a sweep; a question below the cut-off counts as "fallback".
Accuracy is the share of turns whose intent is right (a baseline finds no force, so the
bot's stricter intent-and-slot accuracy is reported beside it). A baseline has no
context, so accuracy is also reported on first turns alone, where context cannot help.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from rapidfuzz import fuzz, process, utils

from benchmarks.common import Latency, Options, Row, Section, question_files, us
from benchmarks.core_latency import time_pass
from bot.dialogue.assistant import Assistant
from bot.tools.evaluation import REJECT, Turn, evaluate, load_turns

Scorer = Callable[..., float]
SCORERS: dict[str, Scorer] = {"WRatio": fuzz.WRatio, "token_set_ratio": fuzz.token_set_ratio}
# Cut-offs tried by the sweep (rapidfuzz scores are 0..100).
CUTOFFS = tuple(float(c) for c in range(0, 101))
# Timed passes over all questions.
PASSES = 5
QUICK_PASSES = 2
# What "beats it by a wide margin" means here: 15 points of intent accuracy on each file.
MIN_MARGIN = 0.15


@dataclass(frozen=True, slots=True)
class Baseline:
    """extractOne over every example question, each labelled with its intent."""

    scorer: Scorer
    cutoff: float
    choices: dict[int, str]  # example index -> example, pre-processed once
    labels: tuple[str, ...]  # example index -> intent

    @classmethod
    def build(cls, assistant: Assistant, scorer: Scorer, cutoff: float = 0.0) -> Baseline:
        """Index every example of every intent."""
        examples = [(ex, spec.id) for spec in assistant.intents.values() for ex in spec.examples]
        choices = {i: utils.default_process(text) for i, (text, _) in enumerate(examples)}
        return cls(scorer, cutoff, choices, tuple(intent for _, intent in examples))

    def best(self, question: str) -> tuple[str, float]:
        """The intent of the closest example and its score (cut-off not applied)."""
        query = utils.default_process(question)
        found = process.extractOne(query, self.choices, scorer=self.scorer, processor=None)
        if found is None:
            return REJECT, 0.0
        return self.labels[found[2]], float(found[1])

    def classify(self, question: str) -> str:
        """The baseline's answer: an intent, or "fallback" below the cut-off."""
        query = utils.default_process(question)
        found = process.extractOne(
            query, self.choices, scorer=self.scorer, processor=None, score_cutoff=self.cutoff
        )
        return REJECT if found is None else self.labels[found[2]]


def tune(baseline: Baseline, turns: Sequence[Turn]) -> tuple[float, float]:
    """The cut-off with the best intent accuracy on ``turns``, and that accuracy."""
    best = [baseline.best(t.question) for t in turns]
    results: list[tuple[float, float]] = []
    for cutoff in CUTOFFS:
        right = sum(
            (intent if score >= cutoff else REJECT) == turn.intent
            for (intent, score), turn in zip(best, turns, strict=True)
        )
        results.append((right / len(turns), cutoff))
    accuracy, cutoff = max(results, key=lambda r: (r[0], -r[1]))
    return cutoff, accuracy


@dataclass(frozen=True, slots=True)
class Accuracy:
    """Accuracies on one labelled file: all turns and first turns only."""

    turns: int
    first_turns: int
    intent: float
    first_turns_intent: float
    intent_and_slots: float | None = None  # the bot only: right intent, force and body
    first_turns_intent_and_slots: float | None = None


def share(flags: Sequence[bool]) -> float:
    """The share of true flags."""
    return sum(flags) / max(len(flags), 1)


def bot_accuracy(assistant: Assistant, conversations: list[list[Turn]]) -> Accuracy:
    """The bot through the same evaluation as ``python -m bot eval``."""
    report = evaluate(assistant, conversations)
    first_ids = {id(conv[0]) for conv in conversations if conv}
    firsts = [r for r in report.results if id(r.turn) in first_ids]
    return Accuracy(
        turns=len(report.results),
        first_turns=len(firsts),
        intent=share([r.reply.intent == r.turn.intent for r in report.results]),
        first_turns_intent=share([r.reply.intent == r.turn.intent for r in firsts]),
        intent_and_slots=report.accuracy,
        first_turns_intent_and_slots=share([r.correct for r in firsts]),
    )


def baseline_accuracy(baseline: Baseline, conversations: list[list[Turn]]) -> Accuracy:
    """The baseline on every turn, each on its own (it keeps no context)."""
    turns = [t for conv in conversations for t in conv]
    firsts = [conv[0] for conv in conversations if conv]
    return Accuracy(
        turns=len(turns),
        first_turns=len(firsts),
        intent=share([baseline.classify(t.question) == t.intent for t in turns]),
        first_turns_intent=share([baseline.classify(t.question) == t.intent for t in firsts]),
    )


def time_baseline(baseline: Baseline, conversations: list[list[Turn]], passes: int) -> Latency:
    """Per-question time of the baseline over every turn, ``passes`` times."""
    questions = [t.question for conv in conversations for t in conv]
    for question in questions:  # warm-up, as for the bot
        baseline.classify(question)
    clock = time.perf_counter_ns
    samples: list[int] = []
    for _ in range(passes):
        for question in questions:
            start = clock()
            baseline.classify(question)
            samples.append(clock() - start)
    return Latency.of_ns(samples)


def _pair(a: Accuracy) -> str:
    return f"{a.intent:.1%} / {a.first_turns_intent:.1%}"


def run(options: Options) -> Section:
    """Accuracy and speed of the bot and of the baseline, side by side."""
    section = Section("baseline")
    assistant = Assistant.load(options.root)
    files = {name: load_turns(options.root / name) for name in question_files(options.root)}
    dev = next(iter(files))
    everything = [conv for convs in files.values() for conv in convs]
    passes = QUICK_PASSES if options.quick else PASSES

    bot = {name: bot_accuracy(assistant, convs) for name, convs in files.items()}
    time_pass(assistant, everything)  # warm-up
    bot_samples: list[int] = []
    for _ in range(passes):
        bot_samples += time_pass(assistant, everything)
    bot_speed = Latency.of_ns(bot_samples)

    tuning = [t for conv in files[dev] for t in conv]
    results: dict[str, tuple[Baseline, float, dict[str, Accuracy], Latency]] = {}
    for name, scorer in SCORERS.items():
        cutoff, tuned = tune(Baseline.build(assistant, scorer), tuning)
        baseline = Baseline.build(assistant, scorer, cutoff)
        accuracies = {f: baseline_accuracy(baseline, convs) for f, convs in files.items()}
        results[name] = (baseline, tuned, accuracies, time_baseline(baseline, everything, passes))

    section.data = {
        "examples": len(Baseline.build(assistant, fuzz.ratio).labels),
        "bot": {"accuracy": {f: asdict(a) for f, a in bot.items()}, "latency": bot_speed.json()},
        "baselines": {
            name: {
                "cutoff": b.cutoff,
                "tuned_accuracy_on_questions": tuned,
                "accuracy": {f: asdict(a) for f, a in acc.items()},
                "latency": speed.json(),
            }
            for name, (b, tuned, acc, speed) in results.items()
        },
    }
    rows = section.rows
    names = " ; ".join(Path(f).stem for f in files)
    rows.append(
        Row(
            f"bot: intent accuracy, all / first turns ({names})",
            " ; ".join(_pair(bot[f]) for f in files),
        )
    )
    rows.append(
        Row(
            f"bot: intent+force+body accuracy, as eval ({names})",
            " ; ".join(f"{bot[f].intent_and_slots:.1%}" for f in files),
        )
    )
    rows.append(Row("bot: p50 / p99", f"{us(bot_speed.p50_us)} / {us(bot_speed.p99_us)}"))
    for name, (b, _, acc, speed) in results.items():
        label = f"baseline {name}, cut-off {b.cutoff:.0f}"
        rows.append(
            Row(
                f"{label}: intent accuracy, all / first turns",
                " ; ".join(_pair(acc[f]) for f in files),
            )
        )
        rows.append(Row(f"{label}: p50 / p99", f"{us(speed.p50_us)} / {us(speed.p99_us)}"))
    best = max(results, key=lambda n: results[n][1])
    _, _, best_acc, best_speed = results[best]
    margin = min(bot[f].intent - best_acc[f].intent for f in files)
    rows.append(
        Row(
            f"bot minus best baseline ({best}), intent accuracy, worst file",
            f"{margin * 100:+.1f} points",
            ">= +15 points",
            margin >= MIN_MARGIN,
        )
    )
    rows.append(
        Row(
            f"bot speed vs {best} (p50)",
            f"{best_speed.p50_us / bot_speed.p50_us:.1f}x as fast",
            ">= 1x",
            bot_speed.p50_us <= best_speed.p50_us,
        )
    )
    return section
