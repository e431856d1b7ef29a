"""Textual rules for cleaning: the shapes of lines that are not the article.

Structure (`clean_html`) removes most boilerplate; these patterns catch what the markup does
not label: credits, captions, datelines, copyright and promo lines. They describe *shapes*
(a bracketed role and a name followed by a code, a dateline ending in 電/电/報導, a short
line naming a social platform and asking to follow it) rather than any one outlet's strings.
"""

from __future__ import annotations

import re

# --- whitespace -----------------------------------------------------------------------------

_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
# A run of layout whitespace (with a line break) between two wide characters is source
# formatting, not a word separator: browsers' CJK line-break rules drop it.
_CJK_LINEBREAK = re.compile(rf"(?<=[{_CJK}])[ \t\r\n\xa0]*[\r\n][ \t\r\n\xa0]*(?=[{_CJK}])")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACE_RUN = re.compile(r"[\s\u3000]+")


def normalise_space(text: str) -> str:
    """Collapse whitespace the way a reader sees it, keeping full-width spaces as separators.

    A run that contains a full-width space stays one full-width space (it separates two
    phrases, as in headlines); any other run becomes one ASCII space; ends are stripped.
    """
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    if "\n" in text or "\r" in text:
        text = _CJK_LINEBREAK.sub("", text)
    if "\u3000" not in text:
        return " ".join(text.split())
    text = _SPACE_RUN.sub(lambda m: "\u3000" if "\u3000" in m.group() else " ", text)
    return text.strip(" \u3000")


# --- dateline -------------------------------------------------------------------------------

# "（中央社記者李雅雯台北1日電）", "【共同社11月1日电】", "（德国之声中文网）",
# "（中央社倫敦2日綜合外電報導）": a bracketed agency tag at the very start.
_DATELINE_END = r"(?:電|电|報導|报道|報道|讯|訊|稿|中文網|中文网|網|网|社|台|臺)"
_BRACKET_DATELINE = re.compile(
    rf"^\s*(?:【(?=[^】]*(?:{_DATELINE_END}\s*】|\d日))[^【】\n]{{1,50}}】"
    rf"|[（(](?=[^）)]*(?:{_DATELINE_END}\s*[）)]|\d日))[^（）()\n]{{1,40}}[）)])\s*"
)
# "吉隆坡报道——", "韩国庆州报道——": a place name and "reports" before a dash.
_DASH_DATELINE = re.compile(
    r"^\s*[^\s，。,.（）()「」“”]{1,20}(?:报道|報導|報道|电|電)\s*[—－-]{1,2}\s*"
)
# "BEIJING (Reuters) - ", "LONDON, Nov 1 (AP) — ": an English agency dateline.
_EN_DATELINE = re.compile(
    r"^\s*[A-Z][A-Z .'-]{1,30}(?:,[^()\n]{1,20})?\s*\([A-Za-z .]{2,30}\)\s*[—–-]\s*"
)
_DATELINES = (_BRACKET_DATELINE, _DASH_DATELINE, _EN_DATELINE)


def split_dateline(paragraph: str) -> tuple[str | None, str]:
    """Return (dateline, rest) when the paragraph opens with an agency dateline.

    `rest` is empty when the paragraph was the dateline alone.
    """
    for pattern in _DATELINES:
        match = pattern.match(paragraph)
        if match:
            return normalise_space(match.group()), paragraph[match.end() :].lstrip(" \u3000")
    return None, paragraph


# --- trailing credits -----------------------------------------------------------------------

_ROLE = (
    r"(?:責任編輯|责任编辑|編輯|编辑|編譯|编译|譯者|译者|翻譯|翻译|核稿|校對|校对|審校|审校|"
    r"撰稿|記者|记者|攝影|摄影|製圖|制图|採訪|采访|整理|責編|责编|Editing|Editor|Reporting)"
)
# "（編輯：呂佳蓉）1141101", "（譯者：鄭詩韻/核稿：陳昱婷）1111121", "（完）": an editor or
# translator credit, optionally with the agency's numeric code, closing a paragraph.
_TRAILING_CREDIT = re.compile(
    rf"[（(]\s*(?:{_ROLE}\s*[:：][^（）()]{{0,60}}|完|全文完|END|end)\s*[）)]+"
    r"\s*\d{0,10}[\s.。．]*$"
)
# A bracketed credit ("（編輯：呂佳蓉）", "（邱國強/楊昇儒）") followed by CNA's date code
# (ROC year, month, day: 1141101) ends the story; what follows on the line is a service
# notice ("飲酒過量有害健康").
_CODED_CREDIT = re.compile(
    r"[（(][^（）()\d]{1,40}[）)]\s*1\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d).*$"
)


