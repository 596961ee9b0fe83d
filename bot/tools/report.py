"""The unanswered-questions report: logged questions grouped by fuzzy similarity."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from bot.lang.words import QUESTION_WORDS, STOPWORDS
from bot.storage.question_log import (
    LoggedQuestion,
    NullQuestionLog,
    QuestionLog,
    Tally,
    reason_for,
)

if TYPE_CHECKING:
    from bot.dialogue.assistant import Assistant

# A month of questions: enough to show patterns, recent enough to be worth fixing.
DEFAULT_SINCE_DAYS = 30
# fuzz.ratio between two questions' sorted content words at which they are one group:
# typos and reordering stay together ("ofsted rating rochdale", "rochdale ofsted ratings"),
# different subjects ("ofsted rating rochdale", "ofsted rating staffordshire") do not.
SIMILARITY_CUTOFF = 80.0
# Groups are only compared when they share a word starting with the same letters.
PREFIX_CHARS = 3
# Of a question's word prefixes, only its rarest few (across the questions grouped) pick the
# groups it is compared with: "wha" or "ofs" begin half of all questions and tell nothing.
BLOCK_PREFIXES = 3
# A prefix lists at most this many groups, the most asked first: so a question is compared
# with at most BLOCK_PREFIXES x MAX_BLOCK_LEADERS others however the log was filled, and
# 200,000 distinct questions group in about a second instead of never (benchmarks/log_scale).
MAX_BLOCK_LEADERS = 8
# Only the most asked phrasings are grouped (ranked in SQLite, by count then recency): a log
# filled with distinct nonsense still reports in seconds, and what people keep asking stays
# in. The rest are counted in the total and said to be left out.
MAX_GROUPED_PHRASINGS = 10_000
# Hex digits of a group's id: enough to tell apart thousands of groups, short to type.
GROUP_ID_CHARS = 6
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
    id: str = ""  # short and stable: from the example's similarity key (see group_id)
    keys: frozenset[str] = frozenset()  # every phrasing's similarity key
    reviewed: bool = False  # a keeper marked it reviewed (report --review ID)


@dataclass(frozen=True, slots=True)
class Recheck:
    """How a group's example is answered by the assistant as it is now."""

    outcome: str
    intent: str
    confidence: float
    fixed: bool  # answered now: it would no longer be logged


@dataclass(frozen=True, slots=True)
class Report:
    """The groups of questions logged since a time."""

    since: datetime
    total: int
    groups: tuple[Group, ...]
    source: str  # the log file, or why there is none
    ungrouped: int = 0  # questions past MAX_GROUPED_PHRASINGS, counted but not grouped
    hidden: int = 0  # groups marked reviewed, left out (report --all shows them)
    rechecks: dict[str, Recheck] = field(default_factory=dict)  # group id -> now

    def group(self, group_id: str) -> Group:
        """The group with this id; raises UnknownGroup naming how to find the ids."""
        for g in self.groups:
            if g.id == group_id:
                return g
        raise UnknownGroup(
            f"no group {group_id!r} in the questions logged since "
            f"{self.since:%Y-%m-%d}; `python -m bot report --all` lists the ids"
        )


class UnknownGroup(ValueError):
    """A group id that is not in the report."""


def group_id(example: str) -> str:
    """A group's id: the first GROUP_ID_CHARS hex digits of its example's key's SHA-1."""
    digest = hashlib.sha1(similarity_key(example).encode("utf-8"), usedforsecurity=False)
    return digest.hexdigest()[:GROUP_ID_CHARS]


def similarity_key(text: str) -> str:
    """The words that carry a question's meaning, sorted: what groups are compared on."""
    words = text.split()
    content = [w for w in words if w not in STOPWORDS or w in QUESTION_WORDS]
    return " ".join(sorted(content or words))


def cluster(keys: Sequence[str], cutoff: float = SIMILARITY_CUTOFF) -> list[int]:
    """For each key, the index of its group's first key (greedy, in the given order).

    A key joins the most similar earlier group leader scoring at least ``cutoff``
    (fuzz.ratio), else leads a new group. Only leaders sharing one of the key's rarest word
    prefixes are compared, at most MAX_BLOCK_LEADERS per prefix: near-linear in the keys.
    """
    prefixes_of = [sorted({word[:PREFIX_CHARS] for word in key.split()}) for key in keys]
    frequency = Counter(p for prefixes in prefixes_of for p in prefixes)
    leaders: list[str] = []
    leader_of: list[int] = []  # leader number -> index into keys
    by_prefix: dict[str, list[int]] = {}
    out: list[int] = []
    for index, key in enumerate(keys):
        blocks = sorted(prefixes_of[index], key=lambda p: (frequency[p], p))[:BLOCK_PREFIXES]
        candidates = sorted({n for p in blocks for n in by_prefix.get(p, ())})
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
        for prefix in blocks:
            block = by_prefix.setdefault(prefix, [])
            if len(block) < MAX_BLOCK_LEADERS:
                block.append(number)
        out.append(index)
    return out


