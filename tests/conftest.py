"""Fixtures shared by every test: an isolated environment and the shared corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["storage_fixtures"]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"
CORPUS_POSTS = SHARED / "corpus" / "posts"
SEED_POST = SHARED / "corpus" / "seed-post.md"


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's own settings, token or data directory."""
    for name in list(os.environ):
        if name.startswith(("NEWSGIST_", "TELEGRAM_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))


@pytest.fixture(scope="session")
def corpus_posts() -> Path:
    """The shared corpus folder; tests that need it skip on a fresh clone without ../shared."""
    if not CORPUS_POSTS.is_dir():
        pytest.skip("../shared/corpus/posts is not present (fresh clone)")
    return CORPUS_POSTS


@pytest.fixture(scope="session")
def seed_post() -> Path:
    if not SEED_POST.is_file():
        pytest.skip("../shared/corpus/seed-post.md is not present (fresh clone)")
    return SEED_POST
