"""Command latency with a large database: what a user waits for an answer.

100,000 articles are stored (variants of real corpus posts, or of the example posts without
../shared: each a base article's paragraphs plus one of another's), published over 30 days:
about 3,300 a day, thirteen times the corpus's 250, so the last day is dense (`--days 400`
spreads them at the real rate). They are inserted in bulk the way storage lays them out
(rows, tags, the bigram FTS index). Then the real Application, with every handler, answers
commands sent through the fake Telegram over HTTP; a command's latency runs from the user's
message being queued to the bot's reply being recorded. Baselines: a bare getMe round trip,
and /help (a fixed text: the cost of the update's trip through polling, the handlers and
sendMessage, without any query).

/tags keeps counts of the window's stories per tag and brings them up to date as articles
arrive and the window moves on (storage/trending.py); the poll job does so right after each
scan, so a person asking later finds them current. It is measured in these states: warm,
asked again with nothing stored in between, as between two polls (at the bench's pace of
3 s a command, every 20th run starts a new minute and expires the articles that left the
window); after a poll, when before each run a second connection, as the ingest's, stores
three new articles published a minute earlier (a poll's worth), or a new version of one
article (which makes the cache count the window afresh), and then the rest of the poll job
runs; the same two with no poll after them (asked in the moment between the ingest's commit
and the poll's refresh: the worst case); first after start, when the cache is dropped and
the other connection writes something, so the count also starts from a page cache SQLite
has thrown away (the first poll, two seconds after start, does this count). The last row is
the poll's own refresh after an edit, which no command waits for. Every article the bench
stores is removed again at the end: a kept database stays as built.

    .venv/bin/python bench/commands.py [--articles 100000] [--days 30] [--runs 40] [--keep PATH]

With `--keep PATH` the database is built at PATH the first time and reused afterwards (the
build takes minutes), so a change to a query can be measured again in seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bot.app import build_application, polling  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.fakeapi import FakeTelegram  # noqa: E402
from bot.handlers.lookup import TRENDING_CACHE, trending_now  # noqa: E402
from bot.jobs import poll_once  # noqa: E402
from newsgist.settings import Secret, Settings  # noqa: E402
from storage import fts  # noqa: E402
from storage.articles import count_articles, get_article, save_articles  # noqa: E402
from storage.db import open_db, to_db_time  # noqa: E402
from storage.transaction import write_transaction  # noqa: E402
from summariser.article import Article  # noqa: E402
from summariser.fold import fold, fold_term  # noqa: E402
from summariser.ids import article_id  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "posts"
TOKEN = "123456:BENCH-commands"
NOW = datetime(2025, 11, 21, 0, 0, tzinfo=UTC)
USER = 777
BATCH = 5000
BENCH_PATH = "bench-commands"  # the path prefix of every article the bench itself stores
NEW_POSTS = 3


def bulk_insert(db, bases: list[Article], count: int, days: float, rng: random.Random) -> None:
    """`count` variants of `bases`, written straight into the tables `save_articles` fills."""
    folded = [(fold(b.title), [fold(p) for p in b.text.split("\n\n")]) for b in bases]
    shared = [
        (
            json.dumps(list(b.summary), ensure_ascii=False),
            json.dumps(list(b.tags), ensure_ascii=False),
            json.dumps(list(b.keywords), ensure_ascii=False),
            sorted({fold_term(t) for t in (*b.tags, *b.keywords)} - {""}),
        )
        for b in bases
    ]
    stamp = to_db_time(NOW)
    for start in range(0, count, BATCH):
        rows, tags, index = [], [], []
        for seq in range(start + 1, min(start + BATCH, count) + 1):
            n, other = seq % len(bases), (seq * 7 + 3) % len(bases)
            base = bases[n]
            path = f"variant-{seq}-{base.path}"
            identity = article_id(None, base.source, path)
            title = f"{base.title} · {seq}"
            extra = bases[other].text.split("\n\n")[0]
            summary, tag_json, keyword_json, terms = shared[n]
            published = NOW - timedelta(seconds=rng.uniform(0, days * 86400))
            rows.append(
                (seq, identity, base.source, path, None, title, to_db_time(published), base.lang,
                 f"{base.text}\n\n{extra}", summary, tag_json, keyword_json, identity,
                 str(seq), None, stamp, stamp)
            )  # fmt: skip
            tags += [(identity, term) for term in terms]
            folded_text = "\n\n".join([*folded[n][1], folded[other][1][0]])
            index.append((seq, f"{folded[n][0]} · {seq}", folded_text))
        with db.conn:
            db.conn.executemany(
                "INSERT INTO articles (seq, id, source, path, url, title, published, lang, text, "
                "summary, tags, keywords, story_id, content_hash, fingerprint, first_seen, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            db.conn.executemany("INSERT INTO article_tags VALUES (?, ?)", tags)
            fts.add_rows(db, index)
        print(f"  {min(start + BATCH, count)} articles", end="\r", flush=True)
    print()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(
    runs: int,
    action: Callable[[], Awaitable[None]],
    prepare: Callable[[], Awaitable[None] | None] = lambda: None,
) -> list[float]:
    """Milliseconds per `action`; `prepare` (a function or a coroutine function) runs
    untimed before each."""
    times = []
    for run in range(runs + 1):  # the first run warms up
        if inspect.isawaitable(prepared := prepare()):
            await prepared
        start = time.perf_counter()
        await action()
        if run:
            times.append((time.perf_counter() - start) * 1000)
    return times


class Ingest:
    """Writes on a connection of its own, as the ingest's worker does: the changes the bot's
    /tags cache must notice. Articles are variants of stored ones, published a minute
    before the clock, under `BENCH_PATH` so `remove` finds them all."""

    def __init__(self, db_path: Path, clock: FakeClock) -> None:
        self.db = open_db(db_path)
        self.clock = clock
        ids = [identity for (identity,) in self.db.execute("SELECT id FROM articles ORDER BY seq")]
        self.rng = random.Random(2)
        self.bases = [get_article(self.db, identity) for identity in self.rng.sample(ids, 50)]
        self.stored = 0

    def _variant(self, base: Article, path: str, title: str) -> Article:
        return replace(
            base,
            id=article_id(None, base.source, path),
            path=path,
            title=title,
            url=None,
            published=self.clock.now() - timedelta(minutes=1),
        )

    def new_posts(self, count: int = NEW_POSTS) -> None:
        """A poll's worth of new articles."""
        fresh = []
        for _ in range(count):
            self.stored += 1
            base = self.rng.choice(self.bases)
            path = f"{BENCH_PATH}/new-{self.stored}"
            fresh.append(self._variant(base, path, f"{base.title} ({self.stored})"))
        save_articles(self.db, fresh)

    def edit(self) -> None:
        """A new version (a new title) of one article."""
        self.stored += 1
        base = self.bases[0]
        path = f"{BENCH_PATH}/breaking-news"
        save_articles(self.db, [self._variant(base, path, f"{base.title} ({self.stored})")])

    def unrelated_write(self) -> None:
        """A write that stores no article (SQLite drops the other connections' page cache)."""
        self.db.execute(
            "INSERT OR REPLACE INTO job_state VALUES ('bench-commands', ?, ?)",
            [str(self.stored), to_db_time(self.clock.now())],
        )

    def remove(self) -> None:
        """Delete every article the bench stored (with its tags and search row)."""
        rows = self.db.execute(
            "SELECT seq, title, text FROM articles WHERE path LIKE ?", [f"{BENCH_PATH}/%"]
        ).fetchall()
        with write_transaction(self.db):
            fts.remove_rows(self.db, [(seq, fold(title), fold(text)) for seq, title, text in rows])
            self.db.execute("DELETE FROM articles WHERE path LIKE ?", [f"{BENCH_PATH}/%"])
            self.db.execute("DELETE FROM job_state WHERE name = 'bench-commands'")

    def close(self) -> None:
        self.remove()
        self.db.close()


