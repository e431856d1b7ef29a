"""Expand command-line PATHs (files or folders) into the post files they name."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from sources.folder import Layout


def post_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files are taken as given (so a bad one gets its error); folders yield their posts."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            layout = Layout.of(path)
            yield from (path / relative for relative in layout.list_posts())
        else:
            yield path
