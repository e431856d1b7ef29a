"""Turn a post body (HTML or markdown) into the article as a reader reads it.

`clean_body` keeps the article's paragraphs and nothing else: share boxes, related lists,
captions, bylines, credits, copyright and promo lines are removed; the agency dateline is
taken out of the first paragraph (summaries and keywords must not see it) and returned on
its own, as are keyword tags printed in the article.
"""

from __future__ import annotations

from dataclasses import dataclass

from summariser import clean_text
from summariser.clean_html import extract
from summariser.clean_markdown import markdown_to_html

# A post whose captions outweigh its text this many times is a photo gallery: the captions
# are the story and are kept.
GALLERY_RATIO = 2


@dataclass(frozen=True)
class CleanResult:
    """The article text as paragraphs, the tags printed in it, and its dateline."""

    paragraphs: tuple[str, ...]
    tags: tuple[str, ...] = ()
    dateline: str | None = None

    @property
    def text(self) -> str:
        """Paragraphs separated by a blank line, as `Article.text` stores them."""
        return "\n\n".join(self.paragraphs)


def clean_body(body: str, body_format: str = "html") -> CleanResult:
    """Clean a post body; `body_format` is "html" or "markdown" (as on `Post`)."""
    html = markdown_to_html(body) if body_format == "markdown" else body
    extraction = extract(html)
    if extraction.caption_chars > GALLERY_RATIO * sum(map(len, extraction.paragraphs)):
        extraction = extract(html, keep_captions=True)
    tags = list(extraction.tags)
    paragraphs: list[str] = []
    dateline: str | None = None
    for raw in extraction.paragraphs:
        paragraph = clean_text.normalise_space(raw)
        if not paragraph:
            continue
        found = clean_text.hashtags(paragraph)
        if found:
            tags.extend(found)
            continue
        if clean_text.is_wordless(paragraph):
            if paragraphs:
                paragraphs[-1] += paragraph
            continue
        if not paragraphs and dateline is None:
            dateline, paragraph = clean_text.split_dateline(paragraph)
        paragraph = clean_text.strip_trailing_credit(paragraph)
        if paragraph and not clean_text.is_noise_line(paragraph):
            paragraphs.append(paragraph)
    return CleanResult(
        paragraphs=tuple(paragraphs),
        tags=tuple(dict.fromkeys(tags)),
        dateline=dateline,
    )
