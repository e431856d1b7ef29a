"""The handlers' words that `bot.i18n` does not have yet, in the same three languages.

`say()` is `bot.i18n.t` for these keys and falls back to it for every other key, so a
handler never cares where a text lives. The table has i18n's shape so it can be merged into
`bot.i18n._TEXTS` as it is; `say` then becomes `t`.
"""

from __future__ import annotations

import html
import re

from bot.i18n import LANGUAGES, Markup, Plural, escape, t

_TAG = re.compile(r"<[^>]+>")


def _texts(zh_hant: str | Plural, zh_hans: str | Plural, en: str | Plural) -> dict:
    return dict(zip(LANGUAGES, (zh_hant, zh_hans, en), strict=True))


def say(lang: str, key: str, **values: object) -> Markup:
    """The text `key` in `lang` with `values` escaped into it (see `bot.i18n.t`)."""
    texts = TEXTS.get(key)
    if texts is None:
        return t(lang, key, **values)
    template = texts.get(lang) or texts["en"]
    if isinstance(template, Plural):
        template = template.one if values.get("count") == 1 else template.other
    return Markup(template.format(**{name: escape(value) for name, value in values.items()}))


def plain(text: str, limit: int = 200) -> str:
    """HTML text as plain text, for places without markup (button answers, result titles)."""
    flat = html.unescape(_TAG.sub("", text))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


