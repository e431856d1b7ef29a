"""Throughput of newsgist's pipeline against a naive one, side by side, on the shared corpus.

    .venv/bin/python bench/pipeline.py [--posts ../shared/corpus/posts] [--limit N]

Each pipeline runs in its own child process pinned to one core (so peak memory is its
own), one after the other, over the same posts:

- naive: python-frontmatter, BeautifulSoup `get_text()`, sumy `Tokenizer("chinese")` and
  `LexRankSummarizer`, 3 sentences. No cleaning, no keywords, no storage.
- newsgist: parse the post, clean, detect language, summarise, extract keywords, and store
  every article (with search index and story links) in a fresh SQLite file.

Machines here are shared and noisy: read the ratio, not the absolute figures. Both wall
time and CPU time are printed: when another process shares the pinned core, wall time
counts its turns too, CPU time only the pipeline's own.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTS = ROOT.parent / "shared" / "corpus" / "posts"


def _files(posts: Path, limit: int | None) -> list[Path]:
    files = sorted(p for p in posts.iterdir() if p.suffix in {".md", ".html", ".markdown"})
    if limit:  # spread the sample over the whole month and every outlet
        step = max(1, len(files) // limit)
        files = files[::step][:limit]
    return files


def run_naive(files: list[Path]) -> int:
    import frontmatter
    from bs4 import BeautifulSoup
    from sumy.nlp.tokenizers import Tokenizer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer

    tokenizer = Tokenizer("chinese")
    summarizer = LexRankSummarizer()
    done = 0
    for path in files:
        post = frontmatter.load(path)
        text = BeautifulSoup(post.content, "html.parser").get_text()
        summarizer(PlaintextParser.from_string(text, tokenizer).document, 3)
        done += 1
    return done


def run_newsgist(files: list[Path]) -> int:
    from sources.exceptions import SourceError
    from sources.jekyll import parse_post_file
    from storage.articles import save_articles
    from storage.db import open_db
    from summariser.exceptions import SummariserError
    from summariser.pipeline import build_article

    articles = []
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        for path in files:
            with contextlib.suppress(SourceError, SummariserError):
                articles.append(build_article(parse_post_file(path)))
        save_articles(db, articles)
        db.close()
    return len(files)


PIPELINES = {"naive": run_naive, "newsgist": run_newsgist}


def child(name: str, posts: Path, limit: int | None) -> None:
    """Run one pipeline and print its figures as JSON (called in a fresh process)."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    files = _files(posts, limit)
    started, started_cpu = time.perf_counter(), time.process_time()
    done = PIPELINES[name](files)
    seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"posts": done, "seconds": seconds, "cpu": cpu, "peak_mib": peak_kib / 1024}))


def measure(name: str, posts: Path, limit: int | None) -> dict:
    command = [sys.executable, __file__, "--child", name, "--posts", str(posts)]
    if limit:
        command += ["--limit", str(limit)]
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=Path, default=DEFAULT_POSTS)
    parser.add_argument("--limit", type=int, default=None, help="a sample of N posts")
    parser.add_argument("--child", choices=sorted(PIPELINES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.posts, args.limit)
        return
    if not args.posts.is_dir():
        sys.exit(f"no posts folder at {args.posts}; pass --posts PATH")
    results = {name: measure(name, args.posts, args.limit) for name in ("naive", "newsgist")}
    print(
        f"{'pipeline':<10} {'posts':>6} {'wall s':>8} {'posts/s':>8} {'CPU s':>8} "
        f"{'posts/CPU s':>11} {'peak MiB':>9}"
    )
    for name, figures in results.items():
        print(
            f"{name:<10} {figures['posts']:>6} {figures['seconds']:>8.2f} "
            f"{figures['posts'] / figures['seconds']:>8.1f} {figures['cpu']:>8.2f} "
            f"{figures['posts'] / figures['cpu']:>11.1f} {figures['peak_mib']:>9.0f}"
        )
    naive, ours = results["naive"], results["newsgist"]
    wall = naive["seconds"] / ours["seconds"]  # the same posts: the ratio of rates
    cpu = naive["cpu"] / ours["cpu"]
    print(f"newsgist / naive throughput: {wall:.2f}x wall, {cpu:.2f}x CPU (target: at least 4x)")


if __name__ == "__main__":
    main()
