"""Telling folders, git repositories and feeds apart from the one line a user writes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sources.exceptions import SpecError
from sources.spec import SourceSpec, parse_spec, redact


@pytest.mark.parametrize(
    ("text", "kind", "label"),
    [
        ("https://github.com/newsroom/mirror", "git", "mirror"),
        ("https://github.com/newsroom/mirror/", "git", "mirror"),
        (
            "https://github.com/newsroom/mirror/releases.atom",
            "feed",
            "github-com-newsroom-mirror-releases",
        ),
        ("https://git.example.org/team/posts.git", "git", "posts"),
        ("git@github.com:newsroom/mirror.git", "git", "mirror"),
        ("ssh://git@example.org/srv/news.git", "git", "news"),
        ("git://example.org/news", "git", "news"),
        ("https://news.example.tw/rss/politics.xml", "feed", "news-example-tw-rss-politics"),
        ("http://www.example.hk/feed", "feed", "example-hk-feed"),
        ("https://example.com/", "feed", "example-com"),
    ],
)
def test_urls(text: str, kind: str, label: str) -> None:
    spec = parse_spec(text)
    assert (spec.kind, spec.location, spec.label) == (kind, text, label)
    assert spec.name is None


def test_git_plus_prefix_is_removed() -> None:
    spec = parse_spec("git+https://example.org/news")
    assert (spec.kind, spec.location) == ("git", "https://example.org/news")


def test_name_prefix() -> None:
    spec = parse_spec(" cna = https://news.example.tw/rss.xml ")
    assert spec == SourceSpec("feed", "https://news.example.tw/rss.xml", "cna")
    assert spec.label == "cna"
    # an "=" inside a URL's query is not a name
    assert parse_spec("https://e.x/feed?lang=zh").name is None


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_local_paths(tmp_path: Path) -> None:
    plain = tmp_path / "clippings"
    plain.mkdir()
    assert parse_spec(str(plain)) == SourceSpec("folder", str(plain))

    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    assert parse_spec(str(site)).kind == "folder"  # not a git work tree
    git("init", "-q", cwd=site)
    assert parse_spec(str(site)) == SourceSpec("git", str(site))
    assert parse_spec(str(site)).label == "site"

    repo_without_posts = tmp_path / "notes"
    repo_without_posts.mkdir()
    git("init", "-q", cwd=repo_without_posts)
    assert parse_spec(str(repo_without_posts)).kind == "folder"

    bare = tmp_path / "mirror.git"
    git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    assert parse_spec(str(bare)) == SourceSpec("git", str(bare))
    assert parse_spec(str(bare)).label == "mirror"

    feed_file = tmp_path / "downloads" / "cna.rss"
    assert parse_spec(str(feed_file)) == SourceSpec("feed", str(feed_file))
    assert parse_spec(f"file://{site}").kind == "git"


def test_relative_and_home_paths_become_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert parse_spec("posts").location == str(tmp_path / "posts")
    spec = parse_spec("~/blog/_posts")
    assert spec.location == str(tmp_path / "home" / "blog" / "_posts")
    assert spec.label == "blog"  # a `_posts` folder is named after its site


def test_credentials_never_shown() -> None:
    spec = parse_spec("https://reader:s3cret@git.example.org/news.git")
    assert spec.location == "https://reader:s3cret@git.example.org/news.git"  # git needs it
    assert "s3cret" not in repr(spec) and "s3cret" not in spec.label
    assert redact("fatal: https://u:tok@h/x failed") == "fatal: https://***@h/x failed"


@pytest.mark.parametrize("text", ["", "   ", "ftp://example.org/feed.xml", "https:///no-host"])
def test_unusable_specs(text: str) -> None:
    with pytest.raises(SpecError):
        parse_spec(text)
