"""Example posts shipped with newsgist, so `newsgist chat` has news to show at once.

Short made-up stories in the corpus's Jekyll dialect (Traditional Chinese, Simplified
Chinese and English) from three made-up outlets; links point to example domains. Two of
them are one story in both scripts, to show near-duplicates collapsing.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


def example_posts() -> list[Traversable]:
    """The example post files, oldest first (their names start with the date)."""
    folder = files(__name__)
    return sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith((".md", ".html"))),
        key=lambda entry: entry.name,
    )
