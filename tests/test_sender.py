"""Delivery through the real python-telegram-bot `Bot`, the fake Telegram and a SQLite file.

Virtual seconds pass ten times faster than real ones: the fake's flood control, the limiter
and the outbox's timestamps all read the same `ScaledClock`, so a 2-second retry_after costs
a fifth of a real second and the tests still see Telegram's timing. Timing assertions are
mostly lower bounds or the order of calls, which a busy machine cannot break; the few upper
bounds (a flood wait is not much longer than asked) run at five times speed with slack.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.fakeapi import FakeTelegram
from bot.fakeapi.flood import FloodLimits
from bot.fakeapi.state import Call
from bot.ratelimit import Limits, RateLimiter
from bot.sender import DrainReport, RetryPolicy, Sender, drain
from storage import chats, outbox, subscriptions
from storage.db import open_db
from storage.outbox import make_payload

# PTB warns about its own int retry_after whenever it builds a RetryAfter; not our doing.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning"
)

TOKEN = "123456:TEST-sender_token"
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
ALICE, BOB, CAROL, DAVE = 1001, 1002, 1003, 1004
GROUP, SUPERGROUP = -2001, -1_000_000_002_001


class ScaledClock:
    """Monotonic virtual seconds running `scale` times faster than real time."""

    def __init__(self, scale: float = 10.0) -> None:
        self.scale = scale
        self._origin = time.monotonic()
        self._unix_origin = time.time()
        self.shift = 0.0  # extra virtual seconds, to jump ahead to a later cycle

    def monotonic(self) -> float:
        return (time.monotonic() - self._origin) * self.scale + self.shift

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.scale)

    def at(self, call: Call) -> float:
        """The virtual time the fake answered `call` at."""
        return (call.at - self._unix_origin) * self.scale + self.shift

    def wall(self) -> datetime:
        """The outbox's wall clock, moving with the virtual one."""
        return T0 + timedelta(seconds=self.monotonic())


