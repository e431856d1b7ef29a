"""The schedule end to end: the real Application and handlers on the fake Telegram, a real
SQLite file and a watched folder of posts read by the real ingest. Time is a `FakeClock`;
the tests call the jobs' coroutines (`poll_once`, `digest_tick`, `drain_outbox`) directly."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from bot_harness import Harness
from jobs_support import T0, add_chat, follow, hours, write_post
from sqlite_utils import Database

from bot.app import build_application, polling
from bot.clock import FakeClock
from bot.fakeapi import FakeTelegram, StoredMessage
from bot.jobs import (
    DRAIN_EVERY,
    POLL_FIRST,
    digest_tick,
    drain_outbox,
    housekeeping,
    jobs_state,
    poll_once,
)
from newsgist.settings import Secret, Settings
from storage import outbox
from storage.db import open_db

TOKEN = "123456:JOBS-token_value"
ALICE, BOB = 5001, 5002
# T0 is 08:00 in Taipei. The bot starts the evening before.
START = T0 - hours(12)

_SENTENCES = [
    "交通部今天表示，東部鐵路將在週末恢復正常班次。",
    "氣象署預估，明天北部地區有局部大雨，民眾出門請攜帶雨具。",
    "立法院今天審查明年度總預算，朝野對國防經費仍有歧見。",
    "經濟部指出，上月外銷訂單金額較去年同期成長一成。",
    "台北市政府宣布，市區公車將全面改用電動車。",
    "衛福部提醒，流感疫苗接種人數比去年同期減少。",
    "農業部表示，颱風造成的農損金額已超過新台幣十億元。",
    "多位學者在論壇上討論人工智慧對就業市場的影響。",
    "中央銀行總裁表示，將持續關注房市與物價變化。",
    "高雄港上月貨櫃裝卸量創下今年新高。",
    "教育部宣布，明年起將擴大補助偏鄉學校的數位設備。",
    "環境部公布最新空氣品質報告，中南部懸浮微粒濃度偏高。",
    "桃園機場第三航廈工程進度超前，預計後年啟用。",
    "科技部門的研究團隊開發出新型電池材料。",
    "文化部將在年底舉辦大型音樂節，邀請國內外樂團演出。",
    "地方政府計畫在河濱公園增設自行車道與休憩設施。",
]


def chinese_body(seed: int, lead: str) -> str:
    """Three short paragraphs: `lead`, then sentences picked by `seed`."""
    picked = random.Random(seed).sample(_SENTENCES, 6)
    return "\n\n".join([lead + picked[0], "".join(picked[1:3]), "".join(picked[3:6])])


@dataclass
class Running:
    """The bot under test, its clock and the folder it watches."""

    harness: Harness
    posts: Path

    @property
    def tg(self) -> FakeTelegram:
        return self.harness.tg

    @property
    def clock(self) -> FakeClock:
        return self.harness.clock

    def post(self, name: str, title: str, lead: str, *, seed: int, age: float = 1.0) -> Path:
        """A new post in the watched folder, published `age` hours before now."""
        return write_post(
            self.posts, name, title=title, body=chinese_body(seed, lead),
            published=self.clock.now() - hours(age), source="formosa",
        )  # fmt: skip

    async def cycle(self) -> list[StoredMessage]:
        """One poll and one delivery; the messages the bot sent meanwhile."""
        mark = len(self.harness.tg.sent_messages())
        await poll_once(self.harness.app)
        await drain_outbox(self.harness.app)
        return self.harness.tg.sent_messages()[mark:]

    async def digest(self) -> list[StoredMessage]:
        mark = len(self.harness.tg.sent_messages())
        await digest_tick(self.harness.app)
        await drain_outbox(self.harness.app)
        return self.harness.tg.sent_messages()[mark:]


@asynccontextmanager
async def started(
    tmp_path: Path,
    *,
    install_jobs: bool,
    prepare: Callable[[Database, FakeTelegram, Path], None] | None = None,
) -> AsyncIterator[Running]:
    """The bot polling the fake Telegram, watching `tmp_path/posts`; `prepare` sets up the
    database, Telegram and the folder before it starts."""
    posts = tmp_path / "posts"
    posts.mkdir()
    clock = FakeClock(START)
    async with FakeTelegram(token=TOKEN, flood_limits=False) as tg:
        settings = Settings(
            token=Secret(TOKEN),
            api_base_url=tg.base_url,
            data_dir=tmp_path / "data",
            sources=(str(posts),),
            timezone="Asia/Taipei",
            digest_time="08:00",
        )
        db = open_db(settings.db_path)
        if prepare is not None:
            prepare(db, tg, posts)
        app = build_application(settings, db, clock=clock, install_jobs=install_jobs)
        async with polling(app):
            yield Running(Harness(tg, app, db, clock), posts)
        db.close()


@pytest_asyncio.fixture
async def running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Running]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with started(tmp_path, install_jobs=False) as bot:
        yield bot


async def subscribe(running: Running, chat_id: int, terms: str) -> None:
    [reply] = await running.harness.send(chat_id, f"/subscribe {terms}", language_code="zh-TW")
    assert "已關注" in reply.text


async def test_a_new_post_alerts_within_one_cycle(running: Running) -> None:
    await subscribe(running, ALICE, "台灣")
    await running.cycle()  # the folder is empty: nothing to say
    running.post("strait", "台湾海峡航运恢复正常", "台湾海峡的货轮今天恢复通行。", seed=1)

    [alert] = await running.cycle()

    assert alert.chat_id == ALICE
    assert alert.text.startswith("🔔 台灣")  # the term as Alice typed it, in her script
    assert "台湾海峡航运恢复正常" in alert.text
    assert "formosa" in alert.text
    [button] = alert.buttons()
    assert button["text"] == "更多"
    mark = running.tg.mark()
    await running.harness.press(ALICE, alert, button["callback_data"])
    detail = running.tg.calls("sendMessage", chat_id=ALICE, ok=True)
    assert detail and detail[-1].index >= mark
    assert "台湾海峡航运恢复正常" in detail[-1].result["text"]
    assert await running.cycle() == []  # nothing new: nothing sent


async def test_a_burst_of_posts_is_one_message(running: Running) -> None:
    await subscribe(running, ALICE, "颱風")
    for n in range(5):
        running.post(f"storm-{n}", f"颱風快訊第{n + 1}報", f"颱風第{n + 1}報：", seed=10 + n)

    [bundle] = await running.cycle()

    assert "5 則新報導" in bundle.text
    assert all(f"颱風快訊第{n + 1}報" in bundle.text for n in range(5))


async def test_an_edited_post_does_not_alert_again(running: Running) -> None:
    await subscribe(running, ALICE, "台灣")
    path = running.post("rail", "台灣東部鐵路恢復通車", "台灣東部鐵路今天恢復通車。", seed=3)
    assert len(await running.cycle()) == 1

    path.write_text(
        path.read_text(encoding="utf-8").replace("恢復通車。", "恢復通車，旅客人數眾多。"),
        encoding="utf-8",
    )

    assert await running.cycle() == []
    running.post("rail-2", "台灣西部鐵路增開班次", "台灣西部鐵路增開班次。", seed=4)
    assert len(await running.cycle()) == 1


async def test_the_scan_brings_trending_tags_up_to_date_before_anyone_asks(
    running: Running,
) -> None:
    path = running.post("rail", "台灣東部鐵路恢復通車", "台灣東部鐵路今天恢復通車。", seed=3)
    await running.cycle()
    # An edited post makes the tags count afresh: the scan pays for it, not /tags.
    path.write_text(
        path.read_text(encoding="utf-8").replace("台灣東部鐵路", "花蓮太魯閣鐵路"), encoding="utf-8"
    )
    await running.cycle()
    statements: list[str] = []
    running.harness.db.conn.set_trace_callback(statements.append)
    try:
        [reply] = await running.harness.send(ALICE, "/tags", language_code="zh-TW")
    finally:
        running.harness.db.conn.set_trace_callback(None)

    assert "花蓮" in reply.text and "東部" not in reply.text
    assert not any("article_tags" in statement for statement in statements)


async def test_a_muted_word_suppresses_the_alert(running: Running) -> None:
    await subscribe(running, ALICE, "台灣")
    await running.harness.send(ALICE, "/mute 棒球")
    running.post("baseball", "台灣棒球隊奪冠", "台灣棒球隊今天在國際賽奪冠。", seed=5)
    running.post("port", "台灣港口貨運成長", "台灣港口的貨運量持續成長。", seed=6)

    [alert] = await running.cycle()

    assert "台灣港口貨運成長" in alert.text
    assert "棒球" not in alert.text


async def test_the_digest_arrives_at_the_users_hour_once(running: Running) -> None:
    await subscribe(running, ALICE, "颱風")  # the chat gets the operator's 08:00 default
    running.post("typhoon", "颱風逼近東部", "颱風今天逼近台灣東部。", seed=7, age=2)
    await running.cycle()  # the instant alert

    running.clock.set(T0 - timedelta(minutes=1))  # 07:59 in Taipei
    assert await running.digest() == []
    running.clock.set(T0)  # 08:00
    [digest] = await running.digest()

    assert digest.chat_id == ALICE
    assert digest.text.startswith("📰 您的每日摘要")
    assert "颱風逼近東部" in digest.text
    running.clock.set(T0 + timedelta(minutes=1))
    assert await running.digest() == []


async def test_a_digest_missed_while_down_is_sent_once_on_return(running: Running) -> None:
    await subscribe(running, ALICE, "颱風")
    running.post("typhoon", "颱風登陸花蓮", "颱風今天登陸花蓮。", seed=8, age=2)
    running.clock.set(T0 - hours(1))  # 07:00: the last moment the bot was up
    await running.cycle()

    running.clock.set(T0 + hours(3.5))  # back at 11:30, the 08:00 digest never went out
    first = await running.digest()
    running.clock.set(T0 + hours(3.5) + timedelta(minutes=1))
    second = await running.digest()

    assert [m.chat_id for m in first] == [ALICE] and "颱風登陸花蓮" in first[0].text
    assert second == []


async def test_a_near_duplicate_is_named_in_the_digest_not_sent_twice(running: Running) -> None:
    await subscribe(running, ALICE, "颱風")
    lead = "颱風今天登陸花蓮。"
    body = chinese_body(9, lead)
    running.clock.set(T0 - hours(3))
    for source, minutes in (("formosa", 60), ("huanan", 30)):
        write_post(
            running.posts, f"typhoon-{source}", title="颱風登陸花蓮　東部停班停課",
            body=body, published=running.clock.now() - timedelta(minutes=minutes), source=source,
        )  # fmt: skip

    alerts = await running.cycle()
    running.clock.set(T0)
    [digest] = await running.digest()

    assert len(alerts) == 1
    assert digest.text.count("颱風登陸花蓮") == 1
    assert "另見：huanan" in digest.text


async def test_nothing_new_means_no_digest(running: Running) -> None:
    await subscribe(running, ALICE, "地震")
    running.post("rain", "北部大雨", "北部今天大雨。", seed=11, age=2)
    await running.cycle()
    running.clock.set(T0)

    assert await running.digest() == []


async def test_a_crash_mid_send_resends_on_restart(running: Running) -> None:
    """Rows a crashed run left 'sending' go out when the next run's first drain starts."""
    await subscribe(running, ALICE, "台灣")
    running.post("strait", "台灣海峽航運恢復", "台灣海峽航運今天恢復。", seed=12)
    await poll_once(running.harness.app)
    db = running.harness.db
    [claimed] = outbox.claim(db, now=running.clock.now(), limit=10)  # then the process died
    jobs_state(running.harness.app).recovered = False  # as in a fresh process

    await drain_outbox(running.harness.app)

    assert outbox.get_item(db, claimed.id).status == "sent"
    alerts = [m for m in running.tg.sent_messages(ALICE) if "台灣海峽航運恢復" in m.text]
    assert len(alerts) == 1