def tally(questions: Iterable[LoggedQuestion]) -> list[Tally]:
    """``questions`` counted by phrasing, reason and nearest intent."""
    counts: Counter[tuple[str, str, str | None]] = Counter()
    last: dict[tuple[str, str, str | None], datetime] = {}
    for q in questions:
        key = (q.text, q.reason, q.best_intent)
        counts[key] += 1
        last[key] = max(last.get(key, q.asked_at), q.asked_at)
    return [Tally(*key, count=n, last_asked=last[key]) for key, n in counts.items()]


def group_questions(questions: Sequence[LoggedQuestion], limit: int | None = None) -> list[Group]:
    """``questions`` grouped by similarity, largest group first (only the first ``limit``)."""
    return group_tallies(tally(questions), limit)


def group_tallies(
    tallies: Iterable[Tally], limit: int | None = None, reviewed: frozenset[str] = frozenset()
) -> list[Group]:
    """Counted phrasings grouped by similarity, largest group first (only the first ``limit``).

    A group is marked reviewed if one of its phrasings' keys is in ``reviewed``.
    """
    by_key: dict[str, list[Tally]] = {}
    for t in tallies:
        by_key.setdefault(similarity_key(t.text), []).append(t)
    size = {k: sum(t.count for t in rows) for k, rows in by_key.items()}
    keys = sorted(by_key, key=lambda k: (-size[k], k))  # frequent phrasings lead
    members: dict[int, list[str]] = {}
    for index, leader in enumerate(cluster(keys)):
        members.setdefault(leader, []).append(keys[index])
    # Rank first, summarise after: /stats needs five groups, not thousands of summaries.
    ranked = sorted(
        members.values(),
        key=lambda group: (
            -sum(size[k] for k in group),
            -max(t.last_asked for k in group for t in by_key[k]).timestamp(),
            min(t.text for k in group for t in by_key[k]),
        ),
    )
    groups = [_group(group, by_key, reviewed) for group in ranked[:limit]]
    groups.sort(key=lambda g: (-g.count, -g.last_asked.timestamp(), g.example))
    return groups


def _group(keys: list[str], by_key: dict[str, list[Tally]], reviewed: frozenset[str]) -> Group:
    """One group's summary from its phrasings' keys and their tallies."""
    phrasings: Counter[str] = Counter()
    near: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    key_of: dict[str, str] = {}
    for key in keys:
        for t in by_key[key]:
            phrasings[t.text] += t.count
            reasons[t.reason] += t.count
            key_of[t.text] = key
            if t.best_intent:
                near[t.best_intent] += t.count
    ordered = [text for text, _ in phrasings.most_common()]
    top_near = near.most_common(1)
    digest = hashlib.sha1(key_of[ordered[0]].encode("utf-8"), usedforsecurity=False)
    return Group(
        count=sum(phrasings.values()),
        example=ordered[0],
        near_intent=top_near[0][0] if top_near else None,
        reasons=dict(reasons.most_common()),
        variants=tuple(ordered[1 : 1 + MAX_VARIANTS]),
        last_asked=max(t.last_asked for key in keys for t in by_key[key]),
        id=digest.hexdigest()[:GROUP_ID_CHARS],  # group_id(example), its key known
        keys=frozenset(keys),
        reviewed=not reviewed.isdisjoint(keys),
    )


