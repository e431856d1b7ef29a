"""Stories: near-duplicate articles linked as one, so people see a story once.

Outlets re-post an article (same text, another URL or day), post an edited version under a
new headline, and DW posts one story in both scripts. Each article's folded text gets a
64-bit SimHash over character 3-grams; an article joins the story of the closest article
already stored and published within `WINDOW` of it that is

- `CLOSE_BITS` or fewer bits away (the same text, give or take a few edits), or
- `NEAR_BITS` or fewer bits away, both texts at least `NEAR_MIN_CHARS` long, and the
  headlines share at least `TITLE_OVERLAP` of their character bigrams (an updated or
  other-script version: 特朗普 / 川普 and other wording differ between the scripts).

Texts shorter than `MIN_LETTERS` letters get no fingerprint: daily items such as "the prime
minister spent the day at home" repeat word for word and are still different stories.
The thresholds were set on the shared corpus (see the test and ARCHITECTURE.md).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

import numpy as np
from sqlite_utils import Database

from storage.db import to_db_time
from storage.records import ARTICLE_COLUMNS, StoredArticle, stored_article
from summariser.fold import fold

WINDOW = timedelta(days=10)  # DW re-posts stories nine days later
MIN_LETTERS = 50
CLOSE_BITS = 3
NEAR_BITS = 10
NEAR_MIN_CHARS = 300
TITLE_OVERLAP = 0.5

_NON_LETTERS = re.compile(r"[\W_]+")
# 8 bands of 8 bits: fingerprints up to 7 bits apart always share a band, and most of those
# 8 to 10 bits apart do; the others are not candidates (as in locality-sensitive hashing).
_BANDS = 8
_BAND_SHIFTS = np.arange(0, 64, 8, dtype=np.uint64)
_MASK64 = (1 << 64) - 1


# 64 fixed pseudo-random bits per character (BLAKE2b of its UTF-8: the same in every run)
# and whether it is a letter or digit (what `[^\W_]` matches), by code point, filled in as
# characters are first met. Zeroed arrays are only given memory where they are written.
_CODE_POINTS = 0x110000
_CHAR_BITS = np.zeros(_CODE_POINTS, dtype=np.uint64)
_IS_LETTER = np.zeros(_CODE_POINTS, dtype=bool)
_KNOWN = np.zeros(_CODE_POINTS, dtype=bool)
# Row v: the 8 bits of the byte value v, lowest first (as floats: numpy multiplies float
# matrices far faster than integer ones, and the counts stay exact).
_BYTE_BITS = np.unpackbits(
    np.arange(256, dtype=np.uint8)[:, None], axis=1, bitorder="little"
).astype(np.float64)
_BYTE_SLOTS = np.arange(8, dtype=np.intp) * 256  # byte j of a hash counts in slot 256 j + v


def _learn(codes: np.ndarray) -> None:
    """Fill in the characters of `codes` not met before."""
    unseen = codes[~_KNOWN[codes]]
    for code in np.unique(unseen).tolist() if unseen.size else ():
        char = chr(code)
        digest = hashlib.blake2b(char.encode("utf-8"), digest_size=8).digest()
        _CHAR_BITS[code] = int.from_bytes(digest, "little")
        _IS_LETTER[code] = char.isalnum()
        _KNOWN[code] = True


def _rotate(hashes: np.ndarray, bits: int) -> np.ndarray:
    return (hashes << np.uint64(bits)) | (hashes >> np.uint64(64 - bits))


def fingerprint(folded_text: str) -> int | None:
    """SimHash of the text's letters (3-grams, counted with repeats), as a signed 64-bit int.

    A 3-gram's hash is its first character's bits, XOR the second's rotated left by one
    byte and the third's by two. The text is handled as arrays of code points and hashes
    (numpy): a Python loop over the 3-grams would dominate saving thousands of articles.
    A bit of the result is set when more than half of the 3-grams have it; the bits are
    counted through a histogram of each hash byte's values.
    """
    codes = np.frombuffer(folded_text.encode("utf-32-le"), dtype=np.uint32)
    _learn(codes)
    letters = codes[_IS_LETTER[codes]]
    if len(letters) < MIN_LETTERS:
        return None
    chars = _CHAR_BITS[letters]
    grams = chars[:-2] ^ _rotate(chars[1:-1], 8) ^ _rotate(chars[2:], 16)
    slots = grams.view(np.uint8).reshape(-1, 8) + _BYTE_SLOTS
    histogram = np.bincount(slots.ravel(), minlength=8 * 256).reshape(8, 256).astype(float)
    ones = (histogram @ _BYTE_BITS).ravel()  # [8 j + b]: 3-grams with bit b of byte j set
    majority = np.packbits(2 * ones > len(grams), bitorder="little")
    return int(majority.view(np.int64)[0])  # SQLite integers are signed


def distance(a: int, b: int) -> int:
    """Bits in which two fingerprints differ."""
    return ((a ^ b) & _MASK64).bit_count()


def title_overlap(a: str, b: str) -> float:
    """Share of the shorter headline's character bigrams found in the other (folded)."""
    grams_a, grams_b = _title_grams(a), _title_grams(b)
    if not grams_a or not grams_b:
        return 0.0
    return len(grams_a & grams_b) / min(len(grams_a), len(grams_b))


