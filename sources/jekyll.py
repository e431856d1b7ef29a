"""Read one Jekyll post (front matter + body) into a `Post`, whichever dialect wrote it.

Two dialects are in use: the news mirror's (`date: 2025-11-01 05:34:03.000000000 +00:00`,
`link:`, `categories: cna`) and the older seed one (quoted title, ISO `...Z` date, `from:`,
`tags: [..]`, and a body that opens with an `<!--epoch-ms-->` marker, a `[title](url)` link
heading and a `------` rule). Anything wrong with a file becomes a `PostError` whose reason
a person can act on; no other exception leaves this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cached_property, lru_cache
from pathlib import Path, PurePath
from typing import Any

import yaml
from yaml.nodes import ScalarNode

from sources.exceptions import PostError
from sources.naming import source_slug
from sources.post import Post, is_web_url

MAX_POST_BYTES = 5 * 1024 * 1024
"""Bigger files are refused: no news article is that long, and reading one costs memory."""

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YAML_RESOLVER = yaml.resolver.Resolver()
_YAML_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_YAML_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE
_MARKDOWN_SUFFIXES = {".md", ".markdown"}
_URL_KEYS = ("link", "from", "url")

_OPEN = re.compile(r"---[ \t]*(?:\n|\Z)")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_KEY_LINE = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+(.*)|[ \t]*)$")
_ITEM_LINE = re.compile(r"[ \t]*-[ \t]+(.*)$")
# A line YAML reads as one plain `key: text` pair: a key of letters, ": ", and text that
# starts with no YAML indicator and ends with no space or colon, tabs nowhere (`_plain_yaml`
# checks the rest).
_PLAIN_LINE = re.compile(r"([A-Za-z_][\w-]*): ([^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^\t]*[^\s:])?)")
# Inside plain text these end it, start a comment or break the line for YAML.
_NOT_PLAIN = re.compile(": | #|[\x85\u2028\u2029\ufeff]")
_STR_TAG = "tag:yaml.org,2002:str"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MARKER = re.compile(r"\s*<!--\s*(\d{10,16})\s*-->[ \t]*(?:\n|\Z)")
_HEADING = re.compile(r"\s*\[[^\n]*\]\(([^)\s]*)\)[ \t]*\n(?:-{3,}|={3,})[ \t]*(?:\n|\Z)")
_HEADER_WINDOW = 4096  # the seed header is short; never run the header patterns over a whole body
_HTML_START = re.compile(r"\s*<(?:!--|![Dd][Oo][Cc][Tt][Yy][Pp][Ee]|[A-Za-z][\w:-]*(?:[\s/>]|$))")
_URL = re.compile(r"https?://\S[^\n]*")  # DW links hold raw spaces
_DATE_TEXT = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"[ \t]*(?:([Zz]|UTC|GMT)|([+-])(\d{1,2}):?(\d{2})?)?"
)
_FILE_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})-")
_FILE_SOURCE = re.compile(r"\d{4}-\d{2}-\d{2}-([A-Z][A-Z0-9]*)-")


def parse_post_file(
    path: str | Path,
    source: str | None = None,
    *,
    default_source: str | None = None,
    post_path: str | None = None,
    max_bytes: int = MAX_POST_BYTES,
) -> Post:
    """Read and parse the post at `path`.

    `post_path` is what `Post.path` (and any error) records, by default `path` as given;
    sources pass the path inside the site so it stays the same wherever the site lives.
    """
    shown = post_path or str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise PostError(shown, f"cannot read the file: {exc.strerror or exc}") from None
    return parse_post(data, shown, source, default_source=default_source, max_bytes=max_bytes)


def parse_post(
    data: bytes,
    path: str,
    source: str | None = None,
    *,
    default_source: str | None = None,
    max_bytes: int = MAX_POST_BYTES,
) -> Post:
    """Parse the bytes of one post.

    Source name, first found wins: `source`; the first category ("(臺)中央社CNA" -> "cna");
    the file name `YYYY-MM-DD-SOURCE-slug` (SOURCE in capitals, so an ordinary slug word is
    not mistaken for an outlet); `default_source`; the folder holding the file.
    """
    text = _decode(data, path, max_bytes)
    front, body = _split(text, path)
    matter = _front_matter(front)
    meta = matter.meta

    title = _title(matter)
    if not title:
        hint = f" (YAML said: {matter.problem})" if matter.problem else ""
        raise PostError(path, f"front matter has no title{hint}")

    body, marker_time, heading_url = _strip_seed_header(body)
    if not body.strip():
        raise PostError(path, "empty body: nothing follows the front matter")

    categories = _texts(_first_present(meta, "categories", "category"))
    name = _source_name(source, categories, path, default_source)
    return Post(
        source=name,
        path=path,
        title=title,
        published=_published(matter, marker_time, path),
        body=body,
        body_format=_body_format(path, body),
        url=_url(meta) or heading_url,
        tags=_tags(meta, categories, name),
        author=_author(meta),
    )


def parse_date_text(text: str) -> datetime | None:
    """An aware UTC datetime from `2025-11-01 05:34:03.000000000 +00:00`, `...T...Z`, a bare
    date or a zone-less time (read as UTC); None when the text is no such date."""
    text = text.strip()
    match = _DATE_TEXT.fullmatch(text) if len(text) <= 64 else None
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, _zulu, sign, off_h, off_m = match.groups()
    try:
        zone = UTC
        if sign:
            offset = timedelta(hours=int(off_h), minutes=int(off_m or 0))
            zone = timezone(-offset if sign == "-" else offset)
        when = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=zone,
        )
        return when.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _decode(data: bytes, path: str, max_bytes: int) -> str:
    if len(data) > max_bytes:
        raise PostError(path, f"file is over the {max_bytes:,}-byte limit for a post")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PostError(path, "not UTF-8 text (it is UTF-16)")
    if b"\0" in data:
        raise PostError(path, "binary file (contains NUL bytes), not a text post")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PostError(path, "not UTF-8 text") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split(text: str, path: str) -> tuple[str, str]:
    """Front matter and body; Jekyll closes front matter with `---` (or YAML's `...`)."""
    opening = _OPEN.match(text)
    if opening is None:
        if not text.strip():
            raise PostError(path, "empty file")
        raise PostError(path, "no front matter: a post must start with a '---' line")
    closing = _CLOSE.search(text, opening.end())
    if closing is None:
        raise PostError(path, "front matter is not closed by a '---' line (file cut short?)")
    return text[opening.end() : closing.start()], text[closing.end() :]


@dataclass
class _FrontMatter:
    """The front matter's mapping as YAML reads it, and why YAML failed (None when it did
    not); its `key: value` lines as written are only read when needed (a failed parse, or
    a title or date that YAML read as something else)."""

    text: str
    meta: dict[Any, Any]
    problem: str | None = None

    @cached_property
    def lines(self) -> dict[str, Any]:
        """`_read_lines` of the text."""
        return _read_lines(self.text)

    @classmethod
    def as_written(cls, text: str, problem: str) -> _FrontMatter:
        """Front matter YAML cannot read: its lines are the mapping."""
        matter = cls(text, {}, problem)
        matter.meta = matter.lines
        return matter


def _front_matter(front: str) -> _FrontMatter:
    """Titles found in the wild break YAML (`title: A: B`, unbalanced quotes), so a failed
    YAML parse falls back to reading `key: value` lines rather than losing the post.
    """
    plain = _plain_yaml(front)
    if plain is not None:
        return _FrontMatter(front, plain)
    loaded, problem = _load_yaml(front)
    if problem:
        return _FrontMatter.as_written(front, problem)
    if loaded is None:
        return _FrontMatter(front, {})
    if not isinstance(loaded, dict):
        return _FrontMatter.as_written(front, "front matter is not a set of 'key: value' lines")
    return _FrontMatter(front, loaded)


def _plain_yaml(front: str) -> dict[str, Any] | None:
    """What YAML makes of front matter that is only plain `key: text` lines, using PyYAML's
    own rules for what such text means (a string, or a date); None for anything else.

    Mirrors write their front matter this way, and even five such lines cost PyYAML's
    loader a tenth of a millisecond, a noticeable share of reading a post.
    """
    if _YAML_NON_PRINTABLE.search(front):
        return None
    fields: dict[str, Any] = {}
    for line in front.split("\n"):
        if not line.strip():
            continue
        match = _PLAIN_LINE.fullmatch(line)
        if match is None:
            return None
        key, value = match.groups()
        if _NOT_PLAIN.search(value) or _key_tag(key) != _STR_TAG:
            return None
        tag = _yaml_tag(value)
        if tag == _TIMESTAMP_TAG:
            try:
                fields[key] = _YAML_CONSTRUCTOR.construct_yaml_timestamp(ScalarNode(tag, value))
            except (ValueError, OverflowError):  # 2025-13-45: the loader fails, and says why
                return None
        elif tag == _STR_TAG:
            fields[key] = value
        else:  # a number, true/false, null: left to the loader
            return None
    return fields


def _yaml_tag(plain: str) -> str:
    return _YAML_RESOLVER.resolve(ScalarNode, plain, (True, False))


@lru_cache(maxsize=256)
def _key_tag(key: str) -> str:
    """`_yaml_tag` of a key: posts use a handful (a key like `yes` would be a bool)."""
    return _yaml_tag(key)


def _load_yaml(text: str) -> tuple[Any, str | None]:
    """The YAML value, or None and the first line of why YAML could not read `text`."""
    try:
        return yaml.load(text, Loader=_YAML_LOADER), None  # CSafeLoader: plain data only
    except Exception as exc:  # YAML on wild text fails many ways (ValueError too)
        return None, (str(exc).splitlines() or [type(exc).__name__])[0]


def _read_lines(front: str) -> dict[str, Any]:
    """`key: value` lines (and `- item` lists under an empty key), values as written."""
    fields: dict[str, Any] = {}
    list_key = None
    for line in front.split("\n"):
        if key_line := _KEY_LINE.match(line):
            key, value = key_line.group(1), (key_line.group(2) or "").strip()
            fields[key] = _raw_value(value) if value else []
            list_key = None if value else key
        elif list_key and (item := _ITEM_LINE.match(line)):
            fields[list_key].append(_unquote(item.group(1).strip()))
    return fields


def _raw_value(value: str) -> str | list[str]:
    if value.startswith("[") and value.endswith("]"):
        return [_unquote(part.strip()) for part in value[1:-1].split(",") if part.strip()]
    return _unquote(value)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        # the whole front matter failed, this one scalar may not: keep its \" and \u escapes
        decoded, _ = _load_yaml(value)
        return decoded if isinstance(decoded, str) else value[1:-1]
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value


def _title(matter: _FrontMatter) -> str:
    value = matter.meta.get("title")
    if value is not None and not isinstance(value, str):
        # YAML read `title: 2025` as a number: keep what was written
        value = matter.lines.get("title")
    if not isinstance(value, str):
        return ""
    return _unwrap(value, " ").strip()


def _unwrap(text: str, joiner: str) -> str:
    """The lines of `text` joined by `joiner`, without the spaces and tabs around each break.

    Split, not a regular expression: one matching blanks before a line break backtracks
    over every blank of a long run, in quadratic time (a 600 KB post stalled a scan).
    """
    return joiner.join(line.strip(" \t") for line in text.split("\n"))


def _strip_seed_header(body: str) -> tuple[str, datetime | None, str | None]:
    """Remove the seed dialect's `<!--ms-->` marker and `[title](url)` + rule heading."""
    marker_time = heading_url = None
    if marker := _MARKER.match(body[:_HEADER_WINDOW]):
        marker_time = _from_epoch_ms(int(marker.group(1)))
        body = body[marker.end() :]
    if heading := _HEADING.match(body[:_HEADER_WINDOW]):
        link = heading.group(1)
        heading_url = link if _URL.fullmatch(link) and is_web_url(link) else None
        body = body[heading.end() :]
    return body.strip("\n"), marker_time, heading_url


def _from_epoch_ms(milliseconds: int) -> datetime | None:
    try:
        return datetime.fromtimestamp(milliseconds / 1000, UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _published(matter: _FrontMatter, marker_time: datetime | None, path: str) -> datetime:
    """Front-matter date, else the epoch marker, else the file name's date."""
    when = _as_utc(matter.meta.get("date"))
    written = None
    if when is None:  # YAML read no date (or none of its own kind): what was written?
        written = matter.lines.get("date")
        if isinstance(written, str):
            when = parse_date_text(written)
    when = when or marker_time or _file_date(path)
    if when is not None:
        return when
    if written:
        raise PostError(
            path, f"date {str(written)[:80]!r} is not a date (use 2025-11-01 08:30 +08:00)"
        )
    raise PostError(path, "no date: not in the front matter, the body or the file name")


def _as_utc(value: Any) -> datetime | None:
    try:
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=UTC)
    except (OverflowError, ValueError):
        return None
    return parse_date_text(value) if isinstance(value, str) else None


def _file_date(path: str) -> datetime | None:
    match = _FILE_DATE.match(PurePath(path).name)
    if match is None:
        return None
    try:
        return datetime(*(int(part) for part in match.groups()), tzinfo=UTC)
    except ValueError:
        return None


def _source_name(
    source: str | None, categories: list[str], path: str, default_source: str | None
) -> str:
    if source:
        return source
    for category in categories:
        if name := source_slug(category):
            return name
    if from_file := _FILE_SOURCE.match(PurePath(path).name):
        return from_file.group(1).lower()
    if default_source:
        return default_source
    folder = PurePath(path).parent
    if folder.name == "_posts":
        folder = folder.parent
    if name := source_slug(folder.name):
        return name
    raise PostError(path, "cannot tell which source this post is from (no category or folder)")


def _first_present(meta: dict[Any, Any], *keys: str) -> Any:
    return next((meta[key] for key in keys if meta.get(key) is not None), None)


def _texts(value: Any) -> list[str]:
    """Words of a Jekyll list field: a YAML list, or one string split on spaces (or commas)."""
    if isinstance(value, str):
        parts = value.split(",") if "," in value else value.split()
    elif isinstance(value, list):
        parts = [text for item in value if (text := _scalar_text(item)) is not None]
    else:
        return []
    return [part.strip() for part in parts if part.strip()]


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None  # `yes`/`on` became a bool: there is no telling what was written
    if isinstance(value, int | float | date):
        try:
            return str(value)
        except ValueError:  # an integer too long to print
            return None
    return None


def _tags(meta: dict[Any, Any], categories: list[str], source: str) -> tuple[str, ...]:
    """Front-matter tags without the outlet itself, which the seed dialect repeats as a tag."""
    not_tags = {category.casefold() for category in categories} | {source.casefold()}
    kept: dict[str, None] = {}
    for tag in _texts(meta.get("tags")):
        if tag.casefold() not in not_tags and source_slug(tag) != source:
            kept.setdefault(tag)
    return tuple(kept)


def _url(meta: dict[Any, Any]) -> str | None:
    for key in _URL_KEYS:
        value = meta.get(key)
        if isinstance(value, str):
            # a YAML writer may have wrapped a long link over lines (some DW posts)
            value = _unwrap(value.strip(), "")
            if _URL.fullmatch(value) and is_web_url(value):
                return value
    return None


def _author(meta: dict[Any, Any]) -> str | None:
    value = meta.get("author")
    if isinstance(value, dict):
        value = value.get("name")
    return (value.strip() or None) if isinstance(value, str) else None


def _body_format(path: str, body: str) -> str:
    """Markdown only when a markdown file really holds markdown (the seed `.md` holds HTML)."""
    is_markdown_file = PurePath(path).suffix.lower() in _MARKDOWN_SUFFIXES
    return "markdown" if is_markdown_file and not _HTML_START.match(body) else "html"
