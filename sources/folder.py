"""Watch a folder of Jekyll posts, re-reading only files whose size or mtime changed."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sources.exceptions import FolderError, PostError
from sources.jekyll import parse_post_file
from sources.post import Post
from sources.result import ScanResult

POST_SUFFIXES = (".md", ".markdown", ".html")


@dataclass(frozen=True)
class Layout:
    """Where a site keeps its posts: in `_posts/` at any depth when it has one (Jekyll
    allows `_posts/2025/…`), otherwise directly in the folder."""

    root: Path
    recursive: bool
    prefix: str  # "_posts/" or ""

    @classmethod
    def of(cls, root: Path) -> Layout:
        if (root / "_posts").is_dir():
            return cls(root, recursive=True, prefix="_posts/")
        return cls(root, recursive=root.name == "_posts", prefix="")

    def wants(self, relative: str) -> bool:
        """Whether the file at `relative` (POSIX, from the root) is a post of this site."""
        if not relative.startswith(self.prefix):
            return False
        inside = PurePosixPath(relative[len(self.prefix) :])
        if not self.recursive and len(inside.parts) != 1:
            return False
        hidden = any(part.startswith(".") for part in inside.parts)  # .git, editor swap files
        return not hidden and inside.suffix.lower() in POST_SUFFIXES

    def list_posts(self) -> list[str]:
        """Relative POSIX paths of every post, sorted; a listing error fails the whole scan,
        because files missing from a partial listing would look deleted."""
        base = self.root / self.prefix if self.prefix else self.root

        def fail(error: OSError) -> None:
            raise FolderError(f"cannot list {error.filename}: {error.strerror}")

        found = []
        for folder, subfolders, files in os.walk(base, onerror=fail):
            subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
            for name in files:
                relative = Path(folder, name).relative_to(self.root).as_posix()
                if self.wants(relative):
                    found.append(relative)
            if not self.recursive:
                break
        return sorted(found)


def read_post(root: Path, relative: str, default_source: str | None) -> Post:
    """Parse the post at `root/relative`, recorded under its path inside the site."""
    return parse_post_file(root / relative, default_source=default_source, post_path=relative)


def scan_folder(
    root: str | Path, state: dict[str, Any], *, default_source: str | None, full: bool = False
) -> ScanResult:
    """Read new and changed posts; `full` re-reads every post.

    State: `{"files": {relative path: [size, mtime_ns] or null}}`. A file that fails to
    parse gets no stamp, so a post caught half-written is read again on the next scan.
    """
    root = Path(root)
    if not root.is_dir():
        raise FolderError(f"folder {root} does not exist or is not a folder")
    previous = _stamps(state)
    listed = Layout.of(root).list_posts()
    result = ScanResult()
    seen: dict[str, list[int] | None] = {}
    for relative in listed:
        try:
            info = (root / relative).stat()
        except OSError:
            continue  # removed while we were listing; the next scan reports it deleted
        stamp = [info.st_size, info.st_mtime_ns]
        if not full and previous.get(relative) == stamp:
            seen[relative] = stamp
            result.unchanged += 1
            continue
        try:
            result.posts.append(read_post(root, relative, default_source))
        except PostError as error:
            result.failures.append(error)
            if relative in previous:
                seen[relative] = None  # still known (so its deletion is noticed), never unchanged
            continue
        seen[relative] = stamp
    still_there = set(listed)
    result.deleted = sorted(relative for relative in previous if relative not in still_there)
    result.state = {"files": seen}
    return result


def _stamps(state: dict[str, Any]) -> dict[str, list[int] | None]:
    """The stored stamps; a state written by another kind of source counts as empty."""
    files = state.get("files") if isinstance(state, dict) else None
    if not isinstance(files, dict):
        return {}
    return {
        path: stamp for path, stamp in files.items() if stamp is None or isinstance(stamp, list)
    }
