"""The unanswered-questions report: logged questions grouped by fuzzy similarity."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz, process

from bot.lang.words import QUESTION_WORDS, STOPWORDS
from bot.storage.question_log import LoggedQuestion, NullQuestionLog, QuestionLog

# A month of questions: enough to show patterns, recent enough to be worth fixing.
DEFAULT_SINCE_DAYS = 30
# fuzz.ratio between two questions' sorted content words at which they are one group:
# typos and reordering stay together ("ofsted rating rochdale", "rochdale ofsted ratings"),
# different subjects ("ofsted rating rochdale", "ofsted rating staffordshire") do not.
SIMILARITY_CUTOFF = 80.0
# Groups are only compared when they share a word starting with the same letters: this
# keeps 10,000 distinct questions to a fraction of a second instead of n² comparisons.
PREFIX_CHARS = 3
# Other phrasings shown under each group's example.
MAX_VARIANTS = 3
# Question words say what is asked, so they count although they are stop words.


@dataclass(frozen=True, slots=True)
class Group:
    """Questions that say much the same thing."""

    count: int
    example: str  # the most frequent phrasing
    near_intent: str | None  # the intent most of them came closest to
    reasons: dict[str, int]  # fallback / clarify / low_confidence -> count
    variants: tuple[str, ...]  # other phrasings, most frequent first
    last_asked: datetime


@dataclass(frozen=True, slots=True)
class Report:
    """The groups of questions logged since a time."""

    since: datetime
    total: int
    groups: tuple[Group, ...]
    source: str  # the log file, or why there is none


def similarity_key(text: str) -> str:
    """The words that carry a question's meaning, sorted: what groups are compared on."""
    words = text.split()
    content = [w for w in words if w not in STOPWORDS or w in QUESTION_WORDS]
    return " ".join(sorted(content or words))


def cluster(keys: Sequence[str], cutoff: float = SIMILARITY_CUTOFF) -> list[int]:
    """For each key, the index of its group's first key (greedy, in the given order).

    A key joins the most similar earlier group leader scoring at least ``cutoff``
    (fuzz.ratio), else leads a new group. Only leaders sharing a word prefix are compared.
    """
    leaders: list[str] = []
    leader_of: list[int] = []  # leader number -> index into keys
    by_prefix: dict[str, list[int]] = {}
    out: list[int] = []
    for index, key in enumerate(keys):
        prefixes = {word[:PREFIX_CHARS] for word in key.split()}
        candidates = sorted({n for p in prefixes for n in by_prefix.get(p, ())})
        hit = None
        if candidates:
            hit = process.extractOne(
                key,
                [leaders[n] for n in candidates],
                scorer=fuzz.ratio,
                processor=None,
                score_cutoff=cutoff,
            )
        if hit is not None:
            out.append(leader_of[candidates[hit[2]]])
            continue
        number = len(leaders)
        leaders.append(key)
        leader_of.append(index)
        for prefix in prefixes:
            by_prefix.setdefault(prefix, []).append(number)
        out.append(index)
    return out


def group_questions(questions: Sequence[LoggedQuestion]) -> list[Group]:
    """``questions`` grouped by similarity, largest group first."""
    by_key: dict[str, list[LoggedQuestion]] = {}
    for question in questions:
        by_key.setdefault(similarity_key(question.text), []).append(question)
    keys = sorted(by_key, key=lambda k: (-len(by_key[k]), k))  # frequent phrasings lead
    members: dict[int, list[LoggedQuestion]] = {}
    for index, leader in enumerate(cluster(keys)):
        members.setdefault(leader, []).extend(by_key[keys[index]])
    groups = [_group(rows) for rows in members.values()]
    groups.sort(key=lambda g: (-g.count, -g.last_asked.timestamp(), g.example))
    return groups


def _group(rows: list[LoggedQuestion]) -> Group:
    phrasings = [text for text, _ in Counter(r.text for r in rows).most_common()]
    near = Counter(r.best_intent for r in rows if r.best_intent).most_common(1)
    return Group(
        count=len(rows),
        example=phrasings[0],
        near_intent=near[0][0] if near else None,
        reasons=dict(Counter(r.reason for r in rows).most_common()),
        variants=tuple(phrasings[1 : 1 + MAX_VARIANTS]),
        last_asked=max(r.asked_at for r in rows),
    )


def build_report(
    log: QuestionLog | NullQuestionLog, now: datetime, since_days: int = DEFAULT_SINCE_DAYS
) -> Report:
    """The report of ``log``'s questions from ``since_days`` before ``now``.

    Raises QuestionLogError if the log cannot be read.
    """
    since = now - timedelta(days=since_days)
    if log.path is None:
        return Report(since, 0, (), "the question log is off (BOT_QUESTION_LOG=off)")
    if not log.path.exists():
        return Report(since, 0, (), f"{log.path} does not exist yet")
    questions = log.questions(since)
    return Report(since, len(questions), tuple(group_questions(questions)), str(log.path))


def format_text(report: Report, limit: int | None = None) -> str:
    """The report as plain text: one block per group, largest first."""
    day = report.since.strftime("%Y-%m-%d")
    if not report.groups:
        return f"No unanswered questions logged since {day} ({report.source})."
    lines = [
        f"Unanswered questions since {day}: {report.total} in {len(report.groups)} groups "
        f"({report.source})",
        "",
    ]
    width = len(str(report.groups[0].count))
    for group in report.groups[:limit]:
        near = group.near_intent or "no intent"
        reasons = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in group.reasons.items())
        lines.append(f"{group.count:>{width}}  {group.example}")
        lines.append(f"{'':>{width}}  nearly {near}; {reasons}")
        lines += [f"{'':>{width}}  also: {variant}" for variant in group.variants]
        lines.append("")
    return "\n".join(lines).rstrip()


def to_json(report: Report) -> dict[str, object]:
    """The report as a JSON-ready dict, for scripts."""
    return {
        "since": report.since.isoformat(),
        "total": report.total,
        "source": report.source,
        "groups": [
            {
                "count": g.count,
                "example": g.example,
                "near_intent": g.near_intent,
                "reasons": g.reasons,
                "variants": list(g.variants),
                "last_asked": g.last_asked.isoformat(),
            }
            for g in report.groups
        ],
    }
