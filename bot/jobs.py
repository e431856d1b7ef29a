"""The bot's schedule: scan the sources, plan alerts and digests, deliver, tidy up.

Every job is a thin wrapper around a plain coroutine taking the `Application`
(`poll_once`, `digest_tick`, `drain_outbox`, `housekeeping`), so tests call those with a
`FakeClock` instead of waiting for the JobQueue.

SQLite connections belong to the thread that opened them. The bot's one connection is used
on the event-loop thread only; the ingest, which reads files and feeds for seconds or
minutes, runs in a worker thread on a connection of its own to the same file (WAL mode and
`busy_timeout` let the two take turns). Alerts are then planned on the bot's connection:
the alert cursor finds whatever the ingest, or a `newsgist ingest` run elsewhere, added.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlite_utils import Database
from telegram.ext import Application

from bot.alerts import deliver_alerts
from bot.context import BotContext, deps_of
from bot.digest import deliver_digests
from bot.handlers.lookup import trending_now
from bot.ratelimit import RateLimiter
from bot.sender import DrainReport, drain
from newsgist.ingest import IngestReport, ingest
from newsgist.settings import Settings
from sources.exceptions import SpecError
from sources.spec import SourceSpec, parse_spec
from storage import outbox
from storage.db import open_db, to_db_time
from storage.transaction import write_transaction

log = logging.getLogger(__name__)

STATE_KEY = "newsgist.jobs"
POLL_FIRST = 2.0  # seconds after start-up before the first scan
DRAIN_EVERY = 3.0  # seconds between two looks at the outbox
DIGEST_EVERY = 60.0  # digest times are whole minutes
HOUSEKEEPING_AT = time(4, 30)  # in the operator's time zone
KEEP_DELIVERED = timedelta(days=30)
HTTP_TIMEOUT = 30.0  # seconds, for feeds and git over HTTP
_JOB_OPTIONS = {"max_instances": 3, "coalesce": True}  # overlaps return at once (locks)


@dataclass
class JobsState:
    """What the jobs share: the send pacing and who is busy. Lives in `bot_data`."""

    limiter: RateLimiter
    polling: asyncio.Lock = field(default_factory=asyncio.Lock)
    draining: asyncio.Lock = field(default_factory=asyncio.Lock)
    recovered: bool = False  # the outbox left by a previous run was put back
    scheduled: bool = False  # install_jobs ran: planning may wake the drain job


def jobs_state(application: Application) -> JobsState:
    """The application's `JobsState`, made on first use with the bot's clock."""
    state = application.bot_data.get(STATE_KEY)
    if state is None:
        state = JobsState(RateLimiter(clock=deps_of(application).clock))
        application.bot_data[STATE_KEY] = state
    return state


@dataclass(frozen=True)
class PollReport:
    """One poll: the scan (None when no source is configured) and alerts enqueued."""

    ingest: IngestReport | None
    alerts: int


def source_specs(settings: Settings) -> list[SourceSpec]:
    """The configured sources; one written wrongly is logged and left out."""
    specs = []
    for text in settings.sources:
        try:
            specs.append(parse_spec(text))
        except SpecError as error:
            log.error("source %r is not usable: %s", text, error)
    return specs


def _database_file(db: Database) -> str | None:
    """The file behind `db`; None for an in-memory database."""
    name = db.execute("PRAGMA database_list").fetchone()[2]
    return name or None


def _ingest(path: str, settings: Settings, now: datetime) -> IngestReport:
    """One scan of every source on a connection of this (worker) thread's own."""
    db = open_db(path)
    try:
        with httpx.Client(timeout=HTTP_TIMEOUT, follow_redirects=True) as client:
            return ingest(
                db, source_specs(settings), data_dir=settings.data_dir, client=client, now=now
            )
    finally:
        db.close()


async def poll_once(application: Application) -> PollReport | None:
    """Scan the sources once, enqueue the alerts for what is new, bring trending tags up to date.

    Returns None, doing nothing, while the previous poll is still running.
    """
    state = jobs_state(application)
    if state.polling.locked():
        log.info("the previous scan of the sources is still running; skipping this one")
        return None
    deps = deps_of(application)
    async with state.polling:
        report = None
        if deps.settings.sources:
            path = _database_file(deps.db)
            if path is None:  # in-memory (tests): no second connection can see it
                raise ValueError("polling sources needs a database file, not :memory:")
            report = await asyncio.to_thread(_ingest, path, deps.settings, deps.clock.now())
            _log_scan(report)
        alerts = deliver_alerts(deps.db, now=deps.clock.now())
        trending_now(application)  # brought up to date here, not by the next /tags
    if alerts:
        log.info("%d alert message(s) enqueued", alerts)
        _wake_drain(application)
    return PollReport(report, alerts)


