"""Turn one `Post` into one `Article`: clean, detect language, summarise, tag."""

from __future__ import annotations

from dataclasses import dataclass

from sources.post import Post
from summariser.article import Article
from summariser.clean import clean_body
from summariser.exceptions import EmptyArticleError
from summariser.fold import fold_term
from summariser.ids import article_id, canonical_url
from summariser.keywords import extract_keywords
from summariser.lang import detect_language
from summariser.summarise import summarise
from summariser.tokenize import SentenceWords


@dataclass(frozen=True)
class SummaryOptions:
    """How long summaries may be; `None` budgets mean the language's default."""

    max_sentences: int = 3
    max_chars: int | None = None
    keywords: int = 8


def build_article(post: Post, options: SummaryOptions = SummaryOptions()) -> Article:
    """Raise `EmptyArticleError` when nothing of the body is article text."""
    cleaned = clean_body(post.body, post.body_format)
    if not cleaned.paragraphs:
        raise EmptyArticleError("the body has no article text after cleaning")
    text = "\n\n".join(cleaned.paragraphs)
    lang = detect_language(post.title + "\n" + text)
    sentence_words = SentenceWords()  # the summary's sentences, then the keywords' others
    summary = summarise(
        cleaned.paragraphs,
        post.title,
        lang,
        max_sentences=options.max_sentences,
        max_chars=options.max_chars,
        sentence_words=sentence_words,
    )
    keywords = extract_keywords(
        text, post.title, lang, k=options.keywords, sentence_words=sentence_words
    )
    url = canonical_url(post.url) if post.url else None
    return Article(
        id=article_id(url, post.source, post.path),
        source=post.source,
        path=post.path,
        title=post.title,
        published=post.published,
        lang=lang,
        text=text,
        summary=tuple(summary),
        url=url,
        tags=_unique_folded((post.source, *post.tags, *cleaned.tags)),
        keywords=tuple(keywords),
    )


def _unique_folded(terms: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for term in terms:
        folded = fold_term(term).lstrip("#")
        if folded:
            seen.setdefault(folded, None)
    return tuple(seen)
