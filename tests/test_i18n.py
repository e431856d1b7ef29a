"""The bot's words: three languages, safe HTML, and a command menu Telegram accepts."""

from __future__ import annotations

import re
import string

import opencc
import pytest

from bot.fakeapi.html import parse_html
from bot.i18n import (
    _TEXTS,
    COMMANDS,
    LANGUAGE_NAMES,
    LANGUAGES,
    Markup,
    Plural,
    escape,
    help_text,
    language_for,
    menu,
    t,
    term_list,
    usage_error,
)

T2S = opencc.OpenCC("t2s")
S2TW = opencc.OpenCC("s2tw")
HOSTILE = '<script>alert("x")</script> & Co'


def forms(text: str | Plural) -> list[str]:
    return [text.one, text.other] if isinstance(text, Plural) else [text]


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def every_text() -> list[tuple[str, str, str]]:
    """(key, language, template) for every form of every text and command."""
    found = [
        (key, lang, form)
        for key, texts in _TEXTS.items()
        for lang, text in texts.items()
        for form in forms(text)
    ]
    for command in COMMANDS:
        for lang in LANGUAGES:
            found.append((f"/{command.name}", lang, command.usage[lang]))
            found.append((f"/{command.name}", lang, command.description[lang]))
    return found


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("zh-TW", "zh-Hant"),
        ("zh-hk", "zh-Hant"),
        ("zh_MO", "zh-Hant"),
        ("zh-hant", "zh-Hant"),
        ("zh-Hant-TW", "zh-Hant"),
        ("zh", "zh-Hans"),
        ("zh-CN", "zh-Hans"),
        ("zh-SG", "zh-Hans"),
        ("zh-hans", "zh-Hans"),
        ("en", "en"),
        ("en-GB", "en"),
        ("ja", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_language_for_telegram_codes(code: str | None, expected: str) -> None:
    assert language_for(code) == expected


def test_every_text_exists_in_all_three_languages_with_the_same_placeholders() -> None:
    for key, texts in _TEXTS.items():
        assert set(texts) == set(LANGUAGES), key
        expected = {name for form in forms(texts["en"]) for name in fields(form)}
        for lang in LANGUAGES:
            for form in forms(texts[lang]):
                assert fields(form) == expected, (key, lang)


def test_every_text_is_html_telegram_accepts_even_with_hostile_values() -> None:
    for key, lang, template in every_text():
        filled = template.format(**{name: escape(HOSTILE) for name in fields(template)})
        visible = parse_html(filled).text
        assert visible, (key, lang)
        if fields(template):
            assert HOSTILE in visible, (key, lang)


def test_simplified_texts_are_simplified_and_traditional_texts_traditional() -> None:
    names = list(LANGUAGE_NAMES.values())

    def without_names(text: str) -> str:
        for name in names:
            text = text.replace(name, "")
        return text

    for key, lang, template in every_text():
        text = without_names(template)
        if lang == "zh-Hans":
            assert T2S.convert(text) == text, (key, text)
        elif lang == "zh-Hant":
            # 台 is how Taiwan writes 台積電 and 颱風's neighbours; OpenCC prefers 臺.
            assert S2TW.convert(text).replace("臺", "台") == text, (key, text)


def test_t_escapes_values_but_not_markup() -> None:
    text = t("en", "sub.added", terms=HOSTILE)
    assert "&lt;script&gt;" in text and "<script>" not in text
    assert parse_html(text).text == f"✅ Now following: {HOSTILE}"
    bold = t("en", "sub.added", terms=term_list("en", ["AI", "a<b"]))
    assert bold == "✅ Now following: <b>AI</b>, <b>a&lt;b</b>"
    assert isinstance(bold, Markup)


def test_term_lists_follow_each_language() -> None:
    assert term_list("zh-Hant", ["台積電", "AI"]) == "<b>台積電</b>、<b>AI</b>"
    assert term_list("en", ["a", "b"]) == "<b>a</b>, <b>b</b>"


def test_english_plurals_follow_the_count() -> None:
    assert "1 story" in t("en", "digest.header", count=1)
    assert "5 stories" in t("en", "digest.header", count=5)
    assert "5 則新聞" in t("zh-Hant", "digest.header", count=5)
    assert "5 条新闻" in t("zh-Hans", "digest.header", count=5)


def test_unknown_language_falls_back_to_english() -> None:
    assert t("fr", "error.generic") == t("en", "error.generic")


def test_command_menu_meets_telegram_rules() -> None:
    names = [command.name for command in COMMANDS]
    assert len(names) == len(set(names))
    assert {
        "start",
        "help",
        "subscribe",
        "unsubscribe",
        "mute",
        "unmute",
        "list",
        "settings",
        "search",
        "latest",
        "article",
        "tags",
        "stats",
        "language",
    } == set(names)
    for lang in LANGUAGES:
        entries = menu(lang)
        assert "stats" not in [name for name, _ in entries]
        assert len(entries) == len(COMMANDS) - 1
        for name, description in entries:
            assert re.fullmatch(r"[a-z0-9_]{1,32}", name)
            assert 1 <= len(description) <= 256
            assert "<" not in description  # menu descriptions are plain text


def test_help_lists_every_public_command_and_admin_ones_only_for_admins() -> None:
    for lang in LANGUAGES:
        public = help_text(lang)
        for command in COMMANDS:
            assert (f"/{command.name}" in public) != command.admin, (lang, command.name)
        assert "/stats" in help_text(lang, admin=True)
        parse_html(help_text(lang, admin=True))


def test_usage_error_shows_how_the_command_is_used() -> None:
    text = usage_error("zh-Hant", "subscribe")
    assert "/subscribe 台積電, AI" in parse_html(text).text
    assert "用法" in text


def test_welcome_suggests_three_things_to_try() -> None:
    for lang in LANGUAGES:
        visible = parse_html(t(lang, "start.welcome")).text
        for first_steps in ("/subscribe", "/latest", "/search", "/help"):
            assert first_steps in visible


def test_texts_the_handlers_need_exist() -> None:
    needed = [
        "start.welcome",
        "error.usage",
        "error.generic",
        "error.unknown_command",
        "error.rate_limited",
        "error.group_admin_only",
        "sub.added",
        "sub.already",
        "sub.over_limit",
        "unsub.removed",
        "mute.added",
        "unmute.removed",
        "term.empty",
        "term.too_long",
        "list.empty",
        "search.nothing",
        "settings.screen",
        "settings.time.prompt",
        "settings.timezone.prompt",
        "settings.language.prompt",
        "settings.length.prompt",
        "settings.instant.on",
        "settings.instant.off",
        "settings.pause.on",
        "settings.pause.off",
        "digest.header",
        "alert.one",
        "alert.many",
        "button.more",
        "link.private",
        "link.scheme",
        "link.too_big",
        "link.timeout",
    ]
    missing = [key for key in needed if key not in _TEXTS]
    assert not missing