def _log_scan(report: IngestReport) -> None:
    totals = report.totals
    log.info(
        "scan: %d new, %d updated, %d unchanged, %d failed",
        totals["new"], totals["updated"], totals["unchanged"], totals["failed"],
    )  # fmt: skip
    for failed in report.failed_sources:
        log.warning("source %s failed: %s", failed.name, failed.error)


async def digest_tick(application: Application) -> int:
    """Enqueue the digests that are due now; returns how many messages were added."""
    deps = deps_of(application)
    added = deliver_digests(deps.db, now=deps.clock.now())
    if added:
        log.info("%d digest message(s) enqueued", added)
        _wake_drain(application)
    return added


async def drain_outbox(application: Application) -> DrainReport | None:
    """Send what the outbox holds that is due; None if another drain is already at it.

    The first drain of a run first puts back what a crashed run left half-sent.
    """
    state = jobs_state(application)
    if state.draining.locked():
        return None
    deps = deps_of(application)
    async with state.draining:
        if not state.recovered:
            recovered = outbox.recover(deps.db)
            state.recovered = True
            if recovered:
                log.warning(
                    "sending again %d message(s) a previous run left in flight", len(recovered)
                )
        report = await drain(application.bot, deps.db, state.limiter, now=deps.clock.now)
    if report.claimed:
        log.info("delivery: %s", report)
    return report


async def housekeeping(application: Application) -> int:
    """Forget delivered (or given up) messages older than `KEEP_DELIVERED` and let SQLite
    tune itself; returns how many outbox rows went."""
    deps = deps_of(application)
    before = to_db_time(deps.clock.now() - KEEP_DELIVERED)
    with write_transaction(deps.db):
        removed = deps.db.execute(
            "DELETE FROM outbox WHERE status IN ('sent', 'failed') "
            "AND coalesce(sent_at, created_at) < ?",
            [before],
        ).rowcount
    deps.db.execute("PRAGMA optimize")
    log.info("housekeeping: %d old outbox row(s) removed", removed)
    return removed


def _wake_drain(application: Application) -> None:
    """Deliver now rather than at the next drain tick (when the schedule is running)."""
    if jobs_state(application).scheduled and application.job_queue is not None:
        application.job_queue.run_once(_drain_job, 0, name="drain now")


async def _poll_job(context: BotContext) -> None:
    await poll_once(context.application)


async def _digest_job(context: BotContext) -> None:
    await digest_tick(context.application)


async def _drain_job(context: BotContext) -> None:
    await drain_outbox(context.application)


async def _housekeeping_job(context: BotContext) -> None:
    await housekeeping(context.application)


def install_jobs(application: Application) -> None:
    """Schedule the jobs on the application's JobQueue (they start with the application)."""
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("the bot's schedule needs python-telegram-bot[job-queue]")
    settings = deps_of(application).settings
    jobs_state(application).scheduled = True
    # The first drain and scan are one-off jobs allowed to run however late: APScheduler
    # never runs a repeating job at `first=0`, and rounds a `first` that passed before the
    # scheduler started (a start-up slower than POLL_FIRST) up to a whole interval later.
    late_is_fine = {"misfire_grace_time": None}
    job_queue.run_once(_drain_job, 0, name="first drain", job_kwargs=late_is_fine)
    job_queue.run_once(_poll_job, POLL_FIRST, name="first poll", job_kwargs=late_is_fine)
    job_queue.run_repeating(_drain_job, DRAIN_EVERY, name="drain", job_kwargs=_JOB_OPTIONS)
    job_queue.run_repeating(
        _poll_job, settings.poll_interval * 60, name="poll", job_kwargs=_JOB_OPTIONS
    )
    job_queue.run_repeating(
        _digest_job, DIGEST_EVERY, first=_next_minute(), name="digest", job_kwargs=_JOB_OPTIONS
    )
    job_queue.run_daily(
        _housekeeping_job,
        HOUSEKEEPING_AT.replace(tzinfo=ZoneInfo(settings.timezone)),
        name="housekeeping",
    )


def _next_minute() -> float:
    """Seconds until just after the next whole minute, when digest times fall due."""
    now = datetime.now()
    return 60 - now.second - now.microsecond / 1e6 + 1
