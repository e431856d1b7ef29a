"""The one call the ingest loop makes for any source, whatever its kind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from sources.feed import scan_feed
from sources.folder import scan_folder
from sources.git import scan_git
from sources.result import ScanResult
from sources.spec import SourceSpec


def scan(
    spec: SourceSpec,
    state: dict[str, Any] | None,
    *,
    client: httpx.Client | None = None,
    data_dir: Path,
    full: bool = False,
) -> ScanResult:
    """Read what is new in `spec` since `state` (None or {} for a first scan).

    Failures of single posts come back in `failures`; a failure of the whole source (folder
    gone, git remote unreachable, feed unreadable) raises a `SourceError` subclass and the
    caller keeps the old state. `client` is needed for feed URLs only.
    """
    state = state or {}
    if spec.kind == "folder":
        return scan_folder(spec.location, state, default_source=spec.label, full=full)
    if spec.kind == "git":
        return scan_git(
            spec.location, state, data_dir=Path(data_dir), default_source=spec.label, full=full
        )
    if spec.kind == "feed":
        return scan_feed(
            spec.location,
            state,
            client=client,
            name=spec.name,
            default_source=spec.label,
            full=full,
        )
    raise ValueError(f"unknown source kind {spec.kind!r}")
