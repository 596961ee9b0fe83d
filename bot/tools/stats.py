"""Admin commands' logic (who is an admin, /stats text), with no Telegram import."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.dialogue.reply import Outcome
from bot.settings import ADMIN_IDS_VAR
from bot.storage.question_log import DailyCount, NullQuestionLog, QuestionLog, QuestionLogError
from bot.tools.report import group_tallies

logger = logging.getLogger(__name__)

ADMIN_COMMANDS = ("reload", "stats")
WEEK_DAYS = 7  # "this week" is the last seven UTC days, today included
TOP_INTENTS = 5  # intents listed by /stats
TOP_GROUPS = 5  # unanswered question groups listed by /stats
MAX_EXAMPLE_CHARS = 80  # a group's example is cut here to keep /stats on one screen
# /stats groups only the week's most asked phrasings: five groups need no more, and this
# keeps it well under a second on a log of 200,000 (`report` groups up to 10,000).
STATS_PHRASINGS = 2_000
# Outcomes whose intent is a real answer (fallback and clarify are not intents).
ANSWERED = frozenset({Outcome.ANSWER, Outcome.NOT_ON_PAGE, Outcome.SMALLTALK, Outcome.SAFETY})


def is_admin(user_id: int | None, admin_ids: frozenset[int]) -> bool:
    """Whether ``user_id`` may use /reload and /stats."""
    return user_id is not None and user_id in admin_ids


def log_refused(command: str) -> None:
    """Log that someone who is not an admin tried an admin command (without their id)."""
    logger.info(
        "an admin command (/%s) was refused: the sender is not in %s", command, ADMIN_IDS_VAR
    )


def stats_text(log: QuestionLog | NullQuestionLog, now: datetime) -> str:
    """Questions and fallback rate today and this week, top intents, top unanswered groups."""
    if not log.enabled:
        return "The question log is off (BOT_QUESTION_LOG=off), so there are no statistics."
    today = now.date()
    week_start = today - timedelta(days=WEEK_DAYS - 1)
    try:
        counts = log.daily_counts(week_start)
        since = datetime.combine(week_start, datetime.min.time(), now.tzinfo)
        tallies = log.tallies(since, STATS_PHRASINGS)
        reviewed = log.reviewed_keys()  # groups a keeper marked reviewed stay out
    except QuestionLogError as exc:
        return f"The question log cannot be read: {exc}"
    lines = [
        _summary(f"Today ({today.isoformat()} UTC)", [c for c in counts if c.day == today]),
        _summary(f"Last {WEEK_DAYS} days", counts),
    ]
    top = Counter[str]()
    for c in counts:
        if c.outcome in ANSWERED:
            top[c.intent] += c.questions
    if top:
        listed = ", ".join(f"{intent} {n}" for intent, n in top.most_common(TOP_INTENTS))
        lines.append(f"Top intents: {listed}.")
    grouped = group_tallies(tallies, reviewed=reviewed)
    groups = [g for g in grouped if not g.reviewed][:TOP_GROUPS]
    if groups:
        lines.append("Top unanswered:")
        for g in groups:
            example = g.example[:MAX_EXAMPLE_CHARS]
            lines.append(f"{g.count} x {example} (nearly {g.near_intent or 'no intent'})")
    return "\n".join(lines)


def _summary(label: str, counts: Iterable[DailyCount]) -> str:
    by_outcome = Counter[str]()
    for c in counts:
        by_outcome[c.outcome] += c.questions
    total = sum(by_outcome.values())
    if not total:
        return f"{label}: no questions."
    fallback = by_outcome[Outcome.FALLBACK]
    clarify = by_outcome[Outcome.CLARIFY]
    noun = "question" if total == 1 else "questions"
    return (
        f"{label}: {total} {noun}, {fallback / total:.0%} fell back ({fallback}), "
        f"{clarify} needed a clarifying question."
    )
