"""Structural cleaning: skip the elements of a parsed post that are not the article.

Elements are judged by their role, not by any outlet's exact markup: media and scripts,
figures and their captions, asides, navigation and footers, hidden elements, elements whose
class or id names an ad/share/related/caption/byline box, picture-plus-caption blocks,
short blocks holding a date-time (bylines), and blocks made mostly of links (related lists,
carousels, tag clouds). Text is read in one iterative walk, so deep nesting never reaches
Python's recursion limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from lxml import etree

from summariser.clean_parse import BLOCK_TAGS, parse, tag_set
from summariser.clean_text import STAMP_BLOCK_MAX, hashtags, is_stamp_block

# Elements that never carry article text a reader sees.
_DROP_TAGS = tag_set(
    "script style svg math iframe frame frameset noscript template object embed video audio "
    "canvas form button input select option textarea label head title meta link base "
    "picture source track map area img aside nav footer address dialog"
)
# Pictures and their captions: dropped, except from a photo gallery, where they are the story.
_CAPTION_TAGS = frozenset({"figure", "figcaption"})
# Time stamps and credits, and small print under pictures, unless inside running text.
_DETACHED_DROP_TAGS = frozenset({"time", "cite"})
_DETACHED_CAPTION_TAGS = frozenset({"small"})
# Elements judged by how much of their text is links.
_LINK_JUDGED_TAGS = tag_set(
    "div section ul ol dl dt dd li p table tbody tr td th span h2 h3 h4 blockquote"
)
_CELL_TAGS = frozenset({"td", "th"})

# Names of boxes that are not the article, found inside class/id/test-id values
# ("lineAd", "recommendations-wrapper", "article-newsletter-slot", "caption-paragraph").
_NOISE_NAME = re.compile(
    r"advert|sponsor|promo|banner|newsletter|subscribe|share|sharing|social|follow|"
    r"related|recommend|more-?article|readmore|read-more|carousel|slider|"
    r"caption|credit|byline|author|dateline|timestamp|keyword|hashtag|breadcrumb|sidebar|"
    r"comment|footer|toolbar|popup|modal|cookie|consent|paywall|embed",
    re.IGNORECASE,
)
# Short names only as whole words: "ad" in "lineAd" or "ad-slot", not in "header" or "load".
_NOISE_WORD = re.compile(
    r"(?:(?:^|[\s_-])(?i:ad|ads|nav|menu|tags?)|(?<=[a-z])(?:Ad|Ads|Nav|Menu|Tags?))(?=$|[\s_A-Z-])"
)
_NAME_ATTRIBUTES = ("class", "id", "data-e2e", "data-testid", "aria-labelledby")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_NOISE_ROLES = frozenset({"navigation", "complementary", "banner", "contentinfo", "dialog"})
# The heading of a related-articles list, as the whole of a line: "阅读更多", "延伸閱讀：".
_RELATED_LABEL = re.compile(
    r"^\W*(?:阅读更多|閱讀更多|更多阅读|更多閱讀|延伸阅读|延伸閱讀|相关阅读|相關閱讀|拓展阅读|"
    r"相关报道|相關報導|相关新闻|相關新聞|推荐阅读|推薦閱讀|热读|熱讀|看更多|"
    r"Read more|Related|More on this|See also)\W*$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[。！？!?.…][」』”\"’）)]*$")
# A label before links ends in a colon or a dash: "相關新聞：", "拓展阅读——".
_LABEL_END = re.compile(r"[:：—]\s*$")
_PUNCTUATION_OR_SPACE = re.compile(r"[\W_]+")

# A block at least this much made of link text is navigation, not prose...
LINK_DENSITY = 0.5
# ...unless it is one paragraph with this much prose of its own around a single link.
PROSE_AROUND_LINK = 4
# A block with this much text outside links is prose, so its container is not navigation.
PROSE_BLOCK = 50
# Judging a block never walks a subtree larger than this (so deep or huge documents stay
# linear); captions, bylines, tag blocks and link paragraphs are all small.
SMALL_SUBTREE = 64
# A picture with at most this much text beside it is a figure; the text is its caption.
CAPTION_MAX = 300


class _Stats(NamedTuple):
    text: int  # characters of text in the subtree (outer whitespace of each node stripped)
    link_text: int  # of which inside <a>
    images: int
    nodes: int  # elements in the subtree, to bound the walks made while judging it


@dataclass
class Extraction:
    """Raw paragraphs in reading order, keyword tags found in tag blocks, and how much
    caption text was left out (a post that is mostly captions is a photo gallery).
    """

    paragraphs: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    caption_chars: int = 0


def extract(html: str, keep_captions: bool = False) -> Extraction:
    """Parse `html` and return its article paragraphs (not yet whitespace-normalised).

    With `keep_captions`, pictures' captions are read as text (for photo galleries).
    """
    root = parse(html)
    result = Extraction()
    if root is None:
        return result
    judge = _Judge(_measure(root), result, keep_captions)
    parts: list[str] = []

    def flush() -> None:
        if parts:
            result.paragraphs.append("".join(parts))
            parts.clear()

    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag
        if not isinstance(tag, str):  # a comment or processing instruction
            tag = ""
        if event == "start":
            if judge.is_noise(element, tag):
                walker.skip_subtree()
                continue
            if tag in BLOCK_TAGS:
                flush()
            elif tag in _CELL_TAGS:
                parts.append(" ")
            if text := element.text:
                parts.append(text)
        else:
            if tag in BLOCK_TAGS:
                flush()
            if tail := element.tail:
                parts.append(tail)
    flush()
    return result


def _measure(root: etree._Element) -> dict[etree._Element, _Stats]:
    """Text length, link-text length, image and element counts of every subtree, in one pass.

    Reverse document order visits children before parents, so each element sums its
    children's known totals (the tail after a child belongs to the parent). lxml makes a
    new string at each read of `text`, `tail` or `tag`, so each is read once.
    """
    stats: dict[etree._Element, _Stats] = {}
    for element in reversed(list(root.iter())):
        own_text = element.text
        text = len(own_text.strip()) if own_text else 0
        link_text = images = 0
        nodes = 1
        for child in element:
            child_stats = stats[child]
            tail = child.tail
            text += child_stats.text + (len(tail.strip()) if tail else 0)
            link_text += child_stats.link_text
            images += child_stats.images
            nodes += child_stats.nodes
        tag = element.tag
        if tag == "a":
            link_text = text
        elif tag == "img":
            images += 1
        stats[element] = _Stats(text, link_text, images, nodes)
    return stats


@dataclass
class _Judge:
    """Decides, element by element, what is not the article; notes tags and captions."""

    stats: dict[etree._Element, _Stats]
    result: Extraction
    keep_captions: bool

    def is_noise(self, element: etree._Element, tag: str) -> bool:
        """Whether the element, with its subtree, is not part of the article."""
        if not tag:  # comments and processing instructions: skip, but keep their tail
            return True
        if tag in _DROP_TAGS:
            return True
        if tag in _DETACHED_DROP_TAGS and not _inside_running_text(element):
            return True
        if tag in _DETACHED_CAPTION_TAGS and not _inside_running_text(element):
            return self._is_caption(element)
        attrib = element.attrib
        if attrib and (_is_hidden(attrib) or _has_noise_name(attrib)):
            self._collect_hashtags(element)
            return True
        if tag in _CAPTION_TAGS:
            return self._is_caption(element)
        own = self.stats[element]
        if not own.text:
            return False
        small = own.nodes <= SMALL_SUBTREE
        if (
            small
            and own.text <= STAMP_BLOCK_MAX
            and tag in BLOCK_TAGS
            and is_stamp_block(_text_of(element))
        ):
            return True
        if (
            small
            and own.images
            and own.text <= CAPTION_MAX
            and _is_figure_like(element, self.stats)
        ):
            return self._is_caption(element)
        if _is_navigation(element, tag, self.stats):
            self._collect_hashtags(element)
            return True
        return False

    def _is_caption(self, element: etree._Element) -> bool:
        if self.keep_captions:
            return False
        self.result.caption_chars += self.stats[element].text
        return True

    def _collect_hashtags(self, element: etree._Element) -> None:
        """Keyword tags printed as a block of "#tag" links are kept as tags, not text."""
        if self.stats[element].nodes > SMALL_SUBTREE:
            return
        found = hashtags(_text_of(element))
        if found:
            self.result.tags.extend(found)


def _is_hidden(attrib: etree._Attrib) -> bool:
    if "hidden" in attrib or attrib.get("aria-hidden") == "true":
        return True
    style = attrib.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _has_noise_name(attrib: etree._Attrib) -> bool:
    if attrib.get("role") in _NOISE_ROLES:
        return True
    return any(_is_noise_name(attrib.get(name) or "") for name in _NAME_ATTRIBUTES)


@lru_cache(maxsize=4096)
def _is_noise_name(value: str) -> bool:
    """Cached: the same class names recur on every post of an outlet."""
    return bool(value and (_NOISE_NAME.search(value) or _NOISE_WORD.search(value)))


def _is_navigation(element: etree._Element, tag: str, stats: dict[etree._Element, _Stats]) -> bool:
    """A block mostly made of links: a related list, a "read more" line, a carousel.

    A block opening with a "read more" heading is navigation whatever its link density.
    A container of several text blocks is judged on link density, unless one of them is
    prose (then the children are judged one by one, so an article that shares its container
    with a carousel survives). A paragraph is navigation only if, besides its links, it
    holds at most a label ("延伸閱讀：") or a few characters; a sentence that merely contains
    long links stays.
    """
    own = stats[element]
    if tag not in _LINK_JUDGED_TAGS or not own.link_text:
        return False
    if own.nodes <= SMALL_SUBTREE and _RELATED_LABEL.match(_first_text(element)):
        return True  # a list under a "read more" heading, whatever else it holds
    if own.link_text < LINK_DENSITY * own.text:
        return False
    if tag not in BLOCK_TAGS and _inside_running_text(element):
        return False
    text_blocks = [child for child in element if child.tag in BLOCK_TAGS and stats[child].text]
    if text_blocks:
        if any(_is_prose_block(child, stats) for child in text_blocks):
            return False  # holds prose: its children are judged one by one
        if len(text_blocks) >= 2:
            return True
        if stats[text_blocks[0]].text >= own.text:
            return False  # a wrapper: the block inside is judged instead
    if own.text - own.link_text <= PROSE_AROUND_LINK:
        return True
    if own.nodes > SMALL_SUBTREE:
        return False
    prose = _prose_outside_links(element)
    if _LABEL_END.search(prose) or _RELATED_LABEL.match(prose):
        return True
    return len(_PUNCTUATION_OR_SPACE.sub("", prose)) <= PROSE_AROUND_LINK


def _first_text(element: etree._Element) -> str:
    return next((chunk for chunk in element.itertext() if chunk.strip()), "")


def _is_prose_block(element: etree._Element, stats: dict[etree._Element, _Stats]) -> bool:
    """Mostly text of its own, and long or ending like a sentence."""
    own = stats[element]
    if own.link_text >= LINK_DENSITY * own.text or own.nodes > SMALL_SUBTREE:
        return False
    if own.text - own.link_text >= PROSE_BLOCK:
        return True
    return bool(_SENTENCE_END.search(_text_of(element)))


def _prose_outside_links(element: etree._Element) -> str:
    chunks: list[str] = []
    walker = etree.iterwalk(element, events=("start", "end"))
    for event, node in walker:
        if event == "start":
            if node.tag == "a":
                walker.skip_subtree()
            elif node.text:
                chunks.append(node.text)
        elif node is not element and node.tail:
            chunks.append(node.tail)
    return "".join(chunks).strip()


def _has_own_text(element: etree._Element) -> bool:
    if element.text and element.text.strip():
        return True
    return any(child.tail and child.tail.strip() for child in element)


def _is_figure_like(element: etree._Element, stats: dict[etree._Element, _Stats]) -> bool:
    """A picture with its caption: the block opens with an image, or holds images and at
    most one text child. A block holding all the text around it is the article itself.
    """
    parent = element.getparent()
    if parent is None or stats[parent].text <= stats[element].text:
        return False
    if _opens_with_image(element):
        return True
    if _has_own_text(element):
        return False
    text_children = sum(1 for child in element if stats[child].text and not stats[child].images)
    return text_children <= 1


def _opens_with_image(element: etree._Element) -> bool:
    """True when an <img> comes before any text in the element."""
    for event, node in etree.iterwalk(element, events=("start", "end")):
        if event == "start":
            if node.tag == "img":
                return True
            if node.text and node.text.strip():
                return False
        elif node is not element and node.tail and node.tail.strip():
            return False
    return False


def _inside_running_text(element: etree._Element) -> bool:
    """True when text sits right before or after the element in the same block."""
    if element.tail and element.tail.strip():
        return True
    previous = element.getprevious()
    if previous is not None:
        return bool(previous.tail and previous.tail.strip())
    parent = element.getparent()
    return parent is not None and bool(parent.text and parent.text.strip())


def _text_of(element: etree._Element) -> str:
    if not len(element):  # no children: only its own text, read without an iterator
        text = element.text
        return text.strip() if text else ""
    return " ".join(element.itertext()).strip()
