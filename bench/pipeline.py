"""Throughput of newsgist's pipeline against a naive one, side by side, on the shared corpus.

    .venv/bin/python bench/pipeline.py [--posts ../shared/corpus/posts] [--limit N]
                                       [--chunk 250]

Each pipeline runs in its own child process (so peak memory is its own), both pinned to the
same core. The parent hands them the same posts in turns: a chunk to one, then the same
chunk to the other (who goes first alternates). Shared machines here speed up and slow down
by tens of percent within minutes; taking turns lets both pipelines feel that alike, where
running one after the other would fold the drift into the ratio.

- naive: python-frontmatter, BeautifulSoup `get_text()`, sumy `Tokenizer("chinese")` and
  `LexRankSummarizer`, 3 sentences. No cleaning, no keywords, no storage.
- newsgist: parse the post, clean, detect language, summarise, extract keywords, and store
  each chunk's articles (with search index and story links) in one SQLite file that grows
  over the run.

Start-up (imports, dictionaries) counts: it is part of each pipeline's first chunk. Both wall
time and CPU time are printed; read the ratio, not the absolute figures.
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTS = ROOT.parent / "shared" / "corpus" / "posts"
NAMES = ("naive", "newsgist")


def _files(posts: Path, limit: int | None) -> list[Path]:
    files = sorted(p for p in posts.iterdir() if p.suffix in {".md", ".html", ".markdown"})
    if limit:  # spread the sample over the whole month and every outlet
        step = max(1, len(files) // limit)
        files = files[::step][:limit]
    return files


def naive_pipeline() -> Callable[[list[Path]], None]:
    import frontmatter
    from bs4 import BeautifulSoup
    from sumy.nlp.tokenizers import Tokenizer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer

    tokenizer = Tokenizer("chinese")
    summarizer = LexRankSummarizer()

    def run(files: list[Path]) -> None:
        for path in files:
            post = frontmatter.load(path)
            text = BeautifulSoup(post.content, "html.parser").get_text()
            summarizer(PlaintextParser.from_string(text, tokenizer).document, 3)

    return run


def newsgist_pipeline(folder: Path) -> Callable[[list[Path]], None]:
    from sources.exceptions import SourceError
    from sources.jekyll import parse_post_file
    from storage.articles import save_articles
    from storage.db import open_db
    from summariser.exceptions import SummariserError
    from summariser.pipeline import build_article

    db = open_db(folder / "bench.db")

    def run(files: list[Path]) -> None:
        articles = []
        for path in files:
            with contextlib.suppress(SourceError, SummariserError):
                articles.append(build_article(parse_post_file(path)))
        save_articles(db, articles)

    return run


def serve(name: str, posts: Path, limit: int | None) -> None:
    """Child: run the chunks asked for on stdin ("start end"), one JSON line of times each."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    files = _files(posts, limit)
    with tempfile.TemporaryDirectory() as tmp:
        run = None
        for line in sys.stdin:
            start, end = map(int, line.split())
            began, began_cpu = time.perf_counter(), time.process_time()
            if run is None:  # start-up is timed with the first chunk
                run = naive_pipeline() if name == "naive" else newsgist_pipeline(Path(tmp))
            run(files[start:end])
            times = {"seconds": time.perf_counter() - began, "cpu": time.process_time() - began_cpu}
            print(json.dumps(times), flush=True)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_mib": peak_kib / 1024}), flush=True)


def measure(posts: Path, limit: int | None, chunk: int) -> dict[str, dict[str, float]]:
    """Both pipelines over the same posts, taking turns chunk by chunk."""
    total = len(_files(posts, limit))
    figures = {name: {"posts": total, "seconds": 0.0, "cpu": 0.0} for name in NAMES}
    with tempfile.TemporaryDirectory() as logs:
        children = {name: _start(name, posts, limit, Path(logs) / name) for name in NAMES}
        for number, start in enumerate(range(0, total, chunk)):
            for name in NAMES if number % 2 == 0 else NAMES[::-1]:
                times = _ask(children[name], f"{start} {min(start + chunk, total)}\n")
                figures[name]["seconds"] += times["seconds"]
                figures[name]["cpu"] += times["cpu"]
        for name, child in children.items():
            figures[name].update(_ask(child, None))
    return figures


@dataclass
class _Child:
    name: str
    process: subprocess.Popen[str]
    log: Path  # libraries' chatter on stderr, shown if the child fails


def _start(name: str, posts: Path, limit: int | None, log: Path) -> _Child:
    command = [sys.executable, __file__, "--serve", name, "--posts", str(posts)]
    if limit:
        command += ["--limit", str(limit)]
    with log.open("w") as stderr:
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True,
            cwd=ROOT,
        )  # fmt: skip
    return _Child(name, process, log)


def _ask(child: _Child, request: str | None) -> dict[str, float]:
    """Send a chunk (None: the end) and read the child's JSON answer."""
    if request is None:
        child.process.stdin.close()
    else:
        child.process.stdin.write(request)
        child.process.stdin.flush()
    answer = child.process.stdout.readline()
    if not answer:
        child.process.wait()
        sys.exit(f"the {child.name} pipeline failed:\n{child.log.read_text()}")
    return json.loads(answer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=Path, default=DEFAULT_POSTS)
    parser.add_argument("--limit", type=int, default=None, help="a sample of N posts")
    parser.add_argument("--chunk", type=int, default=250, help="posts per turn")
    parser.add_argument("--serve", choices=NAMES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.posts, args.limit)
        return
    if not args.posts.is_dir():
        sys.exit(f"no posts folder at {args.posts}; pass --posts PATH")
    results = measure(args.posts, args.limit, args.chunk)
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
