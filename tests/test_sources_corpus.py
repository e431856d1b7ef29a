"""Every real post of the shared corpus, and the seed post, read the way a user expects.

python-frontmatter is the independent reference for title, date and link.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import frontmatter
import pytest

from sources.exceptions import PostError
from sources.jekyll import parse_post_file

OUTLETS = {"aj", "bbc", "chosun", "cna", "dw", "kyodo", "nyt", "rthk"}


def test_every_corpus_post_parses(corpus_posts: Path) -> None:
    paths = sorted(corpus_posts.iterdir())
    assert len(paths) > 5000
    parsed = blank = 0
    for path in paths:
        reference = frontmatter.loads(path.read_text("utf-8"))
        outlet = path.name.split("-")[3].lower()  # YYYY-MM-DD-SOURCE-slug
        if not reference.content.strip():
            # A few RTHK flashes are a headline with no text at all: no body to summarise.
            with pytest.raises(PostError, match="empty body"):
                parse_post_file(path)
            blank += 1
            continue
        post = parse_post_file(path)
        parsed += 1
        assert post.source == outlet == reference["categories"], path.name
        assert outlet in OUTLETS
        assert post.title == str(reference["title"]).strip(), path.name
        assert post.published == reference["date"].astimezone(UTC), path.name
        assert post.published.tzinfo is UTC
        assert (
            datetime(2025, 10, 31, tzinfo=UTC) < post.published < datetime(2025, 11, 21, tzinfo=UTC)
        )
        link = "".join(line.strip() for line in reference["link"].splitlines())
        assert post.url == link, path.name
        assert post.body.strip() and post.title
        assert post.body_format == ("markdown" if outlet == "rthk" else "html"), path.name
    assert parsed + blank == len(paths) and blank < 10


def test_seed_post(seed_post: Path) -> None:
    post = parse_post_file(seed_post)
    reference = frontmatter.loads(seed_post.read_text("utf-8"))
    assert post.source == "cna"
    assert post.title == reference["title"]
    assert post.published == datetime(2022, 11, 21, 3, 4, 3, tzinfo=UTC)
    assert post.url == reference["from"]
    assert post.author == "(臺)中央社CNA"
    assert post.tags == ()  # its only tag is the outlet itself
    assert post.body_format == "html"
    assert post.body.lstrip().startswith("<div>")
    assert "<!--1668999843000-->" not in post.body
    assert f"[{reference['title']}]" not in post.body
