"""Source scan status (what /status shows) and posts that could not be read."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from storage.sources import (
    clear_failure,
    count_failures,
    failures,
    get_source_state,
    list_sources,
    record_failure,
    record_scan,
)

T0 = datetime(2025, 11, 20, 8, 0, tzinfo=UTC)


def test_unknown_source_has_empty_state(db):
    assert get_source_state(db, "cna") == {}
    assert list_sources(db) == []


def test_successful_scan_is_remembered(db):
    counts = Counter(new=3, unchanged=40)
    record_scan(
        db,
        "cna",
        "git",
        "https://git.example/news.git",
        state={"commit": "abc"},
        counts=counts,
        now=T0,
    )
    assert get_source_state(db, "cna") == {"commit": "abc"}
    (status,) = list_sources(db)
    assert (status.name, status.kind, status.location) == (
        "cna",
        "git",
        "https://git.example/news.git",
    )
    assert status.last_scan_at == status.last_ok_at == T0
    assert status.last_error is None
    assert (status.new, status.updated, status.unchanged, status.failed) == (3, 0, 40, 0)


def test_failed_scan_keeps_the_last_good_time_and_a_later_success_clears_the_error(db):
    record_scan(db, "dw", "feed", "https://dw.example/rss", state={"etag": "1"}, counts={}, now=T0)
    later = T0 + timedelta(hours=1)
    record_scan(
        db,
        "dw",
        "feed",
        "https://dw.example/rss",
        state={"etag": "1"},
        counts={"failed": 1},
        error="HTTP 503",
        now=later,
    )
    (status,) = list_sources(db)
    assert status.last_scan_at == later and status.last_ok_at == T0
    assert status.last_error == "HTTP 503" and status.failed == 1
    latest = T0 + timedelta(hours=2)
    record_scan(
        db,
        "dw",
        "feed",
        "https://dw.example/rss",
        state={"etag": "2"},
        counts={"new": 1},
        now=latest,
    )
    (status,) = list_sources(db)
    assert status.last_ok_at == latest and status.last_error is None
    assert status.state == {"etag": "2"} and (status.new, status.failed) == (1, 0)


def test_sources_are_listed_by_name(db):
    for name in ("rthk", "aj", "cna"):
        record_scan(db, name, "folder", f"/news/{name}", state={}, counts={}, now=T0)
    assert [s.name for s in list_sources(db)] == ["aj", "cna", "rthk"]


def test_failures_are_kept_per_post_newest_first(db):
    record_failure(db, "cna", "a.html", "no title", T0)
    record_failure(db, "cna", "b.html", "bad date", T0 + timedelta(minutes=1))
    record_failure(db, "cna", "a.html", "empty body", T0 + timedelta(minutes=2))
    assert count_failures(db) == 2
    listed = failures(db, limit=10)
    assert [(f.path, f.reason) for f in listed] == [
        ("a.html", "empty body"),
        ("b.html", "bad date"),
    ]
    assert listed[0].seen_at == T0 + timedelta(minutes=2)
    assert [f.path for f in failures(db, limit=1)] == ["a.html"]


def test_clearing_a_failure(db):
    record_failure(db, "cna", "a.html", "no title", T0)
    assert clear_failure(db, "cna", "a.html") is True
    assert clear_failure(db, "cna", "a.html") is False
    assert count_failures(db) == 0
