"""Reading YAML files safely, with line numbers and field-by-field validation errors."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.schema.yamlcache import YamlCache

if TYPE_CHECKING:  # imported where it is used: a start whose files are all cached skips it
    import yaml

Path_ = tuple[str | int, ...]
# The largest file read: the biggest of ours is about 70 KB, so a file over 1 MiB is a
# mistake (or an attack on the reload), refused before it is read.
MAX_FILE_BYTES = 1024 * 1024
# Where an anchor (&name) or an alias (*name) could begin: an & or * followed by a
# character, at the start of the text or after a space, a line break or one of the
# indicators a YAML token may follow directly ("[&a x]", "{k:*a}"). An & or * anywhere
# else is text ("Q&A", "fire & rescue", "5 * 2") or, straight after a quoted scalar, a
# syntax error the parser reports anyway; so only files with a match are scanned event
# by event, which costs more than parsing them. (The & or * comes first in the pattern
# so that the search skips from one to the next instead of trying every position.)
_MAYBE_ANCHOR = re.compile(r"[&*](?<![^\s\[\]{},:?\-\ufeff][&*])(?=\S)")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a data file: where it is and what is wrong."""

    file: str
    where: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        at = f"{self.file}:{self.line}" if self.line else self.file
        return f"{at}: {self.where}: {self.message}" if self.where else f"{at}: {self.message}"


class DataError(Exception):
    """Raised when knowledge/ or intents.yaml is invalid; lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def describe(path: Path_) -> str:
    """``("forces", 2, "aliases")`` -> ``"forces[2].aliases"``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


@cache
def _safe_loader() -> type[yaml.SafeLoader] | type[yaml.CSafeLoader]:
    """libyaml's parser when PyYAML was built with it (the wheels are): the same safe rules
    and line numbers, about eight times faster than the pure-Python one."""
    import yaml  # noqa: PLC0415 - only when a file is parsed: a cached start never imports it

    loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
        yaml, "CSafeLoader", yaml.SafeLoader
    )
    return loader


def _line_map(
    node: yaml.Node, path: Path_, lines: dict[Path_, int], duplicates: list[tuple[Path_, int]]
) -> None:
    import yaml  # noqa: PLC0415 - see _safe_loader

    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    duplicates.append(((*path, key.value), key.start_mark.line + 1))
                seen.add(key.value)
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                lines[(*path, key.value)] = key.start_mark.line + 1
                _line_map(value, (*path, key.value), lines, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*path, index), lines, duplicates)


_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
# Scalars _build has the loader make one by one (text it takes as it is).
_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float"))


class _OtherTag(Exception):
    """A node _build leaves to the loader's own constructor (a date, a set, a merge key)."""


def _build(root: yaml.Node, loader: yaml.SafeLoader | yaml.CSafeLoader) -> Any:
    """The data of ``root`` exactly as ``loader.construct_document`` builds it, for the tags
    our files use (text, lists, mappings, null, booleans, numbers), in about a third of the
    time: no per-node bookkeeping. Raises _OtherTag at any other tag."""
    import yaml  # noqa: PLC0415 - see _safe_loader; once, not at every node

    scalar, mapping, sequence = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode

    def build(node: yaml.Node) -> Any:
        if isinstance(node, scalar):
            if node.tag == _STR_TAG:
                return node.value
            if node.tag in _SCALAR_TAGS:
                return loader.construct_object(node)
        elif isinstance(node, mapping) and node.tag == _MAP_TAG:
            out: dict[Any, Any] = {}
            for key, value in node.value:
                if not isinstance(key, scalar):
                    raise _OtherTag
                if key.tag != _STR_TAG and key.tag not in _SCALAR_TAGS:
                    raise _OtherTag  # also "<<" (merge) and "=" (value) keys
                out[build(key)] = build(value)
            return out
        elif isinstance(node, sequence) and node.tag == _SEQ_TAG:
            return [build(item) for item in node.value]
        raise _OtherTag

    return build(root)