async def test_housekeeping_forgets_old_delivered_messages(running: Running) -> None:
    await subscribe(running, ALICE, "台灣")
    running.post("strait", "台灣海峽航運恢復", "台灣海峽航運今天恢復。", seed=12)
    await running.cycle()
    db = running.harness.db
    assert await housekeeping(running.harness.app) == 0

    running.clock.advance(timedelta(days=31))

    assert await housekeeping(running.harness.app) == 1
    assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0


async def test_the_schedule_scans_and_delivers_on_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the JobQueue running nobody calls the jobs: the first scan comes soon after
    start-up and its alert is delivered at once."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")

    def prepare(db: Database, tg: FakeTelegram, posts: Path) -> None:
        add_chat(db, ALICE, now=START - hours(24), language="zh-Hant")
        follow(db, ALICE, "台灣")
        tg.add_chat(ALICE)
        write_post(
            posts, "strait", title="台灣海峽航運恢復正常", body=chinese_body(1, "航運恢復。"),
            published=START - hours(1), source="formosa",
        )  # fmt: skip

    async with started(tmp_path, install_jobs=True, prepare=prepare) as bot:
        jobs = {job.name: job for job in bot.harness.app.job_queue.jobs()}
        alert = await bot.tg.wait_for(
            "sendMessage", chat_id=ALICE, since=0, timeout=POLL_FIRST + DRAIN_EVERY + 20
        )

    assert alert.ok and "台灣海峽航運恢復正常" in alert.result["text"]
    assert {"poll", "digest", "drain", "housekeeping"} <= set(jobs)
    assert jobs["poll"].trigger.interval == timedelta(minutes=5)  # the default poll interval
    assert jobs["digest"].trigger.interval == timedelta(minutes=1)
