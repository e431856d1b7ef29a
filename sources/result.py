"""What one scan of one source hands to the ingest loop."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sources.exceptions import PostError
from sources.post import Post


@dataclass
class ScanResult:
    """Posts read (new or changed), posts that failed, paths gone, and the state to store.

    `state` is JSON-able; the caller keeps it and passes it to the next scan, which then
    reads only what changed. `unchanged` counts posts skipped because they had not changed.
    """

    posts: list[Post] = field(default_factory=list)
    failures: list[PostError] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    unchanged: int = 0
