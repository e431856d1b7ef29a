"""Digest benchmark: every chat's digest at the same minute, pooled versus chat by chat.

10,000 chats with 5 subscriptions each (one in ten also mutes a word) are all due at once,
against the ~300 articles of the last day. Measured:

- pooled: `bot.digest.plan_digests`, which loads and indexes the articles once and matches
  each distinct term once for everyone (what the bot runs);
- per chat: `bot.digest.build_digest` for one chat after another, each loading and matching
  its own window (the straightforward job); timed on a sample and scaled to all chats,
  after checking that both give the same messages;
- matching alone: the pooled grouping of every chat (`bot.digest._groups`, index included)
  against the naive loop over the already folded articles, each article tested against
  each of the chat's terms and mutes (`bot.matching.matches`), timed on a sample, scaled.

Articles are real corpus posts summarised by the real pipeline when ../shared is present
(terms are their commonest keywords); otherwise the example posts, repeated with variations.

    .venv/bin/python bench/digest.py [--chats 10000] [--articles 300] [--sample 300] [--runs 3]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.digest import (  # noqa: E402
    DigestPool,
    _groups,
    build_digest,
    deliver_digests,
    plan_digests,
)
from bot.examples import example_posts  # noqa: E402
from bot.matching import fold_article, matches  # noqa: E402
from sources.jekyll import parse_post_file  # noqa: E402
from storage.articles import save_articles  # noqa: E402
from storage.chats import chats_due_for_digest  # noqa: E402
from storage.db import open_db, to_db_time  # noqa: E402
from storage.subscriptions import all_followed, all_mutes, all_subscriptions  # noqa: E402
from summariser.article import Article  # noqa: E402
from summariser.exceptions import SummariserError  # noqa: E402
from summariser.fold import fold_term  # noqa: E402
from summariser.ids import article_id  # noqa: E402
from summariser.pipeline import build_article  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "posts"
NOW = datetime(2025, 11, 21, 0, 0, tzinfo=UTC)  # just after the corpus's last day
ZONES = ("Asia/Taipei", "Asia/Shanghai", "Asia/Hong_Kong", "Europe/Berlin", "UTC")
LANGUAGES = ("zh-Hant", "zh-Hans", "en")


def corpus_articles(count: int) -> list[Article]:
    """The `count` newest corpus posts, summarised."""
    paths = sorted(CORPUS.iterdir(), key=lambda path: path.name, reverse=True)
    articles: list[Article] = []
    for path in paths:
        if len(articles) == count:
            break
        try:
            articles.append(build_article(parse_post_file(path)))
        except (SummariserError, ValueError):
            continue
    return articles


def example_articles(count: int) -> list[Article]:
    """The example posts, repeated with numbered titles and spread over the last day."""
    base = [build_article(parse_post_file(Path(str(post)))) for post in example_posts()]
    articles = []
    for n in range(count):
        article = base[n % len(base)]
        path = f"{n}-{article.path}"
        articles.append(
            replace(
                article,
                id=article_id(None, article.source, path),
                path=path,
                url=None,
                title=f"{article.title} ({n})",
                text=f"{article.text} {n}",
                published=NOW - timedelta(minutes=3 * n + 1),
            )
        )
    return articles


def common_terms(articles: list[Article], count: int) -> list[str]:
    """The keywords most articles carry: what people plausibly follow."""
    counts = Counter(fold_term(k) for a in articles for k in {*a.keywords, *a.tags})
    return [term for term, _ in counts.most_common(count) if len(term) > 1]


def add_chats(db, chats: int, terms: list[str], rng: random.Random) -> None:
    """`chats` chats due at NOW in their own zone, 5 subscriptions each, Zipf-like."""
    weights = [1 / (rank + 1) for rank in range(len(terms))]
    created = to_db_time(NOW - timedelta(days=7))
    chat_rows, sub_rows, mute_rows = [], [], []
    for chat_id in range(1, chats + 1):
        zone = rng.choice(ZONES)
        local = NOW.astimezone(ZoneInfo(zone))
        chat_rows.append(
            (chat_id, "private", rng.choice(LANGUAGES), zone, f"{local:%H:%M}", 3, created)
        )
        chosen: set[str] = set()
        while len(chosen) < 5:
            chosen.add(rng.choices(terms, weights)[0])
        sub_rows += [(chat_id, term, term, 1, created) for term in chosen]
        if chat_id % 10 == 0:
            mute_rows.append((chat_id, rng.choice(terms), "muted", created))
    with db.conn:
        db.conn.executemany(
            "INSERT INTO chats (chat_id, type, language, timezone, digest_time, "
            "summary_sentences, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            chat_rows,
        )
        db.conn.executemany("INSERT INTO subscriptions VALUES (?, ?, ?, ?, ?)", sub_rows)
        db.conn.executemany("INSERT OR IGNORE INTO mutes VALUES (?, ?, ?, ?)", mute_rows)


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--sample", type=int, default=300, help="chats timed one by one")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(1)

    print("preparing articles ...", flush=True)
    if CORPUS.is_dir():
        articles, origin = corpus_articles(args.articles), "corpus posts"
    else:
        articles, origin = example_articles(args.articles), "example posts, varied"
    with tempfile.TemporaryDirectory() as folder:
        db = open_db(Path(folder) / "bench.db")
        save_articles(db, articles, now=NOW - timedelta(hours=1))
        terms = common_terms(articles, 400)
        add_chats(db, args.chats, terms, rng)
        due = chats_due_for_digest(db, NOW)
        print(
            f"{len(articles)} {origin}, {len(terms)} distinct terms, {args.chats} chats "
            f"({len(due)} due), 5 subscriptions each"
        )

        pooled_runs, cpu_runs = [], []
        planned = []
        for _ in range(args.runs):
            del planned  # the bot holds one minute's messages at a time, not two
            cpu = time.process_time()
            seconds, planned = timed(plan_digests, db, NOW)
            pooled_runs.append(seconds)
            cpu_runs.append(time.process_time() - cpu)
        pooled, pooled_cpu = statistics.median(pooled_runs), statistics.median(cpu_runs)
        with_digest = len({message.chat_id for message in planned})
        buttons = sum(
            len(message.payload.get("reply_markup", {}).get("inline_keyboard", []))
            for message in planned
        )
        fixed = {  # what plan_digests does once, whatever the number of chats
            "due chats": (chats_due_for_digest, db, NOW),
            "subscriptions": (all_followed, db),
            "articles loaded and indexed": (DigestPool.load, db, NOW - timedelta(hours=24), NOW),
        }
        gc.disable()  # as plan_digests runs them
        fixed_seconds = {
            name: statistics.median(timed(*call)[0] for _ in range(args.runs))
            for name, call in fixed.items()
        }
        gc.enable()

        subscriptions, mutes = all_subscriptions(db), all_mutes(db)
        sample = rng.sample(due, min(args.sample, len(due)))
        start = time.perf_counter()
        alone = {}
        for chat in sample:
            texts = build_digest(
                db, chat, subscriptions.get(chat.chat_id, []), mutes.get(chat.chat_id, []),
                since=NOW - timedelta(hours=24), until=NOW,
            )  # fmt: skip
            if texts:
                alone[chat.chat_id] = texts
        per_chat = (time.perf_counter() - start) / len(sample)
        sampled = {chat.chat_id for chat in sample}
        pooled_texts: dict[int, list[str]] = {}
        for message in planned:
            if message.chat_id in sampled:
                pooled_texts.setdefault(message.chat_id, []).append(message.payload["text"])
        same = pooled_texts == alone

        since = NOW - timedelta(hours=24)
        start = time.perf_counter()
        pool = DigestPool.load(db, since, NOW)
        followed = all_followed(db)
        for chat in due:
            _groups(pool, chat, followed.get(chat.chat_id, []), mutes.get(chat.chat_id, []), since)
        pooled_matching = time.perf_counter() - start
        folded = [fold_article(article) for article in pool.articles.values()]
        start = time.perf_counter()
        for chat in sample:
            terms = [s.term for s in subscriptions.get(chat.chat_id, [])]
            muted = mutes.get(chat.chat_id, [])
            for article in folded:
                if not any(matches(article, term) for term in muted):
                    [term for term in terms if matches(article, term)]
        naive_matching = (time.perf_counter() - start) / len(sample) * len(due)

        enqueue_seconds, added = timed(deliver_digests, db, now=NOW)
        db.close()

    naive = per_chat * len(due)
    print(
        f"pooled   plan_digests, all {len(due)} chats: {pooled:7.3f} s "
        f"(median of {args.runs}, min {min(pooled_runs):.3f} s; {pooled_cpu:.3f} s of CPU)"
    )
    print(
        "  of which once for all: "
        + ", ".join(f"{name} {seconds:.3f} s" for name, seconds in fixed_seconds.items())
    )
    print(
        f"per chat build_digest x {len(due)}:      {naive:7.3f} s "
        f"(measured {per_chat * 1000:.1f} ms/chat on {len(sample)} chats, scaled)"
    )
    print(f"speed-up: {naive / pooled:.0f}x; same messages on the sample: {same}")
    print(
        f"matching alone: pooled {pooled_matching:.3f} s, naive loop over folded articles "
        f"{naive_matching:.3f} s (scaled from {len(sample)} chats): "
        f"{naive_matching / pooled_matching:.0f}x"
    )
    print(
        f'{with_digest} chats get a digest, {len(planned)} messages, {buttons} "more" '
        "buttons; "
        f"deliver_digests (plan + enqueue + mark served in one transaction): "
        f"{enqueue_seconds:.3f} s, {added} outbox rows"
    )


if __name__ == "__main__":
    main()
