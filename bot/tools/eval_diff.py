"""Every labelled set at once, judged per question, and what changed against another run.

The other run is a saved one (``eval --save FILE``) or a git commit: that commit's
``bot/``, ``knowledge/`` and ``intents.yaml`` answer today's labelled questions in a
subprocess (bot/tools/reply_dump.py), and both sides are judged with today's labels.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.dialogue.assistant import Assistant
from bot.dialogue.reply import Outcome, Reply
from bot.tools import reply_dump
from bot.tools.evaluation import Result, Turn, load_turns
from bot.tools.safety_eval import IN_SCOPE, Judged, Message, is_safety_set, load_messages

SAVED_RUN_VERSION = 1
# What git archive extracts: the code, the knowledge and the intents of that commit.
SNAPSHOT_PATHS = ("bot", "knowledge", "intents.yaml")
# Seconds the other commit may take to answer every labelled question (about 3 s here).
SUBPROCESS_TIMEOUT = 600.0


class DiffError(Exception):
    """The other run cannot be had; str() says why, in one line."""


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """One labelled question's result: right or wrong, and what the bot gave."""

    set: str
    key: str  # unique within its set: conversation and turn, or the message's position
    question: str
    want: str
    got: str
    ok: bool
    # an answer about another force or subject than the one asked: the worst mistake, so a
    # question that was wrong and now gives another force's facts is worse, not unchanged
    wrong_subject: bool = False


@dataclass(slots=True)
class Run:
    """Every question's outcome, set by set, in file order."""

    outcomes: list[QuestionResult] = field(default_factory=list)

    def by_set(self) -> dict[str, list[QuestionResult]]:
        """The outcomes grouped by set, sets in the order first seen."""
        out: dict[str, list[QuestionResult]] = {}
        for outcome in self.outcomes:
            out.setdefault(outcome.set, []).append(outcome)
        return out

    def to_json(self) -> dict[str, Any]:
        """What ``eval --save`` writes."""
        return {"version": SAVED_RUN_VERSION, "outcomes": [asdict(o) for o in self.outcomes]}

    @classmethod
    def from_json(cls, data: Any, name: str) -> Run:
        """A saved run; DiffError when ``data`` is not one."""
        if not isinstance(data, dict) or data.get("version") != SAVED_RUN_VERSION:
            raise DiffError(f"{name} is not a run saved by python -m bot eval --save")
        try:
            return cls([QuestionResult(**item) for item in data["outcomes"]])
        except (KeyError, TypeError) as exc:
            raise DiffError(f"{name} is not a run saved by python -m bot eval --save") from exc


@dataclass(frozen=True, slots=True)
class LabelledSet:
    """One labelled file: conversations (intent or content labels), or safety messages."""

    name: str
    conversations: list[list[Turn]] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)


def labelled_sets(data: Path) -> list[LabelledSet]:
    """tests/data/*.yaml, then tests/data/blind/*.yaml, loaded (DataError if invalid)."""
    files = [*sorted(data.glob("*.yaml")), *sorted((data / "blind").glob("*.yaml"))]
    out = []
    for path in files:
        name = path.relative_to(data).as_posix()
        if is_safety_set(path):
            out.append(LabelledSet(name, messages=load_messages(path)))
        else:
            out.append(LabelledSet(name, conversations=load_turns(path)))
    return out


def questions(sets: list[LabelledSet]) -> dict[str, Any]:
    """The texts to ask, in the shape reply_dump reads: every set's, one after another."""
    return {
        "conversations": [[t.question for t in c] for s in sets for c in s.conversations],
        "messages": [m.text for s in sets for m in s.messages],
    }


def _reply(record: dict[str, Any]) -> Reply:
    try:
        outcome = Outcome(record.get("outcome", ""))
    except ValueError:  # a kind of reply that version had and this one does not
        outcome = Outcome.FALLBACK
    return Reply(
        text=record.get("text", ""),
        intent=record.get("intent", ""),
        outcome=outcome,
        confidence=0.0,
        slots=dict(record.get("slots") or {}),
        safety=record.get("safety"),
    )


def _turn_outcome(name: str, key: str, turn: Turn, reply: Reply) -> QuestionResult:
    result = Result(turn, reply)
    verdict = result.verdict
    want = turn.intent + (f" force={turn.force}" if turn.force else "")
    want += f" body={turn.body}" if turn.body else ""
    if verdict is not None:
        got = "right" if verdict.ok else verdict.why
    else:
        got = reply.intent + "".join(f" {k}={v}" for k, v in sorted(reply.slots.items()))
    return QuestionResult(
        name, key, turn.question, want, got, result.correct, wrong_subject=result.wrong_fact
    )


def _message_outcome(name: str, key: str, message: Message, reply: Reply) -> QuestionResult:
    judged = Judged(message, reply)
    got = judged.got
    if message.group == IN_SCOPE and not reply.safety and not judged.answered:
        got = f"{reply.intent} (no facts)"
    return QuestionResult(name, key, message.text, message.group, got, judged.correct)


def judge(sets: list[LabelledSet], replies: dict[str, Any]) -> Run:
    """Both kinds of set judged with today's rules, from replies in reply_dump's shape."""
    conversations = iter(replies["conversations"])
    messages = iter(replies["messages"])
    run = Run()
    for labelled in sets:
        for turns in labelled.conversations:
            records = next(conversations)
            for number, (turn, record) in enumerate(zip(turns, records, strict=True), 1):
                key = f"{turn.conversation}#{number}"
                run.outcomes.append(_turn_outcome(labelled.name, key, turn, _reply(record)))
        for number, message in enumerate(labelled.messages, 1):
            key = f"#{number}"
            run.outcomes.append(
                _message_outcome(labelled.name, key, message, _reply(next(messages)))
            )
    return run


