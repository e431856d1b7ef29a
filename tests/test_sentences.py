"""Sentence splitting and the sumy tokenizer: Chinese and English rules, no downloads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.parsers.plaintext import PlaintextParser
from sumy.summarizers.luhn import LuhnSummarizer

from summariser.fold import to_simplified
from summariser.sentences import LONG, split_sentences
from summariser.tokenize import NewsTokenizer, stop_words, words

ROOT = Path(__file__).resolve().parent.parent


# Chinese


def test_splits_after_chinese_full_stops_question_and_exclamation_marks() -> None:
    text = "颱風明天登陸。民眾準備好了嗎？請盡快撤離！"
    assert split_sentences(text, "zh-Hant") == [
        "颱風明天登陸。",
        "民眾準備好了嗎？",
        "請盡快撤離！",
    ]


def test_ascii_question_and_exclamation_marks_end_chinese_sentences() -> None:
    assert split_sentences("真的嗎?是的!好", "zh-Hant") == ["真的嗎?", "是的!", "好"]


def test_closing_quote_stays_with_its_sentence() -> None:
    assert split_sentences("他說：「好。」然後離開了。", "zh-Hant") == [
        "他說：「好。」",
        "然後離開了。",
    ]


def test_closing_brackets_and_curly_quotes_stay_with_their_sentence() -> None:
    text = "她說：“我们走吧。”大家同意（全體鼓掌。）會議結束。"
    assert split_sentences(text, "zh-Hans") == [
        "她說：“我们走吧。”",
        "大家同意（全體鼓掌。）",
        "會議結束。",
    ]


def test_a_quoted_speech_of_several_sentences_stays_one_sentence() -> None:
    text = "縣長說：「我們已撤離500人。請不要前往海邊。」氣象署也發出警告。"
    assert split_sentences(text, "zh-Hant") == [
        "縣長說：「我們已撤離500人。請不要前往海邊。」",
        "氣象署也發出警告。",
    ]


def test_a_quote_left_open_into_the_next_paragraph_does_not_stop_splitting() -> None:
    text = "他表示：「第一，我們會努力。第二，我們不會放棄。"
    assert split_sentences(text, "zh-Hant") == [
        "他表示：「第一，我們會努力。",
        "第二，我們不會放棄。",
    ]


def test_text_without_final_full_stop_is_kept() -> None:
    assert split_sentences("股市今天上漲。成交量放大", "zh-Hant") == [
        "股市今天上漲。",
        "成交量放大",
    ]


def test_full_width_space_does_not_swallow_text() -> None:
    text = "颱風逼近\u3000東部停班停課。明天\u3000恢復上班"
    assert split_sentences(text, "zh-Hant") == [
        "颱風逼近\u3000東部停班停課。",
        "明天\u3000恢復上班",
    ]


def test_leading_and_trailing_full_width_spaces_are_stripped() -> None:
    assert split_sentences("\u3000\u3000今天下雨。", "zh-Hant") == ["今天下雨。"]


def test_ellipsis_inside_a_sentence_is_a_pause() -> None:
    assert split_sentences("事情就這樣……然後又開始了。", "zh-Hant") == [
        "事情就這樣……然後又開始了。"
    ]


def test_ellipsis_ending_a_quote_ends_the_sentence_after_the_quote() -> None:
    text = "他說：「這個嘛……」然後轉身離開。"
    assert split_sentences(text, "zh-Hant") == ["他說：「這個嘛……」", "然後轉身離開。"]


def test_ellipsis_before_a_full_stop_and_runs_of_marks_end_once() -> None:
    text = "等待……。真的嗎？！是的。"
    assert split_sentences(text, "zh-Hant") == ["等待……。", "真的嗎？！", "是的。"]


def test_semicolon_does_not_split_an_ordinary_sentence() -> None:
    text = "一是加強防災；二是改善交通；三是照顧長者。"
    assert split_sentences(text, "zh-Hant") == [text]


def test_semicolon_splits_an_overlong_sentence_into_long_clauses() -> None:
    first = "政府宣布第一階段措施包括加強防災設施與改善偏遠地區交通" * 3 + "；"
    second = "第二階段措施則著重照顧長者與弱勢家庭並擴大醫療服務範圍" * 3 + "。"
    assert len(first + second) > LONG["zh"]
    assert split_sentences(first + second, "zh-Hant") == [first, second]


def test_an_overlong_quote_is_split_at_its_inner_full_stops() -> None:
    inner = "我們會繼續推動改革並照顧每一位市民的生活需要。" * 7
    text = f"市長說：「{inner}」"
    assert len(text) > LONG["zh"]
    pieces = split_sentences(text, "zh-Hant")
    assert len(pieces) > 1
    assert "".join(pieces) == text


def test_line_breaks_inside_a_paragraph_become_one_space() -> None:
    assert split_sentences("第一行\n第二行。", "zh-Hant") == ["第一行 第二行。"]


@given(st.text(alphabet="颱風來了。！？…「」（）“”\u3000 \nab.?!\"'", max_size=120))
def test_splitting_never_loses_or_reorders_text(text: str) -> None:
    pieces = split_sentences(text, "zh-Hant")
    assert "".join("".join(pieces).split()) == "".join(text.split())
    assert all(p == p.strip() and p for p in pieces)


# English


def test_english_abbreviations_do_not_end_sentences() -> None:
    text = "Mr. Brown met Dr. Smith and Prof. Lee. They talked, e.g. about trains, for hours."
    assert split_sentences(text, "en") == [
        "Mr. Brown met Dr. Smith and Prof. Lee.",
        "They talked, e.g. about trains, for hours.",
    ]


def test_english_decimals_numbers_and_initials() -> None:
    text = "Growth was 3.5 percent. J. K. Rowling ranked No. 1 on the list. It sold well."
    assert split_sentences(text, "en") == [
        "Growth was 3.5 percent.",
        "J. K. Rowling ranked No. 1 on the list.",
        "It sold well.",
    ]


def test_english_acronyms_end_a_sentence_only_before_a_sentence_opener() -> None:
    text = "The U.S. economy grew. She moved to the U.S. The move was hard."
    assert split_sentences(text, "en") == [
        "The U.S. economy grew.",
        "She moved to the U.S.",
        "The move was hard.",
    ]


def test_english_quotes_stay_with_their_sentence() -> None:
    text = 'She said, "We will go. You stay." Then she left. "Why?" he asked.'
    assert split_sentences(text, "en") == [
        'She said, "We will go. You stay."',
        "Then she left.",
        '"Why?" he asked.',
    ]


def test_english_ellipsis_ends_a_sentence_only_before_a_capital() -> None:
    text = "He waited... and waited... Nobody came! Really?"
    assert split_sentences(text, "en") == ["He waited... and waited...", "Nobody came!", "Really?"]


# Tokenizer


def test_tokenizer_gives_paragraph_sentences_and_folded_words() -> None:
    tokenizer = NewsTokenizer("zh-Hant")
    assert tokenizer.language == "chinese"
    assert tokenizer.to_sentences("台灣颱風來了。民眾撤離。") == ("台灣颱風來了。", "民眾撤離。")
    traditional = tokenizer.to_words("台灣總統發表談話。")
    assert traditional == tokenizer.to_words(to_simplified("台灣總統發表談話。"))
    assert "台湾" in traditional
    assert "。" not in traditional


def test_english_words_are_lower_case_without_possessive_or_punctuation() -> None:
    assert NewsTokenizer("en").language == "english"
    assert words("The U.S. economy's growth (3.5%) beat forecasts.") == (
        "the",
        "u.s",
        "economy",
        "growth",
        "beat",
        "forecasts",
    )
    assert "the" in stop_words() and "的" in stop_words()


def test_sumy_runs_on_the_tokenizer_without_nltk_data() -> None:
    text = "台灣颱風來了。颱風帶來豪雨。\n\n民眾撤離山區。颱風明天離開台灣。"
    document = PlaintextParser.from_string(text, NewsTokenizer("zh-Hant")).document
    assert len(document.sentences) == 4
    chosen = LuhnSummarizer()(document, 1)
    assert len(chosen) == 1 and str(chosen[0]) in text


def test_sumy_document_model_from_our_sentences_keeps_paragraphs() -> None:
    tokenizer = NewsTokenizer("zh-Hant")
    paragraphs = ["颱風來了。豪雨成災。", "民眾撤離。"]
    document = ObjectDocumentModel(
        [Paragraph([Sentence(s, tokenizer) for s in tokenizer.to_sentences(p)]) for p in paragraphs]
    )
    assert [len(p.sentences) for p in document.paragraphs] == [2, 1]
    assert "颱风" not in document.words and "台风" in document.words


def _words_with_temp_dir(folder: Path) -> subprocess.CompletedProcess:
    """Segment a Traditional phrase in a fresh process whose temp directory is `folder`."""
    return _python(
        f"import tempfile; tempfile.tempdir = {str(folder)!r}\n"
        "from summariser.tokenize import words; print(' '.join(words('台灣總統')))"
    )


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_importing_the_tokenizer_does_not_load_jieba() -> None:
    done = _python(
        "import sys, summariser.tokenize, summariser.summarise, summariser.keywords\n"
        "print(any('jieba' in name for name in sys.modules))"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_segmenting_writes_nothing_to_the_temp_directory_and_says_nothing(tmp_path: Path) -> None:
    done = _words_with_temp_dir(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["台湾", "总统"]
    assert list(tmp_path.iterdir()) == []
    assert done.stderr == ""


def test_jieba_works_when_the_temp_directory_cannot_be_written(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where a directory should be: unwritable even for root")
    done = _words_with_temp_dir(blocked)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["台湾", "总统"]
    assert done.stderr == ""
