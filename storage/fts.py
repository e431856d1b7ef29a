"""The full-text index: how folded text becomes FTS5 tokens, and keeping `articles_fts` in step.

FTS5's own tokenizers do not fit Chinese: unicode61 makes a whole run of Han characters one
token (so 台湾 would not find 台湾的选举), and trigram cannot match two-character words. So
the text is folded and every CJK run is rewritten before FTS5 sees it: each position of the
run starts a token of two characters, the last one of one (安世半导体 -> 安世 世半 半导 导体
体). A word of two or more characters is then a phrase of its bigrams, found anywhere inside
a longer run, and any single character is a prefix of some token. In other text, non-ASCII
punctuation and symbols become spaces and Latin letters lose their accents (São -> sao), which
is what unicode61 would do; so FTS5's plain `ascii` tokenizer (every non-ASCII character is
part of a word, ASCII splits on anything but letters and digits) reads the result into the
same words, at two thirds of unicode61's cost per token.

The index is contentless, so a row is removed by giving FTS5 the tokens it was indexed with;
they are recomputed from the stored title and text. If folding or tokenising ever changes,
a migration must call `rebuild(db)`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from operator import add
from unicodedata import combining

from sqlite_utils import Database

from storage.transaction import write_transaction
from summariser.fold import fold

_CJK = (
    "\u3005-\u3007\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0003134f"
)
_CJK_RUN_SPLIT = re.compile(f"([{_CJK}]+)")  # text, run, text, run, …, text
# The CJK run that ends a term (only non-word characters after it).
_FINAL_RUN = re.compile(f"([{_CJK}]+)[\\W_]*$")
# The index's columns and options (`storage.migrations` makes the table).
COLUMNS = "title, body, content = '', tokenize = 'ascii'"
# Outside CJK: non-ASCII characters that are not letters or digits, which end a word.
_NON_ASCII_SEPARATOR = re.compile(f"[^\\x00-\\x7f\\w{_CJK}]+")
_ACCENTED = re.compile(r"[\u00c0-\u024f\u1e00-\u1eff]")
_WORD = re.compile(r"[^\W_]")
_WORD_OR_RUN = re.compile(f"[{_CJK}]+|[^\\W_{_CJK}]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # a NUL would end the query string early
# Spaces between CJK characters inside a term: Chinese does not space words.
_CJK_SPACE = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")
# User input: "quoted", “quoted” or 「quoted」 phrases (closing mark optional), else words.
_QUERY_TERM = re.compile(r'"([^"]*)"?|“([^”]*)”?|「([^」]*)」?|(\S+)')


def index_tokens(folded: str) -> str:
    """The text FTS5 indexes for `folded`: each CJK run as bigrams, other text as words."""
    folded = _NON_ASCII_SEPARATOR.sub(" ", folded)
    if _ACCENTED.search(folded):
        folded = _without_accents(folded)
    parts = _CJK_RUN_SPLIT.split(folded)
    runs = parts[1::2]
    if runs:  # all runs in one go, each then cut out of the result
        tokens = _bigram_tokens(" ".join(runs))
        start = 0
        for i, run in enumerate(runs):
            parts[2 * i + 1] = tokens[3 * start : 3 * (start + len(run))]
            start += len(run) + 1
    return "".join(parts)


def _without_accents(text: str) -> str:
    """Latin letters without their accents (what unicode61's remove_diacritics does)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFKC", "".join(c for c in decomposed if not combining(c)))


def _bigram_tokens(text: str) -> str:
    """Each character of `text` as a space, itself and the character after it (a space after
    the last one): 安世半 -> " 安世 世半 半 ", the run's tokens.

    Built by interleaving the UTF-32 code units of the text and of the text shifted by one,
    so no Python object is made per character: indexing thousands of articles otherwise
    spends much of its Python time here.
    """
    this = text.encode("utf-32-le")
    after = (text[1:] + " ").encode("utf-32-le")
    out = bytearray(b" \0\0\0" * (3 * len(text)))
    for k in range(4):  # byte k of every code unit
        out[4 + k :: 12] = this[k::4]
        out[8 + k :: 12] = after[k::4]
    return out.decode("utf-32-le")


def query_terms(query: str) -> list[str]:
    """The terms of a search as the user typed them; a quoted phrase is one term."""
    return [next(g for g in m.groups() if g is not None) for m in _QUERY_TERM.finditer(query)]


def term_expression(term: str) -> str | None:
    """An FTS5 phrase that finds `term` (folded here) as a substring; None if it has no words.

    The term is tokenised as the index is (spaces between CJK characters dropped: Chinese
    does not space words), except a CJK run at its end, which may continue in the text: it
    is matched by its bigrams alone, or as a prefix if it is one character.
    The phrase is one quoted FTS5 string, so nothing the user types (quotes, `*`, `-`, NEAR,
    AND/OR/NOT, parentheses) can be read as FTS5 syntax.
    """
    folded = _CJK_SPACE.sub("", fold(_CONTROL.sub(" ", term)))
    if not _WORD.search(folded):
        return None
    prefix = ""
    final = _FINAL_RUN.search(folded)
    if final is None:
        tokens = index_tokens(folded)
    else:
        run = final.group(1)
        tokens = index_tokens(folded[: final.start()])
        if len(run) == 1:
            tokens += " " + run
            prefix = "*"
        else:
            tokens += " " + " ".join(map(add, run, run[1:]))
    return '"' + " ".join(tokens.replace('"', '""').split()) + '"' + prefix


def match_expression(query: str) -> str | None:
    """All terms of `query` must match (AND); None when it has nothing to search for."""
    phrases = [p for p in map(term_expression, query_terms(query)) if p]
    return " AND ".join(phrases) if phrases else None


def query_words(query: str) -> list[str]:
    """The words and CJK runs of `query`, unfolded: what a snippet looks for."""
    return [m.group() for term in query_terms(query) for m in _WORD_OR_RUN.finditer(term)]


def _tokenised(rows: Iterable[tuple[int, str, str]]) -> Iterator[tuple[int, str, str]]:
    return ((rowid, index_tokens(title), index_tokens(text)) for rowid, title, text in rows)


def add_rows(db: Database, rows: Iterable[tuple[int, str, str]]) -> None:
    """Index (rowid, folded title, folded text) rows."""
    db.conn.executemany(
        "INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)", _tokenised(rows)
    )


def remove_rows(db: Database, rows: Iterable[tuple[int, str, str]]) -> None:
    """Unindex (rowid, folded title, folded text) rows, as they were when indexed."""
    db.conn.executemany(
        "INSERT INTO articles_fts (articles_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)",
        _tokenised(rows),
    )


def rebuild(db: Database) -> None:
    """Re-index every article from its stored title and text."""
    with write_transaction(db):
        db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')")
        rows = db.conn.execute("SELECT seq, title, text FROM articles")
        add_rows(db, ((seq, fold(title), fold(text)) for seq, title, text in rows))
