"""Build summariser/idf.txt, the keyword extractor's document frequencies, from a post folder.

Usage: .venv/bin/python bench/build_idf.py [POSTS_DIR] [--min-df 3] [--out summariser/idf.txt]

Each post is read, cleaned and cut into candidate keywords exactly as `extract_keywords`
does; a story posted twice (same folded title) counts once. Words in fewer than `--min-df`
stories are left out to keep the table small: `IdfTable.idf` gives them the cut-off's IDF.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sources.exceptions import PostError  # noqa: E402
from sources.jekyll import parse_post_file  # noqa: E402
from summariser.clean import clean_body  # noqa: E402
from summariser.fold import fold  # noqa: E402
from summariser.keywords import IdfTable, candidate_counts, format_idf_table  # noqa: E402
from summariser.lang import detect_language  # noqa: E402


def build(posts: Path, min_df: int) -> IdfTable:
    frequencies: Counter[str] = Counter()
    titles: set[str] = set()
    for path in sorted(posts.iterdir()):
        try:
            post = parse_post_file(path)
        except PostError:
            continue
        title = fold(post.title)
        if title in titles:
            continue
        titles.add(title)
        text = "\n\n".join((post.title, *clean_body(post.body, post.body_format).paragraphs))
        frequencies.update(set(candidate_counts(text, detect_language(text))))
    kept = {word: df for word, df in frequencies.items() if df >= min_df}
    return IdfTable(len(titles), min_df, kept)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("posts", nargs="?", type=Path, default=ROOT.parent / "shared/corpus/posts")
    parser.add_argument("--min-df", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "summariser" / "idf.txt")
    args = parser.parse_args()
    table = build(args.posts, args.min_df)
    args.out.write_text(format_idf_table(table), encoding="utf-8")
    print(f"{len(table.frequencies)} words from {table.documents} stories -> {args.out}")


if __name__ == "__main__":
    main()
