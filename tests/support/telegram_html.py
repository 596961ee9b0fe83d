"""Validator for Telegram's HTML parse mode: tdlib's parser plus the documented rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Tags listed under "HTML style" in the Bot API formatting options; nothing else is accepted.
SUPPORTED_TAGS = frozenset(
    [
        "a",
        "b",
        "blockquote",
        "code",
        "del",
        "em",
        "i",
        "ins",
        "pre",
        "s",
        "span",
        "strike",
        "strong",
        "tg-emoji",
        "tg-spoiler",
        "tg-time",
        "u",
    ]
)
# Entities that never contain each other ("All other entities can't contain each other").
ATOMIC_TAGS = frozenset({"a", "code", "pre", "tg-emoji", "tg-time"})
# Entities whose content is shown verbatim, so nothing may be nested in them (bar code in pre).
VERBATIM_TAGS = frozenset({"code", "pre"})
# The only named character references Telegram decodes.
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# tdlib rejects numeric references of 10 or more characters counting "&#" (it stops reading).
MAX_NUMERIC_ENTITY_CHARS = 9
# tdlib treats code points at or above this as invalid in a numeric reference.
MAX_CODE_POINT_EXCLUSIVE = 0x10FFFF
# Characters tdlib's is_space() treats as whitespace inside tags.
TAG_SPACES = frozenset(" \t\r\n\v\0")
# UTF-16 code units per code point above the Basic Multilingual Plane (entity offsets are UTF-16).
BMP_LIMIT = 0xFFFF
ERROR_PREFIX = "can't parse entities: "

_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}


class HtmlParseError(ValueError):
    """Text that Telegram's HTML parser would refuse; str() is the text after the API's prefix."""

    @property
    def description(self) -> str:
        """The message as the Bot API words it after "Bad Request: "."""
        return ERROR_PREFIX + str(self)


@dataclass(frozen=True)
class ParsedHtml:
    """The visible text and the message entities Telegram would derive from HTML."""

    text: str
    entities: list[dict[str, Any]]


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    utf16_start: int
    language: str = ""


@dataclass
class _Parser:
    source: str
    strict: bool
    pos: int = 0
    utf16: int = 0
    out: list[str] = field(default_factory=list)
    stack: list[_OpenTag] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)

    # -- helpers ---------------------------------------------------------------------------
    def fail(self, message: str) -> HtmlParseError:
        return HtmlParseError(message)

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8", "surrogatepass"))

    def at_end(self) -> bool:
        return self.pos >= len(self.source)

    def peek(self) -> str:
        return self.source[self.pos] if self.pos < len(self.source) else "\0"

    def skip_spaces(self) -> None:
        while not self.at_end() and self.peek() in TAG_SPACES:
            self.pos += 1

    def emit(self, char: str) -> None:
        self.out.append(char)
        self.utf16 += 2 if ord(char) > BMP_LIMIT else 1

    # -- top level -------------------------------------------------------------------------
    def parse(self) -> ParsedHtml:
        while not self.at_end():
            char = self.peek()
            if char == "&":
                self.read_reference()
            elif char == "<":
                self.read_tag()
            elif char == ">" and self.strict:
                offset = self.byte_offset(self.pos)
                raise self.fail(f'Character ">" must be escaped as "&gt;" at byte offset {offset}')
            else:
                self.emit(char)
                self.pos += 1
        if self.stack:
            name = self.stack[-1].name
            raise self.fail(f'Can\'t find end tag corresponding to start tag "{name}"')
        text = "".join(self.out)
        if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
            raise self.fail(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return ParsedHtml(text=text, entities=self.entities)

    # -- character references --------------------------------------------------------------
    def decode_reference(self, start: int) -> tuple[str, int] | None:
        """Decode the reference at start like tdlib: (character, end index) or None."""
        src = self.source
        end = start + 1
        if src.startswith("#", end):
            end += 1
            hexadecimal = src.startswith("x", end)
            digits = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
            end += hexadecimal
            digits_start = end
            while end < len(src) and src[end] in digits:
                end += 1
            if end == digits_start or end - start > MAX_NUMERIC_ENTITY_CHARS:
                return None
            code = int(src[digits_start:end], 16 if hexadecimal else 10)
            if code == 0 or code >= MAX_CODE_POINT_EXCLUSIVE:
                return None
            char = chr(code)
        else:
            while end < len(src) and src[end].isascii() and src[end].isalpha():
                end += 1
            name = src[start + 1 : end]
            if name not in NAMED_ENTITIES:
                return None
            char = NAMED_ENTITIES[name]
        if src.startswith(";", end):
            return char, end + 1
        return None if self.strict else (char, end)

    def read_reference(self) -> None:
        start = self.pos
        decoded = self.decode_reference(start)
        if decoded is not None:
            self.emit(decoded[0])
            self.pos = decoded[1]
            return
        if self.strict:
            raise self.fail(self.describe_bad_reference(start))
        self.emit("&")
        self.pos += 1

    def describe_bad_reference(self, start: int) -> str:
        src = self.source
        end = start + 1
        while end < len(src) and (src[end].isalnum() or src[end] == "#"):
            end += 1
        offset = self.byte_offset(start)
        if end > start + 1 and src.startswith(";", end):
            return f'Unsupported HTML entity "{src[start : end + 1]}" at byte offset {offset}'
        return f'Character "&" must be escaped as "&amp;" at byte offset {offset}'

    # -- tags ------------------------------------------------------------------------------
    def read_tag(self) -> None:
        begin = self.pos
        self.pos += 1
        if self.peek() == "/" and not self.at_end():
            self.read_end_tag(begin)
        else:
            self.read_start_tag(begin)

    def read_start_tag(self, begin: int) -> None:
        offset = self.byte_offset(begin)
        while not self.at_end() and self.peek() not in TAG_SPACES and self.peek() != ">":
            self.pos += 1
        if self.at_end():
            raise self.fail(f"Unclosed start tag at byte offset {offset}")
        name = self.source[begin + 1 : self.pos].lower()
        if name not in SUPPORTED_TAGS:
            raise self.fail(f'Unsupported start tag "{name}" at byte offset {offset}')
        attrs = self.read_attributes(name, offset)
        self.pos += 1  # the closing ">"
        check_tag_attributes(name, attrs, offset)
        if self.strict:
            self.check_nesting(name, offset)
        self.stack.append(_OpenTag(name=name, attrs=attrs, utf16_start=self.utf16))

    def read_attributes(self, tag: str, offset: int) -> dict[str, str]:
        attrs: dict[str, str] = {}
        while True:
            self.skip_spaces()
            if self.at_end():
                raise self.fail(f"Unclosed start tag at byte offset {offset}")
            if self.peek() == ">":
                return attrs
            name_start = self.pos
            while not self.at_end() and self.peek() not in TAG_SPACES and self.peek() not in "=>":
                self.pos += 1
            name = self.source[name_start : self.pos].lower()
            if not name:
                raise self.fail(f'Empty attribute name in the tag "{tag}" at byte offset {offset}')
            self.skip_spaces()
            if self.peek() != "=" or self.at_end():
                attrs[name] = ""
                continue
            self.pos += 1
            self.skip_spaces()
            if self.at_end():
                raise self.fail(f'Unclosed start tag "{tag}" at byte offset {offset}')
            attrs[name] = self.read_attribute_value()
            if self.at_end():
                raise self.fail(f"Unclosed start tag at byte offset {offset}")

    def read_attribute_value(self) -> str:
        quote = self.peek()
        if quote not in "'\"":
            token_start = self.pos
            while not self.at_end() and (self.peek().isalnum() or self.peek() in ".-"):
                self.pos += 1
            if not self.at_end() and self.peek() not in TAG_SPACES and self.peek() != ">":
                offset = self.byte_offset(token_start)
                raise self.fail(f"Unexpected end of name token at byte offset {offset}")
            return self.source[token_start : self.pos].lower()
        self.pos += 1
        value: list[str] = []
        while not self.at_end() and self.peek() != quote:
            decoded = self.decode_reference(self.pos) if self.peek() == "&" else None
            if decoded is not None:
                value.append(decoded[0])
                self.pos = decoded[1]
            else:
                value.append(self.peek())
                self.pos += 1
        if not self.at_end():
            self.pos += 1  # the closing quote
        return "".join(value)

    def check_nesting(self, name: str, offset: int) -> None:
        open_names = [tag.name for tag in self.stack]
        code_in_pre = name == "code" and open_names[-1:] == ["pre"]
        verbatim = [n for n in open_names if n in VERBATIM_TAGS]
        if verbatim and not code_in_pre:
            raise self.fail(
                f'Tag "{name}" can\'t be nested in "{verbatim[-1]}" at byte offset {offset}'
            )
        if name == "blockquote" and "blockquote" in open_names:
            raise self.fail(
                f'Tag "blockquote" can\'t be nested in "blockquote" at byte offset {offset}'
            )
        atomic = [n for n in open_names if n in ATOMIC_TAGS]
        if name in ATOMIC_TAGS and atomic and not code_in_pre:
            raise self.fail(
                f'Tag "{name}" can\'t be nested in "{atomic[-1]}" at byte offset {offset}'
            )

    def read_end_tag(self, begin: int) -> None:
        offset = self.byte_offset(begin)
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {offset}")
        self.pos += 1  # the "/"
        name_start = self.pos
        while not self.at_end() and self.peek() not in TAG_SPACES and self.peek() != ">":
            self.pos += 1
        end_name = self.source[name_start : self.pos].lower()
        self.skip_spaces()
        if self.at_end() or self.peek() != ">":
            raise self.fail(f"Unclosed end tag at byte offset {offset}")
        self.pos += 1
        tag = self.stack.pop()
        if end_name and end_name != tag.name:
            raise self.fail(
                f'Unmatched end tag at byte offset {offset}, expected "</{tag.name}>", '
                f'found "</{end_name}>"'
            )
        self.close(tag)

    def close(self, tag: _OpenTag) -> None:
        length = self.utf16 - tag.utf16_start
        if length <= 0:
            return
        if tag.name == "code" and self.stack and self.stack[-1].name == "pre":
            language = tag.attrs.get("class", "")
            self.stack[-1].language = language.removeprefix("language-")
            return
        self.entities.append(make_entity(tag, tag.utf16_start, length))


def check_tag_attributes(name: str, attrs: dict[str, str], offset: int) -> None:
    """Reject the attribute combinations Telegram refuses for span, tg-emoji and tg-time."""
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
        raise HtmlParseError(
            f'Tag "tg-emoji" must have a numeric "emoji-id" at byte offset {offset}'
        )
    if name == "tg-time" and not attrs.get("unix", "").isdigit():
        raise HtmlParseError(f'Tag "tg-time" must have a numeric "unix" at byte offset {offset}')


def make_entity(tag: _OpenTag, offset: int, length: int) -> dict[str, Any]:
    """Build the Bot API MessageEntity dict for a closed tag."""
    entity: dict[str, Any] = {"offset": offset, "length": length}
    if tag.name in _ENTITY_TYPES:
        entity["type"] = _ENTITY_TYPES[tag.name]
        if tag.name == "pre" and tag.language:
            entity["language"] = tag.language
    elif tag.name == "a":
        entity.update(type="text_link", url=tag.attrs.get("href", ""))
    elif tag.name == "blockquote":
        expandable = "expandable" in tag.attrs
        entity["type"] = "expandable_blockquote" if expandable else "blockquote"
    elif tag.name == "tg-emoji":
        entity.update(type="custom_emoji", custom_emoji_id=tag.attrs["emoji-id"])
    else:  # tg-time
        entity.update(type="date_time", unix_time=int(tag.attrs["unix"]))
        if tag.attrs.get("format"):
            entity["date_time_format"] = tag.attrs["format"]
    return entity


def parse_telegram_html(text: str, *, strict: bool = True) -> ParsedHtml:
    """Parse Telegram HTML into visible text and entities, raising HtmlParseError if refused.

    With strict=False this mirrors tdlib, which silently keeps a stray ">" or an "&" that starts
    no supported reference (such as "&nbsp;"), and which does not enforce nesting rules. The
    default strict=True also refuses those, as the Bot API documentation demands, so tests catch
    escaping bugs that the real server would only render wrongly.
    """
    return _Parser(source=text, strict=strict).parse()


def validate_telegram_html(text: str, *, strict: bool = True) -> str | None:
    """None if Telegram would accept the HTML, else its "can't parse entities: ..." text."""
    try:
        parse_telegram_html(text, strict=strict)
    except HtmlParseError as exc:
        return exc.description
    return None


def visible_length(text: str, *, strict: bool = True) -> int:
    """Length in code points after entity parsing (tags dropped, references decoded).

    Raises HtmlParseError when the text is not valid Telegram HTML.
    """
    return len(parse_telegram_html(text, strict=strict).text)
