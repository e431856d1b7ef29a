"""Parse a post's HTML into an lxml tree that holds all of its text, however it is nested.

lxml (libxml2) is used directly rather than through BeautifulSoup: it is the same parser
BeautifulSoup's "lxml" mode drives, without a pure-Python tree on top (about ten times
faster on this corpus). libxml2 silently drops everything nested deeper than 256 elements,
so such documents are re-parsed through a target that flattens the excess nesting.
"""

from __future__ import annotations

import re

from lxml import etree

# Deeper than this, the tree is flattened so libxml2's depth limit never drops text.
MAX_DEPTH = 200
# Read as raw text by browsers (scripts on) and never shown; with an unclosed tag inside,
# libxml2 would otherwise nest the rest of the article in it.
_NOSCRIPT = re.compile(r"<noscript\b[^>]*>.*?(?:</noscript\s*>|$)", re.IGNORECASE | re.DOTALL)
# Never text, also when met below the flattening depth.
_SKIPPED_CONTENT = frozenset({"script", "style", "svg", "math", "template", "noscript"})


def tag_set(names: str) -> frozenset[str]:
    """A set of tag names written as one space-separated string."""
    return frozenset(names.split())


# Closing or opening one of these starts a new paragraph.
BLOCK_TAGS = tag_set(
    "html body main article section header div p h1 h2 h3 h4 h5 h6 ul ol li dl dt dd "
    "blockquote pre table thead tbody tfoot tr caption hr br center details summary figure "
    "figcaption aside nav footer address fieldset legend"
)
# libxml2's HTML parser accepts attribute names (like '"3086"') that a built tree refuses.
_ATTRIBUTE = re.compile(r"^[A-Za-z_][\w.:-]*$")
_PARSE_ERRORS = (etree.ParserError, etree.XMLSyntaxError, ValueError)


def parse(html: str) -> etree._Element | None:
    """The document's root element, or None when there is nothing to parse."""
    if _may_hold_noscript(html):
        html = _NOSCRIPT.sub(" ", html)
    if not html.strip():
        return None
    data = html.encode("utf-8", "replace")
    parser = etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True
    )
    try:
        root = etree.fromstring(data, parser)
    except _PARSE_ERRORS:
        root = None
    if root is not None and not _hit_limit(parser):
        return root
    target_parser = etree.HTMLParser(
        target=_ShallowTreeBuilder(), encoding="utf-8", no_network=True, huge_tree=True
    )
    try:
        return etree.fromstring(data, target_parser)
    except _PARSE_ERRORS:
        return None


def _may_hold_noscript(html: str) -> bool:
    """Whether `_NOSCRIPT` could match: it starts "<no" in any case (no other letter folds
    to n or o). Four plain searches cost less than one case-blind regular expression."""
    return "<no" in html or "<NO" in html or "<No" in html or "<nO" in html


def _hit_limit(parser: etree.HTMLParser) -> bool:
    return any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log)


class _ShallowTreeBuilder:
    """Parser target that builds the tree but stops nesting at MAX_DEPTH.

    Below the limit, block elements become `<br>` (a paragraph break) and inline ones vanish,
    so all text is kept in order; the contents of script-like elements are still skipped.
    Elements libxml2 leaves open at the end of the input are closed.
    """

    def __init__(self) -> None:
        self._builder = etree.TreeBuilder()
        self._open: list[str] = []  # every open element, built or flattened
        self._skip_depth = 0  # depth of the script-like element being skipped, if any

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self._open.append(tag)
        depth = len(self._open)
        if depth <= MAX_DEPTH:
            self._builder.start(tag, {k: v for k, v in attrib.items() if _ATTRIBUTE.match(k)})
        elif self._skip_depth:
            return
        elif tag in _SKIPPED_CONTENT:
            self._skip_depth = depth
        elif tag in BLOCK_TAGS:
            self._break()

    def end(self, tag: str) -> None:
        if not self._open:
            return
        depth = len(self._open)
        self._open.pop()
        if depth <= MAX_DEPTH:
            self._builder.end(tag)
        elif self._skip_depth == depth:
            self._skip_depth = 0
        elif tag in BLOCK_TAGS and not self._skip_depth:
            self._break()

    def data(self, data: str) -> None:
        if not self._skip_depth:
            self._builder.data(data)

    def comment(self, text: str) -> None:
        """Comments are not text."""

    def close(self) -> etree._Element:
        while self._open:
            self.end(self._open[-1])
        return self._builder.close()

    def _break(self) -> None:
        self._builder.start("br", {})
        self._builder.end("br")
