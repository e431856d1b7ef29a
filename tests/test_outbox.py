"""The outbox on a real SQLite file: nothing lost, nothing doubled, each chat in order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage import chats, outbox
from storage.db import open_db
from storage.outbox import Outgoing, make_payload

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
ALICE, BOB, GROUP = 1001, 1002, -2001


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "newsgist.db"


@pytest.fixture
def db(db_path: Path) -> Database:
    db = open_db(db_path)
    for chat_id, kind in ((ALICE, "private"), (BOB, "private"), (GROUP, "group")):
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
    yield db
    db.close()


def put(db: Database, chat_id: int, text: str, *, key: str | None = None, at=T0) -> int:
    row_id = outbox.enqueue(
        db, chat_id, "alert", key or f"{chat_id}:{text}", make_payload(text), ["a1"], now=at
    )
    assert row_id is not None
    return row_id


def texts(items: list[outbox.OutboxItem]) -> list[str]:
    return [item.payload["text"] for item in items]


def test_same_dedupe_key_makes_one_row(db: Database) -> None:
    payload = make_payload("<b>Digest</b>")
    first = outbox.enqueue(db, ALICE, "digest", "digest:1001:2025-03-01", payload, now=T0)
    again = outbox.enqueue(db, ALICE, "digest", "digest:1001:2025-03-01", payload, now=T0)
    assert isinstance(first, int)
    assert again is None
    assert outbox.pending_count(db) == 1
    assert texts(outbox.claim(db, now=T0, limit=10)) == ["<b>Digest</b>"]


def test_enqueue_many_reports_duplicates_per_message(db: Database) -> None:
    put(db, ALICE, "old", key="k1")
    ids = outbox.enqueue_many(
        db,
        [
            Outgoing(ALICE, "alert", "k1", make_payload("old again")),
            Outgoing(BOB, "alert", "k2", make_payload("new")),
            Outgoing(BOB, "alert", "k2", make_payload("new, computed twice")),
        ],
        now=T0,
    )
    assert ids[0] is None and isinstance(ids[1], int) and ids[2] is None
    assert sorted(texts(outbox.claim(db, now=T0, limit=10))) == ["new", "old"]


def test_enqueue_many_is_all_or_nothing(db: Database) -> None:
    broken = {"text": "fine", "extra": {1, 2}}  # a set is not JSON: fails after the first row
    with pytest.raises(TypeError):
        outbox.enqueue_many(
            db,
            [
                Outgoing(ALICE, "alert", "k1", make_payload("one")),
                Outgoing(BOB, "alert", "k2", broken),
            ],
            now=T0,
        )
    assert outbox.pending_count(db) == 0
    # The same batch, fixed and enqueued again, is not refused as a duplicate.
    assert None not in outbox.enqueue_many(
        db, [Outgoing(ALICE, "alert", "k1", make_payload("one"))], now=T0
    )


@pytest.mark.parametrize(
    ("kind", "payload"),
    [("poster", make_payload("x")), ("alert", {"text": "  "}), ("alert", {"parse_mode": "HTML"})],
)
def test_enqueue_refuses_what_could_never_be_sent(db: Database, kind: str, payload: dict) -> None:
    with pytest.raises(ValueError):
        outbox.enqueue(db, ALICE, kind, "k", payload, now=T0)
    assert outbox.pending_count(db) == 0


def test_claim_takes_due_rows_oldest_first_and_only_once(db: Database) -> None:
    put(db, BOB, "b1")
    put(db, ALICE, "a1")
    put(db, ALICE, "later", at=T0 + timedelta(minutes=5))
    claimed = outbox.claim(db, now=T0, limit=10)
    assert texts(claimed) == ["b1", "a1"]
    assert {item.status for item in claimed} == {"sending"}
    assert [item.attempts for item in claimed] == [1, 1]
    assert outbox.claim(db, now=T0, limit=10) == []  # in flight: nobody takes them again
    assert outbox.pending_count(db) == 3  # in flight still counts as owed


def test_claim_respects_limit_without_breaking_a_chats_order(db: Database) -> None:
    for text in ("a1", "a2", "a3"):
        put(db, ALICE, text)
    assert texts(outbox.claim(db, now=T0, limit=2)) == ["a1", "a2"]
    # a3 waits until a1 and a2 are settled, so it can never overtake them.
    assert outbox.claim(db, now=T0, limit=10) == []


def test_claim_caps_how_many_messages_of_one_chat_it_takes(db: Database) -> None:
    for text in ("a1", "a2", "a3", "a4"):
        put(db, ALICE, text)
    put(db, BOB, "b1")
    assert texts(outbox.claim(db, now=T0, limit=10, per_chat=2)) == ["a1", "a2", "b1"]


def test_a_message_waiting_for_retry_holds_back_its_chat_only(db: Database) -> None:
    a1, a2 = put(db, ALICE, "a1"), put(db, ALICE, "a2")
    put(db, BOB, "b1")
    assert [item.id for item in outbox.claim(db, now=T0, limit=1)] == [a1]
    outbox.retry_later(db, a1, T0 + timedelta(seconds=30), "Bad Gateway")
    assert texts(outbox.claim(db, now=T0 + timedelta(seconds=1), limit=10)) == ["b1"]
    later = outbox.claim(db, now=T0 + timedelta(seconds=31), limit=10)
    assert [item.id for item in later] == [a1, a2]
    assert later[0].attempts == 2 and later[0].error == "Bad Gateway"


def test_mark_sent_records_telegrams_message(db: Database) -> None:
    row = put(db, ALICE, "a1")
    outbox.claim(db, now=T0, limit=1)
    outbox.mark_sent(db, row, 77, T0 + timedelta(seconds=2))
    item = outbox.get_item(db, row)
    assert (item.status, item.message_id, item.sent_at) == ("sent", 77, T0 + timedelta(seconds=2))
    assert outbox.pending_count(db) == 0
    outbox.mark_failed(db, row, "late error")  # a sent message stays sent
    assert outbox.get_item(db, row).status == "sent"


def test_failed_rows_are_counted_and_do_not_block_the_chat(db: Database) -> None:
    bad, good = put(db, ALICE, "<b>bad"), put(db, ALICE, "good")
    outbox.claim(db, now=T0, limit=1)
    outbox.mark_failed(db, bad, "Bad Request: can't parse entities")
    assert outbox.failed_count(db) == 1
    assert outbox.get_item(db, bad).error == "Bad Request: can't parse entities"
    assert [item.id for item in outbox.claim(db, now=T0, limit=10)] == [good]


def test_recover_after_crash_resends_what_was_in_flight(db_path: Path, db: Database) -> None:
    sent, in_flight, waiting = put(db, ALICE, "a1"), put(db, BOB, "b1"), put(db, ALICE, "a2")
    outbox.claim(db, now=T0, limit=2)
    outbox.mark_sent(db, sent, 1, T0)
    db.close()  # the process dies here: b1 was handed to Telegram, its answer never recorded

    reopened = open_db(db_path)
    try:
        assert outbox.get_item(reopened, in_flight).status == "sending"
        assert outbox.recover(reopened) == [in_flight]
        assert outbox.recover(reopened) == []
        assert [i.id for i in outbox.claim(reopened, now=T0, limit=10)] == [in_flight, waiting]
        assert outbox.get_item(reopened, sent).status == "sent"  # never sent twice
    finally:
        reopened.close()


def test_inactive_chat_keeps_its_messages_until_it_returns(db: Database) -> None:
    a1, a2 = put(db, ALICE, "a1"), put(db, ALICE, "a2")
    put(db, BOB, "b1")
    outbox.claim(db, now=T0, limit=1)
    chats.set_active(db, ALICE, False, "Forbidden: bot was blocked by the user")
    assert outbox.park_chat(db, ALICE) == 1
    assert texts(outbox.claim(db, now=T0, limit=10)) == ["b1"]
    assert outbox.pending_count(db) == 3
    chats.set_active(db, ALICE, True)
    assert [item.id for item in outbox.claim(db, now=T0, limit=10)] == [a1, a2]


def test_release_gives_back_only_rows_still_in_flight(db: Database) -> None:
    a1, b1 = put(db, ALICE, "a1"), put(db, BOB, "b1")
    outbox.claim(db, now=T0, limit=10)
    outbox.mark_sent(db, a1, 5, T0)
    assert outbox.release(db, [a1, b1]) == 1
    assert outbox.get_item(db, a1).status == "sent"
    assert outbox.get_item(db, b1).status == "pending"


def test_move_chat_moves_undelivered_messages_only(db: Database) -> None:
    done, waiting = put(db, GROUP, "g1"), put(db, GROUP, "g2")
    outbox.claim(db, now=T0, limit=1)
    outbox.mark_sent(db, done, 3, T0)
    assert outbox.move_chat(db, GROUP, -100_2001) == 1
    assert outbox.get_item(db, waiting).chat_id == -100_2001
    assert outbox.get_item(db, done).chat_id == GROUP


def test_sent_today_counts_the_chats_calendar_day(db: Database) -> None:
    # 15:30 and 16:30 UTC fall either side of midnight in Taipei (UTC+8).
    for hour, text in ((15, "before"), (16, "after"), (17, "after too")):
        row = put(db, ALICE, text)
        outbox.claim(db, now=T0, limit=1)
        outbox.mark_sent(db, row, hour, T0.replace(hour=hour, minute=30))
    late = T0.replace(hour=18)
    assert outbox.sent_today(db, late, "Asia/Taipei") == 2
    assert outbox.sent_today(db, late, UTC) == 3
    assert outbox.sent_today(db, late + timedelta(days=1), UTC) == 0
