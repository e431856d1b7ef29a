"""Understand the one line a person writes to add a source: a folder, a git repo or a feed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from sources.exceptions import SpecError
from sources.naming import source_slug

FEED_SUFFIXES = (".xml", ".rss", ".atom")
_GIT_HOSTS = {"github.com", "gitlab.com", "codeberg.org", "bitbucket.org"}
_NAMED = re.compile(r"([\w.-]+)\s*=\s*(.+)", re.DOTALL)
_SCP_LIKE = re.compile(r"[\w.-]+@[\w.-]+:.+")  # git@github.com:owner/repo.git
_URL_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


def redact(text: str) -> str:
    """`text` with any `user:password@` of a URL in it replaced, so logs never hold tokens."""
    return _URL_USERINFO.sub("***@", text)


@dataclass(frozen=True)
class SourceSpec:
    """Where posts come from. `name` is the one the user gave (`name=location`), if any."""

    kind: str
    location: str
    name: str | None = None

    def __repr__(self) -> str:
        location = redact(self.location)
        return f"SourceSpec(kind={self.kind!r}, location={location!r}, name={self.name!r})"

    @property
    def label(self) -> str:
        """The name to store the source under: the given one, else one made from the location."""
        return self.name or _label(self.kind, self.location)


def parse_spec(text: str) -> SourceSpec:
    """Read `[name=]location`.

    git: `git+https://…`, `git@host:…`, `ssh://`/`git://` URLs, http(s) URLs ending in `.git`,
    `https://github.com/owner/repo` (no feed suffix), a bare repository, or a local work tree
    whose posts live in `_posts/` (read through git so half-written files are never seen).
    feed: any other http(s) URL, or a `.xml`/`.rss`/`.atom` file. folder: any other path,
    even one that does not exist yet (scanning it reports that).
    """
    text = text.strip()
    if not text:
        raise SpecError("empty source: give a folder, a git repository or a feed URL")
    name = None
    if (named := _NAMED.fullmatch(text)) and not named.group(1).startswith("."):
        name, text = named.group(1), named.group(2).strip()
    if text.startswith("git+"):
        return SourceSpec("git", text.removeprefix("git+"), name)
    if _SCP_LIKE.fullmatch(text) and "://" not in text:
        return SourceSpec("git", text, name)
    parts = urlsplit(text)
    if parts.scheme in ("ssh", "git"):
        return SourceSpec("git", text, name)
    if parts.scheme in ("http", "https"):
        if not parts.hostname:
            raise SpecError(f"{text!r} is not a usable URL (no host)")
        return SourceSpec("git" if _is_git_url(parts.hostname, parts.path) else "feed", text, name)
    if parts.scheme == "file":
        text = unquote(parts.path)
    elif "://" in text:
        raise SpecError(f"unsupported URL scheme {parts.scheme!r} in {text!r}")
    return _local(Path(text).expanduser().absolute(), name)


def _is_git_url(host: str, path: str) -> bool:
    if path.endswith(".git") or path.endswith(".git/"):
        return True
    segments = [segment for segment in path.split("/") if segment]
    return host.removeprefix("www.") in _GIT_HOSTS and len(segments) == 2


def _local(path: Path, name: str | None) -> SourceSpec:
    if path.suffix.lower() in FEED_SUFFIXES and not path.is_dir():
        return SourceSpec("feed", str(path), name)
    is_bare_repo = (path / "HEAD").is_file() and (path / "objects").is_dir()
    is_jekyll_repo = (path / ".git").exists() and (path / "_posts").is_dir()
    return SourceSpec("git" if is_bare_repo or is_jekyll_repo else "folder", str(path), name)


def _label(kind: str, location: str) -> str:
    parts = urlsplit(location)
    if parts.scheme in ("http", "https") and kind == "feed":
        host = (parts.hostname or "").removeprefix("www.")
        path = re.sub(r"\.(?:xml|rss|atom)$", "", parts.path, flags=re.IGNORECASE)
        return source_slug(f"{host} {path.replace('/', ' ')}") or kind
    tail = re.split(r"[/:]", location.rstrip("/"))[-1]
    if tail == "_posts":
        tail = PurePosixPath(location.rstrip("/")).parent.name
    stem = re.sub(r"\.(?:git|xml|rss|atom)$", "", tail, flags=re.IGNORECASE)
    return source_slug(stem) or kind
