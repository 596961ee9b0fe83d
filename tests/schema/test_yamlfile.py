"""Reading data files: anchors, aliases and oversized files are refused with file and line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from bot.schema.yamlfile import _MAYBE_ANCHOR, MAX_FILE_BYTES, DataError, _safe_loader, read_yaml

ROOT = Path(__file__).resolve().parents[2]
# Nine aliases per level, seven levels: 9**7 (4.8 million) nodes if it were expanded.
LEVELS = 7


def laughs() -> str:
    lines = ['a0: &a0 "lol"']
    for level in range(1, LEVELS + 1):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_an_anchor_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "forces.yaml"
    path.write_text("forces:\n  - id: a\n    aliases: &names [x, y]\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_yaml(path, "knowledge/forces.yaml")
    assert str(caught.value) == (
        "knowledge/forces.yaml:3: YAML anchor &names is not allowed: write the value out in full"
    )


def test_an_alias_is_refused_naming_its_line(tmp_path: Path) -> None:
    path = tmp_path / "intents.yaml"
    # the anchor comes first, so it is named; an alias alone is not even valid YAML
    path.write_text("a: &x 1\nb: *x\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"intents\.yaml:1: YAML anchor &x"):
        read_yaml(path, "intents.yaml")


def test_a_billion_laughs_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "page.yaml"
    path.write_text(laughs(), encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(DataError, match="anchor &a0 is not allowed"):
        read_yaml(path, "page.yaml")
    assert time.perf_counter() - started < 1.0


def test_ampersands_and_asterisks_in_text_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "bot.yaml"
    path.write_text('title: "Q&A"\nnote: "5 * 2, R&D"\nplain: Q & A *really*\n', encoding="utf-8")
    assert read_yaml(path, "bot.yaml").data == {
        "title": "Q&A",
        "note": "5 * 2, R&D",
        "plain": "Q & A *really*",
    }


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "forces.yaml"
    with path.open("w", encoding="utf-8") as file:
        file.write("forces:\n")
        file.write("# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    with pytest.raises(DataError, match=r"forces\.yaml: file is larger than 1024 KiB"):
        read_yaml(path, "forces.yaml")


def test_the_repository_files_are_well_under_the_limit() -> None:
    root = Path(__file__).resolve().parents[2]
    files = [
        *root.glob("knowledge/*.yaml"),
        root / "intents.yaml",
        *root.glob("tests/data/**/*.yaml"),
    ]
    assert files
    assert max(f.stat().st_size for f in files) < MAX_FILE_BYTES // 4


# --- the fast paths of read_yaml against PyYAML's own -----------------------------------


def _typed(value: object) -> object:
    """``value`` with the type of every part beside it: 1, 1.0 and True compare equal."""
    if isinstance(value, dict):
        return {_typed(k): _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, set):
        return ("set", frozenset(_typed(v) for v in value))
    return (type(value).__name__, value)


def _pyyaml(text: str) -> object:
    return yaml.load(text, Loader=_safe_loader())


REPOSITORY_FILES = sorted(
    [*ROOT.glob("knowledge/*.yaml"), ROOT / "intents.yaml", *ROOT.glob("tests/data/**/*.yaml")]
)


@pytest.mark.parametrize("path", REPOSITORY_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_repository_file_reads_as_pyyaml_reads_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert _typed(read_yaml(path, path.name).data) == _typed(_pyyaml(text))


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: 1.5\nc: true\nd: null\ne: ~\nf: 0x1f\ng: .inf\nh: text\n",
        "1: one\ntrue: yes\nnull: nothing\n2.5: half\n",  # keys that are not text
        "when: 2012-11-01\nat: 2012-11-01 10:00:00\n",  # dates
        "base: {a: 1}\nmerged: {<<: {a: 1, b: 2}, c: 3}\n",  # a merge key
        "= : value\n",  # the "value" key
        "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\np: !!pairs [{a: 1}]\n",
        "bin: !!binary aGVsbG8=\nexplicit: !!str 12\nnum: !!float 3\n",
        "- - - deep\n  - []\n- {}\n- ''\n",
        "plain scalar at the top\n",
        "",
    ],
)
def test_fast_construction_matches_pyyaml(tmp_path: Path, text: str) -> None:
    path = tmp_path / "some.yaml"
    path.write_text(text, encoding="utf-8")
    assert _typed(read_yaml(path, "some.yaml").data) == _typed(_pyyaml(text))


def test_a_file_nested_deeper_than_python_recurses_still_reads(tmp_path: Path) -> None:
    depth = 990  # libyaml refuses more than 1000 levels
    path = tmp_path / "deep.yaml"
    path.write_text("[" * depth + "]" * depth + "\n", encoding="utf-8")
    data = read_yaml(path, "deep.yaml").data
    for _ in range(depth - 1):
        assert isinstance(data, list)
        (data,) = data
    assert data == []


@pytest.mark.parametrize(
    ("text", "what", "line"),
    [
        ("&a x\n", "anchor &a", 1),
        ("a: [&b x, y]\n", "anchor &b", 1),
        ("a: {k: &c v}\n", "anchor &c", 1),
        ("a: {k: *d}\n", "alias *d", 1),
        ("a:\n  - x\n  - &e y\n", "anchor &e", 3),
        ("a: [x,&f y]\n", "anchor &f", 1),
        ("? &g k\n: v\n", "anchor &g", 1),
        ("\ufeff&h [a]\n", "anchor &h", 1),
        ("a: !!str &i x\n", "anchor &i", 1),
        ("a: &j-k_1 x\nb: [*j-k_1]\n", "anchor &j-k_1", 1),
    ],
)
def test_anchors_in_every_position_are_refused(
    tmp_path: Path, text: str, what: str, line: int
) -> None:
    path = tmp_path / "forces.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_yaml(path, "forces.yaml")
    assert str(caught.value) == (
        f"forces.yaml:{line}: YAML {what} is not allowed: write the value out in full"
    )


@pytest.mark.parametrize(
    "text",
    [
        'title: "Q&A"\nnote: "5 * 2, R&D"\nplain: Q & A *really*\n',
        "a: &x 1\nb: [*x, '&y', fire & rescue, 2*3]\n# &z in a comment\n",
        "a: {k: &x v, l:*x}\n",
        "a: {k:&d v}\n",
        "- &x a\n- *x\n- 'a&b'\n",
    ],
)
def test_the_anchor_prefilter_never_misses_what_the_parser_sees(text: str) -> None:
    """Where the pre-filter finds no possible anchor, the parser's events have none."""
    events = list(yaml.parse(text, Loader=_safe_loader()))
    has_anchor = any(
        isinstance(e, yaml.AliasEvent) or (isinstance(e, yaml.NodeEvent) and e.anchor is not None)
        for e in events
    )
    assert has_anchor <= (_MAYBE_ANCHOR.search(text) is not None)


def test_the_knowledge_files_need_no_event_scan() -> None:
    """Ours have & and * only as text, so reading them skips the slow scan for anchors."""
    for path in [*ROOT.glob("knowledge/*.yaml"), ROOT / "intents.yaml"]:
        assert _MAYBE_ANCHOR.search(path.read_text(encoding="utf-8")) is None, path


def test_a_nested_duplicate_key_names_its_entry_and_line(tmp_path: Path) -> None:
    path = tmp_path / "forces.yaml"
    path.write_text("forces:\n  - id: a\n  - id: b\n    name: B\n    id: c\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_yaml(path, "forces.yaml")
    assert str(caught.value) == (
        "forces.yaml:5: forces[1].id: duplicate key (the earlier value would be ignored)"
    )


def test_lines_are_found_when_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "forces.yaml"
    path.write_text("forces:\n  - id: a\n    aliases:\n      - x\n      - y\n", encoding="utf-8")
    doc = read_yaml(path, "forces.yaml")
    assert doc.line(("forces", 0, "aliases", 1)) == 5
    assert doc.line(("forces", 0, "missing", "deeper")) == 2  # the nearest ancestor's
    assert doc.line(("nothing",)) == 1
