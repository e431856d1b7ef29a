"""Fixtures for the storage tests, loaded as a plugin: `pytest_plugins = ["storage_fixtures"]`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database
from storage_builders import CORPUS_NOW, rough_corpus_articles

from storage.articles import save_articles
from storage.db import open_db

# Enough of the corpus for its tests, and fast to save: Traditional (CNA), both scripts and
# the Nexperia stories (DW), short daily items (KYODO). About 1,900 of the 5,054 posts.
CORPUS_OUTLETS = ("CNA", "DW", "KYODO")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated database file for one test."""
    database = open_db(tmp_path / "data" / "newsgist.db")
    yield database
    database.close()


@pytest.fixture(scope="session")
def corpus_db(corpus_posts: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """Part of the corpus saved once, shared read-only by the corpus tests."""
    database = open_db(tmp_path_factory.mktemp("corpus") / "newsgist.db")
    save_articles(database, rough_corpus_articles(corpus_posts, CORPUS_OUTLETS), now=CORPUS_NOW)
    yield database
    database.close()
