"""The cache of parsed YAML files: a hit is the parse it replaces, and nothing else changes."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.dialogue.assistant import Assistant
from bot.schema import yamlfile
from bot.schema.yamlcache import PAIRS, YamlCache
from bot.schema.yamlfile import DataError, read_yaml, use_cache
from bot.tools.evaluation import load_turns
from tests.schema.test_yamlfile import REPOSITORY_FILES, ROOT, _typed
from tests.support.knowledge_files import copy_knowledge, edit, load_errors


@pytest.fixture
def cache_dir(tmp_path: Path) -> Iterator[Path]:
    """read_yaml with a cache in a fresh directory (conftest turns it off again)."""
    directory = tmp_path / "cache"
    use_cache(directory)
    yield directory


def entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.json"))


@pytest.mark.parametrize("path", REPOSITORY_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_hit_gives_exactly_what_parsing_gives(
    cache_dir: Path, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = read_yaml(path, path.name).data  # a miss: parsed and stored
    assert len(entries(cache_dir)) == 1
    monkeypatch.setattr(yamlfile, "_parse", None)  # a hit must not parse: None would raise
    assert _typed(read_yaml(path, path.name).data) == _typed(parsed)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: 1.5\nc: true\nd: null\ne: ~\nf: 0x1f\ng: .inf\nh: text\ni: -0.0\n",
        "1: one\ntrue: yes\nnull: nothing\n2.5: half\n",  # keys that are not text (JSON's are)
        "keywords: {2011: 1.0, when: 0.5}\n",
        "- - - deep\n  - []\n- {}\n- ''\n",
        'text: "caf\\u00e9 \\U0001F600 \\u2019quoted\\u2019 \\x00 tab\\t"\n',
        "plain scalar at the top\n",
        "",
    ],
)
def test_every_kind_of_value_comes_back_with_its_type(
    cache_dir: Path, tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "some.yaml"
    path.write_text(text, encoding="utf-8")
    parsed = read_yaml(path, "some.yaml").data
    monkeypatch.setattr(yamlfile, "_parse", None)
    assert _typed(read_yaml(path, "some.yaml").data) == _typed(parsed)


@pytest.mark.parametrize(
    "text",
    [
        "when: 2012-11-01\n",  # a date: JSON has none
        "s: !!set {a, b}\n",
        "bin: !!binary aGVsbG8=\n",
        f"{json.dumps(PAIRS)}: [1, 2]\n",  # the cache's own marker, as data
    ],
)
def test_what_json_cannot_hold_is_parsed_every_time(
    cache_dir: Path, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "some.yaml"
    path.write_text(text, encoding="utf-8")
    first = read_yaml(path, "some.yaml").data
    assert entries(cache_dir) == []
    assert _typed(read_yaml(path, "some.yaml").data) == _typed(first)


def test_a_changed_file_is_parsed_again(cache_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "bot.yaml"
    path.write_text("title: one\n", encoding="utf-8")
    assert read_yaml(path, "bot.yaml").data == {"title": "one"}
    path.write_text("title: two\n", encoding="utf-8")  # same size, same second maybe
    assert read_yaml(path, "bot.yaml").data == {"title": "two"}
    assert len(entries(cache_dir)) == 1  # replaced, not added


def test_another_version_of_the_bot_misses(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bot.yaml"
    path.write_text("title: one\n", encoding="utf-8")
    key = YamlCache.key(path.read_bytes())
    monkeypatch.setattr("bot.schema.yamlcache.CACHE_FORMAT", 999)
    assert YamlCache.key(path.read_bytes()) != key
    monkeypatch.setattr("bot.schema.yamlcache.CACHE_FORMAT", 1)
    monkeypatch.setattr("bot.schema.yamlcache.__version__", "9.9.9")
    assert YamlCache.key(path.read_bytes()) != key


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b'{"key": "',  # cut short
        b"\xff\xfe not json",
        b"[1, 2, 3]",
        b'{"key": "0000", "data": {"title": "forged"}}',  # another file's bytes
        b'{"data": {"title": "forged"}}',
    ],
)
def test_a_damaged_entry_is_ignored_and_written_again(
    cache_dir: Path, tmp_path: Path, damage: bytes
) -> None:
    path = tmp_path / "bot.yaml"
    path.write_text("title: one\n", encoding="utf-8")
    read_yaml(path, "bot.yaml")
    (entry,) = entries(cache_dir)
    entry.write_bytes(damage)
    assert read_yaml(path, "bot.yaml").data == {"title": "one"}
    stored = json.loads(entry.read_text(encoding="ascii"))
    assert stored["data"] == {"title": "one"}


def test_entries_are_private(cache_dir: Path, tmp_path: Path) -> None:
    old = os.umask(0)  # the loosest umask: modes must come from the code
    try:
        path = tmp_path / "bot.yaml"
        path.write_text("title: one\n", encoding="utf-8")
        read_yaml(path, "bot.yaml")
    finally:
        os.umask(old)
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    (entry,) = entries(cache_dir)
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert [p.name for p in cache_dir.iterdir()] == [entry.name]  # no temporary file left


def test_a_wider_directory_of_ours_is_narrowed(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    directory.mkdir()
    directory.chmod(0o755)
    use_cache(directory)
    path = tmp_path / "bot.yaml"
    path.write_text("title: one\n", encoding="utf-8")
    read_yaml(path, "bot.yaml")
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert len(entries(directory)) == 1


def test_a_cache_that_cannot_be_created_is_skipped(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    use_cache(blocker / "cache")  # under a file: mkdir fails, as on a read-only disk
    path = tmp_path / "bot.yaml"
    path.write_text("title: one\n", encoding="utf-8")
    assert read_yaml(path, "bot.yaml").data == {"title": "one"}
    assert read_yaml(path, "bot.yaml").data == {"title": "one"}


def test_a_cache_that_cannot_be_written_is_skipped(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    path = tmp_path / "bot.yaml"
    path.write_text("title: one\n", encoding="utf-8")
    assert read_yaml(path, "bot.yaml").data == {"title": "one"}
    assert entries(cache_dir) == []


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to give the directory away")
def test_a_directory_of_someone_else_is_not_used(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    directory.mkdir(mode=0o700)
    os.chown(directory, 12345, 12345)
    use_cache(directory)
    path = tmp_path / "bot.yaml"
    path.write_text("title: one\n", encoding="utf-8")
    assert read_yaml(path, "bot.yaml").data == {"title": "one"}
    assert entries(directory) == []


def test_refusals_are_never_cached(cache_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "forces.yaml"
    for text, message in [
        ("a: &x 1\n", "forces.yaml:1: YAML anchor &x is not allowed"),
        ("a: 1\na: 2\n", "forces.yaml:2: a: duplicate key"),
        ("a: [1\n", "forces.yaml:2: invalid YAML"),
    ]:
        path.write_text(text, encoding="utf-8")
        for _ in range(2):
            with pytest.raises(DataError, match=message):
                read_yaml(path, "forces.yaml")
    assert entries(cache_dir) == []


def test_lines_of_a_hit_are_those_of_the_file(cache_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "forces.yaml"
    path.write_text("forces:\n  - id: a\n    aliases:\n      - x\n      - y\n", encoding="utf-8")
    read_yaml(path, "forces.yaml")
    doc = read_yaml(path, "forces.yaml")
    assert doc.node is None  # from the cache: not composed until a line is asked for
    assert doc.line(("forces", 0, "aliases", 1)) == 5
    assert doc.line(("forces", 0, "missing", "deeper")) == 2
    assert doc.line(("nothing",)) == 1


@pytest.mark.parametrize(
    ("filename", "old", "new"),
    [
        ("knowledge/forces.yaml", "    ofsted_note:", "    ofsted_not:"),
        ("knowledge/programme.yaml", "  announced: false", "  announced: sometimes"),
        ("knowledge/forces.yaml", "  - id: west-mercia", "  - id: staffordshire"),
        ("intents.yaml", "    requires_none:", "    require_none:"),
        ("intents.yaml", "      - Why was {force} chosen?", "      - Why was {forse} chosen?"),
        ("knowledge/source.yaml", "  title:", "  publisher: hmic\n  title:"),
    ],
)
def test_errors_from_cached_files_are_word_for_word_the_same(
    tmp_path: Path, filename: str, old: str, new: str
) -> None:
    root = copy_knowledge(tmp_path / "root")
    edit(root / filename, old, new)
    without = load_errors(root)
    use_cache(tmp_path / "cache")
    assert load_errors(root) == without  # the cache is filled
    assert load_errors(root) == without  # and read


def test_the_cache_never_changes_a_reply_or_a_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same knowledge, intents and answers, conversation by conversation, from parsed
    files and from cached ones (the labelled set, read before the cache is on)."""
    conversations = load_turns(ROOT / "tests" / "data" / "questions.yaml")
    parsed = Assistant.load(ROOT)
    use_cache(tmp_path / "cache")
    Assistant.load(ROOT)  # fills the cache
    monkeypatch.setattr(yamlfile, "_parse", None)  # from here on, every file is a hit
    cached = Assistant.load(ROOT)
    assert cached.knowledge == parsed.knowledge
    assert cached.intents == parsed.intents
    assert sum(len(turns) for turns in conversations) > 300
    for index, turns in enumerate(conversations):
        for turn in turns:
            chat = f"chat-{index}"
            assert cached.reply(chat, turn.question) == parsed.reply(chat, turn.question), turn
