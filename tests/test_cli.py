"""``python -m bot``: ask, chat, chat --jsonl, eval and check, as a user runs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.schema.knowledge import KNOWLEDGE_FILES

pytestmark = pytest.mark.slow  # each test runs python -m bot in a subprocess

ROOT = Path(__file__).resolve().parent.parent


def run(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**clean, **(env or {})},
        timeout=60,
        check=False,
    )


def test_ask_answers_in_plain_text() -> None:
    result = run("ask", "why was staffs chosen?")
    assert result.returncode == 0
    assert "good practice examples" in result.stdout
    assert "Source:" in result.stdout


def test_ask_does_not_import_telegram_or_the_question_log() -> None:
    # start-up time: ask never logs, so SQLite and the redaction masks stay unloaded
    unused = ("telegram", "bot.storage.question_log", "bot.storage.redact", "sqlite3")
    code = (
        "import sys; from bot.cli import main; main(['ask', 'hi']); "
        f"print([m for m in {unused!r} if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip().endswith("[]")


def test_ask_keeps_the_parsed_files_and_a_warm_start_skips_yaml(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    code = (
        "import sys; from bot.cli import main; main(['ask', 'why was staffs chosen']); "
        "print('yaml' in sys.modules)"
    )

    def ask() -> list[str]:
        return subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "BOT_CACHE_DIR": str(cache)},
            check=True,
        ).stdout.splitlines()

    *cold, cold_imported_yaml = ask()
    assert cold_imported_yaml == "True"
    assert len(list(cache.glob("*.json"))) == len(KNOWLEDGE_FILES) + 1  # and intents.yaml
    *warm, warm_imported_yaml = ask()
    assert warm == cold
    assert warm_imported_yaml == "False"
    uncached = run("ask", "why was staffs chosen", env={"BOT_CACHE_DIR": ""})
    assert uncached.stdout.splitlines() == warm


def test_an_unwritable_cache_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    result = run("ask", "why was staffs chosen", env={"BOT_CACHE_DIR": str(tmp_path / "a-file")})
    assert result.returncode == 0 and result.stderr == ""
    assert "good practice examples" in result.stdout


def test_chat_jsonl_keeps_context_per_chat() -> None:
    lines = [
        {"chat": "a", "text": "why was gmp chosen"},
        {"chat": "b", "text": "why was staffs chosen"},
        {"chat": "a", "text": "and what did they find?"},
        "not json",
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    result = run("chat", "--jsonl", stdin=stdin)
    assert result.returncode == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4
    for record in out[:3]:
        assert set(record) >= {
            "chat",
            "text",
            "intent",
            "confidence",
            "choices",
            "suggestions",
            "source",
        }
    assert out[2]["chat"] == "a"
    assert out[2]["intent"] == "force_findings"
    assert out[2]["slots"]["force"] == "greater-manchester"
    assert "error" in out[3]


def test_terminal_chat_with_buttons_logs_what_it_could_not_answer(tmp_path: Path) -> None:
    result = run(
        "chat",
        stdin="what did they find?\n2\nwhat is the weather\n/quit\n",
        env={"BOT_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0
    assert "Which force do you mean" in result.stdout
    assert "Greater Manchester" in result.stdout
    assert "domestic abuse" in result.stdout
    report = run("report", "--json", env={"BOT_DATA_DIR": str(tmp_path)})
    assert report.returncode == 0, report.stderr
    assert "what is the weather" in report.stdout


def test_no_command_without_token_is_the_terminal_chat(tmp_path: Path) -> None:
    result = run(stdin="hello\n", env={"BOT_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0
    assert "Hello!" in result.stdout


def test_check_passes_on_the_repository() -> None:
    result = run("check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok:")


def test_check_fails_with_file_entry_and_field(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "knowledge", tmp_path / "knowledge")
    shutil.copy(ROOT / "intents.yaml", tmp_path / "intents.yaml")
    forces = tmp_path / "knowledge" / "forces.yaml"
    forces.write_text(forces.read_text().replace("    short_name: Staffordshire\n", ""))
    result = run("check", env={"BOT_ROOT": str(tmp_path)})
    assert result.returncode == 1
    assert "knowledge/forces.yaml:5: forces[0].short_name: missing field" in result.stderr


def test_check_fails_when_an_example_is_not_routed_to_its_intent(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "knowledge", tmp_path / "knowledge")
    intents = (ROOT / "intents.yaml").read_text()
    old = 'examples: ["hi", "hello there", "good morning", "hey bot"]'
    assert old in intents
    intents = intents.replace(old, 'examples: ["hi", "when was the consultation"]')
    (tmp_path / "intents.yaml").write_text(intents)
    result = run("check", env={"BOT_ROOT": str(tmp_path)})
    assert result.returncode == 1
    assert "greeting.examples: 'when was the consultation' is answered as consultation" in (
        result.stderr
    )


def test_eval_prints_per_intent_figures() -> None:
    result = run("eval", "tests/data/holdout.yaml", "--quiet")
    assert result.returncode == 0
    assert "precision" in result.stdout
    assert "off-topic rejection:" in result.stdout
    assert "wrong-force answers: 0" in result.stdout
