"""Split a paragraph into sentences, for Chinese and English, without NLTK data.

Rules (each one exists because a simpler splitter got real news wrong):

* A sentence ends after 。！？!? (or a run of them, such as ？！), and after "." in English
  when the next word starts a sentence. Closing quotes and brackets that follow belong
  to the sentence: 他說：「好。」然後 splits after 」.
* No split inside a matched pair of quotes or brackets, so a quoted speech of several
  sentences stays one sentence and every sentence keeps its 「」 balanced. Unmatched marks
  (a quote that runs on into the next paragraph) do not hold splitting back.
* An ellipsis (…… … ...) ends a sentence only when a closing quote follows it, or in English
  when a capitalised word follows; otherwise it is a pause inside the sentence.
* ；splits only an overlong sentence (more than `LONG` characters), and only where both
  halves keep `MIN_CLAUSE` characters: Chinese news uses ；for lists inside one sentence,
  and cutting every list item off would make fragments. An overlong quoted stretch is
  likewise split at its inner full stops, so no sentence stays far above the summary budget.
* A full-width space neither ends nor swallows a sentence (a lone one is kept as written);
  text without a final 。 is still a sentence; a paragraph end always ends a sentence.
* English: abbreviations (Mr. Dr. No. e.g.), initials (J. K.), decimals (3.5) and acronyms
  (U.S.) do not end a sentence, unless an acronym is followed by a common sentence opener.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

LONG = {"zh": 150, "en": 400}
MIN_CLAUSE = {"zh": 30, "en": 80}

_PAIRS = {
    "「": "」",
    "『": "』",
    "“": "”",
    "（": "）",
    "(": ")",
    "《": "》",
    "〈": "〉",
    "【": "】",
    "［": "］",
    "[": "]",
    "‘": "’",
}
_CLOSERS = frozenset(_PAIRS.values()) | {'"', "'"}
_STOPS = frozenset("。！？!?｡")
_ELLIPSIS = frozenset("…⋯")


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ENDERS = "".join(sorted(_STOPS | _ELLIPSIS)) + "."
_ASCII_STOPS = frozenset("!?")
_GLUED = _STOPS | {".", ","}
# A possible sentence end in one match: the run of enders ("run"), the closing marks and
# full stops that belong to it ("tail"), and a look at what follows ("next": up to 40
# characters from the next non-space one, None at the end of the text). Written [E][E]*
# rather than [E]+ so that the regex engine skips ahead to the next ender on its own.
_END = re.compile(
    f"(?P<run>[{re.escape(_ENDERS)}][{re.escape(_ENDERS)}]*)"
    f"(?P<tail>[{re.escape(''.join(sorted(_CLOSERS | _STOPS)))}]*)"
    r"(?=\s*(?P<next>\S.{0,39})?)",
    re.DOTALL,
)
_MARK = re.compile(f"[{re.escape(''.join(sorted(set(_PAIRS) | _CLOSERS)))}]")
# Line breaks, tabs and runs of spaces become one space; a lone space or 　 stays as written.
# (A run of two or more, or one whitespace that is neither; starting with \s, a search skips
# ahead to the next whitespace on its own.)
_WHITE = re.compile(r"\s(?:\s+|(?<![ \u3000]))")

# Words that end with "." but never end a sentence (lower-cased, without the final dot).
_ABBREVIATIONS = _word_set(
    """mr mrs ms dr prof sen rep gov gen col lt sgt capt cmdr adm maj brig pres st mt ft
    rev hon vs e.g i.e cf al approx"""
)
# Abbreviations that do not end a sentence when a number follows: No. 5, Nov. 3.
_NUMBER_ABBREVIATIONS = _word_set(
    "no nos p pp vol fig art jan feb mar apr jun jul aug sep sept oct nov dec"
)
# After an acronym such as U.S. these words show that a new sentence began.
_OPENERS = _word_set(
    """the a an he she it they we i but and in on at this that these those there his her
    its their our however meanwhile after before when while if as yet so officials"""
)


def split_sentences(paragraph: str, lang: str) -> list[str]:
    """Sentences of one paragraph, in order, each stripped; line breaks become one space.

    `lang` is "zh-Hant", "zh-Hans", "en" or "other"; anything but "en" uses the Chinese
    length limits (the ASCII rules apply in every language, as Chinese text quotes English).
    """
    return list(_split_paragraph(paragraph, "en" if lang == "en" else "zh"))


@lru_cache(maxsize=2048)
def _split_paragraph(paragraph: str, family: str) -> tuple[str, ...]:
    """Cached: the summary and the keywords of one article split the same paragraphs."""
    text = _WHITE.sub(" ", paragraph).strip()
    if not text:
        return ()
    pieces = _split(text, respect_pairs=True)
    out: list[str] = []
    for piece in pieces:
        if len(piece) <= LONG[family]:
            out.append(piece)
            continue
        for inner in _split(piece, respect_pairs=False):
            out.extend(_split_semicolons(inner, family))
    return tuple(out)


def _split(text: str, *, respect_pairs: bool) -> list[str]:
    cuts = _candidate_ends(text)
    if cuts and respect_pairs and _MARK.search(text):
        pairs = _matched_pairs(text)
        cuts = [end for end in cuts if not any(a < end <= b for a, b in pairs)]
    return _cut(text, cuts)


def _cut(text: str, cuts: list[int]) -> list[str]:
    bounds = itertools.pairwise([0, *cuts, len(text)])
    return [piece for start, end in bounds if (piece := text[start:end].strip())]


def _matched_pairs(text: str) -> list[tuple[int, int]]:
    """(opening index, closing index) of each quote or bracket pair that is closed."""
    stack: list[tuple[str, int]] = []
    pairs: list[tuple[int, int]] = []
    for match in _MARK.finditer(text):
        ch, i = match.group(), match.start()
        if ch == '"':
            if stack and stack[-1][0] == '"':
                pairs.append((stack.pop()[1], i))
            elif _opens_ascii_quote(text, i):
                stack.append(('"', i))
        elif ch in _PAIRS:
            stack.append((_PAIRS[ch], i))
        else:
            for level in range(len(stack) - 1, -1, -1):
                if stack[level][0] == ch:
                    pairs.append((stack[level][1], i))
                    del stack[level:]
                    break
    return pairs


def _opens_ascii_quote(text: str, i: int) -> bool:
    """A straight double quote opens when it is not glued to the end of a word."""
    return i == 0 or not (text[i - 1].isalnum() or text[i - 1] in _GLUED)


def _candidate_ends(text: str) -> list[int]:
    """Indexes just after each possible sentence end (including its closing marks)."""
    return [match.end() for match in _END.finditer(text) if _is_sentence_end(match)]


def _is_sentence_end(match: re.Match[str]) -> bool:
    following = match["next"]
    if not following:
        return True
    run = match["run"]
    if not _STOPS.isdisjoint(run):
        # "Why?" he asked: an English ! or ? before a lower-case word is inside the sentence.
        return not (_ASCII_STOPS.issuperset(run) and "a" <= following[0] <= "z")
    closed = bool(match["tail"])
    spaced = match.start("next") > match.end()
    if not _ELLIPSIS.isdisjoint(run) or run.startswith(".."):
        return closed or (following[0].isupper() and spaced)
    # A lone "." (English rules).
    if not (spaced or closed):
        return False  # 3.5, U.S.A, example.com
    start = match.start()
    return _period_ends(match.string[max(0, start - 40) : start], following)


def _period_ends(before: str, following: str) -> bool:
    nxt = following.lstrip("\"'“‘(「『")
    if not nxt or not (nxt[0].isupper() or nxt[0].isdigit()):
        return False
    word = before.rsplit(maxsplit=1)[-1] if before.strip() else ""
    word = word.lstrip("\"'“‘(「『").lower()
    if len(word) == 1 and word.isalpha():
        return False  # an initial: J. K. Rowling
    if "." in word:  # U.S, e.g
        if word in _ABBREVIATIONS:
            return False
        return nxt.split(maxsplit=1)[0].lower().strip(",") in _OPENERS
    if word in _ABBREVIATIONS:
        return False
    return not (word in _NUMBER_ABBREVIATIONS and nxt[0].isdigit())


def _split_semicolons(sentence: str, family: str) -> list[str]:
    if len(sentence) <= LONG[family]:
        return [sentence]
    shortest = MIN_CLAUSE[family]
    cuts, last = [], 0
    for match in re.finditer(r"[；;]", sentence):
        end = match.end()
        if end - last >= shortest and len(sentence) - end >= shortest:
            cuts.append(end)
            last = end
    return _cut(sentence, cuts)
