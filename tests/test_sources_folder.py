"""Scanning a folder of posts incrementally: new, changed, unchanged, deleted, half-written."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from sources.exceptions import FolderError
from sources.folder import scan_folder
from sources.spec import parse_spec

POSTS = Path(__file__).parent / "fixtures" / "sources" / "posts"
CNA = "2025-11-03-CNA-台北捷運環狀線北段通車.html"
RTHK = "2025-11-03-RTHK-天文台發出強烈季候風信號.md"
ENGLISH = "2024-03-05-harbour-ferry-fares.markdown"

LATE_NEWS = """---
title: 深夜快訊：港珠澳大橋暫停通行
date: 2025-11-05 23:50:00 +08:00
categories: rthk
---

運輸署表示，港珠澳大橋因強風暫停通行。
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A Jekyll site with posts at two depths of `_posts/` and files that are not posts."""
    root = tmp_path / "harbour"
    posts = root / "_posts"
    (posts / "2024").mkdir(parents=True)
    shutil.copy(POSTS / CNA, posts / CNA)
    shutil.copy(POSTS / RTHK, posts / RTHK)
    shutil.copy(POSTS / ENGLISH, posts / "2024" / ENGLISH)
    (posts / "notes.txt").write_text("not a post")
    (posts / f".{CNA}.swp").write_bytes(b"\0swap")
    (root / "about.md").write_text("---\ntitle: About\n---\nnot in _posts\n")
    return root


def scan(root: Path, state: dict, **kwargs):
    result = scan_folder(root, state, default_source="harbour", **kwargs)
    json.dumps(result.state)  # the caller stores it as JSON
    return result


def test_first_scan_reads_every_post_in_posts(site: Path) -> None:
    result = scan(site, {})
    assert sorted(post.path for post in result.posts) == [
        "_posts/2024/" + ENGLISH,
        "_posts/" + CNA,
        "_posts/" + RTHK,
    ]
    assert {post.path: post.source for post in result.posts}["_posts/2024/" + ENGLISH] == "harbour"
    assert result.failures == [] and result.deleted == []
    assert set(result.state["files"]) == {post.path for post in result.posts}


def test_unchanged_changed_new_and_deleted(site: Path) -> None:
    state = scan(site, {}).state

    again = scan(site, state)
    assert again.posts == [] and again.unchanged == 3

    rthk = site / "_posts" / RTHK
    rthk.write_text(rthk.read_text().replace("注意保暖", "注意保暖及防火"))
    (site / "_posts" / "2025-11-05-RTHK-bridge.md").write_text(LATE_NEWS)
    (site / "_posts" / CNA).unlink()
    result = scan(site, again.state)
    assert sorted(post.path for post in result.posts) == [
        "_posts/" + RTHK,
        "_posts/2025-11-05-RTHK-bridge.md",
    ]
    assert "防火" in {post.path: post for post in result.posts}["_posts/" + RTHK].body
    assert result.deleted == ["_posts/" + CNA]
    assert result.unchanged == 1

    touched = site / "_posts" / "2024" / ENGLISH
    info = touched.stat()
    os.utime(touched, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    assert [post.path for post in scan(site, result.state).posts] == ["_posts/2024/" + ENGLISH]


def test_full_rereads_everything(site: Path) -> None:
    state = scan(site, {}).state
    assert len(scan(site, state, full=True).posts) == 3


def test_half_written_file_fails_then_is_retried(site: Path) -> None:
    state = scan(site, {}).state
    growing = site / "_posts" / "2025-11-05-RTHK-bridge.md"
    growing.write_text(LATE_NEWS[:60])  # the writer has not finished the front matter yet

    first = scan(site, state)
    assert first.posts == []
    assert [(error.path, error.reason) for error in first.failures] == [
        (
            "_posts/2025-11-05-RTHK-bridge.md",
            "front matter is not closed by a '---' line (file cut short?)",
        )
    ]
    assert "_posts/2025-11-05-RTHK-bridge.md" not in first.state["files"]

    still_broken = scan(site, first.state)  # not marked seen: it is tried again
    assert len(still_broken.failures) == 1

    growing.write_text(LATE_NEWS)
    done = scan(site, still_broken.state)
    assert [post.title for post in done.posts] == ["深夜快訊：港珠澳大橋暫停通行"]
    assert done.failures == []


def test_a_post_broken_after_being_read_is_retried_and_its_deletion_noticed(site: Path) -> None:
    state = scan(site, {}).state
    rthk = site / "_posts" / RTHK
    rthk.write_text("---\ntitle: 天文台\n")
    broken = scan(site, state)
    assert [error.path for error in broken.failures] == ["_posts/" + RTHK]
    assert broken.deleted == []
    rthk.unlink()
    assert scan(site, broken.state).deleted == ["_posts/" + RTHK]


def test_folder_without_posts_dir_reads_only_its_own_files(tmp_path: Path) -> None:
    shutil.copy(POSTS / CNA, tmp_path / CNA)
    (tmp_path / "old").mkdir()
    shutil.copy(POSTS / RTHK, tmp_path / "old" / RTHK)
    result = scan(tmp_path, {})
    assert [post.path for post in result.posts] == [CNA]


def test_state_from_something_else_counts_as_empty(site: Path) -> None:
    for state in ({"commit": "abc"}, {"files": "oops"}, {"files": {"x.md": 3}}):
        assert len(scan(site, state).posts) == 3


def test_missing_folder_fails_the_source(tmp_path: Path) -> None:
    with pytest.raises(FolderError, match="does not exist"):
        scan(tmp_path / "gone", {})


def test_pointing_at_posts_folder_itself_reads_it_recursively(site: Path) -> None:
    spec = parse_spec(str(site / "_posts"))
    result = scan_folder(spec.location, {}, default_source=spec.label)
    assert len(result.posts) == 3
    english = next(post for post in result.posts if post.path == "2024/" + ENGLISH)
    assert english.source == "harbour"  # a `_posts` folder is named after its site
