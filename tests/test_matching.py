"""Which articles a subscription term or a mute catches, and how fast for many chats."""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.exceptions import TermError
from bot.matching import (
    MAX_TERM_LENGTH,
    TermIndex,
    clean_term,
    fold_article,
    is_muted,
    matches,
    matching_terms,
    normalise_term,
    parse_terms,
    split_terms,
)
from summariser.article import Article

sys.path.insert(0, str(Path(__file__).resolve().parent))
from storage_fixtures import rough_corpus_articles  # noqa: E402


def article(
    title: str,
    text: str = "",
    *,
    id: str = "a1",
    source: str = "cna",
    tags: tuple[str, ...] = (),
    keywords: tuple[str, ...] = (),
) -> Article:
    return Article(
        id=id,
        source=source,
        path=f"{id}.html",
        title=title,
        published=datetime(2025, 11, 1, tzinfo=UTC),
        lang="en",
        text=text,
        summary=(),
        tags=tags,
        keywords=keywords,
    )


def test_latin_terms_match_whole_words_only() -> None:
    assert matches(article("AI chips are in demand"), "ai")
    assert matches(article("Chips", "The race for A.I. and AI, again."), "ai")
    assert not matches(article("He said nothing", "They maintain the rain."), "ai")
    assert matches(article("台灣AI產業"), "ai")  # Chinese right next to it is a boundary
    assert not matches(article("Openai", "OpenAI's model"), "ai")


def test_chinese_terms_match_anywhere_in_either_script() -> None:
    a = article("台積電股價創新高", "外資連續買超台積電。")
    assert matches(a, normalise_term("台積電"))
    assert matches(a, normalise_term("台积电"))
    assert matches(a, normalise_term("股價"))
    assert not matches(a, normalise_term("聯發科"))


def test_phrases_match_across_line_breaks_but_not_across_words() -> None:
    a = article("Summit", "Leaders discussed climate\n\nchange on Monday.")
    assert matches(a, normalise_term("Climate  Change"))
    assert not matches(article("x", "climate of change"), "climate change")
    assert not matches(article("x", "bioclimate change"), "climate change")


def test_tags_keywords_and_source_match_even_when_the_text_does_not() -> None:
    a = article(
        "Chip exports rise", "Nothing else.", source="CNA", tags=("半导体",), keywords=("出口管制",)
    )
    assert matches(a, normalise_term("半導體"))
    assert matches(a, normalise_term("出口管制"))
    assert matches(a, "cna")
    assert not matches(a, "bbc")


def test_full_width_and_case_fold_to_one_term() -> None:
    assert normalise_term("ＡＩ") == normalise_term("ai") == "ai"
    assert matches(article("ＡＩ chips"), "ai")


def test_matching_terms_and_mutes() -> None:
    a = article("Typhoon hits Taipei", "台北市停班停課。")
    terms = ["typhoon", "earthquake", "台北", "taipei"]
    assert matching_terms(a, terms) == ["typhoon", "台北", "taipei"]
    assert is_muted(a, ["sport", normalise_term("停課")])
    assert not is_muted(a, ["sport"])
    assert not is_muted(a, [])


@pytest.mark.parametrize(
    ("raw", "folded", "display"),
    [
        ("#AI", "ai", "AI"),
        ("＃台灣", "台湾", "台灣"),
        ('  "Climate   Change" ', "climate change", "Climate Change"),
        ("「台積電」", "台积电", "台積電"),
        ("a\u200fb\u202ec\u200b", "abc", "abc"),  # RTL and zero-width marks are dropped
        ("tab\there", "tab here", "tab here"),
    ],
)
def test_normalise_term_cleans_what_users_type(raw: str, folded: str, display: str) -> None:
    assert normalise_term(raw) == folded
    assert clean_term(raw) == display


@pytest.mark.parametrize("raw", ["", "   ", "#", "\u200f\u200e", "「」"])
def test_empty_terms_are_refused(raw: str) -> None:
    with pytest.raises(TermError) as caught:
        normalise_term(raw)
    assert caught.value.reason == "term.empty"


def test_long_terms_are_refused_after_folding() -> None:
    assert normalise_term("x" * MAX_TERM_LENGTH) == "x" * MAX_TERM_LENGTH
    with pytest.raises(TermError) as caught:
        normalise_term("x" * (MAX_TERM_LENGTH + 1))
    assert caught.value.reason == "term.too_long"
    # One character that folds (NFKC) into four: the folded length is what counts.
    with pytest.raises(TermError):
        normalise_term("㍿" * 10 + "x")


