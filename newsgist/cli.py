"""The `newsgist` command: summarise, ingest, search, run (the bot) and chat (the bot, locally)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from newsgist import __version__

log = logging.getLogger("newsgist")


def _summarise(args: argparse.Namespace) -> int:
    from newsgist.postfiles import post_files
    from newsgist.summarise_cmd import summarise_paths
    from summariser.pipeline import SummaryOptions

    options = SummaryOptions(max_sentences=args.sentences, max_chars=args.max_chars)
    _, failed = summarise_paths(
        post_files(args.paths), sys.stdout, as_json=args.json, options=options
    )
    return 1 if failed and not args.json else 0


def _settings(args: argparse.Namespace, **overrides: object):
    from newsgist.settings import load_settings

    return load_settings(overrides={"db_path": args.db, **overrides}, require_token=False)


def _ingest(args: argparse.Namespace) -> int:
    import httpx
    from tqdm import tqdm

    from newsgist.ingest import ingest
    from sources.spec import parse_spec
    from storage.db import open_db

    settings = _settings(args, sources=tuple(args.source) or None)
    if not settings.sources:
        print(
            "newsgist ingest: no sources. Give --source PATH_OR_URL (a folder of posts, a git "
            "repository or a feed), or set NEWSGIST_SOURCES.",
            file=sys.stderr,
        )
        return 2
    specs = [parse_spec(text) for text in settings.sources]

    def progress(posts, label):
        return tqdm(posts, desc=label, unit="post", disable=args.quiet, leave=False)

    db = open_db(settings.db_path)
    with httpx.Client(timeout=30, follow_redirects=True) as client:
        report = ingest(db, specs, data_dir=settings.data_dir, client=client, progress=progress)
    for failed in report.failed_sources:
        print(f"source {failed.name} failed: {failed.error}", file=sys.stderr)
    totals = report.totals
    repeated = f", {totals['repeated']} repeated" if totals["repeated"] else ""
    scanned = len(report.sources)
    print(
        f"{totals['new']} new, {totals['updated']} updated, {totals['unchanged']} unchanged, "
        f"{totals['failed']} failed{repeated} ({scanned} source{'s' * (scanned != 1)}, "
        f"{len(report.failed_sources)} failed) -> {settings.db_path}"
    )
    return 1 if report.failed_sources else 0


def _search(args: argparse.Namespace) -> int:
    from storage.db import open_db
    from storage.search import search

    settings = _settings(args)
    page = search(open_db(settings.db_path), " ".join(args.query), limit=args.limit)
    if not page.hits:
        print(f"No article matches {' '.join(args.query)!r}. Try fewer or other words.")
        return 1
    for number, hit in enumerate(page.hits, 1):
        article = hit.article
        print(f"{number}. {article.title}")
        print(f"   {article.source} · {article.published:%Y-%m-%d %H:%M} UTC · {article.id}")
        for sentence in article.summary:
            print(f"   • {sentence}")
        if article.url:
            print(f"   {article.url}")
    print(f"({len(page.hits)} of {page.total} matches)")
    return 0


def _failures(args: argparse.Namespace) -> int:
    from storage.db import open_db
    from storage.sources import failures

    settings = _settings(args)
    found = failures(open_db(settings.db_path), limit=args.limit)
    for failure in found:
        print(f"{failure.source}\t{failure.path}\t{failure.reason}")
    if not found:
        print("No post has failed.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsgist", description="Summarised news from Jekyll mirrors and feeds, in Telegram."
    )
    parser.add_argument("--version", action="version", version=f"newsgist {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    summarise = commands.add_parser("summarise", help="summarise post files or folders")
    summarise.add_argument("paths", nargs="+", metavar="PATH", help="post files or folders")
    summarise.add_argument("--json", action="store_true", help="one JSON object per post per line")
    summarise.add_argument("--sentences", type=int, default=3, help="at most this many (3)")
    summarise.add_argument("--max-chars", type=int, default=None, help="character budget")
    summarise.set_defaults(func=_summarise)

    ingest = commands.add_parser("ingest", help="scan sources into the database once")
    ingest.add_argument(
        "--source", action="append", default=[], metavar="PATH_OR_URL",
        help="a folder of posts, a git repository or a feed (repeatable)",
    )  # fmt: skip
    ingest.add_argument("--db", help="database file (NEWSGIST_DB)")
    ingest.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    ingest.set_defaults(func=_ingest)

    search = commands.add_parser("search", help="search stored articles")
    search.add_argument("query", nargs="+", help="words to look for, in any script")
    search.add_argument("--db", help="database file (NEWSGIST_DB)")
    search.add_argument("--limit", type=int, default=10, help="how many results (10)")
    search.set_defaults(func=_search)

    failures = commands.add_parser("failures", help="list posts that could not be read, and why")
    failures.add_argument("--db", help="database file (NEWSGIST_DB)")
    failures.add_argument("--limit", type=int, default=50, help="how many (50)")
    failures.set_defaults(func=_failures)

    from newsgist.run_cmd import add_commands

    add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
