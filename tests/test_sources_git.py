"""Following a real git repository of posts: first copy, new commits, force-pushes, failures."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from sources.exceptions import GitError
from sources.git import repo_dir, scan_git

POSTS = Path(__file__).parent / "fixtures" / "sources" / "posts"
CNA = "2025-11-03-CNA-台北捷運環狀線北段通車.html"
RTHK = "2025-11-03-RTHK-天文台發出強烈季候風信號.md"
KYODO = "2025-11-04-KYODO-东京股市-日经指数-收盘.html"
IDENTITY = {
    "GIT_AUTHOR_NAME": "Mirror Bot",
    "GIT_AUTHOR_EMAIL": "bot@example.org",
    "GIT_COMMITTER_NAME": "Mirror Bot",
    "GIT_COMMITTER_EMAIL": "bot@example.org",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(repo), **IDENTITY},
    )
    return done.stdout.strip()


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def upstream(tmp_path: Path) -> Path:
    """The mirror's repository: two posts in `_posts/` and a README."""
    repo = tmp_path / "upstream"
    (repo / "_posts").mkdir(parents=True)
    git(repo, "init", "-q")
    shutil.copy(POSTS / CNA, repo / "_posts" / CNA)
    shutil.copy(POSTS / RTHK, repo / "_posts" / RTHK)
    (repo / "README.md").write_text("# mirror\n")
    commit(repo, "first import")
    return repo


def scan(upstream: Path | str, state: dict, data_dir: Path, **kwargs):
    return scan_git(str(upstream), state, data_dir=data_dir, default_source="mirror", **kwargs)


def test_first_scan_reads_all_posts(upstream: Path, tmp_path: Path) -> None:
    result = scan(upstream, {}, tmp_path / "data")
    assert sorted(post.path for post in result.posts) == ["_posts/" + CNA, "_posts/" + RTHK]
    assert {post.source for post in result.posts} == {"cna", "rthk"}
    assert result.state == {"commit": git(upstream, "rev-parse", "HEAD")}
    copy = repo_dir(tmp_path / "data", str(upstream))
    assert copy.parent == tmp_path / "data" / "repos" and (copy / "_posts" / CNA).is_file()
    assert "remote" not in (copy / ".git" / "config").read_text()  # the URL is not stored


def test_only_changed_posts_are_read(upstream: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = scan(upstream, {}, data)
    assert scan(upstream, first.state, data).posts == []

    shutil.copy(POSTS / KYODO, upstream / "_posts" / KYODO)
    rthk = upstream / "_posts" / RTHK
    rthk.write_text(rthk.read_text().replace("注意保暖", "注意保暖，天氣乾燥"))
    (upstream / "_posts" / CNA).unlink()
    (upstream / "README.md").write_text("# mirror\nnow with kyodo\n")
    head = commit(upstream, "second day")

    second = scan(upstream, first.state, data)
    assert sorted(post.path for post in second.posts) == ["_posts/" + RTHK, "_posts/" + KYODO]
    assert "天氣乾燥" in next(post.body for post in second.posts if post.source == "rthk")
    assert second.deleted == ["_posts/" + CNA]
    assert second.unchanged == 0
    assert second.state == {"commit": head}


def test_force_push_is_followed(upstream: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = scan(upstream, {}, data)
    shutil.copy(POSTS / KYODO, upstream / "_posts" / KYODO)
    git(upstream, "add", "-A")
    git(upstream, "commit", "-q", "--amend", "-m", "first import, redone")  # history rewritten
    result = scan(upstream, first.state, data)
    assert [post.path for post in result.posts] == ["_posts/" + KYODO]
    assert result.unchanged == 2


def test_unknown_old_commit_means_read_everything(upstream: Path, tmp_path: Path) -> None:
    state = {"commit": "0" * 40}  # e.g. the data folder was wiped since
    assert len(scan(upstream, state, tmp_path / "data").posts) == 2
    assert len(scan(upstream, {"commit": "--output=/tmp/x"}, tmp_path / "d2").posts) == 2


def test_full_rereads_everything(upstream: Path, tmp_path: Path) -> None:
    state = scan(upstream, {}, tmp_path / "data").state
    assert len(scan(upstream, state, tmp_path / "data", full=True).posts) == 2


def test_broken_post_is_a_failure_not_a_source_error(upstream: Path, tmp_path: Path) -> None:
    (upstream / "_posts" / "2025-11-06-RTHK-broken.md").write_text("---\ntitle: 半篇\n")
    commit(upstream, "broken post")
    result = scan(upstream, {}, tmp_path / "data")
    assert [error.path for error in result.failures] == ["_posts/2025-11-06-RTHK-broken.md"]
    assert len(result.posts) == 2


def test_bad_remote_gives_git_error_without_credentials(tmp_path: Path) -> None:
    url = "https://reader:t0ps3cret@127.0.0.1:9/newsroom/mirror.git"
    with pytest.raises(GitError) as caught:
        scan(url, {}, tmp_path / "data", timeout=60)
    message = str(caught.value)
    assert "t0ps3cret" not in message and "reader" not in message
    assert "git fetch" in message and "failed" in message
    assert not any("t0ps3cret" in str(path) for path in (tmp_path / "data").rglob("*"))


def test_missing_local_repository(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="does not appear to be a git repository|not found"):
        scan(tmp_path / "nowhere", {}, tmp_path / "data")


def test_silent_remote_times_out(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:  # accepts, never answers
        port = server.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(GitError, match="took over 1 s"):
            scan(f"http://127.0.0.1:{port}/mirror.git", {}, tmp_path / "data", timeout=1)
    assert time.monotonic() - started < 10