def _title_grams(folded_title: str) -> set[str]:
    letters = _NON_LETTERS.sub("", folded_title)
    return {letters[i : i + 2] for i in range(len(letters) - 1)}


@dataclass(eq=False)
class StoryEntry:
    """What story matching needs to know of one article."""

    id: str
    story_id: str
    fingerprint: int
    published: float  # Unix time
    title: str
    text_length: int | None  # None: not read yet (see `StoryIndex`)

    @cached_property
    def folded_title(self) -> str:
        return fold(self.title)  # only needed for the few candidates the title decides


class StoryIndex:
    """Fingerprints of the articles around a batch being saved, compared all at once.

    Each probe is compared with the whole window in a few numpy operations (a window holds
    thousands of articles; a Python loop over banded buckets cost more than the rest of
    saving). Only articles sharing one of the 8 bands (bytes) of the probe's fingerprint are
    candidates, and of those within `NEAR_BITS` the closest that `_same_story` accepts wins;
    ties go to the lowest band shared, then to the article added first. Text lengths are
    only needed for near (not close) candidates, so those read from the database are looked
    up with `text_length` when a candidate needs one.
    """

    def __init__(self, text_length: Callable[[str], int]) -> None:
        self._text_length = text_length
        self._entries: list[StoryEntry] = []  # by slot, in the order they were added
        self._slots: dict[str, int] = {}  # article id -> its live slot
        self._fingerprints = np.zeros(64, dtype=np.uint64)
        self._published = np.zeros(64)
        self._live = np.zeros(64, dtype=bool)

    def add(self, entry: StoryEntry) -> None:
        self.discard(entry.id)
        slot = len(self._entries)
        if slot == len(self._live):
            self._grow()
        self._entries.append(entry)
        self._slots[entry.id] = slot
        self._fingerprints[slot] = entry.fingerprint & _MASK64
        self._published[slot] = entry.published
        self._live[slot] = True

    def _grow(self) -> None:
        """Twice the room; only the first `len(self._entries)` slots are ever read."""
        self._fingerprints, self._published, self._live = (
            np.concatenate([array, np.zeros_like(array)])
            for array in (self._fingerprints, self._published, self._live)
        )

    def discard(self, article_id: str) -> None:
        slot = self._slots.pop(article_id, None)
        if slot is not None:
            self._live[slot] = False

    def move_story(self, old_story: str, new_story: str) -> None:
        for slot in self._slots.values():
            entry = self._entries[slot]
            if entry.story_id == old_story:
                entry.story_id = new_story

    def match(self, probe: StoryEntry) -> StoryEntry | None:
        """The closest other article in the window that is a near-duplicate of `probe`."""
        used = len(self._entries)
        differ = self._fingerprints[:used] ^ np.uint64(probe.fingerprint & _MASK64)
        apart = np.bitwise_count(differ)
        near = (apart <= NEAR_BITS) & self._live[:used]
        near &= np.abs(self._published[:used] - probe.published) <= WINDOW.total_seconds()
        if (own := self._slots.get(probe.id)) is not None:
            near[own] = False
        slots = np.flatnonzero(near)
        if not slots.size:
            return None
        bands = (differ[slots, None] >> _BAND_SHIFTS) & np.uint64(0xFF)
        shared = bands == 0
        first_band = np.where(shared.any(axis=1), shared.argmax(axis=1), _BANDS)
        order = np.lexsort((slots, first_band, apart[slots]))
        for k in order[first_band[order] < _BANDS].tolist():
            entry = self._entries[slots[k]]
            if self._same_story(probe, entry, int(apart[slots[k]])):
                return entry
        return None

    def _same_story(self, a: StoryEntry, b: StoryEntry, apart: int) -> bool:
        if apart <= CLOSE_BITS:
            return True
        return (
            min(self._length(a), self._length(b)) >= NEAR_MIN_CHARS
            and title_overlap(a.folded_title, b.folded_title) >= TITLE_OVERLAP
        )

    def _length(self, entry: StoryEntry) -> int:
        if entry.text_length is None:
            entry.text_length = self._text_length(entry.id)
        return entry.text_length


def load_story_index(db: Database, start: datetime, end: datetime) -> StoryIndex:
    """The fingerprinted articles published between `start` and `end`."""
    index = StoryIndex(lambda article_id: _text_length(db, article_id))
    rows = db.conn.execute(
        "SELECT id, story_id, fingerprint, (julianday(published) - 2440587.5) * 86400.0, "
        "title, NULL FROM articles "
        "WHERE published BETWEEN ? AND ? AND fingerprint IS NOT NULL",
        [to_db_time(start), to_db_time(end)],
    )
    for row in rows:
        index.add(StoryEntry(*row))
    return index


def _text_length(db: Database, article_id: str) -> int:
    query = "SELECT length(text) FROM articles WHERE id = ?"
    return db.conn.execute(query, [article_id]).fetchone()[0]


def story_members(db: Database, story_id: str) -> list[StoredArticle]:
    """The articles of one story, oldest first."""
    rows = db.query(
        f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE a.story_id = ? ORDER BY a.published",
        [story_id],
    )
    return [stored_article(row) for row in rows]
