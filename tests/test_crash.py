"""Nothing lost, nothing doubled, nobody let in: `newsgist run` as a separate process.

The bot is killed with SIGKILL at seeded random points of a fan-out (see
fixtures/crash/scenario.py) and restarted; in the end every chat holds every message it was
owed, in order, and a message arrives twice only if Telegram had accepted it while its
outbox row was still 'sending' when a kill came. The token never shows in what the process
prints, even at DEBUG and even when Telegram rejects it, nor in /stats; the database the
process creates is its owner's only.
"""

from __future__ import annotations

import stat
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fixtures.crash.scenario import NEWSGIST, TOKEN, bot_environment, run_crash, start_bot

from bot.fakeapi import FakeTelegram
from bot.sender import RetryPolicy
from storage.chats import ensure_chat
from storage.db import open_db
from storage.subscriptions import subscribe

SECRET = TOKEN.partition(":")[2]
ADMIN = 5150
SEEDS = [11, 23, 37]


@pytest.mark.parametrize("seed", SEEDS)
def test_sigkill_mid_fanout_loses_nothing_and_doubles_only_what_was_in_flight(
    tmp_path: Path, seed: int
) -> None:
    report = run_crash(tmp_path, seed)
    print(report.summary())

    assert len(report.kills) == 3  # one during start-up, two mid-fan-out
    assert sum(kill.in_flight for kill in report.kills[1:]) > 0  # killed mid-delivery
    assert report.lost == [], report.logs[-3000:]
    assert report.unexpected == []
    assert report.unsent_rows == 0
    assert report.out_of_order == []
    assert report.duplicated_rows <= report.in_flight_delivered
    assert report.duplicates <= report.duplicate_bound
    assert report.duplicate_bound <= RetryPolicy().window * len(report.kills)
    assert report.exit_code == 0, report.logs[-3000:]
    assert SECRET not in report.logs
    assert "/bot***" in report.logs  # PTB logged its URL at DEBUG; the filter scrubbed it


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_token_stays_out_of_debug_logs_errors_and_stats(tmp_path: Path) -> None:
    """A DEBUG run (PTB logs its URL, token included): a reply fails (the error handler logs
    the traceback and apologises), then an admin's /stats. The process makes the database."""
    with FakeTelegram.run_in_thread(token=TOKEN) as tg:
        env = {**bot_environment(tg, tmp_path, "DEBUG"), "NEWSGIST_ADMINS": str(ADMIN)}
        process = start_bot(env, tmp_path, tmp_path / "bot.log")
        try:
            tg.fail_next("sendMessage", 502)
            tg.inject_message(ADMIN, "/start", language_code="en")
            sorry = tg.wait_for_blocking("sendMessage", chat_id=ADMIN, ok=True, timeout=60)
            tg.inject_message(ADMIN, "/stats", language_code="en")
            stats = tg.wait_for_blocking("sendMessage", chat_id=ADMIN, ok=True, timeout=30)
            data = tmp_path / "data"
            modes = {path.name: mode(path) for path in [data, *data.iterdir()]}
        finally:
            process.terminate()
            code = process.wait(timeout=30)
    output = (tmp_path / "bot.log").read_text("utf-8", "replace")

    assert code == 0, output[-3000:]
    assert "went wrong" in sorry.result["text"]
    assert "Statistics" in stats.result["text"] and SECRET not in stats.result["text"]
    assert "Traceback" in output  # the failed update, logged by the error handler
    assert SECRET not in output
    assert "/bot***" in output  # PTB logged its URL with the token; the filter scrubbed it
    assert modes == {
        "data": 0o700,
        "newsgist.db": 0o600,
        "newsgist.db-wal": 0o600,
        "newsgist.db-shm": 0o600,
    }


def test_a_rejected_token_is_reported_without_showing_it(tmp_path: Path) -> None:
    """A revoked token: PTB's InvalidToken quotes it, and an uncaught traceback is printed
    past the logging filter; `newsgist run` must say what to do instead."""
    with FakeTelegram.run_in_thread(token="111:the-current-token") as tg:
        done = subprocess.run(
            [*NEWSGIST, "-v", "run"],
            env=bot_environment(tg, tmp_path, "DEBUG"), cwd=tmp_path,
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 2, output[-3000:]
    assert "Telegram rejected the token" in done.stderr
    assert SECRET not in output


def test_a_slow_start_up_still_scans_and_delivers_at_once(tmp_path: Path) -> None:
    """Telegram answers getMe after 3 s (a slow link): the first scan must not slip to the
    next poll interval (5 minutes), as APScheduler's interval arithmetic made it."""
    now = datetime.now(UTC)
    db = open_db(tmp_path / "data" / "newsgist.db")
    ensure_chat(
        db, ADMIN, type="private", title=None, language="en", timezone="UTC",
        digest_time="08:00", now=now - timedelta(days=1),
    )  # fmt: skip
    subscribe(db, ADMIN, [("harbour", "harbour")], now=now)
    db.close()
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / f"{now:%Y-%m-%d}-HARBOUR-pier.html").write_text(
        f"---\ntitle: Harbour pier reopens\ndate: {now - timedelta(hours=1):%Y-%m-%d %H:%M:%S}"
        " +00:00\ncategories: harbour\n---\n<p>The harbour pier reopens after repairs.</p>\n"
    )
    with FakeTelegram.run_in_thread(token=TOKEN) as tg:
        tg.add_chat(ADMIN)
        tg.delay_next("getMe", 3.0)
        env = {**bot_environment(tg, tmp_path, "INFO"), "NEWSGIST_SOURCES": str(posts)}
        started = time.monotonic()
        process = start_bot(env, tmp_path, tmp_path / "bot.log")
        try:
            alert = tg.wait_for_blocking("sendMessage", chat_id=ADMIN, since=0, timeout=60)
            took = time.monotonic() - started
        finally:
            process.terminate()
            process.wait(timeout=30)
    assert alert.ok and "Harbour pier reopens" in alert.result["text"]
    assert took < 30  # start-up, getMe's 3 s, POLL_FIRST and a scan: seconds, not minutes