def run_here(assistant: Assistant, sets: list[LabelledSet]) -> Run:
    """Today's bot on every labelled set."""
    return judge(sets, reply_dump.replies(assistant, questions(sets)))


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(  # noqa: S603 - fixed program, arguments are not a shell line
            ["git", "-C", str(root), *args],  # noqa: S607 - git from PATH, as a keeper runs it
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise DiffError("git is not installed: compare against a saved run instead") from None


def run_at_commit(ref: str, root: Path, sets: list[LabelledSet]) -> Run:
    """Commit ``ref``'s bot on today's labelled questions, judged with today's labels."""
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if commit.returncode != 0:
        raise DiffError(f"{ref!r} is neither a saved run (no such file) nor a git commit in {root}")
    prefix = _git(root, "rev-parse", "--show-prefix").stdout.decode().strip()
    paths = [f"{prefix}{p}" for p in SNAPSHOT_PATHS]
    sha = commit.stdout.decode().strip()
    archive = _git(root, "archive", "--format=tar", sha, "--", *paths)
    if archive.returncode != 0:
        message = archive.stderr.decode(errors="replace").strip().splitlines()
        raise DiffError(f"git cannot export {ref}: {message[-1] if message else 'failed'}")
    with tempfile.TemporaryDirectory(prefix="eval-diff-") as folder:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(folder, filter="data")
        snapshot = Path(folder) / prefix
        done = subprocess.run(  # noqa: S603 - this Python, a file of this package
            [sys.executable, reply_dump.__file__, str(snapshot)],
            input=json.dumps(questions(sets)),
            capture_output=True,
            text=True,
            cwd=snapshot,
            timeout=SUBPROCESS_TIMEOUT,
            check=False,
        )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise DiffError(f"the bot at {ref} did not run: {lines[-1] if lines else 'no output'}")
    return judge(sets, json.loads(done.stdout))


@dataclass(frozen=True, slots=True)
class Change:
    """One question whose outcome changed."""

    before: QuestionResult
    after: QuestionResult

    @property
    def better(self) -> bool:
        """Wrong before, right now; or about the wrong subject before, and not now."""
        if self.after.ok != self.before.ok:
            return self.after.ok
        return self.before.wrong_subject and not self.after.wrong_subject


@dataclass(slots=True)
class Diff:
    """Two runs compared question by question, and set by set."""

    before: Run
    after: Run
    changes: list[Change] = field(default_factory=list)
    only_before: int = 0  # questions no longer in the labelled sets
    only_after: int = 0  # questions added since

    @classmethod
    def of(cls, before: Run, after: Run) -> Diff:
        """Match questions by set and key (and text), list the ones whose verdict changed."""
        earlier = {(o.set, o.key, o.question): o for o in before.outcomes}
        diff = cls(before, after)
        matched = 0
        for outcome in after.outcomes:
            old = earlier.get((outcome.set, outcome.key, outcome.question))
            if old is None:
                diff.only_after += 1
                continue
            matched += 1
            if old.ok != outcome.ok or old.wrong_subject != outcome.wrong_subject:
                diff.changes.append(Change(old, outcome))
        diff.only_before = len(before.outcomes) - matched
        return diff

    @property
    def worse(self) -> list[Change]:
        """Right before, wrong now; or now about the wrong subject."""
        return [c for c in self.changes if not c.better]

    def format(self, before_name: str, after_name: str) -> str:
        """The comparison as plain text: a per-set table, then every changed question."""
        better = [c for c in self.changes if c.better]
        lines = [
            f"{len(self.after.outcomes)} labelled questions; {len(self.changes)} changed: "
            f"{len(better)} better, {len(self.worse)} worse",
            "",
            f"{'set':<32} {before_name[:16]:>16} {after_name[:16]:>16}",
        ]
        before_sets = self.before.by_set()
        for name, outcomes in self.after.by_set().items():
            lines.append(
                f"{name:<32} {_accuracy(before_sets.get(name, [])):>16} {_accuracy(outcomes):>16}"
            )
        for title, changes in (("better", better), ("worse", self.worse)):
            if changes:
                lines += ["", f"{title} ({len(changes)}):"]
                for change in changes:
                    was, now = change.before, change.after
                    lines.append(f"  {now.set} [{now.key}] {now.question!r}")
                    lines.append(f"      want {now.want}; was {was.got}; now {now.got}")
        if self.only_before or self.only_after:
            lines += [
                "",
                f"not compared: {self.only_after} questions new since, "
                f"{self.only_before} no longer labelled",
            ]
        return "\n".join(lines)


def _accuracy(outcomes: list[QuestionResult]) -> str:
    if not outcomes:
        return "-"
    right = sum(o.ok for o in outcomes)
    return f"{right / len(outcomes):.1%} ({right}/{len(outcomes)})"


def load_run(path: Path) -> Run:
    """A run saved with ``eval --save``; DiffError if unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DiffError(f"cannot read {path}: {exc}") from exc
    return Run.from_json(data, str(path))


def save_run(run: Run, path: Path) -> None:
    """Write ``run`` for a later ``eval --diff FILE``."""
    path.write_text(json.dumps(run.to_json(), ensure_ascii=False, indent=1) + "\n", "utf-8")
