"""Article ids: one article gets one id however often, and from wherever, it is read.

The id is the first 16 hex digits of SHA-1 of the canonical URL, or of
`source + "\\0" + path` when the post has no URL (see ARCHITECTURE.md).
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": "80", "https": "443"}
_ESCAPES = re.compile(r"(?:%[0-9a-fA-F]{2})+")
_UNSAFE = re.compile(r"[\x00-\x20\x7f]")


def _decode_escapes(match: re.Match[str]) -> str:
    """Percent-escapes of non-ASCII text become the text; ASCII escapes stay, upper-cased."""
    escaped = match.group()
    try:
        text = bytes.fromhex(escaped.replace("%", "")).decode("utf-8")
    except UnicodeDecodeError:
        return escaped.upper()
    return "".join(c if ord(c) > 0x7F else f"%{ord(c):02X}" for c in text)


def _normalise(part: str) -> str:
    """One spelling for a path or query: readable Unicode (as Jekyll's `link:` has it), not
    %-escapes (as feeds often have it), so both give the same id and people can read it."""
    part = _ESCAPES.sub(_decode_escapes, part)
    return _UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", part)


def _is_tracking(parameter: str) -> bool:
    return parameter.split("=", 1)[0].lower().startswith("utm_")


def canonical_url(url: str) -> str:
    """The URL with scheme and host lower-cased, default port, fragment and `utm_*` dropped.

    Everything else (path case, other query parameters and their order) is kept: servers
    may treat them as meaningful. Applying it twice changes nothing.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = parts.netloc.lower()
    if host.endswith(f":{_DEFAULT_PORTS.get(scheme)}"):
        host = host.rsplit(":", 1)[0]
    path = parts.path or ("/" if host else "")
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p))
    return urlunsplit((scheme, host, _normalise(path), _normalise(query), ""))


def article_id(url: str | None, source: str, path: str) -> str:
    """16 hex digits naming the article: from its URL if it has one, else from where it lives."""
    key = canonical_url(url) if url and url.strip() else f"{source}\0{path}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
