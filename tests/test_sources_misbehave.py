"""Sources that misbehave: down, gone, half-written, edited, or suddenly enormous.

Each goes through the real ingest loop (`newsgist.ingest.ingest`) into a real SQLite file;
what a person would notice is checked where they would notice it: /stats for the operator,
the outbox for subscribers.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from sqlite_utils import Database

from bot.alerts import BUNDLE_LIST, MAX_AGE, deliver_alerts
from bot.matching import parse_terms
from bot.render import LIMIT, utf16_len
from newsgist import ingest as ingest_module
from newsgist.ingest import ingest
from sources.spec import SourceSpec, parse_spec
from storage import sources
from storage.chats import ensure_chat
from storage.db import open_db
from storage.subscriptions import subscribe

if TYPE_CHECKING:
    from bot_harness import Harness

pytest_plugins = ["bot_harness"]

ADMIN = 4242  # bot_harness.ADMIN
NOW = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)  # bot_harness.NOW
DOWN = "https://down.example.com/feed.xml"
SLOW = "https://slow.example.net/rss.xml"


def post_text(title: str, body: str, published: datetime, link: str) -> str:
    """A post as the news mirror writes it."""
    return (
        f"---\nlayout: post\ntitle: {title}\n"
        f"date: {published:%Y-%m-%d %H:%M:%S}.000000000 +00:00\nlink: {link}\n"
        f"categories: harbour\n---\n<div><p>{body}</p></div>\n"
    )


def write_post(folder: Path, slug: str, title: str, body: str, published: datetime) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{published:%Y-%m-%d}-HARBOUR-{slug}.html"
    path.write_text(post_text(title, body, published, f"https://harbour.example.com/{slug}"))
    return path


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Mirror", "-c", "user.email=m@example.org", *args],
        cwd=repo, check=True, capture_output=True,
    )  # fmt: skip


def broken_web(request: httpx.Request) -> httpx.Response:
    """One feed server answers 500, the other never answers in time."""
    if request.url.host == "down.example.com":
        return httpx.Response(500, text="Internal Server Error")
    raise httpx.ReadTimeout("timed out", request=request)


def follower(db: Database, chat_id: int, term: str) -> None:
    ensure_chat(
        db, chat_id, type="private", title=None, language="en", timezone="UTC",
        digest_time="08:00", now=NOW - timedelta(days=1),
    )  # fmt: skip
    terms, errors = parse_terms(term)
    assert not errors
    subscribe(db, chat_id, terms, now=NOW)


def run_ingest(db: Database, specs: list[SourceSpec], data_dir: Path, now: datetime = NOW):
    with httpx.Client(transport=httpx.MockTransport(broken_web)) as client:
        return ingest(db, specs, data_dir=data_dir, client=client, now=now)


@pytest.mark.asyncio(loop_scope="module")
async def test_sources_that_are_down_or_gone_are_recorded_and_shown_in_stats(
    bot: Harness, tmp_path: Path
) -> None:
    upstream = tmp_path / "upstream"
    write_post(upstream / "_posts", "pier", "Old pier to reopen", "The old pier reopens. " * 8,
               NOW - timedelta(hours=2))  # fmt: skip
    git(upstream, "init", "-q")
    git(upstream, "add", "-A")
    git(upstream, "commit", "-q", "-m", "import")
    folder = tmp_path / "folder"
    write_post(folder, "ferry", "Ferry fares frozen", "Ferry fares stay as they are. " * 8,
               NOW - timedelta(hours=1))  # fmt: skip
    specs = [parse_spec(DOWN), parse_spec(SLOW), parse_spec(str(upstream)), parse_spec(str(folder))]
    down, slow, mirror, local = specs
    assert [spec.kind for spec in specs] == ["feed", "feed", "git", "folder"]

    first_scan = bot.clock.now()
    first = run_ingest(bot.db, specs, tmp_path / "data", now=first_scan)
    shutil.rmtree(upstream)  # the mirror's repository is gone
    bot.clock.advance(600)
    second = run_ingest(bot.db, specs, tmp_path / "data", now=bot.clock.now())

    assert [s.name for s in first.failed_sources] == [down.label, slow.label]
    assert [s.name for s in second.failed_sources] == [down.label, slow.label, mirror.label]
    assert first.sources[2].counts["new"] == 1 and first.sources[3].counts["new"] == 1
    status = {s.name: s for s in sources.list_sources(bot.db)}
    assert "HTTP 500" in status[down.label].last_error
    assert "timed out" in status[slow.label].last_error
    assert "git fetch" in status[mirror.label].last_error
    assert status[mirror.label].last_ok_at == first_scan  # the last good scan is remembered
    assert status[mirror.label].last_scan_at == bot.clock.now()
    assert status[local.label].last_error is None  # the others carried on
    stored = bot.db.execute("SELECT count(*) FROM articles WHERE title IN (?, ?)",
                            ["Old pier to reopen", "Ferry fares frozen"]).fetchone()  # fmt: skip
    assert stored[0] == 2  # what the mirror gave before it went is kept

    lines = (await bot.reply_text(ADMIN, "/stats", language_code="en")).splitlines()

    def line(name: str) -> str:
        [found] = [text for text in lines if f" {name}: " in text]
        return found

    assert "failed: " in line(down.label) and "HTTP 500" in line(down.label)
    assert "failed: " in line(slow.label) and "timed out" in line(slow.label)
    assert "failed: " in line(mirror.label) and "git fetch" in line(mirror.label)
    assert line(local.label).startswith("✅") and "0 new" in line(local.label)


def test_a_post_caught_half_written_fails_with_a_reason_then_is_read_whole(
    tmp_path: Path,
) -> None:
    db = open_db(tmp_path / "newsgist.db")
    folder = tmp_path / "posts"
    folder.mkdir()
    whole = post_text("Typhoon nears the coast", "Ships stay in port tonight. " * 10,
                      NOW - timedelta(hours=1), "https://harbour.example.com/typhoon")  # fmt: skip
    path = folder / "2025-11-20-HARBOUR-typhoon.html"
    spec = parse_spec(str(folder))

    path.write_text(whole[: whole.index("categories")])  # the writer is still at it
    caught = run_ingest(db, [spec], tmp_path)
    [failure] = sources.failures(db)
    path.write_text(whole)
    later = run_ingest(db, [spec], tmp_path)

    assert caught.totals["failed"] == 1 and caught.totals["new"] == 0
    assert failure.path == path.name and "not closed" in failure.reason
    assert later.totals["new"] == 1 and later.totals["failed"] == 0
    assert sources.failures(db) == []
    [(title, text)] = db.execute("SELECT title, text FROM articles").fetchall()
    assert title == "Typhoon nears the coast" and text.count("Ships stay in port") == 10


def test_an_edited_post_updates_its_article_without_alerting_again(tmp_path: Path) -> None:
    db = open_db(tmp_path / "newsgist.db")
    follower(db, 501, "typhoon")
    folder = tmp_path / "posts"
    published = NOW - timedelta(hours=1)
    post = write_post(folder, "typhoon", "Typhoon nears the coast",
                      "The typhoon is 300 km away. Ships stay in port.", published)  # fmt: skip
    spec = parse_spec(str(folder))

    run_ingest(db, [spec], tmp_path)
    first = deliver_alerts(db, now=NOW)
    cut = post.read_text()
    post.write_text(cut.replace("Typhoon nears", "Typhoon reaches").replace("300 km", "20 km"))
    edited = run_ingest(db, [spec], tmp_path, now=NOW + timedelta(minutes=5))
    again = deliver_alerts(db, now=NOW + timedelta(minutes=5))

    assert first == 1
    assert edited.totals["updated"] == 1 and edited.totals["new"] == 0
    [(title, text)] = db.execute("SELECT title, text FROM articles").fetchall()
    assert title == "Typhoon reaches the coast" and "20 km" in text
    assert again == 0
    assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 1


ENTRIES = 5000
RECENT = 300  # of them published within the alert window, one every 8 minutes
FOLLOWERS = 20


def big_feed() -> bytes:
    """A feed that suddenly serves its whole archive: 5,000 entries, the newest few recent."""
    items = []
    for number in range(ENTRIES):
        published = (
            NOW - timedelta(minutes=8 * number) - timedelta(days=0 if number < RECENT else 30)
        )
        items.append(
            f"<item><title>Harbour notice {number}</title>"
            f"<link>https://archive.example.org/notice/{number}</link><guid>n{number}</guid>"
            f"<pubDate>{published:%a, %d %b %Y %H:%M:%S +0000}</pubDate>"
            f"<description>Harbour notice number {number} for berth {number % 97}.</description>"
            "</item>"
        )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Archive</title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def test_a_feed_dumping_thousands_of_items_is_ingested_and_alerted_as_one_bundle(
    tmp_path: Path,
) -> None:
    db = open_db(tmp_path / "newsgist.db")
    for chat_id in range(601, 601 + FOLLOWERS):
        follower(db, chat_id, "harbour")
    feed = big_feed()
    served = httpx.MockTransport(lambda _: httpx.Response(200, content=feed))
    spec = parse_spec("https://archive.example.org/rss.xml")

    started = time.monotonic()
    with httpx.Client(transport=served) as client:
        report = ingest(db, [spec], data_dir=tmp_path, client=client, now=NOW)
    took = time.monotonic() - started
    added = deliver_alerts(db, now=NOW)
    print(f"{ENTRIES} entries ingested in {took:.1f}s; {added} alert rows for {FOLLOWERS} chats")

    assert report.totals["new"] == ENTRIES
    assert took < 120  # a linear pass: about 10 ms an entry on a slow shared machine
    rows = db.execute("SELECT chat_id, payload, article_ids FROM outbox").fetchall()
    assert added == len(rows) == FOLLOWERS  # one message each, not one per story
    for _, payload, article_ids in rows:
        text = json.loads(payload)["text"]
        assert utf16_len(text) <= LIMIT
        assert text.count("https://archive.example.org/notice/") == BUNDLE_LIST
        assert f"and {RECENT - BUNDLE_LIST} more" in text
        ids = json.loads(article_ids)
        assert len(ids) == RECENT  # the archive's old entries alert nobody
        oldest = db.execute(
            f"SELECT min(published) FROM articles WHERE id IN ({', '.join('?' * len(ids))})", ids
        ).fetchone()[0]
        assert oldest >= (NOW - MAX_AGE).isoformat()


def test_a_bug_scanning_one_source_is_recorded_and_the_others_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken, fine = tmp_path / "broken", tmp_path / "fine"
    write_post(broken, "quay", "Quay closed", "The quay is closed for repairs. " * 8, NOW)
    write_post(fine, "ferry", "Ferry fares frozen", "Ferry fares stay as they are. " * 8, NOW)
    specs = [parse_spec(str(broken)), parse_spec(str(fine))]
    real_scan = ingest_module.scan

    def scan_with_a_bug(spec: SourceSpec, *args, **kwargs):
        if spec.location == str(broken):
            raise KeyError("a scanner bug")
        return real_scan(spec, *args, **kwargs)

    monkeypatch.setattr(ingest_module, "scan", scan_with_a_bug)
    db = open_db(tmp_path / "news.db")
    report = run_ingest(db, specs, tmp_path / "data")

    assert [s.name for s in report.failed_sources] == [specs[0].label]
    assert report.sources[1].counts["new"] == 1
    status = {s.name: s for s in sources.list_sources(db)}
    assert "internal error" in status[specs[0].label].last_error
    assert "a scanner bug" in status[specs[0].label].last_error
    assert status[specs[1].label].last_error is None
