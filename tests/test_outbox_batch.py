"""Enqueueing a batch in one statement still tells each message's row apart."""

from __future__ import annotations

from datetime import UTC, datetime

from storage import outbox
from storage.outbox import Outgoing, make_payload

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
ALICE, BOB = 1001, 1002


def test_each_message_gets_its_own_row_id_or_none_for_a_duplicate(db):
    (taken,) = outbox.enqueue_many(
        db, [Outgoing(ALICE, "alert", "k1", make_payload("old"))], now=T0
    )
    batch = [
        Outgoing(ALICE, "reply", None, make_payload("reply one")),
        Outgoing(ALICE, "alert", "k1", make_payload("old, again")),  # taken before
        Outgoing(BOB, "alert", "k2", make_payload("new"), ("a1",)),
        Outgoing(BOB, "reply", None, make_payload("reply two")),
        Outgoing(BOB, "alert", "k2", make_payload("new, computed twice")),  # taken just now
        Outgoing(ALICE, "digest", "k3", make_payload("digest"), ("a1", "a2")),
    ]
    ids = outbox.enqueue_many(db, batch, now=T0)
    assert [row_id is None for row_id in ids] == [False, True, False, False, True, False]
    for message, row_id in zip(batch, ids, strict=True):
        if row_id is None:
            continue
        item = outbox.get_item(db, row_id)
        assert (item.chat_id, item.kind, item.dedupe_key) == (
            message.chat_id,
            message.kind,
            message.dedupe_key,
        )
        assert item.payload["text"] == message.payload["text"]
        assert item.article_ids == message.article_ids
        assert item.status == "pending" and item.created_at == T0
    assert taken not in ids
    assert outbox.pending_count(db) == 5


def test_a_batch_of_duplicates_adds_nothing(db):
    batch = [Outgoing(ALICE, "digest", f"digest:{n}", make_payload(f"part {n}")) for n in range(3)]
    first = outbox.enqueue_many(db, batch, now=T0)
    assert None not in first and first == sorted(first)
    assert outbox.enqueue_many(db, batch, now=T0) == [None, None, None]
    assert outbox.pending_count(db) == 3
