"""`newsgist chat`: the real bot on a local fake Telegram, driven from a script."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from jobs_support import write_post

from bot.terminal import chat, visible_text
from newsgist.settings import Settings

NEWSGIST = [sys.executable, "-m", "newsgist.cli"]


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("NEWSGIST_", "TELEGRAM_"))}


def test_chat_answers_a_piped_script_without_any_token(tmp_path: Path) -> None:
    done = subprocess.run(
        [*NEWSGIST, "chat"], input="/subscribe 台灣\n/search 台灣\n", env=clean_env(),
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "> /subscribe 台灣\n" in out
    assert "✅ 已關注：台灣" in out
    # the example posts: both scripts found, links shown with their address
    assert "🔎 台灣：" in out
    assert "台灣半導體出口再創新高" in out and "台湾高铁明年起增开夜间班次" in out
    assert "<https://formosa-daily.example.com/news/20251119-chip-exports>" in out
    assert "<b>" not in out and "&amp;" not in out  # shown as Telegram shows it, not as HTML


def run_script(lines: Iterator[str] | list[str], settings: Settings | None = None) -> str:
    out = io.StringIO()
    code = chat(settings or Settings(), script=lines, out=out)  # type: ignore[arg-type]
    assert code == 0
    return out.getvalue()


def test_buttons_are_numbered_and_pressed_with_a_bang() -> None:
    out = run_script(["/latest\n", "!1\n", "!99\n"])

    latest, _, rest = out.partition("> !1\n")
    assert "📰 最新報導" in latest
    assert "[1] 1  [2] 2" in latest
    detail, _, missing = rest.partition("> !99\n")
    assert "閱讀全文 <https://" in detail  # the first story in full, with its link
    assert "關鍵字：" in detail
    assert "(there is no button [99])" in missing


def test_alerts_appear_as_sent_and_edits_are_marked(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    now = datetime.now(UTC)
    for n in range(7):
        write_post(
            posts, f"storm-{n}", title=f"颱風動態第{n + 1}報",
            body=f"颱風第{n + 1}報：中央氣象署表示颱風持續接近。\n\n各地請注意強風豪雨。",
            published=now - timedelta(hours=n + 2), source="formosa",
        )  # fmt: skip

    def script() -> Iterator[str]:
        yield "/subscribe 颱風\n"
        yield "/search 颱風\n"
        yield "!6\n"  # after five story buttons: "Next ›"
        write_post(
            posts, "storm-new", title="颱風登陸花蓮",
            body="颱風今天登陸花蓮。\n\n東部各縣市停班停課。",
            published=datetime.now(UTC), source="formosa",
        )  # fmt: skip
        yield "!poll\n"

    out = run_script(script(), Settings(sources=(str(posts),)))

    assert "formosa-daily.example.com" not in out  # its own sources, not the examples
    search, _, after = out.partition("> !6\n")
    assert "🔎 颱風：共 7 篇" in search and "[6] 下一頁 ›" in search
    page, _, polled = after.partition("> !poll\n")
    assert "(edited)" in page and "颱風動態第7報" in page
    assert "🔔 颱風" in polled and "颱風登陸花蓮" in polled
    assert "[1] 更多" in polled


def test_links_are_shown_after_their_text_counting_utf16() -> None:
    text = "😀 Typhoon news and more"
    entities = [
        {"type": "bold", "offset": 0, "length": 15},
        {"type": "text_link", "offset": 3, "length": 12, "url": "https://a.example/x"},
        {"type": "text_link", "offset": 20, "length": 4, "url": "https://b.example/y"},
    ]
    assert visible_text(text, entities) == (
        "😀 Typhoon news <https://a.example/x> and more <https://b.example/y>"
    )
