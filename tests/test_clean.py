"""Cleaning a post body leaves the article a reader reads, and nothing else.

Fixtures under tests/fixtures/clean/ are small bodies written for these tests in the
markup style of each outlet (one noise kind or a few per file); the corpus tests run the
cleaner over every real post of the shared corpus.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from sources.exceptions import PostError
from sources.jekyll import parse_post_file
from sources.post import Post
from summariser.clean import CleanResult, clean_body

FIXTURES = Path(__file__).parent / "fixtures" / "clean"


def clean_fixture(name: str) -> CleanResult:
    body_format = "markdown" if name.endswith(".md") else "html"
    return clean_body((FIXTURES / name).read_text(encoding="utf-8"), body_format)


# fixture -> (paragraphs, dateline, noise that must be gone)
FIXTURE_CASES = {
    "cna_follow_box_and_credit.html": (
        (
            "市政府今天宣布，河濱公園將在週末重新開放，民眾可以再次騎自行車沿河遊覽。",
            "工務局表示，整修工程歷時半年，新增了三座休憩涼亭與夜間照明。",
            "市長在記者會上說，希望市民多加利用，也提醒大家注意安全。",
        ),
        "（中央社記者王小明台北3日電）",
        ("透過 Google News", "追蹤中央社", "編輯", "1141103"),
    ),
    "cna_translator_credit.html": (
        (
            "英國氣象局發布強風警報，預計明天沿海地區陣風可達每小時百公里。",
            "當局呼籲民眾減少外出，並留意最新消息。",
        ),
        "（中央社倫敦2日綜合外電報導）",
        ("譯者", "核稿", "1141102"),
    ),
    "cna_related_and_media.html": (
        (
            "日本一家玩具公司推出會說方言的機器人，引起網友熱烈討論。",
            "公司表示，機器人能辨識十種地方口音，並用同樣的口音回答。",
            "售價預計在明年春天公布。",
        ),
        "（中央社記者張三東京5日專電）",
        ("機器人在展場亮相", "中央社記者張三東京攝", "日本玩具展開幕", "影片來源", "珍惜生命"),
    ),
    "aj_read_more_and_figure.html": (
        (
            "一场沙尘暴周二席卷埃及北部，多个机场暂停起降。",
            "气象部门预计风沙将持续到周四，能见度可能降至一百米以下。",
            "卫生部建议有呼吸道疾病的民众留在室内。",
        ),
        "開羅报道——",
        ("阅读更多", "list of 3 items", "list 1 of 3", "end of list", "尼罗河水位创新低")
        + ("沙尘笼罩下的开罗街头", "来源", "编辑立场"),
    ),
    "bbc_byline_and_image_credit.html": (
        (
            "全球航运费用本月上涨了三成，多家货运公司调高报价。",
            "分析人士认为，旺季需求与航道受阻是主要原因。",
        ),
        None,
        ("图像来源", "Getty Images", "港口的集装箱", "Article Information", "Author,")
        + ("Role,", "示例记者", "小时前", "补充报导"),
    ),
    "bbc_recommendations_and_embed.html": (
        (
            "一项新研究发现，每天步行二十分钟有助改善睡眠。",
            "研究团队追踪了两千名成年人长达一年。",
            "研究人员建议在傍晚散步，效果最好。",
        ),
        None,
        ("热读", "为什么我们总是睡不够", "End of", "跳过 YouTube 帖子", "结尾 YouTube 帖子")
        + ("允许Google YouTube内容", "告知", "专访睡眠医生", "影片来自"),
    ),
    "chosun_br_paragraphs.html": (
        (
            "首尔市政府宣布，将在市中心新建五座口袋公园。",
            "每座公园面积约为三百平方米，预计明年春天完工。",
            "市政府表示，公园将全天开放。",
        ),
        None,
        ("2025-11-03", "10:13", "▲", "插画", "示例通讯社", "player1"),
    ),
    "dw_byline_caption_promo.html": (
        (
            "柏林市议会周五通过新规，限制电动滑板车在人行道停放。",
            "违规者将被罚款",
            "新规定从明年一月起生效，违规停放将被处以罚款。",
        ),
        "（德国之声中文网）",
        ("示例作者", "2025-11-01T10:44", "柏林街头的电动滑板车", "摘编自", "Instagram")
        + ("欢迎搜寻", "©", "版权声明"),
    ),
    "dw_related_gallery.html": (
        (
            "歐洲議會週三討論新的數位法案，多國代表表達支持。",
            "法案要求大型平台公開推薦演算法的運作方式。",
            "法案預計明年正式實施。",
        ),
        "（德國之聲中文網）",
        ("相关图集", "法案提出", "议会辩论"),
    ),
    "dw_photo_gallery.html": (
        (
            "清晨的港口：渔船在日出前返回港口，卸下整夜的渔获。",
            "热闹的鱼市：商贩们在码头边讨价还价，空气中弥漫着海水的味道。",
            "传承的手艺：老渔民教年轻人修补渔网，这门手艺已延续了几代人。",
        ),
        None,
        (),
    ),
    "kyodo_dateline_and_end.html": (
        (
            "日本气象厅1日宣布，东京今年首次观测到初霜，比往年早了五天。",
            "气象厅提醒农户注意防范霜冻对蔬菜造成的影响。",
        ),
        "【共同社11月1日电】",
        ("（完）",),
    ),
    "kyodo_schedule.html": (
        ("<上午>", "在官邸度过。", "<下午>", "14:05 出席内阁会议。", "18:30 返回住所。"),
        None,
        ("（完）", "&lt;"),
    ),
    "nyt_header_figure_footer.html": (
        (
            "今年的小麦收成比去年增加了一成，农民们松了一口气。",
            "专家表示，这主要得益于适时的降雨。",
        ),
        None,
        ("EXAMPLE WRITER", "2025年11月3日", "农民在田间查看", "Example Photographer")
        + ("收割机", "是时报驻外记者", "翻译", "点击查看本文英文版"),
    ),
    "rthk_markdown.md": (
        (
            "今屆展覽共有二百個攤位參展，主辦單位預計入場人次會創新高。",
            "主辦單位表示，展覽詳情已上載到網站，市民可預先登記。",
            "今次展覽以「創新\u3000共融」為主題。",
        ),
        None,
        ("https://", "](", "![", "*", "\r"),
    ),
}


@pytest.mark.parametrize("name", sorted(FIXTURE_CASES))
def test_fixture_keeps_the_article_in_order_and_drops_the_noise(name: str) -> None:
    paragraphs, dateline, noise = FIXTURE_CASES[name]
    result = clean_fixture(name)
    assert result.paragraphs == paragraphs
    assert result.dateline == dateline
    for fragment in noise:
        assert fragment not in result.text, fragment


def test_text_is_the_paragraphs_separated_by_blank_lines() -> None:
    result = clean_fixture("cna_translator_credit.html")
    assert result.text == "\n\n".join(result.paragraphs)
    assert result.text.count("\n\n") == len(result.paragraphs) - 1


def test_credit_is_cut_but_the_sentence_before_it_on_the_line_stays() -> None:
    body = "<p>第一段。</p><p>颱風減弱為熱帶性低氣壓，豪雨特報仍持續。（編輯：某某某）1141101</p>"
    assert clean_body(body).paragraphs == ("第一段。", "颱風減弱為熱帶性低氣壓，豪雨特報仍持續。")


def test_service_notice_after_a_coded_credit_goes_with_it() -> None:
    body = "<p>新車款下月上市。（編輯：某某某）1141107飲酒過量有害健康，酒後請勿開車。</p>"
    assert clean_body(body).paragraphs == ("新車款下月上市。",)


def test_numbers_in_ordinary_sentences_are_not_taken_for_credit_codes() -> None:
    body = "<p>該公司去年營收（不含子公司）1234567元，創下新高。</p>"
    assert clean_body(body).paragraphs == ("該公司去年營收（不含子公司）1234567元，創下新高。",)


def test_sentences_shaped_like_credits_or_disclaimers_stay() -> None:
    body = (
        "<p>記者：你怎麼看這次選舉？</p>"
        "<p>來源：據路透社報導，美國今天宣布新的制裁措施。</p>"
        "<p>外交部表示，這不代表中方立場改變。</p>"
        "<p>他在Facebook上寫道，歡迎大家明天一起來參加活動，現場還有表演與市集，活動免費入場。</p>"
    )
    result = clean_body(body)
    assert result.paragraphs == tuple(re.findall(r"<p>(.*?)</p>", body))


def test_keyword_tag_block_becomes_tags_not_text() -> None:
    body = (
        "<div><p>兩國代表今天簽署合作備忘錄。</p>"
        "<div class='articlekeywordGroup'><div class='keywordTag'><a href='/t?q=1'>#外交</a></div>"
        "<div class='keywordTag'><a href='/t?q=2'>#合作</a></div></div></div>"
    )
    result = clean_body(body)
    assert result.paragraphs == ("兩國代表今天簽署合作備忘錄。",)
    assert result.tags == ("外交", "合作")


def test_a_line_of_hashtags_becomes_tags() -> None:
    result = clean_body("<p>雙方同意明年再會。</p><p>#氣候 #能源  #氣候</p>")
    assert result.paragraphs == ("雙方同意明年再會。",)
    assert result.tags == ("氣候", "能源")


def test_a_sentence_around_a_link_is_prose_but_a_lone_link_is_navigation() -> None:
    body = (
        "<p>習近平宣布，中國<a href='/a'>將於明年在深圳主辦下一屆峰會</a>。</p>"
        "<p><a href='/b'>延伸報導：峰會籌備進度一次看</a></p>"
        "<p>延伸閱讀：<a href='/c'>峰會歷史回顧</a></p>"
    )
    assert clean_body(body).paragraphs == ("習近平宣布，中國將於明年在深圳主辦下一屆峰會。",)


def test_a_container_mixing_the_article_and_a_long_link_list_keeps_the_article() -> None:
    links = "".join(
        f"<a href='/n{i}'><span>另一則很長的新聞標題第{i}號</span></a>" for i in range(12)
    )
    body = (
        "<div><p>這是文章的第一段，內容完整而且足夠長，讀者應該讀到它。</p>"
        "<p>這是文章的第二段，同樣是正文，不能因為旁邊有很多連結就消失。</p>"
        "<div class='bottomBox'><div class='topNewsTitle'><a href='/h'>焦點新聞</a></div>"
        f"{links}</div>"
        "</div>"
    )
    result = clean_body(body)
    assert result.paragraphs == (
        "這是文章的第一段，內容完整而且足夠長，讀者應該讀到它。",
        "這是文章的第二段，同樣是正文，不能因為旁邊有很多連結就消失。",
    )


def test_hidden_elements_are_not_read() -> None:
    body = (
        "<p>看得見的段落。</p><div style='display: none'>看不見的輪播</div>"
        "<p hidden>隱藏的段落</p><span aria-hidden='true'>圖示</span>"
    )
    assert clean_body(body).paragraphs == ("看得見的段落。",)


def test_whitespace_is_normalised_and_entities_unescaped() -> None:
    body = (
        "<p>\u3000\u3000第一句&nbsp;&nbsp;and   more\n  words。</p>"
        "<p>智能建屋\u3000\u3000共築未來</p>"
        "<p>跨行的\n\t\t中文句子&ldquo;引號&rdquo;&amp;符號</p><p>   </p>"
    )
    assert clean_body(body).paragraphs == (
        "第一句 and more words。",
        "智能建屋\u3000共築未來",
        "跨行的中文句子“引號”&符號",
    )


def test_stray_punctuation_rejoins_its_sentence() -> None:
    body = "<p>這一排名讓西方顯得尷尬</p><p>。</p><p>下一段。</p>"
    assert clean_body(body).paragraphs == ("這一排名讓西方顯得尷尬。", "下一段。")


def test_a_dateline_alone_in_the_first_paragraph_is_not_a_paragraph() -> None:
    result = clean_body("<p>（中央社記者某某台北1日電）</p><p>正文第一段。</p>")
    assert result.dateline == "（中央社記者某某台北1日電）"
    assert result.paragraphs == ("正文第一段。",)


def test_english_agency_dateline() -> None:
    result = clean_body("<p>LONDON (Reuters) - Britain's economy grew in the third quarter.</p>")
    assert result.dateline == "LONDON (Reuters) -"
    assert result.paragraphs == ("Britain's economy grew in the third quarter.",)


def test_an_opening_parenthesis_that_is_not_a_dateline_stays() -> None:
    result = clean_body("<p>（本文作者為大學教授）氣候變遷是這一代人的課題。</p>")
    assert result.dateline is None
    assert result.paragraphs == ("（本文作者為大學教授）氣候變遷是這一代人的課題。",)


@pytest.mark.parametrize(
    "body", ["", "   \n ", "<!-- only a comment -->", "<div><img src='x'></div>"]
)
def test_bodies_without_text_give_no_paragraphs(body: str) -> None:
    assert clean_body(body) == CleanResult(paragraphs=())


def test_broken_html_keeps_its_text_in_order() -> None:
    body = "<p>未閉合的段落<div><span>跨層的文字</p></b></i>結尾<p>最後"
    assert clean_body(body).paragraphs == ("未閉合的段落", "跨層的文字結尾", "最後")


def test_ten_thousand_nested_elements_do_not_crash_or_lose_text() -> None:
    body = "<div>" * 10_000 + "<p>藏在最深處的文字。</p>" + "</div>" * 10_000
    assert clean_body(body).paragraphs == ("藏在最深處的文字。",)


def test_unclosed_blocks_nested_past_the_parser_limit_keep_every_paragraph() -> None:
    body = "".join(f"<div><p>第{i}段。</p>" for i in range(3_000))
    assert clean_body(body).paragraphs == tuple(f"第{i}段。" for i in range(3_000))


def test_scripts_below_the_flattening_depth_are_still_skipped() -> None:
    body = "<span>" * 5_000 + "前<script>var hidden = 1;</script>後" + "</span>" * 5_000
    assert clean_body(body).paragraphs == ("前後",)


def test_a_ten_megabyte_body_is_cleaned_in_reasonable_time() -> None:
    unit = "".join(
        (FIXTURES / name).read_text(encoding="utf-8")
        for name in sorted(FIXTURE_CASES)
        if name.endswith(".html")
    )
    copies = 10_000_000 // len(unit.encode()) + 1
    started = time.perf_counter()
    result = clean_body(unit * copies)
    elapsed = time.perf_counter() - started
    assert elapsed < 60
    assert result.text.count("卫生部建议有呼吸道疾病的民众留在室内。") == copies


CJK_WORDS = st.text(alphabet="天地人山水月火木金土春夏秋冬風雨雲海花鳥", min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(st.lists(CJK_WORDS, min_size=1, max_size=8), st.sampled_from(["p", "div", "li"]))
def test_plain_paragraphs_come_back_unchanged(sentences: list[str], tag: str) -> None:
    body = "".join(f"<{tag}>\n  {sentence}。\n</{tag}>" for sentence in sentences)
    assert clean_body(body).paragraphs == tuple(f"{sentence}。" for sentence in sentences)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["html", "markdown"]))
def test_any_text_is_cleaned_into_tidy_paragraphs(body: str, body_format: str) -> None:
    result = clean_body(body, body_format)
    for paragraph in result.paragraphs:
        assert paragraph
        assert paragraph == paragraph.strip(" \u3000")
        assert "\n" not in paragraph and "\r" not in paragraph


# --- the seed post (second Jekyll dialect) ------------------------------------------------


def test_seed_post_keeps_the_article_and_extracts_its_tags(seed_post: Path) -> None:
    post = parse_post_file(seed_post)
    result = clean_body(post.body, post.body_format)
    assert result.tags == ("凱瑞", "解振華", "中國")
    assert result.dateline == "（中央社埃及夏姆錫克20日綜合外電報導）"
    assert result.paragraphs[0].startswith("美國氣候特使凱瑞在埃及舉行")
    assert result.paragraphs[-1].endswith("包括面對面的會談。」")
    assert len(result.paragraphs) == 7


def test_seed_post_carousel_and_related_titles_never_leak(seed_post: Path) -> None:
    post = parse_post_file(seed_post)
    text = clean_body(post.body, post.body_format).text
    page = lxml_html.fromstring(post.body)
    leaked_candidates = [
        span.text_content().strip()
        for span in page.xpath(
            "//div[contains(@class,'bottomBox')]//span"
            " | //div[contains(@class,'moreArticle')]//span"
        )
    ]
    assert len(leaked_candidates) >= 15
    for title in leaked_candidates:
        assert title not in text, title
    assert "聚焦新聞" not in text
    assert "#" not in text
    assert "譯者" not in text and "1111121" not in text


# --- the whole corpus --------------------------------------------------------------------

BOILERPLATE = {
    "follow box": r"透過 Google News|追蹤中央社",
    "read-more list": r"阅读更多|閱讀更多|list of \d+ items|list \d+ of \d+|end of list",
    "image credit": r"图像来源|圖像來源|Getty Images|for The New York Times|/The New York Times",
    "editor credit": r"[（(](?:編輯|编辑|編譯|编译|譯者|译者|核稿)[:：][^）)]*[）)]",
    "agency code": r"[）)]\s*1\d{6}(?!\d)",
    "end mark": r"（完）",
    "promo": r"有\s*Instagram|欢迎搜寻|歡迎搜尋",
    "copyright": r"©|版权声明|版權聲明|版权所有|版權所有",
    "english version link": r"点击查看本文英文版|點擊查看本文英文版",
    "carousel": r"聚焦新聞",
    "byline box": r"Article Information|^Author,|^Role,",
    "hot reads": r"热读|熱讀",
    "iso timestamp": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}",
    "translator line": r"^(?:翻译|翻譯)[:：][^。\n]{0,30}$",
    "embed skip link": r"^(?:跳过|结尾) \S+ 帖子",
    "caption marker": r"^▲",
    "html left over": r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^>]*)?>|&(?:nbsp|amp|lt|gt|ldquo|rdquo);",
}
_BOILERPLATE = {name: re.compile(pattern, re.MULTILINE) for name, pattern in BOILERPLATE.items()}
_HTML_PARAGRAPH = re.compile(r"<p[\s>]")
_BR_PAIR = re.compile(r"<br\s*/?>\s*<br", re.IGNORECASE)


@pytest.fixture(scope="module")
def corpus(corpus_posts: Path) -> list[tuple[Post, CleanResult]]:
    cleaned = []
    for path in sorted(corpus_posts.iterdir()):
        try:
            post = parse_post_file(path)
        except PostError:
            continue  # a post with an empty body is the reader's problem, not the cleaner's
        cleaned.append((post, clean_body(post.body, post.body_format)))
    return cleaned


def test_every_corpus_post_has_article_text(corpus: list[tuple[Post, CleanResult]]) -> None:
    assert len(corpus) > 5_000
    empty = [post.path for post, result in corpus if not result.paragraphs]
    assert empty == []


def test_no_corpus_text_holds_boilerplate(corpus: list[tuple[Post, CleanResult]]) -> None:
    found = []
    for post, result in corpus:
        for name, pattern in _BOILERPLATE.items():
            match = pattern.search(result.text)
            if match:
                found.append((Path(post.path).name, name, match.group()))
    assert found == []


def test_corpus_paragraphs_are_tidy(corpus: list[tuple[Post, CleanResult]]) -> None:
    for post, result in corpus:
        for paragraph in result.paragraphs:
            assert paragraph == paragraph.strip(" \u3000"), post.path
            assert "\n" not in paragraph and "  " not in paragraph, post.path


def test_multi_paragraph_posts_keep_their_paragraphs(
    corpus: list[tuple[Post, CleanResult]],
) -> None:
    for post, result in corpus:
        if post.body_format == "markdown":
            blocks = [block for block in re.split(r"\n\s*\n", post.body) if block.strip()]
            multi = len(blocks) >= 2
        else:
            multi = len(_HTML_PARAGRAPH.findall(post.body)) >= 3 or bool(_BR_PAIR.search(post.body))
        if multi:
            assert len(result.paragraphs) >= 2, post.path


def test_agency_datelines_are_taken_out_of_the_text(corpus: list[tuple[Post, CleanResult]]) -> None:
    for post, result in corpus:
        opening = re.match(r"\s*<div>\s*<p>\s*(【共同社[^】]*】)", post.body)
        if opening:
            assert result.dateline == opening.group(1), post.path
        assert not re.match(
            r"[（(【]\s*(?:中央社|共同社|德国之声|德國之聲)", result.paragraphs[0]
        ), post.path
    cna = [result.dateline or "" for post, result in corpus if post.source == "cna"]
    assert sum("中央社" in dateline for dateline in cna) >= 0.99 * len(cna)