def build_report(
    log: QuestionLog | NullQuestionLog,
    now: datetime,
    since_days: int = DEFAULT_SINCE_DAYS,
    *,
    show_reviewed: bool = False,
) -> Report:
    """The report of ``log``'s questions from ``since_days`` before ``now``.

    Groups marked reviewed are left out (counted in ``hidden``) unless ``show_reviewed``.
    Raises QuestionLogError if the log cannot be read.
    """
    since = now - timedelta(days=since_days)
    if log.path is None:
        return Report(since, 0, (), "the question log is off (BOT_QUESTION_LOG=off)")
    if not log.path.exists():
        return Report(since, 0, (), f"{log.path} does not exist yet")
    tallies = log.tallies(since, MAX_GROUPED_PHRASINGS)
    total = log.count_questions(since)
    grouped = sum(t.count for t in tallies)
    groups = group_tallies(tallies, reviewed=log.reviewed_keys())
    shown = tuple(g for g in groups if show_reviewed or not g.reviewed)
    return Report(
        since,
        total,
        shown,
        str(log.path),
        ungrouped=max(total - grouped, 0),
        hidden=len(groups) - len(shown),
    )


def recheck(report: Report, assistant: Assistant) -> Report:
    """``report`` with each group's example answered again by ``assistant`` as it is now."""
    rechecks = {}
    for group in report.groups:
        chat = f"report-recheck-{group.id}"
        reply = assistant.reply(chat, group.example)
        assistant.reset(chat)
        rechecks[group.id] = Recheck(
            outcome=str(reply.outcome),
            intent=reply.intent,
            confidence=reply.confidence,
            fixed=reason_for(reply) is None,
        )
    return replace(report, rechecks=rechecks)


def review(log: QuestionLog | NullQuestionLog, report: Report, ids: Sequence[str]) -> list[Group]:
    """Mark the groups with these ids reviewed, so the report leaves them out from now on.

    Raises UnknownGroup (before marking any) or QuestionLogError.
    """
    groups = [report.group(i) for i in ids]
    log.mark_reviewed(sorted({key for g in groups for key in g.keys}))
    return groups


def _now_line(check: Recheck) -> str:
    if check.fixed:
        return (
            f"now: fixed, {check.outcome.replace('_', ' ')} {check.intent} ({check.confidence:.2f})"
        )
    if check.outcome == "answer":
        return f"now: still unsure, answer {check.intent} ({check.confidence:.2f})"
    return f"now: still {check.outcome.replace('_', ' ')}"


def format_text(report: Report, limit: int | None = None) -> str:
    """The report as plain text: one block per group, largest first."""
    day = report.since.strftime("%Y-%m-%d")
    if not report.groups:
        hidden = f"; {report.hidden} reviewed groups not shown" if report.hidden else ""
        return f"No unanswered questions logged since {day} ({report.source}{hidden})."
    lines = [
        f"Unanswered questions since {day}: {report.total} in {len(report.groups)} groups "
        f"({report.source})",
        "",
    ]
    width = len(str(report.groups[0].count))
    for group in report.groups[:limit]:
        near = group.near_intent or "no intent"
        reasons = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in group.reasons.items())
        mark = " (reviewed)" if group.reviewed else ""
        lines.append(f"{group.count:>{width}}  {group.example}")
        lines.append(f"{'':>{width}}  [{group.id}]{mark} nearly {near}; {reasons}")
        lines += [f"{'':>{width}}  also: {variant}" for variant in group.variants]
        if group.id in report.rechecks:
            lines.append(f"{'':>{width}}  {_now_line(report.rechecks[group.id])}")
        lines.append("")
    if report.ungrouped:
        lines.append(
            f"{report.ungrouped} more questions, each phrasing asked less often than the "
            f"{MAX_GROUPED_PHRASINGS:,} above, are counted but not grouped."
        )
    if report.hidden:
        lines.append(f"{report.hidden} groups marked reviewed are not shown (--all shows them).")
    if report.rechecks:
        fixed = sum(c.fixed for c in report.rechecks.values())
        lines.append(f"Rechecked now: {fixed} of {len(report.rechecks)} groups are answered.")
    return "\n".join(lines).rstrip()


def to_json(report: Report) -> dict[str, object]:
    """The report as a JSON-ready dict, for scripts."""
    return {
        "since": report.since.isoformat(),
        "total": report.total,
        "source": report.source,
        "ungrouped": report.ungrouped,
        "hidden": report.hidden,
        "groups": [
            {
                "id": g.id,
                "reviewed": g.reviewed,
                "count": g.count,
                "example": g.example,
                "near_intent": g.near_intent,
                "reasons": g.reasons,
                "variants": list(g.variants),
                "last_asked": g.last_asked.isoformat(),
                **({"now": asdict(report.rechecks[g.id])} if g.id in report.rechecks else {}),
            }
            for g in report.groups
        ],
    }