def strip_trailing_credit(paragraph: str) -> str:
    """Remove editor/translator credits and "（完）" from the end, keeping the sentence."""
    while "（" in paragraph or "(" in paragraph:
        match = _CODED_CREDIT.search(paragraph) or _TRAILING_CREDIT.search(paragraph)
        if not match:
            return paragraph
        paragraph = paragraph[: match.start()].rstrip()
    return paragraph


# --- whole-line noise -----------------------------------------------------------------------

_PLATFORMS = (
    r"(?:Instagram|Facebook|Twitter|YouTube|Telegram|WhatsApp|LINE|Line|Threads|TikTok|"
    r"Google News|Google 新聞|Google新聞|Podcast|微信|微博|脸书|臉書|推特|公众号|公眾號|\bX\b)"
)
_ASK = (
    r"(?:欢迎|歡迎|追蹤|追踪|关注|關注|订阅|訂閱|搜寻|搜尋|搜索|加入|按讚|点赞|點讚|收听|收聽|"
    r"下载|下載|follow|Follow|subscribe|Subscribe|join|Join)"
)
_PLATFORM = re.compile(_PLATFORMS)
_CALL_TO_ACTION = re.compile(_ASK)
# Reporting what someone posted is news, not a promo.
_REPORTING = re.compile(r"說|说|表示|寫道|写道|指出|稱|称|發文|发文|貼文|贴文|宣布")
# Promos and contributor credits are short; a longer sentence naming a platform or thanking
# a helper is reporting.
SHORT_LINE_MAX = 60

# A label and a few names, no sentence: "来源: 半岛电视台", "作者：某某", "翻译：某网".
_CREDIT_TAIL = r"\s*[:：，,][^。？！?!]{0,40}$"
_NOISE_LINES = [
    # image and video credits and sources
    r"(?:图像来源|圖像來源|图片来源|圖片來源|图片提供|圖片提供|图片|圖片|照片|影片來源|影片来源|"
    r"视频来源|視頻來源|影音來源|资料来源|資料來源|来源|來源|出处|出處|摄影|攝影|"
    rf"Image source|Image|Photo|Source|Video){_CREDIT_TAIL}",
    r"(?:图|圖|图像|圖像)\s*[/／]",
    r"▲",
    # bylines and timestamps
    r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?"
    r"(?:\s*T?\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?\s*$",
    r"Article Information\s*$",
    rf"(?:Author|Role|作者|職務|职务|{_ROLE}){_CREDIT_TAIL}",
    # copyright and legal
    r"(?:©|\(c\)|Ⓒ|Copyright|版权所有|版權所有)",
    # related-article lists
    r"(?:阅读更多|閱讀更多|延伸阅读|延伸閱讀|相关阅读|相關閱讀|相关报道|相關報導|推荐阅读|推薦閱讀|"
    r"热读|熱讀|更多相关内容|更多相關內容|Read more|Related)\s*[:：]?\s*$",
    r"(?:相关|相關|延伸|推荐|推薦)(?:图集|圖集|阅读|閱讀|报道|報導|新闻|新聞|文章|视频|影片)\s*[:：]",
    r"list (?:\d+ )?of \d+(?: items)?\s*$|list \d+ of \d+",
    r"end of list\s*$",
    r"Skip .{1,30} and continue reading",
    r"(?:跳过|跳過|结尾|結尾|Skip|End of)\s\S.{0,30}$",
    r"End of\s*$",
    # media player notices
    r"(?:Play video|播放视频|播放影片|你的器材不支持|你的設備不支援|视频加注文字|視頻加註文字)",
    # reader notices
    r"(?:点击查看本文英文版|點擊查看本文英文版|点击阅读英文原文|點擊閱讀英文原文)",
    r"(?:珍惜生命|珍愛生命|珍爱生命|飲酒過量有害健康|饮酒过量有害健康|吸菸有害健康|吸烟有害健康)",
    r"[（(]?(?:完|全文完)[）)]?\s*$",
    # interface labels left from widgets
    r"(?:看更多|查看更多|閱讀全文|阅读全文|更多|關閉|关闭|收起|展開|展开|广告|廣告|"
    r"Close|More|Show more|Advertisement)\s*$",
    # a bracketed attribution standing alone: "（路透社）", "（综合报道）"
    r"[（(][^（）()]{1,25}[）)]\s*$",
]
_NOISE_START = re.compile("|".join(f"(?:{p})" for p in _NOISE_LINES))
# Editorial disclaimers about the piece itself (not a quote that something "不代表立场").
# Apart from the other shapes: trying it at every start costs more than all of them, and
# the verbs it needs (代表, 反映) rule most lines out first.
_DISCLAIMER = re.compile(
    r".{0,30}(?:本文|作者|文章|内容|內容|评论|評論|观点|觀點).{0,40}"
    r"(?:不|仅|僅)(?:一定)?(?:代表|反映)[^。]{0,20}(?:立场|立場|观点|觀點|看法)"
)
# ISO timestamps anywhere in a short line mark a byline/date stamp ("author 2025-11-01T10:44Z").
_ISO_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
# "BBC記者某某補充報導", "BBC中文记者某某亦协助本篇报导": a contributor credit. Two
# patterns, not one alternation: each then starts with a known character, which the regex
# engine looks for first, instead of trying both at every position.
_CONTRIB = (
    re.compile(r"(?:补充|補充|协助|協助|参与|參與)(?:本篇|本文)?(?:报导|报道|報導|報道|采访|採訪)"),
    re.compile(
        r"(?:为|為|对|對)[^。]{0,15}(?:报道|報導|本文)(?:提供了?(?:支持|協助|协助)|有报道贡献)"
    ),
)
_AGENCY_CREDIT = re.compile(
    r"^[A-Za-z][A-Za-z .&/'-]{0,60}(?:Images|Getty|Reuters|AFP|AP|EPA|Bloomberg|Xinhua|"
    r"Press|Photo|Photos|News|Times|Agency|Pool|Shutterstock|via [A-Za-z .]+)$"
)
# Short lines only: a long paragraph that happens to start like a credit is still the article.
NOISE_LINE_MAX = 120