async def bench(db, db_path: Path, runs: int, terms: list[str], article: str) -> None:
    clock = FakeClock(NOW)
    ingest = Ingest(db_path, clock)
    async with FakeTelegram(token=TOKEN, flood_limits=False) as tg:
        settings = Settings(
            token=Secret(TOKEN), api_base_url=tg.base_url, data_dir=db_path.parent,
            db_path=db_path, timezone="Asia/Taipei",
        )  # fmt: skip
        app = build_application(settings, db, clock=clock, install_jobs=False)
        async with polling(app, timeout=10):
            try:

                async def command(text: str) -> None:
                    clock.advance(3)  # a person's pace: the per-user command limit never bites
                    mark = tg.mark()
                    tg.inject_message(USER, text, language_code="zh-TW")
                    await tg.wait_for("sendMessage", chat_id=USER, since=mark, timeout=30)

                async def get_me() -> None:
                    await app.bot.get_me()

                await command(f"/subscribe {', '.join(terms[:5])}")
                rows: list[tuple[str, list[float]]] = [
                    ("getMe round trip (baseline)", await measure(runs, get_me)),
                    ("/help (baseline: no query)", await measure(runs, lambda: command("/help"))),
                ]
                cases = [
                    f"/search {terms[0]}",
                    f"/search {terms[1]} {terms[2]}",
                    "/search 沒有這個詞的新聞",
                    "/latest",
                    f"/latest {terms[0]}",
                    f"/article {article}",
                    "/tags",
                    "/list",
                ]
                for text in cases:
                    label = "/tags (warm: nothing new)" if text == "/tags" else text
                    rows.append((label, await measure(runs, lambda text=text: command(text))))

                def restart() -> None:
                    app.bot_data.pop(TRENDING_CACHE, None)
                    ingest.unrelated_write()

                async def tags() -> None:
                    await command("/tags")

                async def polled(store: Callable[[], None]) -> None:
                    store()  # as the poll's ingest stores, on its own connection
                    await poll_once(app)  # the rest of the poll: alerts, trending tags

                async def refresh() -> None:
                    trending_now(app)

                rows += [
                    (
                        f"/tags after a poll of {NEW_POSTS} new posts",
                        await measure(runs, tags, lambda: polled(ingest.new_posts)),
                    ),
                    (
                        "/tags after a poll of an edit",
                        await measure(runs, tags, lambda: polled(ingest.edit)),
                    ),
                    (
                        f"/tags: {NEW_POSTS} new posts, no poll yet",
                        await measure(runs, tags, ingest.new_posts),
                    ),
                    ("/tags: an edit, no poll yet", await measure(runs, tags, ingest.edit)),
                    ("/tags first after start (full)", await measure(runs, tags, restart)),
                    ("poll's refresh after an edit", await measure(runs, refresh, ingest.edit)),
                ]
            finally:
                ingest.close()
    print(f"{'command':34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for label, times in rows:
        print(
            f"{label:34} {statistics.median(times):8.1f} {percentile(times, 0.95):8.1f} "
            f"{max(times):8.1f}"
        )


def build(db, db_path: Path, count: int, base_count: int, days: float) -> None:
    """Store `count` variants of `base_count` summarised posts."""
    # Only a build summarises posts: a kept database is measured without the digest bench.
    from digest import corpus_articles, example_articles

    print("summarising the base articles ...", flush=True)
    if CORPUS.is_dir():
        bases, origin = corpus_articles(base_count), "corpus posts"
    else:
        bases, origin = example_articles(base_count), "example posts"
    bases = [replace(b, published=NOW) for b in bases]
    start = time.perf_counter()
    bulk_insert(db, bases, count, days, random.Random(1))
    print(
        f"{count} articles (variants of {len(bases)} {origin}) stored in "
        f"{time.perf_counter() - start:.0f} s; {db_path.stat().st_size / 1e6:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--bases", type=int, default=400, help="real articles to vary")
    parser.add_argument(
        "--days", type=float, default=30, help="days the articles are spread over (when built)"
    )
    parser.add_argument("--runs", type=int, default=40, help="timed runs per command")
    parser.add_argument(
        "--keep", type=Path, help="database file to reuse if it exists, else to build and keep"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db_path = args.keep or Path(folder) / "newsgist.db"
        if db_path.exists():
            db = open_db(db_path)
            print(f"reusing {db_path}: {count_articles(db)} articles")
        else:
            db = open_db(db_path)
            build(db, db_path, args.articles, args.bases, args.days)
        tag_counts = db.execute(
            "SELECT tag, count(*) FROM article_tags GROUP BY tag ORDER BY 2 DESC LIMIT 40"
        ).fetchall()
        terms = [tag for tag, _ in tag_counts if len(tag) > 1][5:15]  # common, not the commonest
        article = db.execute("SELECT id FROM articles ORDER BY seq DESC LIMIT 1").fetchone()[0]
        print(f"terms: {', '.join(terms[:5])}; {args.runs} timed runs per command")
        asyncio.run(bench(db, db_path, args.runs, terms, article))
        db.close()


if __name__ == "__main__":
    main()
