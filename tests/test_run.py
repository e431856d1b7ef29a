"""`newsgist run` as a user starts it: a separate process configured only by environment
variables, talking to a fake Telegram over HTTP, stopped with SIGTERM."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fixtures.crash.scenario import bot_environment
from jobs_support import follow, write_post

from bot.fakeapi import Call, FakeTelegram
from storage.chats import ensure_chat
from storage.db import open_db

NEWSGIST = [sys.executable, "-m", "newsgist.cli"]
TOKEN = "424242:RUN-process_token"
ALICE = 9001
STOP_TIMEOUT = 20.0


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram.run_in_thread(token=TOKEN, flood_limits=False) as fake:
        yield fake


def environment(tg: FakeTelegram, tmp_path: Path, **extra: str) -> dict[str, str]:
    """A user's environment for `newsgist run`, watching `tmp_path/posts`."""
    return {
        **bot_environment(tg, tmp_path, "INFO", token=TOKEN),
        "NEWSGIST_SOURCES": str(tmp_path / "posts"),
        **extra,
    }


def prepare(tmp_path: Path, tg: FakeTelegram) -> None:
    """Alice already follows 台灣 (from an earlier run); a new post about it is waiting."""
    now = datetime.now(UTC)
    db = open_db(tmp_path / "data" / "newsgist.db")
    ensure_chat(
        db, ALICE, type="private", title=None, language="zh-Hant",
        timezone="Asia/Taipei", digest_time="08:00", now=now - timedelta(days=1),
    )  # fmt: skip
    follow(db, ALICE, "台灣")
    db.close()
    tg.add_chat(ALICE, first_name="Alice")
    write_post(
        tmp_path / "posts", "strait", title="台灣海峽航運恢復正常",
        body="台灣海峽的貨輪今天恢復通行。\n\n航運公司表示，港口作業已回到正常水準。",
        published=now - timedelta(hours=1), source="formosa",
    )  # fmt: skip


def wait_for(
    tg: FakeTelegram, process: subprocess.Popen[str], method: str, **options: object
) -> Call:
    """The bot's call, waited for while the process runs (a crash fails at once)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return tg.wait_for_blocking(method, timeout=1, **options)
        except TimeoutError:
            if process.poll() is not None:
                pytest.fail(f"newsgist run exited with {process.returncode}")
            if time.monotonic() > deadline:
                raise


def stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
        pytest.fail(f"newsgist run did not stop on SIGTERM:\n{err}")
    return process.returncode, err


def test_run_answers_and_alerts_configured_by_the_environment_only(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    prepare(tmp_path, tg)
    process = subprocess.Popen(
        [*NEWSGIST, "run"], env=environment(tg, tmp_path), cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        alert = wait_for(tg, process, "sendMessage", chat_id=ALICE, since=0)
        tg.inject_message(ALICE + 1, "/start", language_code="zh-TW")
        welcome = wait_for(tg, process, "sendMessage", chat_id=ALICE + 1)
    finally:
        code, err = stop(process)

    assert alert.ok and "台灣海峽航運恢復正常" in alert.result["text"]
    assert alert.result["text"].startswith("🔔 台灣")
    assert "歡迎使用 newsgist" in welcome.result["text"]
    assert code == 0, err
    assert TOKEN.split(":")[1] not in err  # the logs never show the token
    assert "newsgist is starting" in err


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_run_with_a_webhook(tg: FakeTelegram, tmp_path: Path) -> None:
    port = _free_port()
    env = environment(
        tg, tmp_path, NEWSGIST_WEBHOOK_URL="https://bot.example.com/telegram/hook",
        NEWSGIST_WEBHOOK_PORT=str(port), NEWSGIST_WEBHOOK_SECRET="s3cret-value",
    )  # fmt: skip
    (tmp_path / "posts").mkdir()
    process = subprocess.Popen(
        [*NEWSGIST, "run", "--webhook"], env=env, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        registered = wait_for(tg, process, "setWebhook", since=0)
        update = tg.inject_message(ALICE, "/start", language_code="en")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/telegram/hook",
            data=json.dumps(update).encode(),
            headers={
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": "s3cret-value",
            },
        )
        # PTB registers the webhook before its server listens: knock until it answers.
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    assert answer.status == 200
                break
            except urllib.error.URLError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        welcome = wait_for(tg, process, "sendMessage", chat_id=ALICE)
    finally:
        code, err = stop(process)

    assert registered.params["url"] == "https://bot.example.com/telegram/hook"
    assert registered.params["secret_token"] == "s3cret-value"
    assert "Welcome to newsgist" in welcome.result["text"]
    assert code == 0, err


def test_run_without_a_token_says_how_to_get_one(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSGIST_", "TELEGRAM_"))}
    done = subprocess.run(
        [*NEWSGIST, "run"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "@BotFather" in done.stderr


def test_run_options_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsgist.run_cmd import _settings, add_commands

    monkeypatch.setenv("NEWSGIST_POLL_INTERVAL", "30")
    monkeypatch.setenv("NEWSGIST_TIMEZONE", "UTC")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["run", "--poll-interval", "2", "--source", "/a", "--source", "/b", "--admins", "7, 8",
         "--timezone", "Taipei", "--db", "/tmp/x.db", "--webhook"]
    )  # fmt: skip

    settings = _settings(args, require_token=True)

    assert (settings.poll_interval, settings.sources) == (2, ("/a", "/b"))
    assert (settings.admins, settings.timezone) == (frozenset({7, 8}), "Asia/Taipei")
    assert str(settings.db_path) == "/tmp/x.db" and args.webhook