def is_noise_line(paragraph: str) -> bool:
    """True for a paragraph that is boilerplate as a whole (credit, caption, promo...)."""
    if len(paragraph) > NOISE_LINE_MAX:
        return False
    return bool(
        _NOISE_START.match(paragraph)
        or (("代表" in paragraph or "反映" in paragraph) and _DISCLAIMER.match(paragraph))
        or (":" in paragraph and _ISO_STAMP.search(paragraph))
        or _AGENCY_CREDIT.match(paragraph)
        or (len(paragraph) <= SHORT_LINE_MAX and _is_short_noise(paragraph))
    )


def _is_short_noise(line: str) -> bool:
    """A promo ("DW中文有Instagram！欢迎搜寻…") or a contributor credit.

    The call to action is looked for first: it is rarer and quicker to find than a platform.
    """
    if _CALL_TO_ACTION.search(line) and _PLATFORM.search(line) and not _REPORTING.search(line):
        return True
    return any(pattern.search(line) for pattern in _CONTRIB)


_DATE_TIME = re.compile(
    r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*(?:T|\s)\s*\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"
)
# A block this short that carries a date and time is a byline or a time stamp.
STAMP_BLOCK_MAX = 80


def is_stamp_block(text: str) -> bool:
    """True for a short block holding a date-time ("author<br>2025-11-01T10:44:05Z")."""
    # every date-time has a colon: most blocks are ruled out without the regex
    return len(text) <= STAMP_BLOCK_MAX and ":" in text and bool(_DATE_TIME.search(text))


_WORDLESS = re.compile(r"^[^\w]+$")


def is_wordless(paragraph: str) -> bool:
    """True for stray punctuation ("。") split from the sentence it closes."""
    return bool(_WORDLESS.match(paragraph))


# --- printed keyword tags -------------------------------------------------------------------

_HASHTAGS = re.compile(r"^(?:\s*#[^\s#]+)+\s*$")


def hashtags(text: str) -> list[str] | None:
    """The tags of a line made only of "#tag" words ("#凱瑞 #解振華"), else None."""
    if "#" not in text or not _HASHTAGS.match(text):
        return None
    return [tag.strip() for tag in text.split("#") if tag.strip()]
