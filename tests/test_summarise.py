"""Summaries: few whole sentences, in order, within budget, balanced, without repeats."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from sources.exceptions import PostError
from sources.jekyll import parse_post_file
from summariser.clean import clean_body
from summariser.fold import fold, to_simplified
from summariser.lang import detect_language
from summariser.sentences import split_sentences
from summariser.summarise import DEFAULT_MAX_CHARS, ELLIPSIS, summarise

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "summarise"
OPENERS = {"「": "」", "『": "』", "“": "”", "（": "）", "(": "）", "《": "》", "【": "】"}
CLOSERS = {"」", "』", "”", "）", ")", "》", "】"}
MARKS = re.compile('[「」『』“”（）()《》【】"]')


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def balanced(sentence: str) -> bool:
    """Every quote and bracket closed in order; ( and （ count as one kind, as readers see."""
    stack = []
    for ch in sentence:
        if ch in OPENERS:
            stack.append(OPENERS[ch])
        elif ch in CLOSERS and (not stack or stack.pop() != ("）" if ch == ")" else ch)):
            return False
    return not stack and sentence.count('"') % 2 == 0


def bigrams(text: str) -> set[str]:
    letters = re.sub(r"[\W_]+", "", fold(text))
    return {letters[i : i + 2] for i in range(len(letters) - 1)}


def core(text: str) -> str:
    """Text without quote marks and brackets (repairs may add or drop those)."""
    return MARKS.sub("", text)


def check(summary: tuple[str, ...], paragraphs, lang: str, *, sentences=3, chars=None) -> None:
    """Assert every promise summarise makes about `summary`."""
    budget = chars or DEFAULT_MAX_CHARS["en" if lang == "en" else "zh"]
    assert len(summary) <= sentences
    assert sum(len(s) for s in summary) <= budget
    originals = [core(s) for p in paragraphs for s in split_sentences(p, lang)]
    positions = []
    for sentence in summary:
        assert balanced(sentence), sentence
        if sentence.endswith(ELLIPSIS) and len(summary) == 1:
            stem = core(sentence[: -len(ELLIPSIS)]).rstrip("…")
            assert any(o.startswith(stem) or stem in o for o in originals), sentence
            continue
        assert not sentence.endswith(ELLIPSIS) or core(sentence) in originals
        matches = [
            i
            for i, o in enumerate(originals)
            if o == core(sentence) or (i == 0 and o.endswith(core(sentence)))
        ]
        assert matches, f"not a sentence of the article: {sentence}"
        positions.append(matches[0])
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    for i, a in enumerate(summary):
        for b in summary[i + 1 :]:
            smaller = min(len(bigrams(a)), len(bigrams(b)))
            assert len(bigrams(a) & bigrams(b)) < 0.6 * smaller, (a, b)  # nothing said twice


@pytest.mark.parametrize("name", ["typhoon_hant.json", "port_hans.json", "council_en.json"])
def test_fixture_summaries_keep_every_promise(name: str) -> None:
    article = load(name)
    summary = summarise(article["paragraphs"], article["title"], article["lang"])
    assert 1 <= len(summary) <= 3
    check(summary, article["paragraphs"], article["lang"])


def test_the_dateline_never_reaches_the_summary() -> None:
    for name in ("typhoon_hant.json", "port_hans.json"):
        article = load(name)
        summary = summarise(article["paragraphs"], article["title"], article["lang"])
        joined = "".join(summary)
        assert "中央社" not in joined and "共同社" not in joined
        assert not joined.startswith(("（", "【"))


def test_a_sentence_that_is_only_a_dateline_is_dropped() -> None:
    paragraphs = ["2025-11-03 10:13", "首爾市政府今天宣布擴大公共自行車服務。新站點下月啟用。"]
    summary = summarise(paragraphs, "首爾擴大公共自行車服務", "zh-Hant")
    assert summary[0] == "首爾市政府今天宣布擴大公共自行車服務。"


def test_summary_keeps_the_original_traditional_script() -> None:
    article = load("typhoon_hant.json")
    summary = summarise(article["paragraphs"], article["title"], "zh-Hant")
    text = "".join(summary)
    assert text != to_simplified(text)  # still Traditional
    assert "颱風" in text


def test_title_words_pick_the_sentence_about_the_title() -> None:
    paragraphs = [
        "今天天氣晴朗，市民到公園散步。",
        "市場上蔬菜價格持平。",
        "市政府宣布地鐵新線下月通車，沿線居民期待已久。",
        "晚間有小雨。",
    ]
    summary = summarise(paragraphs, "地鐵新線下月通車", "zh-Hant", max_sentences=1)
    assert summary == ("市政府宣布地鐵新線下月通車，沿線居民期待已久。",)


def test_a_simplified_title_finds_traditional_sentences() -> None:
    paragraphs = ["今天天氣晴朗。", "市政府宣布地鐵新線下月通車。", "晚間有小雨。"]
    summary = summarise(paragraphs, "地铁新线下月通车", "zh-Hant", max_sentences=1)
    assert summary == ("市政府宣布地鐵新線下月通車。",)


def test_sentence_count_and_character_budget_are_respected() -> None:
    article = load("typhoon_hant.json")
    for sentences, chars in [(1, None), (2, None), (3, 120), (5, 400)]:
        summary = summarise(
            article["paragraphs"],
            article["title"],
            "zh-Hant",
            max_sentences=sentences,
            max_chars=chars,
        )
        check(summary, article["paragraphs"], "zh-Hant", sentences=sentences, chars=chars)
    assert (
        len(
            summarise(
                article["paragraphs"], article["title"], "zh-Hant", max_sentences=5, max_chars=400
            )
        )
        > 3
    )


def test_an_overlong_best_sentence_is_cut_at_a_clause_with_an_ellipsis() -> None:
    article = load("typhoon_hant.json")
    summary = summarise(article["paragraphs"], article["title"], "zh-Hant", max_chars=40)
    assert len(summary) == 1
    (sentence,) = summary
    assert sentence.endswith(ELLIPSIS) and len(sentence) <= 40
    assert sentence[:-1] in "".join(article["paragraphs"])
    assert sentence[-2] not in "，、；："  # cut before the comma, not after it
    following = "".join(article["paragraphs"])[
        "".join(article["paragraphs"]).index(sentence[:-1]) + len(sentence) - 1
    ]
    assert following in "，、；：,;:"  # the cut fell on a clause boundary


def test_an_overlong_english_sentence_is_cut_between_words() -> None:
    article = load("council_en.json")
    (sentence,) = summarise(article["paragraphs"], article["title"], "en", max_chars=60)
    assert sentence.endswith(ELLIPSIS) and len(sentence) <= 60
    head = sentence[:-1]
    text = " ".join(article["paragraphs"])
    assert text[text.index(head) + len(head)] in " ,;:"


def test_a_cut_inside_a_quote_closes_the_quote() -> None:
    paragraphs = ["縣長說：「我們已經撤離山區居民超過五百人，並且準備了足夠的物資，請大家放心。」"]
    (sentence,) = summarise(paragraphs, "縣長說撤離居民", "zh-Hant", max_chars=30)
    assert balanced(sentence) and ELLIPSIS in sentence and len(sentence) <= 30


def test_no_ellipsis_when_the_sentences_fit() -> None:
    for name in ("typhoon_hant.json", "port_hans.json", "council_en.json"):
        article = load(name)
        summary = summarise(article["paragraphs"], article["title"], article["lang"])
        assert not any(s.endswith(ELLIPSIS) for s in summary)


def test_near_identical_sentences_are_not_both_chosen() -> None:
    repeated = "花蓮縣與台東縣宣布明天因颱風停班停課。"
    paragraphs = [
        repeated,
        "花蓮縣與台東縣宣布明天因颱風停班停課！",
        "颱風將在後天遠離。",
        repeated,
    ]
    summary = summarise(paragraphs, "花蓮台東明天因颱風停班停課", "zh-Hant")
    assert len(summary) == 2
    assert summary[0] == repeated


def test_a_short_restatement_of_a_chosen_sentence_is_not_chosen_too() -> None:
    paragraphs = [
        "港口管理局今天宣布，受強風影響，所有渡輪航班明天暫停，復航時間另行公布。",
        "管理局表示，渡輪航班明天暫停。",
        "氣象台預計強風後天減弱，沿岸仍有大浪。",
    ]
    summary = summarise(paragraphs, "強風來襲 渡輪航班明天暫停", "zh-Hant")
    assert summary[0] == paragraphs[0]
    assert paragraphs[1] not in summary
    assert paragraphs[2] in summary


def test_a_sentence_cut_from_a_long_quote_gets_its_quote_marks_back() -> None:
    speech = "我們會繼續推動改革，照顧每一位市民的生活需要。" * 7
    paragraphs = [f"市長說：「{speech}」", "市長改革計劃獲得議會支持。"]
    summary = summarise(paragraphs, "市長推動改革照顧市民", "zh-Hant", max_chars=400)
    assert summary
    assert all(balanced(s) for s in summary)


def test_a_sentence_with_an_unpairable_straight_quote_is_skipped() -> None:
    paragraphs = [
        'The "new plan for the bike lanes was approved on Tuesday by the council.',
        "The council approved bike lanes.",
    ]
    summary = summarise(paragraphs, "Council approves bike lanes plan", "en")
    assert summary == ("The council approved bike lanes.",)


def test_empty_input_gives_an_empty_summary() -> None:
    assert summarise([], "標題", "zh-Hant") == ()
    assert summarise(["", "   "], "標題", "zh-Hant") == ()
    assert summarise(["一句話。"], "標題", "zh-Hant", max_sentences=0) == ()


def test_a_short_text_is_its_own_summary() -> None:
    assert summarise(["颱風來了"], "颱風", "zh-Hant") == ("颱風來了",)


def test_summaries_are_the_same_in_every_process() -> None:
    article = load("typhoon_hant.json")
    code = (
        "import json, sys; from summariser.summarise import summarise\n"
        f"a = json.load(open({str(FIXTURES / 'typhoon_hant.json')!r}, encoding='utf-8'))\n"
        "print(json.dumps(summarise(a['paragraphs'], a['title'], a['lang'])))"
    )
    outputs = set()
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1
    here = summarise(article["paragraphs"], article["title"], article["lang"])
    assert json.loads(outputs.pop()) == list(here)


def _sample(folder: Path, per_outlet: int) -> list[Path]:
    """Posts spread over every outlet and over the whole period."""
    by_outlet: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(folder.iterdir()):
        by_outlet[path.name.split("-")[3]].append(path)
    chosen = []
    for paths in by_outlet.values():
        step = max(1, len(paths) // per_outlet)
        chosen.extend(paths[::step][:per_outlet])
    return chosen


def test_every_summary_in_a_corpus_sample_keeps_every_promise(corpus_posts: Path) -> None:
    summarised = 0
    for path in _sample(corpus_posts, per_outlet=40):
        try:
            post = parse_post_file(path)
        except PostError:
            continue
        paragraphs = clean_body(post.body, post.body_format).paragraphs
        if not paragraphs:
            continue
        lang = detect_language(post.title + "\n" + "\n".join(paragraphs))
        summary = summarise(paragraphs, post.title, lang)
        assert summary, path.name
        check(summary, paragraphs, lang)
        summarised += 1
    assert summarised >= 250
