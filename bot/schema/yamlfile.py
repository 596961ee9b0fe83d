"""Reading YAML files safely, with line numbers and field-by-field validation errors."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]
# libyaml's parser when PyYAML was built with it (the wheels are): the same safe rules and
# line numbers, about eight times faster than the pure-Python one.
_SAFE_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)
# The largest file read: the biggest of ours is about 70 KB, so a file over 1 MiB is a
# mistake (or an attack on the reload), refused before it is read.
MAX_FILE_BYTES = 1024 * 1024
# The characters that start an anchor (&name) or an alias (*name): a file without either
# cannot have one, so only files with them are scanned event by event.
_ANCHOR_MARKS = ("&", "*")


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


def _line_map(
    node: yaml.Node, path: Path_, lines: dict[Path_, int], duplicates: list[tuple[Path_, int]]
) -> None:
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


@dataclass(slots=True)
class YamlDoc:
    """A parsed YAML file, the line of every key and list item in it, and what was read."""

    name: str
    data: Any
    lines: dict[Path_, int]
    # mapping path -> keys a loader asked for; None: a free-form mapping (keys are data)
    read: dict[Path_, set[str] | None] = field(default_factory=dict)

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


def _read_text(path: Path, name: str) -> str:
    """The file's text, refused (DataError) when unreadable, not UTF-8 or over MAX_FILE_BYTES."""
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
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError([Problem(name, "", f"not UTF-8 text: {exc.reason}")]) from exc


def _refuse_anchors(text: str, name: str) -> None:
    """DataError at the first anchor (&name) or alias (*name) in ``text``.

    Our files never need them, and a few nested aliases expand into millions of nodes
    (a "billion laughs"): refused from the parser's events, before any tree is built.
    """
    if not any(mark in text for mark in _ANCHOR_MARKS):
        return
    for event in yaml.parse(text, Loader=_SAFE_LOADER):
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


def read_yaml(path: Path, name: str) -> YamlDoc:
    """Parse ``path`` with ``yaml.safe_load`` rules; raise DataError naming file and line.

    Also refused: files over MAX_FILE_BYTES, and YAML anchors and aliases.
    """
    text = _read_text(path, name)
    try:
        _refuse_anchors(text, name)
        loader = _SAFE_LOADER(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataError([Problem(name, "", f"invalid YAML: {problem}", line)]) from exc
    lines: dict[Path_, int] = {}
    duplicates: list[tuple[Path_, int]] = []
    if node is not None:
        _line_map(node, (), lines, duplicates)
    if duplicates:
        # YAML keeps the last of two equal keys silently: a typo'd edit would vanish
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
    return YamlDoc(name, data, lines)


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
        elif isinstance(value, str):
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