class StepClock:
    """For one task at a time: sleeping moves time on at once."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(request: pytest.FixtureRequest) -> ScaledClock:
    """Ten times real speed; timing-sensitive tests ask for a slower one (indirect param)."""
    return ScaledClock(getattr(request, "param", 10.0))


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    db = open_db(tmp_path / "newsgist.db")
    yield db
    db.close()


@asynccontextmanager
async def running_fake(clock: ScaledClock, **options) -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, clock=clock.monotonic, **options) as fake:
        yield fake


@pytest.fixture
async def fake(clock: ScaledClock) -> AsyncIterator[FakeTelegram]:
    async with running_fake(clock) as tg:
        yield tg


@asynccontextmanager
async def real_bot(fake: FakeTelegram, read_timeout: float = 2.0) -> AsyncIterator[Bot]:
    request = HTTPXRequest(read_timeout=read_timeout, connect_timeout=2.0)
    async with Bot(TOKEN, base_url=fake.base_url, request=request) as bot:
        yield bot


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with real_bot(fake) as b:
        yield b


@pytest.fixture
def limiter(clock: ScaledClock) -> RateLimiter:
    return RateLimiter(clock=clock)


def add_chat(db: Database, fake: FakeTelegram | None, chat_id: int, kind: str = "") -> None:
    """A chat both newsgist and Telegram know (Telegram skipped when `fake` is None)."""
    kind = kind or ("private" if chat_id > 0 else "group")
    chats.ensure_chat(
        db,
        chat_id,
        type=kind,
        title=None,
        language="en",
        timezone="UTC",
        digest_time="08:00",
        now=T0,
    )
    if fake is not None:
        fake.add_chat(chat_id, chat_type=kind)


def put(
    db: Database, chat_id: int, text: str, *, key: str | None = None, kind: str = "alert", **payload
) -> int:
    row_id = outbox.enqueue(
        db, chat_id, kind, key or f"{chat_id}:{text}", make_payload(text, **payload), now=T0
    )
    assert row_id is not None
    return row_id


async def deliver(
    bot: Bot, db: Database, limiter: RateLimiter, clock: ScaledClock, **options
) -> DrainReport:
    return await drain(bot, db, limiter, now=clock.wall, **options)


def texts(fake: FakeTelegram, chat_id: int) -> list[str]:
    return [message.source for message in fake.sent_messages(chat_id)]


def status(db: Database, row_id: int) -> str:
    return outbox.get_item(db, row_id).status


# -- the limiter on its own ------------------------------------------------------------------


async def times_of(limiter: RateLimiter, clock: StepClock, chat_ids: list[int]) -> list[float]:
    moments = []
    for chat_id in chat_ids:
        await limiter.acquire(chat_id)
        moments.append(clock.now)
    return moments


async def test_limiter_paces_private_chats_groups_and_the_whole_bot() -> None:
    clock = StepClock()
    limiter = RateLimiter(Limits(global_per_second=30), clock)
    assert await times_of(limiter, clock, [ALICE] * 3) == pytest.approx([0, 1, 2])
    assert await times_of(limiter, clock, [GROUP] * 3) == pytest.approx([2, 5, 8], abs=0.05)
    fan_out = await times_of(limiter, clock, list(range(1, 31)))
    assert fan_out[-1] - fan_out[0] == pytest.approx(29 / 30)


async def test_limiter_holds_back_a_flooded_chat_only() -> None:
    clock = StepClock()
    limiter = RateLimiter(Limits(global_per_second=1000), clock)
    assert limiter.flood(ALICE, 5) is False
    assert await times_of(limiter, clock, [BOB, CAROL]) == pytest.approx([0, 0.001])
    assert await times_of(limiter, clock, [ALICE]) == pytest.approx([5])


async def test_limiter_holds_back_everyone_when_many_chats_are_flooded() -> None:
    clock = StepClock()
    limiter = RateLimiter(Limits(global_per_second=1000, flood_chats=3), clock)
    assert [limiter.flood(chat, 4) for chat in (ALICE, BOB, CAROL)] == [False, False, True]
    assert await times_of(limiter, clock, [DAVE]) == pytest.approx([4])


# -- delivery --------------------------------------------------------------------------------


async def test_message_is_sent_as_written_and_marked_with_telegrams_id(
    db: Database, fake: FakeTelegram, bot: Bot, limiter: RateLimiter, clock: ScaledClock
) -> None:
    add_chat(db, fake, ALICE)
    keyboard = {"inline_keyboard": [[{"text": "More", "callback_data": "more:a1"}]]}
    row = put(db, ALICE, "<b>Chips</b> news", reply_markup=keyboard)
    report = await deliver(bot, db, limiter, clock)
    [message] = fake.sent_messages(ALICE)
    assert (message.source, message.text, message.reply_markup) == (
        "<b>Chips</b> news",
        "Chips news",
        keyboard,
    )
    [call] = fake.calls("sendMessage")
    assert call.params["link_preview_options"] == {"is_disabled": True}
    item = outbox.get_item(db, row)
    assert (item.status, item.message_id) == ("sent", message.message_id)
    assert (report.claimed, report.sent) == (1, 1)


async def test_crash_before_mark_sent_resends_only_the_message_in_flight(
    tmp_path: Path, fake: FakeTelegram, bot: Bot, limiter: RateLimiter, clock: ScaledClock
) -> None:
    path = tmp_path / "crash.db"
    db = open_db(path)
    add_chat(db, fake, ALICE)
    add_chat(db, fake, BOB)
    a1, b1 = put(db, ALICE, "a1"), put(db, BOB, "b1")
    claimed = outbox.claim(db, now=clock.wall(), limit=10)
    await bot.send_message(ALICE, claimed[0].payload["text"])  # Telegram has it...
    db.close()  # ...and the process dies before writing that down

    db = open_db(path)
    try:
        assert outbox.recover(db) == [a1, b1]
        report = await deliver(bot, db, limiter, clock)
        assert report.sent == 2
        assert texts(fake, ALICE) == ["a1", "a1"]  # the one in flight may arrive twice
        assert texts(fake, BOB) == ["b1"]  # nothing lost, nothing else doubled
        assert {status(db, a1), status(db, b1)} == {"sent"}
        assert await deliver(bot, db, limiter, clock) == DrainReport()
    finally:
        db.close()


async def test_cancelled_drain_leaves_nothing_in_flight(
    db: Database, fake: FakeTelegram, bot: Bot, limiter: RateLimiter, clock: ScaledClock
) -> None:
    add_chat(db, fake, ALICE)
    rows = [put(db, ALICE, f"a{n}") for n in range(1, 5)]
    task = asyncio.create_task(deliver(bot, db, limiter, clock))
    await fake.wait_for("sendMessage", since=0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert "sending" not in {status(db, row) for row in rows}
    await deliver(bot, db, limiter, clock)
    assert {status(db, row) for row in rows} == {"sent"}
    delivered = texts(fake, ALICE)
    assert sorted(set(delivered)) == ["a1", "a2", "a3", "a4"]
    assert len(delivered) <= 5  # only the message in flight at the cancel may come twice


async def test_dedupe_key_keeps_a_recomputed_digest_from_going_out_twice(
    db: Database, fake: FakeTelegram, bot: Bot, limiter: RateLimiter, clock: ScaledClock
) -> None:
    add_chat(db, fake, ALICE)
    key = "digest:1001:2025-03-01"
    put(db, ALICE, "Your digest", key=key, kind="digest")
    await deliver(bot, db, limiter, clock)
    again = outbox.enqueue(db, ALICE, "digest", key, make_payload("Your digest"), now=T0)
    await deliver(bot, db, limiter, clock)
    assert again is None
    assert texts(fake, ALICE) == ["Your digest"]


async def test_fan_out_stays_within_telegrams_limits(
    db: Database, fake: FakeTelegram, bot: Bot, limiter: RateLimiter, clock: ScaledClock
) -> None:
    users = list(range(5001, 5041))
    for chat_id in [*users, ALICE, GROUP]:
        add_chat(db, fake, chat_id)
    for n in range(4):
        put(db, ALICE, f"a{n}")
    for n in range(3):
        put(db, GROUP, f"g{n}")
    for chat_id in users:
        put(db, chat_id, "digest")
    start = clock.monotonic()
    report = await deliver(bot, db, limiter, clock)
    assert report.sent == 47
    assert fake.too_many_requests == 0
    assert texts(fake, ALICE) == ["a0", "a1", "a2", "a3"]
    assert texts(fake, GROUP) == ["g0", "g1", "g2"]
    # 20 a minute: the third group message waited six seconds, as did the fourth in ALICE's
    # chat three. (Lower bounds: network delays only ever make them later.)
    [*_, last_group] = fake.calls("sendMessage", chat_id=GROUP)
    [*_, last_alice] = fake.calls("sendMessage", chat_id=ALICE)
    assert clock.at(last_group) - start >= 6
    assert clock.at(last_alice) - start >= 3


# Five times real speed: the fake and PTB on a busy machine answer a few dozen calls a real
# second, so a faster clock would make every fan-out look slow to the virtual one.
@pytest.mark.parametrize("clock", [5.0], indirect=True)
async def test_a_long_queue_in_one_chat_does_not_hold_up_the_others(
    db: Database, fake: FakeTelegram, bot: Bot, limiter: RateLimiter, clock: ScaledClock
) -> None:
    others = list(range(5001, 5013))
    for chat_id in [ALICE, *others]:
        add_chat(db, fake, chat_id)
    for n in range(10):  # ten seconds of messages at one a second
        put(db, ALICE, f"a{n}")
    for chat_id in others:
        put(db, chat_id, "digest")
    await deliver(bot, db, limiter, clock, policy=RetryPolicy(window=10, per_chat=5))
    calls = fake.calls("sendMessage")
    # Without a cap ALICE would take the whole window and the others trickle out behind her.
    eighth_alice = [call for call in calls if call.chat_id == ALICE][7]
    assert all(call.index < eighth_alice.index for call in calls if call.chat_id in others)
    assert texts(fake, ALICE) == [f"a{n}" for n in range(10)]


async def test_when_telegram_is_stricter_every_message_still_arrives_once_in_order(
    db: Database, clock: ScaledClock
) -> None:
    strict = FloodLimits(chat_rate=1.0, chat_burst=1)
    eager = RateLimiter(Limits(private_per_second=4, chat_burst=3), clock)
    async with running_fake(clock, flood_limits=strict) as fake, real_bot(fake) as bot:
        for chat_id in (ALICE, BOB, CAROL):
            add_chat(db, fake, chat_id)
        for n in range(4):  # interleaved, as alerts for several chats arrive
            for chat_id in (ALICE, BOB, CAROL):
                put(db, chat_id, f"{chat_id}-{n}")
        report = await deliver(bot, db, eager, clock)
        assert fake.too_many_requests > 0
        assert report.flood_waits == fake.too_many_requests
        assert (report.sent, report.failed, report.parked) == (12, 0, 0)
        for chat_id in (ALICE, BOB, CAROL):
            assert texts(fake, chat_id) == [f"{chat_id}-{n}" for n in range(4)]


@pytest.mark.parametrize("clock", [5.0], indirect=True)
@pytest.mark.parametrize("ptb_timedelta", ["false", "true"])
async def test_retry_after_holds_back_that_chat_only(
    db: Database,
    fake: FakeTelegram,
    bot: Bot,
    limiter: RateLimiter,
    clock: ScaledClock,
    monkeypatch: pytest.MonkeyPatch,
    ptb_timedelta: str,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", ptb_timedelta)  # retry_after as int or as timedelta
    for chat_id in (ALICE, BOB, CAROL, DAVE):
        add_chat(db, fake, chat_id)
        put(db, chat_id, f"hello {chat_id}")
    fake.fail_next("sendMessage", 429, retry_after=2)
    report = await deliver(bot, db, limiter, clock)
    [refused] = fake.calls("sendMessage", ok=False)
    assert refused.status == 429
    flooded = refused.chat_id
    # Seconds after the 429 each chat's message was accepted.
    ok = {
        call.chat_id: clock.at(call) - clock.at(refused)
        for call in fake.calls("sendMessage", ok=True)
    }
    assert set(ok) == {ALICE, BOB, CAROL, DAVE}
    assert 2 <= ok.pop(flooded) < 3.5  # waited as told, not much longer
    assert all(after < 1.5 for after in ok.values()), ok  # the others did not wait for it
    assert (report.sent, report.flood_waits, report.parked) == (4, 1, 0)
    assert [len(texts(fake, chat_id)) for chat_id in (ALICE, BOB, CAROL, DAVE)] == [1] * 4


async def test_long_retry_after_parks_the_message_until_then(
    db: Database, fake: FakeTelegram, bot: Bot, limiter: RateLimiter, clock: ScaledClock
) -> None:
    add_chat(db, fake, ALICE)
    row = put(db, ALICE, "a1")
    fake.fail_next("sendMessage", 429, retry_after=600)
    report = await deliver(bot, db, limiter, clock, policy=RetryPolicy(flood_wait_max=60))
    item = outbox.get_item(db, row)
    assert (item.status, report.parked) == ("pending", 1)
    assert item.next_attempt_at - clock.wall() > timedelta(seconds=590)
    assert texts(fake, ALICE) == []


async def test_server_errors_are_retried_with_growing_pauses(
    db: Database, fake: FakeTelegram, bot: Bot, limiter: RateLimiter, clock: ScaledClock
) -> None:
    add_chat(db, fake, ALICE)
    row = put(db, ALICE, "a1")
    fake.fail_next("sendMessage", 502, count=2)
    report = await deliver(bot, db, limiter, clock)
    calls = fake.calls("sendMessage")
    assert [call.status for call in calls] == [502, 502, 200]
    first, second, third = map(clock.at, calls)
    assert second - first >= 0.5 and third - second >= 1.0  # 0.5 s, then twice that
    assert status(db, row) == "sent"
    assert (report.sent, report.parked) == (1, 0)
    assert texts(fake, ALICE) == ["a1"]


async def test_persistent_server_errors_park_the_message_and_its_chat(
    db: Database, fake: FakeTelegram, bot: Bot, limiter: RateLimiter, clock: ScaledClock
) -> None:
    add_chat(db, fake, ALICE)
    a1, a2 = put(db, ALICE, "a1"), put(db, ALICE, "a2")
    fake.fail_next("sendMessage", 500, count=3)
    report = await deliver(bot, db, limiter, clock)
    parked = outbox.get_item(db, a1)
    assert (parked.status, parked.error) == ("pending", "Internal Server Error")
    assert timedelta(seconds=29) < parked.next_attempt_at - clock.wall() <= timedelta(seconds=30)
    assert status(db, a2) == "pending"  # not sent ahead of a1
    assert len(fake.calls("sendMessage")) == 3
    assert texts(fake, ALICE) == []
    assert (report.sent, report.parked, report.failed) == (0, 1, 0)
    assert (await deliver(bot, db, limiter, clock)).claimed == 0  # not due yet

    clock.shift += 31  # the next cycle, half a minute later
    later = await deliver(bot, db, limiter, clock)
    assert later.sent == 2
    assert texts(fake, ALICE) == ["a1", "a2"]
    assert outbox.get_item(db, a1).attempts == 2


async def test_timeout_is_retried_and_may_deliver_twice(
    db: Database, fake: FakeTelegram, limiter: RateLimiter, clock: ScaledClock
) -> None:
    add_chat(db, fake, ALICE)
    row = put(db, ALICE, "a1")
    fake.delay_next("sendMessage", 0.6)  # Telegram takes the message but answers late
    async with real_bot(fake, read_timeout=0.2) as slow_bot:
        report = await deliver(slow_bot, db, limiter, clock)
    copies = fake.sent_messages(ALICE)
    assert [m.source for m in copies] == ["a1", "a1"]  # a timeout is ambiguous: sent again
    item = outbox.get_item(db, row)
    assert (item.status, item.message_id) == ("sent", copies[-1].message_id)
    assert report.sent == 1


@pytest.mark.parametrize(
    ("chat_id", "leave"),
    [(ALICE, FakeTelegram.block), (ALICE, FakeTelegram.deactivate), (GROUP, FakeTelegram.kick)],
    ids=["blocked", "deactivated", "kicked"],
)
async def test_forbidden_makes_the_chat_inactive_and_keeps_its_messages(
    db: Database,
    fake: FakeTelegram,
    bot: Bot,
    limiter: RateLimiter,
    clock: ScaledClock,
    chat_id: int,
    leave,
) -> None:
    add_chat(db, fake, chat_id)
    add_chat(db, fake, BOB)
    rows = [put(db, chat_id, "one"), put(db, chat_id, "two")]
    put(db, BOB, "b1")
    leave(fake, chat_id)
    report = await deliver(bot, db, limiter, clock)
    assert report.deactivated == [chat_id]
    assert chats.get_chat(db, chat_id).active is False
    assert [status(db, row) for row in rows] == ["pending", "pending"]
    assert outbox.get_item(db, rows[0]).error.startswith("Forbidden: ")
    assert len(fake.calls("sendMessage", chat_id=chat_id)) == 1  # stopped at the first 403
    assert texts(fake, BOB) == ["b1"]
    await deliver(bot, db, limiter, clock)
    assert len(fake.calls("sendMessage", chat_id=chat_id)) == 1  # nothing more tried


async def test_a_chat_that_comes_back_gets_what_it_missed_in_order(
    db: Database, fake: FakeTelegram, bot: Bot, limiter: RateLimiter, clock: ScaledClock
) -> None:
    add_chat(db, fake, ALICE)
    put(db, ALICE, "a1")
    put(db, ALICE, "a2")
    fake.block(ALICE)
    await deliver(bot, db, limiter, clock)
    fake.unblock(ALICE)
    chats.ensure_chat(
        db,
        ALICE,
        type="private",
        title=None,
        language="en",
        timezone="UTC",
        digest_time="08:00",
        now=T0,
        reactivate=True,
    )  # what /start does
    report = await deliver(bot, db, limiter, clock)
    assert report.sent == 2
    assert texts(fake, ALICE) == ["a1", "a2"]


async def test_chat_not_found_makes_the_chat_inactive(
    db: Database, fake: FakeTelegram, bot: Bot, limiter: RateLimiter, clock: ScaledClock
) -> None:
    add_chat(db, None, CAROL)  # newsgist knows the chat, Telegram does not
    row = put(db, CAROL, "c1")
    report = await deliver(bot, db, limiter, clock)
    assert report.deactivated == [CAROL]
    assert chats.get_chat(db, CAROL).active is False
    item = outbox.get_item(db, row)
    assert (item.status, item.error) == ("pending", "Chat not found")
    assert report.failed == 0


async def test_migrated_group_moves_and_gets_its_messages_at_the_new_id(
    db: Database, fake: FakeTelegram, bot: Bot, limiter: RateLimiter, clock: ScaledClock
) -> None:
    add_chat(db, fake, GROUP)
    subscriptions.subscribe(db, GROUP, [("tsmc", "TSMC")], now=T0)
    rows = [put(db, GROUP, "g1"), put(db, GROUP, "g2")]
    fake.inject_migration(GROUP, SUPERGROUP)
    report = await deliver(bot, db, limiter, clock)
    assert report.migrated == {GROUP: SUPERGROUP}
    assert texts(fake, SUPERGROUP) == ["g1", "g2"]
    assert [outbox.get_item(db, row).chat_id for row in rows] == [SUPERGROUP] * 2
    assert {status(db, row) for row in rows} == {"sent"}
    assert chats.get_chat(db, GROUP) is None
    assert chats.get_chat(db, SUPERGROUP).type == "supergroup"
    assert [s.display for s in subscriptions.list_subscriptions(db, SUPERGROUP)] == ["TSMC"]
    assert len(fake.calls("sendMessage", chat_id=GROUP)) == 1


async def test_bad_request_is_marked_failed_logged_and_not_retried(
    db: Database,
    fake: FakeTelegram,
    bot: Bot,
    limiter: RateLimiter,
    clock: ScaledClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.sender")
    add_chat(db, fake, ALICE)
    broken, fine = put(db, ALICE, "<b>unclosed"), put(db, ALICE, "fine")
    report = await deliver(bot, db, limiter, clock)
    item = outbox.get_item(db, broken)
    assert item.status == "failed"
    assert "can't parse entities" in item.error.lower()
    assert texts(fake, ALICE) == ["fine"]  # the chat goes on after a bad message
    assert status(db, fine) == "sent"
    assert (report.failed, report.sent) == (1, 1)
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert all(
        part in record.getMessage()
        for part in (f"outbox {broken}", "alert", str(ALICE), "parse entities")
    )
    assert TOKEN not in caplog.text
    await deliver(bot, db, limiter, clock)
    assert len(fake.calls("sendMessage", chat_id=ALICE)) == 2  # never tried again


async def test_sender_delivers_on_wake_and_stops_cleanly(
    db: Database, fake: FakeTelegram, bot: Bot, limiter: RateLimiter, clock: ScaledClock
) -> None:
    add_chat(db, fake, ALICE)
    sender = Sender(bot, db, limiter, now=clock.wall, tick=60)
    task = asyncio.create_task(sender.run())
    await asyncio.sleep(0.05)
    first = put(db, ALICE, "a1")
    sender.wake()  # without it, a1 would wait for the 60-second tick
    await fake.wait_for("sendMessage", since=0, timeout=2)
    later = [put(db, ALICE, f"a{n}") for n in range(2, 6)]
    sender.wake()
    await fake.wait_for("sendMessage", since=0, count=2, timeout=2)
    sender.stop()
    await asyncio.wait_for(task, timeout=2)
    delivered = texts(fake, ALICE)
    assert delivered[:2] == ["a1", "a2"] and len(delivered) < 5
    assert status(db, first) == "sent"
    statuses = [status(db, row) for row in later]
    assert "sending" not in statuses  # what was not sent waits, unclaimed, for the next run
    assert statuses.count("sent") == len(delivered) - 1
