"""Turn a markdown body into simple HTML so one cleaner handles every post.

Posts in markdown (RTHK) are paragraphs separated by blank lines with, at most, links,
emphasis, images, headings and lists. Converting them to `<p>` blocks lets the HTML cleaner
apply the same structural and textual rules; raw HTML inside markdown passes through, as
markdown itself allows.
"""

from __future__ import annotations

import html
import re

_BLANK_LINES = re.compile(r"\n[ \t\u3000]*\n")
_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$|^\s*=+\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s+|\s+#+\s*$")
_QUOTE = re.compile(r"^\s*>\s?")
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
# "*" marks emphasis inside words too (CJK text has no spaces); "_" only at word edges.
_EMPHASIS = re.compile(r"(?<!\*)\*(?=\S)(.+?)(?<=\S)\*(?!\*)|(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)")
_CODE = re.compile(r"`([^`\n]+)`")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|])")
# "<" that does not open a tag or comment is literal text in markdown.
_LITERAL_LT = re.compile(r"<(?![A-Za-z/!])")


def markdown_to_html(markdown: str) -> str:
    """One `<p>` per markdown block; list items and headings become blocks of their own."""
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[str] = []
    for chunk in _BLANK_LINES.split(text):
        lines: list[str] = []
        for line in chunk.split("\n"):
            if _RULE.match(line):
                blocks.append(_paragraph(lines))
                lines = []
            elif _LIST_ITEM.match(line) or _HEADING.match(line):
                blocks.append(_paragraph(lines))
                blocks.append(_paragraph([_LIST_ITEM.sub("", _HEADING.sub("", line))]))
                lines = []
            else:
                lines.append(_QUOTE.sub("", line) if ">" in line else line)
        blocks.append(_paragraph(lines))
    return "".join(block for block in blocks if block)


def _paragraph(lines: list[str]) -> str:
    text = "\n".join(lines).strip()
    if not text:
        return ""
    return f"<p>{_inline(text)}</p>"


def _inline(text: str) -> str:
    """Links, emphasis and escapes of a paragraph as HTML or plain text.

    Each rule runs only on text holding the characters its pattern needs: most paragraphs
    hold none of them, and finding a character costs far less than running a pattern (`re`
    even prepares a replacement template anew at each call).
    """
    if "<" in text:
        text = _LITERAL_LT.sub("&lt;", text)
    if "![" in text:
        text = _IMAGE.sub("", text)
    if "<" in text:
        text = _AUTOLINK.sub(lambda m: _anchor(m.group(1), m.group(1)), text)
    if "](" in text:
        text = _LINK.sub(lambda m: _anchor(m.group(1), m.group(2)), text)
    if "`" in text:
        text = _CODE.sub(r"\1", text)
    if "**" in text or "__" in text:
        text = _STRONG.sub(r"\2", text)
    if "*" in text or "_" in text:
        text = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    return text


def _anchor(label: str, url: str) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{label}</a>'
