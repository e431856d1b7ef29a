"""What `newsgist run` logs: request lines only with -v, and never the token."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from newsgist.run_cmd import configure_logging
from newsgist.settings import RedactTokenFilter, Secret, Settings

TOKEN = "123456:SECRET-token-value"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """configure_logging changes process-wide loggers: put them back afterwards."""
    names = ("", "httpx", "apscheduler")
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    for handler in logging.getLogger().handlers:
        for found in [f for f in handler.filters if isinstance(f, RedactTokenFilter)]:
            handler.removeFilter(found)


def _request_bot_api() -> None:
    """One Bot API call as PTB makes it (the token is in the URL), answered locally."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True}))
    with httpx.Client(transport=transport) as client:
        client.post(f"https://api.telegram.org/bot{TOKEN}/getMe")


def _settings(tmp_path: Path) -> Settings:
    return Settings(token=Secret(TOKEN), data_dir=tmp_path, log_level="INFO")


@pytest.mark.usefixtures("restore_logging")
def test_request_lines_are_hidden_at_info(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    configure_logging(_settings(tmp_path))
    _request_bot_api()
    assert not [r for r in caplog.records if r.name == "httpx"]


@pytest.mark.usefixtures("restore_logging")
def test_verbose_shows_request_lines_without_the_token(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging(_settings(tmp_path), verbose=True)
    _request_bot_api()
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert lines and "getMe" in lines[0]
    assert TOKEN not in caplog.text
    assert "SECRET" not in "".join(lines)
