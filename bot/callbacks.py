"""Inline-button data: compact, at most 64 bytes, and checked field by field when pressed.

Telegram hands back whatever `callback_data` a button carried, but a modified client can
send any string, and a button may outlive what it pointed at. So `decode` accepts only the
shapes `encode` makes and raises `StaleCallback` for anything else; handlers then check the
meaning again (is the term still followed, is the presser a group admin).

Data is `<code>:<field>:<field>...`; only the last field may contain ':'. Terms longer
than fit are referred to by `term_key` (a short hash) and looked up among the chat's own
terms.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.exceptions import StaleCallback

MAX_BYTES = 64

_TEXT = r"[^\x00-\x1f\x7f]+"  # no control characters
_KEY = r"[0-9a-f]{8}"
_MOMENT = r"[0-9a-f]{1,14}"  # up to the year 4253
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class _Action:
    code: str
    fields: tuple[str, ...]
    pattern: re.Pattern[str]


def _action(code: str, *fields: tuple[str, str]) -> _Action:
    body = ":".join(f"(?P<{name}>{regex})" for name, regex in fields)
    return _Action(code, tuple(name for name, _ in fields), re.compile(f"{code}:{body}"))


ACTIONS: dict[str, _Action] = {
    "subscribe": _action("s", ("term", _TEXT)),  # a folded term, e.g. a trending tag
    "unsubscribe": _action("u", ("key", _KEY)),
    "unmute": _action("m", ("key", _KEY)),
    "instant": _action("i", ("key", _KEY), ("on", "[01]")),
    "page": _action("p", ("offset", r"\d{1,4}"), ("query", _TEXT)),
    "page_ref": _action("q", ("offset", r"\d{1,4}"), ("ref", r"[0-9a-f]{10}")),
    "article": _action("a", ("id", r"[0-9a-f]{16}")),
    "settings": _action(
        "c", ("what", "menu|time|tz|lang|len|inst|pause"), ("value", r"[A-Za-z0-9_+/-]{0,40}")
    ),
    # a digest's window (`moment_code`s), one of its topics, and how many of the stories it
    # left out were sent already
    "digest_more": _action(
        "d", ("since", _MOMENT), ("until", _MOMENT), ("key", _KEY), ("offset", r"\d{1,4}")
    ),
}
_BY_CODE = {action.code: (name, action) for name, action in ACTIONS.items()}


@dataclass(frozen=True)
class Callback:
    """A decoded button press: the action's name and its fields (all strings)."""

    action: str
    fields: dict[str, str]


def encode(action: str, **fields: object) -> str:
    """The callback_data for `action`; ValueError when it would not fit or not decode."""
    spec = ACTIONS[action]
    if set(fields) != set(spec.fields):
        raise ValueError(f"{action} takes {spec.fields}, not {tuple(fields)}")
    data = ":".join([spec.code, *(str(fields[name]) for name in spec.fields)])
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"callback data for {action} is longer than {MAX_BYTES} bytes")
    try:
        decoded = decode(data).fields
    except StaleCallback:
        decoded = None
    if decoded != {name: str(value) for name, value in fields.items()}:
        raise ValueError(f"callback data {data!r} does not decode to what was encoded")
    return data


def fits(action: str, **fields: object) -> bool:
    try:
        encode(action, **fields)
    except ValueError:
        return False
    return True


def decode(data: str | None) -> Callback:
    """The action and fields of `data`; `StaleCallback` for anything `encode` cannot make."""
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        raise StaleCallback(data)
    found = _BY_CODE.get(data.split(":", 1)[0])
    if found is None:
        raise StaleCallback(data)
    name, spec = found
    match = spec.pattern.fullmatch(data)
    if match is None:
        raise StaleCallback(data)
    return Callback(name, {key: value or "" for key, value in match.groupdict().items()})


def term_key(term: str) -> str:
    """A short stand-in for a (folded) term that may be too long for a button."""
    return hashlib.sha1(term.encode("utf-8")).hexdigest()[:8]


def query_ref(query: str) -> str:
    """A short stand-in for a search query too long for a button."""
    return hashlib.sha1(query.encode("utf-8")).hexdigest()[:10]


def moment_code(moment: datetime) -> str:
    """A point in time, to the microsecond, in 13 characters: microseconds since 1970 in hex."""
    return format((moment - _EPOCH) // timedelta(microseconds=1), "x")


def moment_of(code: str) -> datetime:
    """The moment `moment_code` gave `code` for (in UTC)."""
    return _EPOCH + timedelta(microseconds=int(code, 16))