def test_split_and_parse_terms() -> None:
    assert split_terms("台積電, AI；climate change\n聯發科、") == [
        "台積電",
        " AI",
        "climate change",
        "聯發科",
    ]
    terms, errors = parse_terms("台積電, 台积电，AI, ai, #, " + "y" * 41)
    assert terms == [("台积电", "台積電"), ("ai", "AI")]
    assert [error.reason for error in errors] == ["term.empty", "term.too_long"]


def test_fold_article_is_reused_for_many_terms() -> None:
    folded = fold_article(article("Taiwan AI", "台積電"))
    assert matching_terms(folded, ["ai", "台积电", "taiwan", "said"]) == ["ai", "台积电", "taiwan"]


def test_index_answers_per_chat_without_muted_articles() -> None:
    batch = [
        article("AI chips", "台積電 earnings", id="a"),
        article("Football final", "AI referee", id="b"),
        article("Typhoon", "停班停課", id="c"),
    ]
    index = TermIndex(batch)
    assert index.ids_for("ai") == {"a", "b"}
    assert index.matches_for(["ai", "台积电", "typhoon"], mutes=["football"]) == {
        "a": ["ai", "台积电"],
        "c": ["typhoon"],
    }


# Pieces that make boundaries interesting: Latin words inside others, CJK next to Latin.
_PIECES = [
    "ai",
    "said",
    "AI",
    "ＡＩ",
    "a.i.",
    "covid",
    "19",
    "x",
    "台",
    "積",
    "积",
    "電",
    "电",
    "子",
    "中",
    "-",
    " ",
    "\n",
    ".",
]


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(
        st.lists(st.sampled_from(_PIECES), max_size=12).map("".join), min_size=1, max_size=6
    ),
    data=st.data(),
)
def test_index_gives_the_same_answers_as_matches(texts: list[str], data: st.DataObject) -> None:
    batch = [article(f"t{i}", text, id=str(i), source="src") for i, text in enumerate(texts)]
    index = TermIndex(batch)
    pieces = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=4).map("".join)
    text = texts[0]
    slices = st.tuples(st.integers(0, len(text)), st.integers(0, len(text)))
    substrings = slices.map(lambda bounds: text[bounds[0] : bounds[1]])  # often mid-word
    for raw in data.draw(st.lists(pieces | substrings, min_size=1, max_size=8)):
        try:
            term = normalise_term(raw)
        except TermError:
            continue
        assert index.ids_for(term) == {a.id for a in batch if matches(a, term)}, term


def _corpus_batch(corpus_posts: Path, tmp_path: Path, size: int) -> list[Article]:
    """`size` posts spread over the corpus (every source, every day), as Articles."""
    folder = tmp_path / "batch"
    folder.mkdir()
    posts = sorted(corpus_posts.iterdir())
    for post in posts[:: len(posts) // size][:size]:
        (folder / post.name).symlink_to(post)
    return rough_corpus_articles(folder)


def test_ten_thousand_chats_against_a_batch_of_three_hundred(
    corpus_posts: Path, tmp_path: Path
) -> None:
    """The alert job's worst hour: 300 new articles, 10,000 chats with 5 terms each."""
    batch = _corpus_batch(corpus_posts, tmp_path, 300)
    rng = random.Random(7)
    # Topic-like terms: pieces of headlines (2-4 characters of Chinese, or a Latin word),
    # sources, and a few common English ones; chats pick popular ones more often.
    vocabulary = sorted({a.source for a in batch} | {"ai", "trump", "apec", "covid-19"})
    for a in batch:
        title = a.title
        start = rng.randrange(max(1, len(title) - 4))
        vocabulary.append(title[start : start + rng.randint(2, 4)])
    vocabulary = [term for term in vocabulary if term.strip()]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    chats = [
        [normalise_term(t) for t in rng.choices(vocabulary, weights, k=5)] for _ in range(10_000)
    ]
    mutes = [[normalise_term(rng.choice(vocabulary))] if n % 5 == 0 else [] for n in range(10_000)]

    started = time.process_time()
    index = TermIndex(batch)
    delivered = sum(
        len(index.matches_for(terms, muted)) for terms, muted in zip(chats, mutes, strict=True)
    )
    elapsed = time.process_time() - started

    assert delivered > 10_000  # the terms do catch articles
    folded = list(index.articles.values())
    for term in rng.sample(sorted({t for terms in chats for t in terms}), 100):
        assert index.ids_for(term) == {a.id for a in folded if matches(a, term)}
    print(f"\n{len(batch)} articles x 10,000 chats x 5 terms: {elapsed:.2f} s CPU")
    assert elapsed < 2.0
