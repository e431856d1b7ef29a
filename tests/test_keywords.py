"""Keywords: 5-8 folded nouns and names per article, no credits, no numbers."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sources.exceptions import PostError
from sources.jekyll import parse_post_file
from summariser.clean import clean_body
from summariser.fold import fold_term, to_simplified
from summariser.keywords import (
    IdfTable,
    extract_keywords,
    format_idf_table,
    idf_table,
    parse_idf_table,
)
from summariser.lang import detect_language
from summariser.tokenize import noise_words

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "summarise"
SUMMARISER = Path(__file__).resolve().parent.parent / "summariser"
CREDITS = {"编辑", "译者", "核稿", "记者", "报导", "报道", "中央社", "共同社"}


def article(name: str) -> tuple[str, str, str]:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return "\n\n".join(data["paragraphs"]), data["title"], data["lang"]


def assert_clean(keywords: tuple[str, ...]) -> None:
    for keyword in keywords:
        assert keyword == fold_term(keyword)
        assert keyword not in CREDITS and keyword not in noise_words()
        assert not re.fullmatch(r"[\d.,%]+|\d+[年月日号点时分]?", keyword), keyword


def test_a_normal_article_gets_five_to_eight_keywords_about_its_story() -> None:
    for name in ("typhoon_hant.json", "port_hans.json", "council_en.json"):
        text, title, lang = article(name)
        keywords = extract_keywords(text, title, lang)
        assert 5 <= len(keywords) <= 8, keywords
        assert len(set(keywords)) == len(keywords)
        assert_clean(keywords)
    typhoon = extract_keywords(*article("typhoon_hant.json"))
    assert {"台风", "海葵", "花莲"} <= set(typhoon)
    port = extract_keywords(*article("port_hans.json"))
    assert {"罢工", "港口"} <= set(port)


def test_k_limits_the_count() -> None:
    text, title, lang = article("typhoon_hant.json")
    assert len(extract_keywords(text, title, lang, k=3)) == 3
    assert extract_keywords(text, title, lang, k=0) == ()


def test_both_scripts_give_the_same_folded_keywords() -> None:
    text, title, _ = article("typhoon_hant.json")
    traditional = extract_keywords(text, title, "zh-Hant")
    simplified = extract_keywords(to_simplified(text), to_simplified(title), "zh-Hans")
    assert traditional == simplified
    assert "台湾" in traditional or "台风" in traditional


def test_credit_words_and_reporter_names_never_become_keywords() -> None:
    text = (
        "（中央社記者林志明台北5日電）台北市政府今天宣布，捷運環狀線北段工程正式動工，"
        "預計2030年完工。\n\n"
        "台北市長表示，環狀線北段完工後，士林與內湖之間的通勤時間將大幅縮短。"
        "捷運局指出，環狀線北段全長約15公里，設有12座車站。\n\n"
        "捷運局說，工程期間將實施交通管制，請市民多加留意。（編輯：張美玲）1141105"
    )
    keywords = extract_keywords(text, "捷運環狀線北段動工", "zh-Hant")
    assert_clean(keywords)
    assert not {"林志明", "张美玲", "记者", "编辑"} & set(keywords)
    assert "环状线" in keywords or "捷运" in keywords


def test_numbers_and_dates_are_not_keywords_but_names_with_digits_are() -> None:
    text = (
        "G7外長會議11月12日在加拿大舉行，2025年的議程包括烏克蘭與中東局勢。\n\n"
        "G7外長在會後發表聯合聲明，呼籲俄羅斯停火。聲明共有35點。\n\n"
        "加拿大外長表示，G7將在2026年3月再次開會。"
    )
    keywords = extract_keywords(text, "G7外長會議發表聯合聲明", "zh-Hant")
    assert "g7" in keywords
    assert not [k for k in keywords if re.search(r"\d", k) and not re.search(r"[a-z]", k)]


def test_title_words_are_weighted_up() -> None:
    text = (
        "市政府今天公布新的預算。預算包括教育與交通。\n\n議員對預算有不同意見。市長說明博物館計劃。"
    )
    assert extract_keywords(text, "", "zh-Hant", k=1) != ("博物馆",)  # said once, late
    assert extract_keywords(text, "博物館計劃", "zh-Hant", k=1) == ("博物馆",)


def test_a_very_short_text_may_give_fewer_keywords() -> None:
    keywords = extract_keywords("颱風來了。", "颱風", "zh-Hant")
    assert 1 <= len(keywords) < 5
    assert "台风" in keywords


def test_english_keywords_skip_stop_words_and_keep_names() -> None:
    text, title, lang = article("council_en.json")
    keywords = extract_keywords(text, title, lang)
    assert "lanes" in keywords or "bike" in keywords
    assert not {"the", "said", "after", "mr"} & set(keywords)
    assert all(k == k.lower() for k in keywords)


def test_idf_table_round_trips_and_the_shipped_one_is_small() -> None:
    table = IdfTable(10, 2, {"台湾": 7, "海葵": 2})
    assert parse_idf_table(format_idf_table(table)) == table
    assert table.idf("海葵") > table.idf("台湾")
    assert table.idf("从未见过的词语") >= table.idf("海葵")
    shipped = idf_table()
    assert (SUMMARISER / "idf.txt").stat().st_size < 400_000
    assert shipped.documents > 1000 and len(shipped.frequencies) > 5000
    assert shipped.idf("美国") < shipped.idf("台风")


def test_keywords_in_a_corpus_sample(corpus_posts: Path) -> None:
    paths = sorted(corpus_posts.iterdir())[::25]
    checked = 0
    for path in paths:
        try:
            post = parse_post_file(path)
        except PostError:
            continue
        paragraphs = clean_body(post.body, post.body_format).paragraphs
        text = "\n\n".join(paragraphs)
        if len(text) < 300:
            continue
        lang = detect_language(post.title + "\n" + text)
        keywords = extract_keywords(text, post.title, lang)
        assert 5 <= len(keywords) <= 8, (path.name, keywords)
        assert_clean(keywords)
        checked += 1
    assert checked >= 100