TEXTS: dict[str, dict[str, str | Plural]] = {
    "error.private_only": _texts(
        "這個指令只能在與我的私人對話中使用。",
        "这个命令只能在与我的私聊中使用。",
        "That command only works in a private chat with me.",
    ),
    "error.stale_button": _texts(
        "這個按鈕已經失效了，請重新輸入指令。",
        "这个按钮已经失效了，请重新发送命令。",
        "That button has expired. Please send the command again.",
    ),
    "error.too_many_terms": _texts(
        "一次最多 {max} 個主題，請分幾次輸入。",
        "一次最多 {max} 个话题，请分几次发送。",
        "At most {max} topics at a time, please.",
    ),
    "error.too_long": _texts(
        "太長了，請控制在 {max} 個字以內。",
        "太长了，请控制在 {max} 个字以内。",
        "That is too long: please keep it under {max} characters.",
    ),
    "text.hint": _texts(
        "傳一個新聞連結給我，我會幫您摘要；或試試 /search、/subscribe 和 /help。",
        "发一个新闻链接给我，我会帮您摘要；或试试 /search、/subscribe 和 /help。",
        "Send me a link to a story and I'll sum it up, or try /search, /subscribe and /help.",
    ),
    "group.welcome": _texts(
        "👋 謝謝邀請！群組管理員可以用 <code>/subscribe 台積電, AI</code> 選擇主題，"
        "我會把相關新聞傳到這裡；每個人都可以使用 /search 和 /latest。",
        "👋 谢谢邀请！群管理员可以用 <code>/subscribe 台积电, AI</code> 选择话题，"
        "我会把相关新闻推送到这里；每个人都可以使用 /search 和 /latest。",
        "👋 Thanks for adding me! Group admins can pick topics with "
        "<code>/subscribe 台積電, AI</code> and I'll post those stories here; "
        "everyone can use /search and /latest.",
    ),
    "sub.choose": _texts(
        "點選今天的熱門標籤即可關注，或輸入 <code>/subscribe 台積電, AI</code>。",
        "点击今天的热门标签即可关注，或发送 <code>/subscribe 台积电, AI</code>。",
        "Tap one of today's tags to follow it, or type <code>/subscribe 台積電, AI</code>.",
    ),
    "unsub.choose": _texts(
        "點選要取消關注的主題：", "点击要取消关注的话题：", "Tap a topic to stop following it:"
    ),
    "unmute.choose": _texts(
        "點選要取消隱藏的字詞：", "点击要取消屏蔽的词：", "Tap a word to unmute it:"
    ),
    "unmute.none": _texts("您沒有隱藏任何字詞。", "您没有屏蔽任何词。", "You have no muted words."),
    "list.settings": _texts(
        "⚙️ 每日摘要 {time}（{timezone}）· {sentences} · 即時通知{instant} · {status} — /settings",
        "⚙️ 每日简报 {time}（{timezone}）· {sentences} · 即时推送{instant} · {status} — /settings",
        "⚙️ Digest at {time} ({timezone}) · {sentences} · instant alerts {instant} · {status} "
        "— /settings",
    ),
    "list.toggle_hint": _texts(
        "點選下方主題可切換即時通知 🔔／只收摘要 🔕。",
        "点击下方话题可切换即时推送 🔔／只收简报 🔕。",
        "Tap a topic below to switch between instant alerts 🔔 and digest only 🔕.",
    ),
    "list.instant_on": _texts(
        "🔔 {term}：即時通知", "🔔 {term}：即时推送", "🔔 {term}: instant alerts"
    ),
    "list.instant_off": _texts(
        "🔕 {term}：只收每日摘要", "🔕 {term}：只收每日简报", "🔕 {term}: digest only"
    ),
    "latest.header_term": _texts(
        "📰 <b>{term}</b> 的最新報導",
        "📰 <b>{term}</b> 的最新报道",
        "📰 <b>Latest on {term}</b>",
    ),
    "latest.nothing_term": _texts(
        "還沒有和 <b>{term}</b> 相關的報導。",
        "还没有和 <b>{term}</b> 相关的报道。",
        "No stories about <b>{term}</b> yet.",
    ),
    "latest.more_hint": _texts(
        "點選號碼查看完整摘要。", "点击编号查看完整摘要。", "Tap a number for the full summary."
    ),
    "link.unstored_note": _texts(
        "<i>（這篇不在我的新聞來源裡，以上是我剛剛讀完的摘要。）</i>",
        "<i>（这篇不在我的新闻来源里，以上是我刚刚读完的摘要。）</i>",
        "<i>(Not from my news sources: I just read it for you.)</i>",
    ),
    "stats.header": _texts("📊 <b>統計</b>", "📊 <b>统计</b>", "📊 <b>Statistics</b>"),
    "stats.chats": _texts(
        "使用者：{users} · 群組與頻道：{groups} · 使用中：{active}",
        "用户：{users} · 群组和频道：{groups} · 活跃：{active}",
        "Users: {users} · groups and channels: {groups} · active: {active}",
    ),
    "stats.subscriptions": _texts(
        "關注：{subscriptions}（{terms} 個不同主題）· 隱藏字詞：{mutes}",
        "关注：{subscriptions}（{terms} 个不同话题）· 屏蔽词：{mutes}",
        "Subscriptions: {subscriptions} ({terms} distinct topics) · muted words: {mutes}",
    ),
    "stats.articles": _texts(
        "文章：{articles} · 無法讀取的貼文：{failures}",
        "文章：{articles} · 无法读取的帖子：{failures}",
        "Articles: {articles} · posts that could not be read: {failures}",
    ),
    "stats.outbox": _texts(
        "今日已送達：{today} · 待送：{pending} · 失敗：{failed}",
        "今日已送达：{today} · 待发：{pending} · 失败：{failed}",
        "Delivered today: {today} · waiting: {pending} · failed: {failed}",
    ),
    "stats.sources": _texts("<b>來源</b>", "<b>来源</b>", "<b>Sources</b>"),
    "stats.source_ok": _texts(
        "✅ {name}：{when} 掃描，新增 {new}",
        "✅ {name}：{when} 扫描，新增 {new}",
        "✅ {name}: scanned {when}, {new} new",
    ),
    "stats.source_error": _texts(
        "⚠️ {name}：{when} 掃描失敗：{error}",
        "⚠️ {name}：{when} 扫描失败：{error}",
        "⚠️ {name}: scan at {when} failed: {error}",
    ),
    "stats.never": _texts("從未", "从未", "never"),
    "stats.no_sources": _texts(
        "還沒有掃描過任何來源。", "还没有扫描过任何来源。", "No source has been scanned yet."
    ),
}
