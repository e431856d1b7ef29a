"""Follow a git repository of Jekyll posts, reading only what changed since the last commit.

The repository lives in `data_dir/repos/<safe name>`. It is made with `git init` and
updated with `git fetch <url> HEAD` + `git reset --hard FETCH_HEAD` rather than a clone
with an `origin` remote: the URL (and any token in it) is never written to disk, and a
force-pushed mirror is followed as readily as a fast-forward.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import subprocess
from pathlib import Path
from typing import Any

from sources.exceptions import GitError, PostError
from sources.folder import Layout, read_post
from sources.result import ScanResult
from sources.spec import redact

GIT_TIMEOUT = 600.0
"""Seconds any one git command may take; a first fetch of a large mirror is the slow one."""

_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_GIT_ENV = {
    "GIT_TERMINAL_PROMPT": "0",  # never wait for a password nobody will type
    "GCM_INTERACTIVE": "never",
    "GIT_SSH_COMMAND": "ssh -o BatchMode=yes",
    "LC_ALL": "C",
}


def scan_git(
    location: str,
    state: dict[str, Any],
    *,
    data_dir: Path,
    default_source: str | None,
    full: bool = False,
    timeout: float = GIT_TIMEOUT,
) -> ScanResult:
    """Bring the local copy to the remote head and read posts added or changed since the
    commit in `state` (`{"commit": sha}`); all posts on the first scan or when `full`."""
    if location.startswith("-"):
        raise GitError(f"{redact(location)!r} is not a repository location")
    repo = repo_dir(data_dir, location)
    _update(repo, location, timeout)
    head = _git(repo, timeout, "rev-parse", "HEAD").strip()
    layout = Layout.of(repo)
    everything = layout.list_posts()
    old = state.get("commit") if isinstance(state, dict) else None
    result = ScanResult(state={"commit": head})
    if full or not _known_commit(repo, old, timeout):
        changed = everything
    else:
        changed, result.deleted = _changes(repo, old, head, layout, timeout)
    result.unchanged = len(everything) - len(changed)
    for relative in changed:
        try:
            result.posts.append(read_post(repo, relative, default_source))
        except PostError as error:
            result.failures.append(error)
    return result


def repo_dir(data_dir: Path, location: str) -> Path:
    """A folder name readable by a person and unique to the location (token left out)."""
    shown = redact(location)
    readable = re.sub(r"[^A-Za-z0-9._-]+", "-", shown)[-40:].strip("-.")
    digest = hashlib.sha1(shown.encode()).hexdigest()[:12]
    return Path(data_dir) / "repos" / f"{readable}-{digest}"


def _update(repo: Path, location: str, timeout: float) -> None:
    if not (repo / ".git").is_dir():
        repo.mkdir(parents=True, exist_ok=True)
        _git(repo, timeout, "init", "--quiet")
    _git(repo, timeout, "fetch", "--quiet", "--no-tags", location, "HEAD")
    _git(repo, timeout, "reset", "--quiet", "--hard", "FETCH_HEAD")


def _known_commit(repo: Path, commit: Any, timeout: float) -> bool:
    """Whether `commit` is a commit this copy holds (not after the data folder was wiped)."""
    if not isinstance(commit, str) or not _COMMIT.fullmatch(commit):
        return False
    try:
        _git(repo, timeout, "cat-file", "-e", f"{commit}^{{commit}}")
    except GitError:
        return False
    return True


def _changes(
    repo: Path, old: str, new: str, layout: Layout, timeout: float
) -> tuple[list[str], list[str]]:
    """Posts added or modified, and posts deleted, between two commits."""
    output = _git(repo, timeout, "diff", "--name-status", "--no-renames", "-z", old, new)
    fields = output.split("\0")
    changed, deleted = [], []
    for status, path in zip(fields[0::2], fields[1::2], strict=False):
        if not layout.wants(path):
            continue
        (deleted if status == "D" else changed).append(path)
    return sorted(changed), sorted(deleted)


def _git(repo: Path, timeout: float, *args: str) -> str:
    """Run one git command in `repo`; any failure is a GitError quoting git, token-free."""
    command = ["git", *args]
    try:
        process = subprocess.Popen(
            command,
            cwd=repo,
            env={**os.environ, **_GIT_ENV},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # so a timeout can stop git's helpers (ssh, https) too
        )
    except OSError as error:
        raise GitError(f"cannot run git: {error.strerror or error}") from None
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):  # it may have just ended by itself
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise GitError(f"{redact(' '.join(command))} took over {timeout:g} s") from None
    if process.returncode != 0:
        message = stderr.decode("utf-8", "replace").strip() or f"exit status {process.returncode}"
        raise GitError(f"{redact(' '.join(command))} failed: {redact(message)}")
    return stdout.decode("utf-8", "surrogateescape")
