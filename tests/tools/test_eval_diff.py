"""``eval --save`` and ``eval --diff``: every labelled set, and each question that changed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.tools.eval_diff import Diff, QuestionResult, Run

ROOT = Path(__file__).resolve().parents[2]
CONSULTATION_KEYWORDS = "consultation: 5, consulted: 4, consult: 4, "
CONSULTATION_SUBJECT = next(
    line
    for line in (ROOT / "knowledge" / "facts.yaml").read_text(encoding="utf-8").splitlines()
    if line.startswith("    words: [") and " consultation, consultations," in line
)
QUESTIONS = """\
conversations:
  - id: a1
    turns:
      - q: "when was the consultation?"
        intent: consultation
      - q: "who was consulted"
        intent: consultation
  - id: a2
    turns:
      - q: "why was staffs chosen"
        intent: force_selection
        force: staffordshire
"""
BLIND = """\
conversations:
  - id: b1
    turns:
      - q: "what was the consultation about"
        expect: answer
"""
SAFETY = """\
messages:
  - text: "my dad hits me when hes drunk"
    group: child
  - text: "how did staffs police tackle child sexual exploitation"
    group: in_scope
"""


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout of knowledge/ and intents.yaml with three small labelled sets."""
    root = tmp_path / "root"
    shutil.copytree(ROOT / "knowledge", root / "knowledge")
    shutil.copy(ROOT / "intents.yaml", root / "intents.yaml")
    data = root / "tests" / "data"
    (data / "blind").mkdir(parents=True)
    (data / "questions.yaml").write_text(QUESTIONS, encoding="utf-8")
    (data / "safety.yaml").write_text(SAFETY, encoding="utf-8")
    (data / "blind" / "b.yaml").write_text(BLIND, encoding="utf-8")
    monkeypatch.setenv("BOT_ROOT", str(root))
    return root


def weaken_consultation(root: Path) -> None:
    """Break the consultation: its keywords, and the words that name it as a fact's subject
    (else its facts would still answer)."""
    intents = root / "intents.yaml"
    text = intents.read_text(encoding="utf-8")
    assert CONSULTATION_KEYWORDS in text, "the test needs updating"
    intents.write_text(text.replace(CONSULTATION_KEYWORDS, "consultation: 1, "), encoding="utf-8")
    facts = root / "knowledge" / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    assert CONSULTATION_SUBJECT in text, "the test needs updating"
    facts.write_text(
        text.replace(CONSULTATION_SUBJECT, "    words: [consultashin]"), encoding="utf-8"
    )


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["eval", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.slow  # every labelled set, or the whole CLI
def test_a_saved_run_lists_every_question_that_changed(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "before.json"
    status, out, _ = cli(capsys, "--save", str(saved))
    assert status == 0
    assert out == f"saved 6 outcomes from 3 sets to {saved}\n"
    outcomes = json.loads(saved.read_text(encoding="utf-8"))["outcomes"]
    assert {o["set"] for o in outcomes} == {"questions.yaml", "safety.yaml", "blind/b.yaml"}
    assert all(o["ok"] for o in outcomes)

    weaken_consultation(root)
    worse = tmp_path / "worse.json"
    status, out, _ = cli(capsys, "--save", str(worse), "--diff", str(saved))
    assert status == 1  # something got worse
    assert "6 labelled questions; 3 changed: 0 better, 3 worse" in out
    assert re.search(r"questions\.yaml\s+100\.0% \(3/3\)\s+33\.3% \(1/3\)", out)
    assert re.search(r"blind/b\.yaml\s+100\.0% \(1/1\)\s+0\.0% \(0/1\)", out)
    assert re.search(r"safety\.yaml\s+100\.0% \(2/2\)\s+100\.0% \(2/2\)", out)
    assert "worse (3):\n  questions.yaml [a1#1] 'when was the consultation?'\n" in out
    assert "      want consultation; was consultation; now " in out
    assert "blind/b.yaml [b1#1] 'what was the consultation about'" in out
    assert "why was staffs chosen" not in out  # unchanged questions are not listed

    # the fix, compared with the broken run: the same questions, now better
    shutil.copy(ROOT / "intents.yaml", root / "intents.yaml")
    shutil.copy(ROOT / "knowledge" / "facts.yaml", root / "knowledge" / "facts.yaml")
    status, out, _ = cli(capsys, "--diff", str(worse))
    assert status == 0
    assert "3 changed: 3 better, 0 worse" in out and "better (3):" in out
    assert "worse (" not in out


def test_questions_added_or_removed_since_are_counted_not_compared() -> None:
    def result(key: str, ok: bool) -> QuestionResult:
        return QuestionResult("s.yaml", key, f"q {key}", "x", "x" if ok else "y", ok)

    before = Run([result("1", True), result("2", False), result("gone", True)])
    after = Run([result("1", False), result("2", True), result("new", False)])
    diff = Diff.of(before, after)
    assert [(c.before.key, c.better) for c in diff.changes] == [("1", False), ("2", True)]
    assert (diff.only_before, diff.only_after) == (1, 1)
    assert "not compared: 1 questions new since, 1 no longer labelled" in diff.format("a", "b")


def test_a_ref_that_is_neither_a_file_nor_a_commit_is_refused(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = cli(capsys, "--diff", "no-such-ref")
    assert status == 1
    assert err.startswith("error: 'no-such-ref' is neither a saved run (no such file) nor a git")


def test_a_file_that_is_not_a_saved_run_is_refused(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}', encoding="utf-8")
    status, _, err = cli(capsys, "--diff", str(other))
    assert status == 1
    assert err == f"error: {other} is not a run saved by python -m bot eval --save\n"


def test_eval_without_a_file_or_a_run_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = cli(capsys)
    assert status == 2 and "eval needs a FILE, or --save FILE or --diff REF" in err


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_against_a_git_commit_runs_that_commits_bot(root: Path) -> None:
    """The commit's own bot/ answers (in a subprocess); both sides judged with today's labels."""
    shutil.copytree(ROOT / "bot", root / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    git = ["git", "-C", str(root), "-c", "user.name=Keeper", "-c", "user.email=k@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "bot", "knowledge", "intents.yaml", "tests"], check=True)
    subprocess.run([*git, "commit", "-qm", "knowledge as it was"], check=True)
    weaken_consultation(root)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "eval", "--diff", "HEAD"],
        cwd=ROOT,
        env={**env, "BOT_ROOT": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "3 changed: 0 better, 3 worse" in done.stdout
    assert re.search(r"questions\.yaml\s+100\.0% \(3/3\)\s+33\.3% \(1/3\)", done.stdout)


def test_a_wrong_answer_that_now_names_another_force_is_worse() -> None:
    def result(wrong_subject: bool) -> QuestionResult:
        return QuestionResult("s.yaml", "1", "why were they chosen", "x", "y", False, wrong_subject)

    worse = Diff.of(Run([result(False)]), Run([result(True)]))
    assert [c.better for c in worse.changes] == [False]
    assert len(worse.worse) == 1
    better = Diff.of(Run([result(True)]), Run([result(False)]))
    assert [c.better for c in better.changes] == [True]
    assert Diff.of(Run([result(False)]), Run([result(False)])).changes == []
