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
from collections import defaultdict
from collections.abc import Iterator
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
# 8 to 10 bits apart do; the rest of the window is never compared.
_BANDS = 8
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
    text_length: int

    @cached_property
    def folded_title(self) -> str:
        return fold(self.title)  # only needed for the few candidates the title decides

    def bands(self) -> Iterator[tuple[int, int]]:
        for band in range(_BANDS):
            yield band, (self.fingerprint >> (8 * band)) & 0xFF


class StoryIndex:
    """Fingerprints of the articles around a batch being saved, banded for quick lookup."""

    def __init__(self) -> None:
        self._bands: dict[tuple[int, int], list[StoryEntry]] = defaultdict(list)
        self._entries: dict[str, StoryEntry] = {}

    def add(self, entry: StoryEntry) -> None:
        self.discard(entry.id)
        self._entries[entry.id] = entry
        for key in entry.bands():
            self._bands[key].append(entry)

    def discard(self, article_id: str) -> None:
        old = self._entries.pop(article_id, None)
        if old is not None:
            for key in old.bands():
                self._bands[key].remove(old)

    def move_story(self, old_story: str, new_story: str) -> None:
        for entry in self._entries.values():
            if entry.story_id == old_story:
                entry.story_id = new_story

    def match(self, probe: StoryEntry) -> StoryEntry | None:
        """The closest other article in the window that is a near-duplicate of `probe`."""
        best: StoryEntry | None = None
        best_distance = NEAR_BITS + 1
        seen: set[str] = {probe.id}
        for key in probe.bands():
            for entry in self._bands.get(key, ()):
                if entry.id in seen:
                    continue
                seen.add(entry.id)
                apart = distance(probe.fingerprint, entry.fingerprint)
                if (
                    apart < best_distance
                    and abs(probe.published - entry.published) <= WINDOW.total_seconds()
                    and _same_story(probe, entry, apart)
                ):
                    best, best_distance = entry, apart
        return best


def _same_story(a: StoryEntry, b: StoryEntry, apart: int) -> bool:
    if apart <= CLOSE_BITS:
        return True
    return (
        apart <= NEAR_BITS
        and min(a.text_length, b.text_length) >= NEAR_MIN_CHARS
        and title_overlap(a.folded_title, b.folded_title) >= TITLE_OVERLAP
    )


def load_story_index(db: Database, start: datetime, end: datetime) -> StoryIndex:
    """The fingerprinted articles published between `start` and `end`."""
    index = StoryIndex()
    rows = db.conn.execute(
        "SELECT id, story_id, fingerprint, (julianday(published) - 2440587.5) * 86400.0, "
        "title, length(text) FROM articles "
        "WHERE published BETWEEN ? AND ? AND fingerprint IS NOT NULL",
        [to_db_time(start), to_db_time(end)],
    )
    for row in rows:
        index.add(StoryEntry(*row))
    return index


def story_members(db: Database, story_id: str) -> list[StoredArticle]:
    """The articles of one story, oldest first."""
    rows = db.query(
        f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE a.story_id = ? ORDER BY a.published",
        [story_id],
    )
    return [stored_article(row) for row in rows]
