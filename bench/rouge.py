"""Does the summary say what the headline says better than the article's opening does?

Usage: .venv/bin/python bench/rouge.py [POSTS_DIR] [--every N] [--max-sentences 3]
       [--max-chars N]

For every post: clean the body (dateline and boilerplate gone), summarise, then compare
the character-bigram ROUGE-2 recall of the title in the summary with that in the "lead":
the clean text cut to the summary's length. Bigrams are of folded characters (`fold`),
punctuation and white space ignored, counts clipped. Prints the mean of both, and the
ratio, overall and per outlet.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sources.exceptions import PostError  # noqa: E402
from sources.jekyll import parse_post_file  # noqa: E402
from summariser.clean import clean_body  # noqa: E402
from summariser.fold import fold  # noqa: E402
from summariser.lang import detect_language  # noqa: E402
from summariser.summarise import summarise  # noqa: E402

_NOT_TEXT = re.compile(r"[\W_]+")


def bigrams(text: str) -> Counter[str]:
    letters = _NOT_TEXT.sub("", fold(text))
    return Counter(letters[i : i + 2] for i in range(len(letters) - 1))


def title_recall(title: str, text: str) -> float | None:
    """Share of the title's bigrams found in `text`; None for a title without bigrams."""
    reference = bigrams(title)
    if not reference:
        return None
    found = bigrams(text)
    return sum(min(n, found[g]) for g, n in reference.items()) / sum(reference.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("posts", nargs="?", type=Path, default=ROOT.parent / "shared/corpus/posts")
    parser.add_argument("--every", type=int, default=1, help="use every Nth post")
    parser.add_argument("--max-sentences", type=int, default=3)
    parser.add_argument("--max-chars", type=int, default=None)
    args = parser.parse_args()

    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    skipped = 0
    for path in sorted(args.posts.iterdir())[:: args.every]:
        try:
            post = parse_post_file(path)
        except PostError:
            skipped += 1
            continue
        paragraphs = clean_body(post.body, post.body_format).paragraphs
        lang = detect_language(post.title + "\n" + "\n".join(paragraphs))
        joiner = " " if lang == "en" else ""
        summary = joiner.join(
            summarise(
                paragraphs,
                post.title,
                lang,
                max_sentences=args.max_sentences,
                max_chars=args.max_chars,
            )
        )
        lead = joiner.join(paragraphs)[: len(summary)]
        ours, baseline = title_recall(post.title, summary), title_recall(post.title, lead)
        if ours is None or baseline is None or not summary:
            skipped += 1
            continue
        for key in (post.source, "ALL"):
            totals[key][0] += ours
            totals[key][1] += baseline
            totals[key][2] += 1

    print(f"{'outlet':8} {'posts':>6} {'summary':>8} {'lead':>8} {'ratio':>6}")
    for key in sorted(totals, key=lambda k: (k == "ALL", k)):
        ours, baseline, count = totals[key]
        ratio = ours / baseline if baseline else float("inf")
        print(f"{key:8} {count:6d} {ours / count:8.4f} {baseline / count:8.4f} {ratio:6.3f}")
    print(f"skipped (unreadable, no title bigrams, no text or no summary): {skipped}")


if __name__ == "__main__":
    main()
