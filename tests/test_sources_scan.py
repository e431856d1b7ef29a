"""`scan` is the one call the ingest loop makes, whatever kind of source it is given."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from sources.exceptions import SourceError
from sources.scan import scan
from sources.spec import parse_spec

FIXTURES = Path(__file__).parent / "fixtures" / "sources"
CNA = "2025-11-03-CNA-台北捷運環狀線北段通車.html"
ENGLISH = "2024-03-05-harbour-ferry-fares.markdown"


def make_site(root: Path) -> Path:
    (root / "_posts").mkdir(parents=True)
    shutil.copy(FIXTURES / "posts" / CNA, root / "_posts" / CNA)
    shutil.copy(FIXTURES / "posts" / ENGLISH, root / "_posts" / ENGLISH)
    return root


def test_folder_source(tmp_path: Path) -> None:
    spec = parse_spec(str(make_site(tmp_path / "harbour")))
    assert spec.kind == "folder"
    result = scan(spec, None, data_dir=tmp_path / "data")
    assert {post.path: post.source for post in result.posts} == {
        "_posts/" + CNA: "cna",
        "_posts/" + ENGLISH: "harbour",  # no category: the source's own name
    }
    assert scan(spec, result.state, data_dir=tmp_path / "data").posts == []


def test_git_source(tmp_path: Path) -> None:
    site = make_site(tmp_path / "harbour")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    identity = ["-c", "user.name=Bot", "-c", "user.email=bot@example.org"]
    for args in (["init", "-q"], ["add", "-A"], [*identity, "commit", "-q", "-m", "posts"]):
        subprocess.run(["git", *args], cwd=site, check=True, capture_output=True, env=env)
    spec = parse_spec(f"harbour={site}")
    assert spec.kind == "git"
    result = scan(spec, {}, data_dir=tmp_path / "data")
    assert len(result.posts) == 2 and "commit" in result.state
    assert {post.source for post in result.posts} == {"cna", "harbour"}


def test_feed_source_over_http(tmp_path: Path) -> None:
    feed = (FIXTURES / "feeds" / "rss20.xml").read_bytes()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=feed))
    with httpx.Client(transport=transport) as client:
        spec = parse_spec("taiwan=https://news.example.tw/rss.xml")
        result = scan(spec, {}, client=client, data_dir=tmp_path)
    assert {post.source for post in result.posts} == {"taiwan"}
    assert len(result.posts) == 2


@pytest.mark.parametrize(
    "text",
    ["{tmp}/missing-folder", "git+file://{tmp}/missing-repo", "{tmp}/missing-feed.xml"],
)
def test_whole_source_failures_are_source_errors(tmp_path: Path, text: str) -> None:
    spec = parse_spec(text.format(tmp=tmp_path))
    with pytest.raises(SourceError):
        scan(spec, {}, data_dir=tmp_path / "data")
