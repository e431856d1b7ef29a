"""One pass over the sources: scan, build articles, store them, remember failures.

This is the only place where sources, summariser and storage meet; the bot's poll job and
`newsgist ingest` both call `ingest`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx
from sqlite_utils import Database

from sources.exceptions import SourceError
from sources.post import Post
from sources.scan import scan
from sources.spec import SourceSpec, redact
from storage.articles import save_articles
from storage.db import utc_now
from storage.sources import clear_failure, get_source_state, record_failure, record_scan
from summariser.article import Article
from summariser.exceptions import SummariserError
from summariser.pipeline import SummaryOptions, build_article

log = logging.getLogger(__name__)

DEFAULT_OPTIONS = SummaryOptions()
COUNT_KEYS = ("new", "updated", "unchanged", "failed")


@dataclass
class SourceReport:
    """What one source's scan did; `error` is set when the whole source failed."""

    name: str
    counts: Counter[str] = field(default_factory=Counter)
    error: str | None = None


@dataclass
class IngestReport:
    sources: list[SourceReport] = field(default_factory=list)

    @property
    def totals(self) -> Counter[str]:
        total: Counter[str] = Counter({key: 0 for key in COUNT_KEYS})
        for report in self.sources:
            total.update(report.counts)
        return total

    @property
    def failed_sources(self) -> list[SourceReport]:
        return [report for report in self.sources if report.error]


Progress = Callable[[Iterable[Post], str], Iterable[Post]]


def _no_progress(posts: Iterable[Post], _label: str) -> Iterable[Post]:
    return posts


def ingest_source(
    db: Database,
    spec: SourceSpec,
    *,
    data_dir: Path,
    client: httpx.Client | None = None,
    options: SummaryOptions = DEFAULT_OPTIONS,
    progress: Progress = _no_progress,
    now: datetime | None = None,
) -> SourceReport:
    """Scan one source into `db`. A source-wide failure is recorded and reported, not raised."""
    now = now or utc_now()
    report = SourceReport(spec.label)
    state = get_source_state(db, spec.label)
    try:
        result = scan(spec, state, client=client, data_dir=data_dir)
    except SourceError as exc:
        report.error = redact(str(exc)) or type(exc).__name__
        log.warning("source %s failed: %s", spec.label, report.error)
    except Exception as exc:  # a bug reading one source must not stop the others
        log.exception("could not scan %s", spec.label)
        report.error = f"internal error: {redact(repr(exc))}"
    if report.error is not None:
        record_scan(
            db, spec.label, spec.kind, redact(spec.location),
            state=state, counts={}, error=report.error, now=now,
        )  # fmt: skip
        return report

    articles: list[Article] = []
    for post in progress(result.posts, spec.label):
        try:
            articles.append(build_article(post, options))
        except SummariserError as exc:
            record_failure(db, spec.label, post.path, str(exc), now)
            report.counts["failed"] += 1
        except Exception as exc:  # a bug on one post must not stop the scan
            log.exception("could not build an article from %s", post.path)
            record_failure(db, spec.label, post.path, f"internal error: {exc!r}", now)
            report.counts["failed"] += 1
        else:
            clear_failure(db, spec.label, post.path)
    for failure in result.failures:
        record_failure(db, spec.label, failure.path, failure.reason, now)
    report.counts["failed"] += len(result.failures)
    report.counts.update(save_articles(db, articles, now=now))
    report.counts["unchanged"] += result.unchanged
    record_scan(
        db, spec.label, spec.kind, redact(spec.location),
        state=result.state, counts=report.counts, now=now,
    )  # fmt: skip
    return report


def ingest(
    db: Database,
    specs: Iterable[SourceSpec],
    *,
    data_dir: Path,
    client: httpx.Client | None = None,
    options: SummaryOptions = DEFAULT_OPTIONS,
    progress: Progress = _no_progress,
    now: datetime | None = None,
) -> IngestReport:
    """Scan every source once; one failing source never stops the others."""
    report = IngestReport()
    for spec in specs:
        report.sources.append(
            ingest_source(
                db,
                spec,
                data_dir=data_dir,
                client=client,
                options=options,
                progress=progress,
                now=now,
            )  # fmt: skip
        )
    return report