def _has_duplicate_keys(root: yaml.Node) -> bool:
    """Whether any mapping under ``root`` has a key twice (the check _line_map makes, without
    building a path for every node: this one runs on every parse, _line_map only on errors)."""
    import yaml  # noqa: PLC0415 - see _safe_loader

    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            keys = [key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode)]
            if len(set(keys)) != len(keys):
                return True
            stack.extend(value for _, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return False


@dataclass(slots=True)
class YamlDoc:
    """A parsed YAML file, the line of every key and list item in it, and what was read."""

    name: str
    data: Any
    # the composed tree the lines come from (None for an empty file, or not composed yet)
    node: yaml.Node | None = field(default=None, repr=False)
    # mapping path -> keys a loader asked for; None: a free-form mapping (keys are data)
    read: dict[Path_, set[str] | None] = field(default_factory=dict)
    # the text the data came from, composed again for its lines when the data came from
    # the cache (None: ``node`` is the tree, if there is one)
    text: str | None = field(default=None, repr=False)
    _lines: dict[Path_, int] | None = field(default=None, init=False, repr=False)

    @property
    def lines(self) -> dict[Path_, int]:
        """The line of every key and list item, mapped when first asked for: only a Problem
        needs one, so a valid file never pays for it."""
        if self._lines is None:
            self._lines = {}
            if self.node is None and self.text is not None:
                self.node = _compose(self.text)
                self.text = None
            if self.node is not None:
                _line_map(self.node, (), self._lines, [])
        return self._lines

    def unknown_keys(self) -> list[Problem]:
        """A Problem for every key of a read mapping that no loader asked for.

        A misspelt key ("ofsted_not:", "require_none:") would otherwise be ignored and the
        bot would answer without it; the message names the nearest valid key.
        """
        problems: list[Problem] = []
        for path, wanted in self.read.items():
            if wanted is None:
                continue
            value: Any = self.data
            for part in path:
                value = value[part]
            if not isinstance(value, dict):
                continue
            for key in value:
                if str(key) in wanted:
                    continue
                near = difflib.get_close_matches(str(key), sorted(wanted), n=1)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                where = (*path, str(key))
                problems.append(
                    Problem(
                        self.name,
                        describe(where),
                        f"unknown field (expected one of {', '.join(sorted(wanted))}){hint}",
                        self.line(where),
                    )
                )
        return problems

    def line(self, path: Path_) -> int | None:
        """The line of ``path`` or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())


def _read_bytes(path: Path, name: str) -> bytes:
    """The file's bytes, refused (DataError) when unreadable or over MAX_FILE_BYTES."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)  # never more, however large the file is
    except OSError as exc:
        raise DataError([Problem(name, "", f"cannot read file: {exc.strerror or exc}")]) from exc
    if len(raw) > MAX_FILE_BYTES:
        raise DataError(
            [
                Problem(
                    name,
                    "",
                    f"file is larger than {MAX_FILE_BYTES // 1024} KiB, the most a data file "
                    f"may be (ours are under 100 KiB): split it or remove what does not belong",
                )
            ]
        )
    return raw


def _decode(raw: bytes, name: str) -> str:
    """The file's text, refused (DataError) when it is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError([Problem(name, "", f"not UTF-8 text: {exc.reason}")]) from exc


def _refuse_anchors(text: str, name: str) -> None:
    """DataError at the first anchor (&name) or alias (*name) in ``text``.

    Our files never need them, and a few nested aliases expand into millions of nodes
    (a "billion laughs"): refused from the parser's events, before any tree is built.
    """
    if _MAYBE_ANCHOR.search(text) is None:
        return
    import yaml  # noqa: PLC0415 - see _safe_loader

    for event in yaml.parse(text, Loader=_safe_loader()):
        if isinstance(event, yaml.AliasEvent):
            what = f"alias *{event.anchor}"
        elif isinstance(event, yaml.NodeEvent) and event.anchor is not None:
            what = f"anchor &{event.anchor}"
        else:
            continue
        raise DataError(
            [
                Problem(
                    name,
                    "",
                    f"YAML {what} is not allowed: write the value out in full",
                    event.start_mark.line + 1 if event.start_mark else None,
                )
            ]
        )


def _compose(text: str) -> yaml.Node | None:
    """The tree of ``text``, a file read before without a problem (for its lines)."""
    loader = _safe_loader()(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _parse(text: str, name: str) -> tuple[Any, yaml.Node | None]:
    """The data and the tree of ``text``; DataError for invalid YAML, an anchor or an alias,
    or a key given twice in one mapping."""
    import yaml  # noqa: PLC0415 - see _safe_loader

    try:
        _refuse_anchors(text, name)
        loader = _safe_loader()(text)
        try:
            node = loader.get_single_node()
            data = None
            if node is not None:
                try:
                    data = _build(node, loader)
                except (_OtherTag, RecursionError):  # nested deeper than Python recurses
                    data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataError([Problem(name, "", f"invalid YAML: {problem}", line)]) from exc
    if node is not None and _has_duplicate_keys(node):
        # YAML keeps the last of two equal keys silently: a typo'd edit would vanish
        duplicates: list[tuple[Path_, int]] = []
        _line_map(node, (), {}, duplicates)
        raise DataError(
            [
                Problem(
                    name,
                    describe(where),
                    "duplicate key (the earlier value would be ignored)",
                    line,
                )
                for where, line in duplicates
            ]
        )
    return data, node


# Where read_yaml keeps parsed files (use_cache); None: every file is parsed.
_cache: YamlCache | None = None


def use_cache(directory: Path | None) -> None:
    """Keep the files read_yaml parses in ``directory`` from now on (None: no cache), so a
    start whose files are unchanged neither parses them nor imports yaml."""
    global _cache  # noqa: PLW0603 - one setting for the process, made by the CLI at start
    _cache = YamlCache(directory) if directory is not None else None


def read_yaml(path: Path, name: str) -> YamlDoc:
    """Parse ``path`` with ``yaml.safe_load`` rules; raise DataError naming file and line.

    Also refused: files over MAX_FILE_BYTES, and YAML anchors and aliases. With a cache
    (use_cache), a file whose bytes were parsed before is not parsed again: its lines are
    found from its text only if a Problem asks for one.
    """
    raw = _read_bytes(path, name)
    text = _decode(raw, name)
    cache = _cache
    if cache is None:
        data, node = _parse(text, name)
        return YamlDoc(name, data, node)
    key = cache.key(raw)
    hit, data = cache.get(path, key)
    if hit:
        return YamlDoc(name, data, text=text)
    data, node = _parse(text, name)
    cache.put(path, key, data)
    return YamlDoc(name, data, node)


class Fields:
    """Typed access to one mapping of a YamlDoc, recording a Problem for each bad field."""

    def __init__(self, doc: YamlDoc, path: Path_, problems: list[Problem]) -> None:
        self.doc = doc
        self.path = path
        self.problems = problems
        value = self._get_path(path)
        if not isinstance(value, dict):
            self.fail("", f"expected a mapping, got {_kind(value)}")
            value = {}
        self._data: dict[str, Any] = value
        if isinstance(self._get_path(path), dict):
            doc.read.setdefault(path, set())

    @property
    def data(self) -> dict[str, Any]:
        """The mapping itself, for free-form mappings whose keys are data, not fields."""
        self.doc.read[self.path] = None
        return self._data

    def _want(self, key: str) -> None:
        wanted = self.doc.read.get(self.path)
        if wanted is not None:
            wanted.add(key)

    def known(self, *keys: str) -> None:
        """Declare the mapping's valid keys up front, so a key read later (or not at all,
        after an earlier error) is never reported as unknown."""
        for key in keys:
            self._want(key)

    def raw(self, key: str) -> Any:
        """The value at ``key`` as it is (None when absent), for fields of several types."""
        self._want(key)
        return self._data.get(key)

    def _get_path(self, path: Path_) -> Any:
        value: Any = self.doc.data
        for part in path:
            try:
                value = value[part]
            except (KeyError, IndexError, TypeError):
                return None
        return value

    def fail(self, key: str | int, message: str) -> None:
        """Record a problem with field ``key`` of this mapping."""
        path = (*self.path, key) if key != "" else self.path
        self.problems.append(Problem(self.doc.name, describe(path), message, self.doc.line(path)))

    def text(self, key: str) -> str:
        """A required non-empty string."""
        self._want(key)
        value = self._data.get(key)
        if key not in self._data:
            self.fail(key, "missing field")
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            if str(value).strip():
                return str(value).strip()
            self.fail(key, "must not be empty")
        else:
            self.fail(key, f"expected text, got {_kind(value)}")
        return ""

    def optional_text(self, key: str) -> str | None:
        """A string, or None when the field is absent or null (the page does not say)."""
        self._want(key)
        if self._data.get(key) is None:
            return None
        return self.text(key)

    def flag(self, key: str, default: bool | None = None) -> bool:
        """A boolean."""
        self._want(key)
        value = self._data.get(key, default)
        if isinstance(value, bool):
            return value
        self.fail(
            key, "missing field" if value is None else f"expected true or false, got {_kind(value)}"
        )
        return False

    def number(self, key: str, default: float) -> float:
        """A number."""
        self._want(key)
        value = self._data.get(key, default)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        self.fail(key, f"expected a number, got {_kind(value)}")
        return default

    def texts(self, key: str, *, required: bool = True) -> tuple[str, ...]:
        """A list of non-empty strings."""
        self._want(key)
        value = self._data.get(key)
        if value is None:
            if required:
                self.fail(key, "missing field")
            return ()
        if not isinstance(value, list):
            self.fail(key, f"expected a list, got {_kind(value)}")
            return ()
        out: list[str] = []
        for index, item in enumerate(value):
            if (
                isinstance(item, str | int | float)
                and not isinstance(item, bool)
                and str(item).strip()
            ):
                out.append(str(item).strip())
            else:
                self.problems.append(
                    Problem(
                        self.doc.name,
                        describe((*self.path, key, index)),
                        f"expected non-empty text, got {_kind(item)}",
                        self.doc.line((*self.path, key, index)),
                    )
                )
        return tuple(out)

    def child(self, key: str) -> Fields:
        """The mapping at ``key``."""
        self._want(key)
        if key not in self._data:
            self.fail(key, "missing field")
        return Fields(self.doc, (*self.path, key), self.problems)

    def optional_child(self, key: str) -> Fields | None:
        """The mapping at ``key``, or None when it is absent or null."""
        self._want(key)
        if self._data.get(key) is None:
            return None
        return self.child(key)

    def items(self, key: str) -> Iterator[Fields]:
        """Each mapping in the list at ``key``."""
        self._want(key)
        value = self._data.get(key)
        if not isinstance(value, list):
            self.fail(
                key, "missing field" if value is None else f"expected a list, got {_kind(value)}"
            )
            return
        for index in range(len(value)):
            yield Fields(self.doc, (*self.path, key, index), self.problems)


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


# A "{name}" left in text the bot shows: nothing fills it, so a person would see it raw.
_PLACEHOLDER_RE = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


def unfilled_placeholders(doc: YamlDoc, allowed: frozenset[str] = frozenset()) -> list[Problem]:
    """A Problem for each ``{placeholder}`` in ``doc``'s text that is not in ``allowed``."""
    problems: list[Problem] = []

    def walk(value: Any, path: Path_) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*path, str(key)))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*path, index))
        elif isinstance(value, str) and "{" in value:  # the test alone halves the walk
            for found in _PLACEHOLDER_RE.findall(value):
                if found not in allowed:
                    problems.append(
                        Problem(
                            doc.name,
                            describe(path),
                            f"{found} is a placeholder nothing fills"
                            + (f" (only {', '.join(sorted(allowed))})" if allowed else ""),
                            doc.line(path),
                        )
                    )

    walk(doc.data, ())
    return problems
