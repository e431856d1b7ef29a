"""Language detection: Traditional or Simplified Chinese, English, or other."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sources.exceptions import PostError
from sources.jekyll import parse_post_file
from summariser.clean import clean_body
from summariser.lang import detect_language

SAMPLES = {
    "zh-Hant": [
        "立法會今日三讀通過修訂條例，政府表示會盡快刊憲實施。",
        "颱風過後，氣象局提醒民眾注意山區可能發生的坍方與落石。",
        "這間書店經營了三十多年，老闆說會繼續為讀者守護這個空間。",
        "美國總統川普（Donald Trump）週三在白宮與來訪的外國領袖會面。",
    ],
    "zh-Hans": [
        "国务院今天发布通知，要求各地进一步做好冬季供暖保障工作。",
        "这家书店经营了三十多年，老板说会继续为读者守护这个空间。",
        "著名作家在发布会上说，新书讲述了一个关于乡村教师的故事。",
        "美国总统特朗普（Donald Trump）周三在白宫与来访的外国领导人会面。",
    ],
    "en": [
        "The central bank left interest rates unchanged on Thursday, saying that inflation "
        "was still higher than it would like.",
        "Officials said the bridge would reopen to traffic by the end of the month.",
    ],
    "other": [
        "",
        "12345 678 — 90%",
        "Le gouvernement a annoncé une nouvelle réforme des retraites mercredi soir.",
        "Die Regierung hat am Mittwoch eine neue Reform der Renten angekündigt.",
        "政府は水曜日、年金制度の新たな改革を発表しました。",
        "정부는 수요일 새로운 연금 개혁안을 발표했다.",
        "Правительство в среду объявило о новой пенсионной реформе.",
    ],
}


@pytest.mark.parametrize(
    ("expected", "text"),
    [(lang, text) for lang, texts in SAMPLES.items() for text in texts],
)
def test_samples(expected: str, text: str) -> None:
    assert detect_language(text) == expected


def test_simplified_text_with_characters_both_scripts_write_alike_stays_simplified() -> None:
    # 著名, 干部, 皇后 look Traditional character by character but are Simplified phrases.
    text = "著名的干部和皇后的故事被拍成电影，观众反应热烈。"
    assert detect_language(text) == "zh-Hans"


def test_traditional_phrases_that_keep_a_simplified_looking_character_stay_traditional() -> None:
    # 里 alone would become 裏, but 公里 is a Traditional phrase too: a close call, which
    # OpenCC's phrase rules decide.
    assert detect_language("深層地震：深度超過300公里至700公里") == "zh-Hant"
    assert detect_language("皇后鎮距離機場約20公里，開車約半小時。") == "zh-Hant"


def test_chinese_article_with_many_latin_names_is_still_chinese() -> None:
    text = "蘋果（Apple）、輝達（NVIDIA）與台積電（TSMC）股價週五同步上漲，分析師看好AI需求。"
    assert detect_language(text) == "zh-Hant"


def test_english_article_quoting_a_chinese_name_is_english() -> None:
    text = (
        "President Xi Jinping (习近平) said on Friday that the two countries should work "
        "together, and that their trade talks had been constructive."
    )
    assert detect_language(text) == "en"


def test_appended_translation_does_not_change_the_language() -> None:
    chinese = "两国首脑同意暂时停止贸易战，并将在明年再次会面。" * 150
    english = " The two leaders agreed to pause the trade war and to meet again next year." * 200
    assert detect_language(chinese + "\n\n" + english) == "zh-Hans"


def test_a_huge_text_is_decided_quickly() -> None:
    assert detect_language("這是很長的文章。" * 1_000_000) == "zh-Hant"


EXPECTED_BY_SOURCE = {
    "cna": "zh-Hant",
    "rthk": "zh-Hant",
    "aj": "zh-Hans",
    "bbc": "zh-Hans",
    "kyodo": "zh-Hans",
    "nyt": "zh-Hans",
    "chosun": "zh-Hans",
}


@pytest.fixture(scope="module")
def corpus_languages(corpus_posts: Path) -> list[tuple[str, str, str]]:
    """(source, language of the title, language of the cleaned text) for every post."""
    found = []
    for path in sorted(corpus_posts.iterdir()):
        try:
            post = parse_post_file(path)
        except PostError:
            continue
        text = clean_body(post.body, post.body_format).text
        found.append((post.source, detect_language(post.title), detect_language(text)))
    return found


def test_each_outlet_is_detected_in_its_script(
    corpus_languages: list[tuple[str, str, str]],
) -> None:
    wrong = [
        (source, lang)
        for source, _, lang in corpus_languages
        if source in EXPECTED_BY_SOURCE and lang != EXPECTED_BY_SOURCE[source]
    ]
    assert wrong == []
    assert {source for source, _, _ in corpus_languages} >= set(EXPECTED_BY_SOURCE)


def test_dw_publishes_in_both_scripts_and_text_agrees_with_the_title(
    corpus_languages: list[tuple[str, str, str]],
) -> None:
    dw = [(title, text) for source, title, text in corpus_languages if source == "dw"]
    counts = Counter(text for _, text in dw)
    assert set(counts) == {"zh-Hant", "zh-Hans"}
    assert min(counts.values()) >= 10
    agree = sum(1 for title, text in dw if title == text)
    assert agree >= 0.95 * len(dw)
