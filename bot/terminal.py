"""`newsgist chat`: the real bot in a terminal, through a local fake Telegram.

The same `build_application`, handlers and rendering as `newsgist run`; only Telegram is
replaced, by `bot.fakeapi.FakeTelegram` on 127.0.0.1, so no token is needed. What you type
is sent as a private message; what the bot sends is shown as Telegram would show it: the
text without markup, links followed by their URL, buttons numbered `[1] label` (type `!1`
to press one) and edits marked as such. Alerts and digests appear as they are sent.

Without sources configured it reads the example posts shipped in `bot.examples` (dated as if
they came out in the last day), so /search, /latest and /subscribe answer at once.

Given a script (or a stdin that is not a terminal) it reads one line after another, shows
each with the bot's replies, and exits at the end: for tests, the README and demos.
Typed lines other than messages: `!N` presses button N of the last message with buttons,
`!poll` scans the sources now and delivers the alerts, `!quit` leaves.
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from telegram import Update
from telegram.ext import Application

from bot.app import build_application, polling
from bot.clock import SystemClock
from bot.examples import example_posts
from bot.fakeapi import Call, FakeTelegram
from bot.jobs import drain_outbox, poll_once
from newsgist.settings import Secret, Settings
from sources.jekyll import parse_date_text
from storage.articles import count_articles
from storage.db import open_db

TOKEN = "100000:LOCAL-terminal-chat"  # the fake accepts any well-formed token
USER_ID = 7_000_001
RULE = "─" * 40
HANDLED_TIMEOUT = 60.0  # seconds; a pasted link may take a while to fetch
_DATE_LINE = re.compile(r"^date:[ \t]*(.+)$", re.MULTILINE)
_SHOWN_METHODS = {"sendMessage", "editMessageText", "answerCallbackQuery", "deleteMessage"}


@dataclass(frozen=True)
class Button:
    label: str
    message_id: int
    callback_data: str | None = None
    url: str | None = None


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def visible_text(text: str, entities: Iterable[dict[str, Any]] = ()) -> str:
    """`text` as a user reads it, each link followed by its URL in angle brackets.

    Entity offsets count UTF-16 units, as Telegram's do.
    """
    units = _utf16(text)
    links = sorted(
        (entity["offset"] + entity["length"], entity["url"])
        for entity in entities
        if entity.get("type") == "text_link"
    )
    out, done = [], 0
    for end, url in links:
        out.append(units[2 * done : 2 * end].decode("utf-16-le"))
        out.append(f" <{url}>")
        done = end
    out.append(units[2 * done :].decode("utf-16-le"))
    return "".join(out)


def keyboard_buttons(message: dict[str, Any]) -> list[Button]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [
        Button(b["text"], message["message_id"], b.get("callback_data"), b.get("url"))
        for row in rows
        for b in row
    ]


@dataclass
class Transcript:
    """Prints what the bot does in the user's chat and remembers the last buttons shown."""

    out: TextIO
    chat_id: int
    buttons: list[Button] = field(default_factory=list)

    def line(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def on_call(self, call: Call) -> None:
        """A fake-Telegram listener: show each answered call that a user would notice."""
        if call.method not in _SHOWN_METHODS or call.chat_id not in (self.chat_id, None):
            return
        if not call.ok:
            self.line(f"(Telegram refused {call.method}: {call.error})")
        elif call.method == "answerCallbackQuery":
            if call.params.get("text"):
                self.line(f"(pop-up) {call.params['text']}")
        elif call.method == "deleteMessage":
            self.line("(a message was deleted)")
        elif isinstance(call.result, dict):
            self.message(call.result, edited=call.method == "editMessageText")

    def message(self, message: dict[str, Any], *, edited: bool) -> None:
        self.line(RULE + (" (edited)" if edited else ""))
        self.line(visible_text(message.get("text", ""), message.get("entities", ())))
        buttons = keyboard_buttons(message)
        if buttons:
            self.buttons = buttons
            self.line(
                "  ".join(
                    f"[{n}] {b.label}" + (f" <{b.url}>" if b.url else "")
                    for n, b in enumerate(buttons, 1)
                )
            )


class _Handled:
    """Lets the terminal wait until the bot has finished with an update it was sent."""

    def __init__(self, application: Application) -> None:
        self._done: set[int] = set()
        self._event = asyncio.Event()
        process = application.process_update

        async def process_and_note(update: object) -> None:
            try:
                await process(update)
            finally:
                if isinstance(update, Update):
                    self._done.add(update.update_id)
                self._event.set()

        application.process_update = process_and_note  # type: ignore[method-assign]

    async def wait(self, update_id: int) -> None:
        async with asyncio.timeout(HANDLED_TIMEOUT):
            while update_id not in self._done:
                self._event.clear()
                await self._event.wait()


def copy_examples(folder: Path, now: datetime) -> Path:
    """The example posts in `folder`, their dates moved so the newest is an hour old."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = {post.name: post.read_text(encoding="utf-8") for post in example_posts()}
    dates = {
        name: parse_date_text(_DATE_LINE.search(text).group(1)) for name, text in texts.items()
    }
    shift = now - timedelta(hours=1) - max(dates.values())
    for name, text in texts.items():
        moved = (dates[name] + shift).astimezone(UTC)
        line = f"date: {moved:%Y-%m-%d %H:%M:%S}.000000000 +00:00"
        (folder / name).write_text(_DATE_LINE.sub(line, text, count=1), encoding="utf-8")
    return folder


class Session:
    """One terminal chat: a fake Telegram, the bot on it, and the user's private chat."""

    def __init__(
        self, tg: FakeTelegram, app: Application, transcript: Transcript, language_code: str
    ) -> None:
        self.tg = tg
        self.app = app
        self.transcript = transcript
        self.language_code = language_code
        self.handled = _Handled(app)

    async def say(self, text: str) -> None:
        update = self.tg.inject_message(
            USER_ID, text, language_code=self.language_code, first_name="you"
        )
        if update is not None:
            await self.handled.wait(update["update_id"])

    async def press(self, number: int) -> None:
        buttons = self.transcript.buttons
        if not 1 <= number <= len(buttons):
            self.transcript.line(f"(there is no button [{number}])")
            return
        button = buttons[number - 1]
        if button.callback_data is None:
            self.transcript.line(f"(a link: {button.url})")
            return
        update = self.tg.inject_callback(USER_ID, button.message_id, button.callback_data)
        await self.handled.wait(update["update_id"])

    async def poll(self) -> None:
        report = await poll_once(self.app)
        if report is not None and report.ingest is not None:
            totals = report.ingest.totals
            self.transcript.line(
                f"(sources read: {totals['new']} new, {totals['updated']} updated, "
                f"{totals['failed']} failed)"
            )
        await drain_outbox(self.app)

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the user wants to leave."""
        text = line.strip()
        if not text:
            return True
        if text in ("!quit", "!exit"):
            return False
        if text == "!poll":
            await self.poll()
        elif re.fullmatch(r"!\d+", text):
            await self.press(int(text[1:]))
        else:
            await self.say(text)
        return True


async def _script_lines(source: TextIO, transcript: Transcript) -> AsyncIterator[str]:
    for line in source:
        transcript.line(f"> {line.rstrip()}")
        yield line


async def _typed_lines() -> AsyncIterator[str]:
    """Lines typed at the prompt, one asked for at a time, by a daemon thread: Ctrl-C or
    !quit never wait for one more line. Ends at end of input."""
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    wanted = threading.Semaphore(0)

    def read() -> None:
        line: str | None = ""
        while line is not None:
            wanted.acquire()
            try:
                line = input("> ")
            except (EOFError, OSError):
                line = None
            loop.call_soon_threadsafe(lines.put_nowait, line)

    threading.Thread(target=read, name="terminal-input", daemon=True).start()
    while True:
        wanted.release()
        line = await lines.get()
        if line is None:
            return
        yield line


async def run_session(
    settings: Settings,
    *,
    data_dir: Path,
    db_path: Path,
    script: TextIO | None,
    out: TextIO,
    language_code: str,
) -> int:
    """Start the fake Telegram and the bot, read the sources once, then talk.

    With a `script`, only what the script does happens; without, the bot's schedule runs
    too (scans, alerts, digests), as it would on Telegram.
    """
    transcript = Transcript(out, USER_ID)
    async with FakeTelegram(token=TOKEN, flood_limits=False) as tg:
        tg.add_listener(transcript.on_call)
        local = replace(
            settings, token=Secret(TOKEN), api_base_url=tg.base_url,
            data_dir=data_dir, db_path=db_path,
        )  # fmt: skip
        db = open_db(db_path)
        try:
            if not local.sources and count_articles(db) == 0:
                examples = copy_examples(data_dir / "examples", SystemClock().now())
                local = replace(local, sources=(f"examples={examples}",))
            app = build_application(local, db, install_jobs=script is None)
            async with polling(app):
                await _talk(Session(tg, app, transcript, language_code), script)
        finally:
            db.close()
    return 0


async def _talk(session: Session, script: TextIO | None) -> None:
    say = session.transcript.line
    say("newsgist chat: the bot, through a local fake Telegram. Try /help.")
    say("!N presses button N, !poll reads the sources now, !quit (or end of input) leaves.")
    await session.poll()
    lines = _typed_lines() if script is None else _script_lines(script, session.transcript)
    async for line in lines:
        if not await session.handle(line):
            return


def chat(
    settings: Settings,
    *,
    db_path: Path | None = None,
    script: TextIO | None = None,
    out: TextIO = sys.stdout,
    language_code: str = "zh-TW",
) -> int:
    """Talk to the bot in the terminal. `db_path` None: a fresh database, removed at exit.

    Reads `script` line by line, or stdin when it is not a terminal; otherwise asks.
    Give a `db_path` no running bot uses: the chat delivers whatever its outbox holds.
    """
    if script is None and not sys.stdin.isatty():
        script = sys.stdin
    with tempfile.TemporaryDirectory(prefix="newsgist-chat-") as folder:
        data_dir = Path(folder)
        try:
            return asyncio.run(
                run_session(
                    settings,
                    data_dir=data_dir,
                    db_path=db_path or data_dir / "newsgist.db",
                    script=script,
                    out=out,
                    language_code=language_code,
                )  # fmt: skip
            )
        except KeyboardInterrupt:
            return 130
