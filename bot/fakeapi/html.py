"""Telegram's HTML formatting (parse_mode="HTML"), parsed the way the Bot API documents it.

Why a parser of our own: the bugs that reach users are texts Telegram refuses ("can't parse
entities") and texts that are too long once the tags are gone, so the fake server has to know
exactly which characters a user would see and which markup Telegram accepts.

Deliberately stricter than Telegram's own parser on one point: the Bot API documents that
every `<`, `>` and `&` outside a tag or an entity must be escaped. Telegram's server forgives
a stray `&` or `>`, but the same forgotten `html.escape` breaks the message the day a headline
contains `<`, so we refuse all three. Inside a quoted attribute value a raw `&` is allowed
(URLs with query strings), as Telegram does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.fakeapi.exceptions import HtmlParseError

# Supported tags and the entity type each one produces.
_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_PLAIN_RUN = re.compile(r"[^<>&]+")
_ENTITY = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[a-zA-Z][a-zA-Z0-9]*);")
_TAG_NAME = re.compile(r"[a-zA-Z0-9-]*")
_ATTR_NAME = re.compile(r"[a-zA-Z0-9_:-]*")
_SPACES = re.compile(r"\s*")
_UNQUOTED_VALUE = re.compile(r"[^\s>]*")


@dataclass(frozen=True)
class FormattedText:
    """What a user sees: the text without markup, and the entities (offsets in UTF-16 units)."""

    text: str
    entities: tuple[dict[str, Any], ...] = ()


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> FormattedText:
    """Parse Telegram HTML into visible text and entities, or raise `HtmlParseError`.

    Leading and trailing white space is dropped from the visible text, as Telegram does.
    """
    return _Parser(source).parse()


def strip_formatted(text: str, entities: tuple[dict[str, Any], ...] = ()) -> FormattedText:
    """Drop surrounding white space like Telegram does, moving and clipping the entities."""
    stripped = text.strip()
    if stripped == text:
        return FormattedText(text, entities)
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    limit = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, limit)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return FormattedText(stripped, tuple(kept))


@dataclass
class _OpenTag:
    name: str
    attributes: dict[str, str]
    start: int  # UTF-16 offset in the visible text
    language: str | None = field(default=None)


class _Parser:
    """One pass over the source; keeps the visible text, the open tags and the entities."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.pieces: list[str] = []
        self.length = 0  # UTF-16 length of the visible text so far
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def parse(self) -> FormattedText:
        source, i = self.source, 0
        while i < len(source):
            run = _PLAIN_RUN.match(source, i)
            if run:
                self._emit(run.group())
                i = run.end()
            elif source[i] == "&":
                char, i = self._entity(i, in_attribute=False)
                self._emit(char)
            elif source[i] == ">":
                raise HtmlParseError(
                    f'Character ">" at byte offset {self._byte(i)} must be escaped as "&gt;"'
                )
            elif source.startswith("</", i):
                i = self._end_tag(i)
            else:
                i = self._start_tag(i)
        if self.stack:
            name = self.stack[-1].name
            raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{name}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return strip_formatted("".join(self.pieces), tuple(self.entities))

    def _emit(self, text: str) -> None:
        self.pieces.append(text)
        self.length += utf16_len(text)

    def _byte(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def _entity(self, i: int, *, in_attribute: bool) -> tuple[str, int]:
        """Decode the entity at `i`; return the character and the index after it."""
        match = _ENTITY.match(self.source, i)
        if match is None:
            if in_attribute:
                return "&", i + 1
            raise HtmlParseError(
                f'Character "&" at byte offset {self._byte(i)} must be escaped as "&amp;"'
            )
        body = match.group(1)
        if body.startswith("#"):
            code = int(body[2:], 16) if body[1] in "xX" else int(body[1:])
            if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise HtmlParseError(
                    f'Invalid HTML entity "{match.group()}" at byte offset {self._byte(i)}'
                )
            return chr(code), match.end()
        if body not in _NAMED_ENTITIES:
            raise HtmlParseError(
                f'Unsupported HTML entity "{match.group()}" at byte offset {self._byte(i)}'
            )
        return _NAMED_ENTITIES[body], match.end()

    def _attribute_value(self, start: int, end: int) -> str:
        """Decode the entities of the attribute value at source[start:end]."""
        out, i = [], start
        while i < end:
            if self.source[i] == "&":
                char, i = self._entity(i, in_attribute=True)
                out.append(char)
            else:
                out.append(self.source[i])
                i += 1
        return "".join(out)

    def _start_tag(self, begin: int) -> int:
        source = self.source
        name_match = _TAG_NAME.match(source, begin + 1)
        name = name_match.group().lower()
        i = name_match.end()
        if i >= len(source):
            raise HtmlParseError(f"Unclosed start tag at byte offset {self._byte(begin)}")
        if not name:
            raise HtmlParseError(
                f'Character "<" at byte offset {self._byte(begin)} must be escaped as "&lt;"'
            )
        if name not in _TAG_ENTITY:
            raise HtmlParseError(
                f'Unsupported start tag "{name}" at byte offset {self._byte(begin)}'
            )
        attributes: dict[str, str] = {}
        while True:
            i = _SPACES.match(source, i).end()
            if i >= len(source):
                raise HtmlParseError(f"Unclosed start tag at byte offset {self._byte(begin)}")
            if source[i] == ">":
                break
            attr_match = _ATTR_NAME.match(source, i)
            attr = attr_match.group().lower()
            if not attr:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset {self._byte(begin)}'
                )
            i = _SPACES.match(source, attr_match.end()).end()
            if i >= len(source) or source[i] != "=":
                attributes[attr] = ""
                continue
            i = _SPACES.match(source, i + 1).end()
            if i < len(source) and source[i] in "\"'":
                close = source.find(source[i], i + 1)
                if close < 0:
                    raise HtmlParseError(f"Unclosed start tag at byte offset {self._byte(begin)}")
                attributes[attr] = self._attribute_value(i + 1, close)
                i = close + 1
            else:
                end = _UNQUOTED_VALUE.match(source, i).end()
                attributes[attr] = self._attribute_value(i, end)
                i = end
        self._check_attributes(name, attributes)
        self.stack.append(_OpenTag(name, attributes, self.length))
        return i + 1

    def _check_attributes(self, name: str, attributes: dict[str, str]) -> None:
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise HtmlParseError('Tag "span" must have class "tg-spoiler"')
        if name == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
            raise HtmlParseError("Custom emoji entity must have a numeric emoji-id attribute")

    def _end_tag(self, begin: int) -> int:
        name_match = _TAG_NAME.match(self.source, begin + 2)
        name = name_match.group().lower()
        i = _SPACES.match(self.source, name_match.end()).end()
        if i >= len(self.source) or self.source[i] != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {self._byte(begin)}")
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {self._byte(begin)}")
        tag = self.stack.pop()
        if name != tag.name:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {self._byte(begin)}, "
                f'expected "</{tag.name}>", found "</{name}>"'
            )
        self._close(tag)
        return i + 1

    def _close(self, tag: _OpenTag) -> None:
        length = self.length - tag.start
        language = tag.attributes.get("class", "")
        if tag.name == "code" and language.startswith("language-") and self.stack:
            parent = self.stack[-1]
            if parent.name == "pre":  # <pre><code class="language-x"> is one pre entity
                parent.language = language.removeprefix("language-")
                return
        if length == 0:
            return
        entity: dict[str, Any] = {
            "type": _TAG_ENTITY[tag.name],
            "offset": tag.start,
            "length": length,
        }
        if tag.name == "a":
            href = tag.attributes.get("href", "")
            if not href:
                return
            entity["url"] = href
        elif tag.name == "pre" and tag.language:
            entity["language"] = tag.language
        elif tag.name == "blockquote" and "expandable" in tag.attributes:
            entity["type"] = "expandable_blockquote"
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.attributes["emoji-id"]
        self.entities.append(entity)
