"""Every word the bot says, in Traditional Chinese (Taiwan), Simplified Chinese and English.

Texts are Telegram HTML templates. `t()` escapes every value put into a template, so a
headline or a user's term can never break the markup; values that are already HTML (a
rendered list, another `t()` result) are passed as `Markup` and go in unchanged.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from storage.chats import LANGUAGES

__all__ = [
    "COMMANDS",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "Command",
    "Markup",
    "escape",
    "help_text",
    "join_words",
    "language_for",
    "menu",
    "t",
    "term_list",
    "usage_error",
]

LANGUAGE_NAMES = {"zh-Hant": "繁體中文", "zh-Hans": "简体中文", "en": "English"}

_HANT_REGIONS = ("tw", "hk", "mo")


class Markup(str):
    """A string that is already safe Telegram HTML; `t()` inserts it without escaping."""

    __slots__ = ()


def escape(value: object) -> Markup:
    """`value` as HTML text (quotes too, so it is safe inside an attribute); Markup as is."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value), quote=True))


def language_for(language_code: str | None) -> str:
    """The bot language for a Telegram `language_code` (zh-TW, zh-hant, en-GB, ...)."""
    if not language_code:
        return "en"
    parts = language_code.replace("_", "-").lower().split("-")
    if parts[0] != "zh":
        return "en"
    if "hant" in parts or any(region in parts for region in _HANT_REGIONS):
        return "zh-Hant"
    return "zh-Hans"


@dataclass(frozen=True)
class Plural:
    """English needs one form for a count of 1 and another for the rest."""

    one: str
    other: str


def t(lang: str, key: str, **values: object) -> Markup:
    """The text `key` in `lang` (English when missing) with `values` escaped into it.

    A `Plural` text picks its form by the `count` value.
    """
    texts = _TEXTS[key]
    template = texts.get(lang) or texts["en"]
    if isinstance(template, Plural):
        template = template.one if values.get("count") == 1 else template.other
    return Markup(template.format(**{name: escape(value) for name, value in values.items()}))


def join_words(lang: str, words: Iterable[str]) -> Markup:
    """Words (escaped) joined the way the language lists things: "a, b" or "a、b"."""
    separator = "、" if _known(lang).startswith("zh") else ", "
    return Markup(separator.join(escape(word) for word in words))


def term_list(lang: str, terms: Iterable[str]) -> Markup:
    """Terms in bold, listed the way the language lists things."""
    return join_words(lang, (Markup(f"<b>{escape(term)}</b>") for term in terms))


@dataclass(frozen=True)
class Command:
    """A bot command: its menu line (plain text) and its usage (HTML) in each language."""

    name: str
    description: Mapping[str, str]
    usage: Mapping[str, str]
    admin: bool = False


def _command(
    name: str,
    description: tuple[str, str, str],
    usage: tuple[str, str, str],
    *,
    admin: bool = False,
) -> Command:
    """Texts are given in the order zh-Hant, zh-Hans, en."""
    return Command(
        name,
        dict(zip(LANGUAGES, description, strict=True)),
        dict(zip(LANGUAGES, usage, strict=True)),
        admin,
    )


COMMANDS: tuple[Command, ...] = (
    _command(
        "start",
        ("開始使用，看看我能做什麼", "开始使用，看看我能做什么", "Start and see what I can do"),
        (
            "/start — 介紹與入門建議",
            "/start — 介绍和入门建议",
            "/start — introduction and first steps",
        ),
    ),
    _command(
        "help",
        ("列出所有指令與用法", "列出全部命令及用法", "List all commands and how to use them"),
        ("/help — 這份說明", "/help — 这份说明", "/help — this list"),
    ),
    _command(
        "subscribe",
        (
            "關注主題（關鍵字、人名或標籤）",
            "关注话题（关键词、人名或标签）",
            "Follow a topic (a word, a name or a tag)",
        ),
        (
            "<code>/subscribe 台積電, AI</code> — 關注一個或多個主題，用逗號分隔",
            "<code>/subscribe 台积电, AI</code> — 关注一个或多个话题，用逗号分隔",
            "<code>/subscribe 台積電, AI</code> — follow one or more topics, separated by commas",
        ),
    ),
    _command(
        "unsubscribe",
        ("取消關注主題", "取消关注话题", "Stop following a topic"),
        (
            "<code>/unsubscribe AI</code> — 取消關注一個或多個主題",
            "<code>/unsubscribe AI</code> — 取消关注一个或多个话题",
            "<code>/unsubscribe AI</code> — stop following one or more topics",
        ),
    ),
    _command(
        "mute",
        ("隱藏提到某個詞的新聞", "屏蔽提到某个词的新闻", "Hide stories that mention a word"),
        (
            "<code>/mute 體育</code> — 即使符合關注主題，也不再傳送提到這個詞的新聞",
            "<code>/mute 体育</code> — 即使符合关注话题，也不再推送提到这个词的新闻",
            "<code>/mute sport</code> — never send stories that mention it, even on your topics",
        ),
    ),
    _command(
        "unmute",
        ("取消隱藏字詞", "取消屏蔽词", "Stop hiding a muted word"),
        (
            "<code>/unmute 體育</code> — 取消隱藏這個詞",
            "<code>/unmute 体育</code> — 取消屏蔽这个词",
            "<code>/unmute sport</code> — show stories that mention it again",
        ),
    ),
    _command(
        "list",
        ("查看關注主題與隱藏字詞", "查看关注话题和屏蔽词", "Your topics and muted words"),
        (
            "/list — 您關注的主題與隱藏的字詞",
            "/list — 您关注的话题和屏蔽词",
            "/list — the topics you follow and the words you muted",
        ),
    ),
    _command(
        "settings",
        (
            "摘要時間、時區、語言與通知",
            "简报时间、时区、语言和推送",
            "Digest time, time zone, language and alerts",
        ),
        (
            "/settings — 每日摘要時間、時區、語言、摘要長度、即時通知、暫停",
            "/settings — 每日简报时间、时区、语言、摘要长度、即时推送、暂停",
            "/settings — digest time, time zone, language, summary length, alerts, pause",
        ),
    ),
    _command(
        "search",
        ("搜尋新聞", "搜索新闻", "Search the stories I have read"),
        (
            "<code>/search 颱風 停班</code> — 找出同時提到這些詞的新聞",
            "<code>/search 台风 停课</code> — 找出同时提到这些词的新闻",
            "<code>/search typhoon taipei</code> — stories that mention all these words",
        ),
    ),
    _command(
        "latest",
        ("最新報導", "最新报道", "The newest stories"),
        ("/latest — 最新收錄的報導", "/latest — 最新收录的报道", "/latest — the newest stories"),
    ),
    _command(
        "article",
        ("查看單篇報導的完整摘要", "查看单篇报道的完整摘要", "The full summary of one story"),
        (
            "<code>/article 1a2b3c4d5e6f7a8b</code> — 單篇報導的完整摘要、關鍵字與連結"
            "（也可以點新聞下方的「更多」）",
            "<code>/article 1a2b3c4d5e6f7a8b</code> — 单篇报道的完整摘要、关键词和链接"
            "（也可以点新闻下方的“更多”）",
            "<code>/article 1a2b3c4d5e6f7a8b</code> — a story's full summary, keywords and link "
            "(or tap “More” under a story)",
        ),
    ),
    _command(
        "tags",
        ("今日熱門標籤", "今日热门标签", "Trending tags today"),
        (
            "/tags — 今天最常出現的標籤",
            "/tags — 今天最常出现的标签",
            "/tags — the tags seen most often today",
        ),
    ),
    _command(
        "language",
        ("切換語言", "切换语言", "Change my language"),
        (
            "/language — 繁體中文、简体中文或 English",
            "/language — 繁體中文、简体中文或 English",
            "/language — 繁體中文, 简体中文 or English",
        ),
    ),
    _command(
        "stats",
        ("機器人統計（管理員）", "机器人统计（管理员）", "Bot statistics (admins)"),
        (
            "/stats — 來源、文章、聊天室與待送訊息的統計",
            "/stats — 来源、文章、聊天和待发消息的统计",
            "/stats — sources, articles, chats and the outbox",
        ),
        admin=True,
    ),
)
_COMMANDS_BY_NAME = {command.name: command for command in COMMANDS}


def menu(lang: str) -> list[tuple[str, str]]:
    """(command, description) pairs for setMyCommands; admin commands are left out."""
    return [(c.name, c.description[_known(lang)]) for c in COMMANDS if not c.admin]


def help_text(lang: str, *, admin: bool = False) -> Markup:
    """The /help reply; admins also see the admin commands."""
    lang = _known(lang)
    lines = [t(lang, "help.intro")]
    lines += [c.usage[lang] for c in COMMANDS if not c.admin]
    if admin:
        lines += ["", t(lang, "help.admin")]
        lines += [c.usage[lang] for c in COMMANDS if c.admin]
    return Markup("\n".join(lines))


def usage_error(lang: str, command: str) -> Markup:
    """The reply to a command used the wrong way: how it is used."""
    return t(lang, "error.usage", usage=Markup(_COMMANDS_BY_NAME[command].usage[_known(lang)]))


def _known(lang: str) -> str:
    return lang if lang in LANGUAGES else "en"


def _texts(zh_hant: str | Plural, zh_hans: str | Plural, en: str | Plural) -> dict:
    return dict(zip(LANGUAGES, (zh_hant, zh_hans, en), strict=True))


_TEXTS: dict[str, dict[str, str | Plural]] = {
    # /start and /help
    "start.welcome": _texts(
        "👋 <b>歡迎使用 newsgist！</b>\n"
        "我會持續閱讀新聞來源，把每篇新報導濃縮成幾句摘要，再把您關注主題的新聞傳給您："
        "可以即時通知，也可以每天彙整成一份摘要。\n\n"
        "先試試這三件事：\n"
        "1. <code>/subscribe 台積電, AI</code> — 關注主題\n"
        "2. <code>/latest</code> — 看看最新報導\n"
        "3. <code>/search 颱風</code> — 搜尋收錄的所有新聞\n\n"
        "輸入 /help 查看所有指令。",
        "👋 <b>欢迎使用 newsgist！</b>\n"
        "我会持续阅读新闻来源，把每篇新报道浓缩成几句摘要，再把您关注话题的新闻发给您："
        "可以即时推送，也可以每天汇总成一份简报。\n\n"
        "先试试这三件事：\n"
        "1. <code>/subscribe 台积电, AI</code> — 关注话题\n"
        "2. <code>/latest</code> — 看看最新报道\n"
        "3. <code>/search 台风</code> — 搜索收录的所有新闻\n\n"
        "发送 /help 查看全部命令。",
        "👋 <b>Welcome to newsgist!</b>\n"
        "I read news sources, sum up every new story in a few sentences and send you the ones "
        "about the topics you follow: as soon as they appear, or in one daily digest.\n\n"
        "Three things to try first:\n"
        "1. <code>/subscribe 台積電, AI</code> — follow topics\n"
        "2. <code>/latest</code> — the newest stories\n"
        "3. <code>/search typhoon</code> — search every story I have read\n\n"
        "Send /help to see all commands.",
    ),
    "start.welcome_back": _texts(
        "👋 歡迎回來！您關注的主題與設定都還在，輸入 /list 即可查看。",
        "👋 欢迎回来！您关注的话题和设置都还在，发送 /list 即可查看。",
        "👋 Welcome back! Your topics and settings are just as you left them: see /list.",
    ),
    "help.intro": _texts("我能幫您做這些事：", "我能为您做这些事：", "Here is what I can do:"),
    "help.admin": _texts("<b>管理員指令</b>", "<b>管理员命令</b>", "<b>Admin commands</b>"),
    # errors and notices
    "error.usage": _texts(
        "格式不太對，用法如下：\n{usage}",
        "格式不太对，用法如下：\n{usage}",
        "Not quite. Here is how it works:\n{usage}",
    ),
    "error.generic": _texts(
        "抱歉，發生了一點問題，請稍後再試。",
        "抱歉，出了点问题，请稍后再试。",
        "Sorry, something went wrong. Please try again later.",
    ),
    "error.unknown_command": _texts(
        "我不認得這個指令。輸入 /help 看看我能做什麼。",
        "我不认识这个命令。发送 /help 看看我能做什么。",
        "I don't know that command. Send /help to see what I can do.",
    ),
    "error.rate_limited": _texts(
        "您的操作有點頻繁，請稍候幾秒再試。",
        "您的操作有点频繁，请稍等几秒再试。",
        "You're going a little fast. Please wait a few seconds and try again.",
    ),
    "error.group_admin_only": _texts(
        "在群組中，只有管理員可以變更這項設定。",
        "在群里，只有管理员可以更改这项设置。",
        "In a group, only its admins can change this.",
    ),
    "notice.paused": _texts(
        "提醒您：目前已暫停傳送，可到 /settings 恢復。",
        "提醒您：目前已暂停推送，可以在 /settings 恢复。",
        "Note: deliveries are paused. You can resume them in /settings.",
    ),
    # subscriptions and mutes
    "sub.added": _texts("✅ 已關注：{terms}", "✅ 已关注：{terms}", "✅ Now following: {terms}"),
    "sub.already": _texts(
        "您已經關注：{terms}", "您已经关注：{terms}", "You already follow: {terms}"
    ),
    "sub.over_limit": _texts(
        "已達 {limit} 個主題的上限，以下未加入：{terms}。請先用 /unsubscribe 移除一些。",
        "已达 {limit} 个话题的上限，以下未添加：{terms}。请先用 /unsubscribe 删除一些。",
        "You have reached the limit of {limit} topics, so these were not added: {terms}. "
        "Remove some with /unsubscribe first.",
    ),
    "unsub.removed": _texts(
        "已取消關注：{terms}", "已取消关注：{terms}", "Stopped following: {terms}"
    ),
    "unsub.missing": _texts(
        "您沒有關注：{terms}", "您没有关注：{terms}", "You were not following: {terms}"
    ),
    "mute.added": _texts(
        "🔇 已隱藏：{terms}。提到這些詞的新聞不會再傳給您。",
        "🔇 已屏蔽：{terms}。提到这些词的新闻不会再推送给您。",
        "🔇 Muted: {terms}. Stories that mention them won't be sent to you.",
    ),
    "mute.already": _texts(
        "這些詞已經隱藏了：{terms}", "这些词已经屏蔽了：{terms}", "Already muted: {terms}"
    ),
    "mute.over_limit": _texts(
        "已達 {limit} 個隱藏字詞的上限，以下未加入：{terms}。請先用 /unmute 移除一些。",
        "已达 {limit} 个屏蔽词的上限，以下未添加：{terms}。请先用 /unmute 删除一些。",
        "You have reached the limit of {limit} muted words, so these were not muted: {terms}. "
        "Remove some with /unmute first.",
    ),
    "unmute.removed": _texts(
        "🔊 已取消隱藏：{terms}", "🔊 已取消屏蔽：{terms}", "🔊 Unmuted: {terms}"
    ),
    "unmute.missing": _texts(
        "這些詞沒有被隱藏：{terms}", "这些词没有被屏蔽：{terms}", "These were not muted: {terms}"
    ),
    "term.empty": _texts(
        "請在指令後面輸入一個詞或名字。",
        "请在命令后面输入一个词或名字。",
        "Please type a word or a name after the command.",
    ),
    "term.too_long": _texts(
        "「{term}」太長了，每個主題最多 {max} 個字。",
        "“{term}”太长了，每个话题最多 {max} 个字。",
        "“{term}” is too long: a topic can have at most {max} characters.",
    ),
    "list.subscriptions": _texts(
        "<b>您關注的主題</b>（{count}）",
        "<b>您关注的话题</b>（{count}）",
        "<b>Topics you follow</b> ({count})",
    ),
    "list.mutes": _texts(
        "<b>隱藏的字詞</b>（{count}）", "<b>屏蔽词</b>（{count}）", "<b>Muted words</b> ({count})"
    ),
    "list.digest_only": _texts(
        "🔕 = 只收每日摘要，不即時通知",
        "🔕 = 只收每日简报，不即时推送",
        "🔕 = daily digest only, no instant alerts",
    ),
    "list.empty": _texts(
        "您還沒有關注任何主題。試試 <code>/subscribe 台積電</code> 或 <code>/subscribe AI</code>。",
        "您还没有关注任何话题。试试 <code>/subscribe 台积电</code> 或 <code>/subscribe AI</code>。",
        "You don't follow any topics yet. Try <code>/subscribe 台積電</code> or "
        "<code>/subscribe AI</code>.",
    ),
    # search, latest, article, tags
    "search.header": _texts(
        "🔎 <b>{query}</b>：共 {count} 篇",
        "🔎 <b>{query}</b>：共 {count} 篇",
        Plural("🔎 <b>{query}</b>: {count} story", "🔎 <b>{query}</b>: {count} stories"),
    ),
    "search.page": _texts(
        "第 {page}／{pages} 頁", "第 {page}/{pages} 页", "page {page} of {pages}"
    ),
    "search.nothing": _texts(
        "找不到和 <b>{query}</b> 相關的新聞，請試試較少或不同的關鍵字。",
        "没有找到与 <b>{query}</b> 相关的新闻，请试试更少或不同的关键词。",
        "Nothing found for <b>{query}</b>. Try fewer or different words.",
    ),
    "latest.header": _texts("📰 <b>最新報導</b>", "📰 <b>最新报道</b>", "📰 <b>Latest stories</b>"),
    "latest.nothing": _texts(
        "我還沒有讀到任何報導，請過幾分鐘再來看看。",
        "我还没有读到任何报道，请过几分钟再来看看。",
        "I haven't read any stories yet. Please check again in a few minutes.",
    ),
    "article.not_found": _texts(
        "找不到這篇報導，可能已被移除。",
        "找不到这篇报道，可能已被删除。",
        "I can't find that story. It may have been removed.",
    ),
    "tags.header": _texts(
        "🏷 <b>今日熱門標籤</b>", "🏷 <b>今日热门标签</b>", "🏷 <b>Trending tags today</b>"
    ),
    "tags.nothing": _texts(
        "今天還沒有熱門標籤。", "今天还没有热门标签。", "No trending tags yet today."
    ),
    # article rendering
    "item.also_from": _texts("另見：{sources}", "另见：{sources}", "also from: {sources}"),
    "item.keywords": _texts("關鍵字：{words}", "关键词：{words}", "Keywords: {words}"),
    "item.tags": _texts("標籤：{words}", "标签：{words}", "Tags: {words}"),
    "item.read": _texts("閱讀全文", "阅读全文", "Read the full story"),
    # alerts and digests
    "alert.one": _texts("🔔 {terms}", "🔔 {terms}", "🔔 {terms}"),
    "alert.many": _texts(
        "🔔 {terms}：{count} 則新報導",
        "🔔 {terms}：{count} 条新报道",
        Plural("🔔 {terms}: {count} new story", "🔔 {terms}: {count} new stories"),
    ),
    "alert.new": _texts(
        "🔔 {count} 則新報導",
        "🔔 {count} 条新报道",
        Plural("🔔 {count} new story", "🔔 {count} new stories"),
    ),
    "digest.header": _texts(
        "📰 <b>您的每日摘要</b> — {count} 則新聞",
        "📰 <b>您的每日简报</b> — {count} 条新闻",
        Plural("📰 <b>Your digest</b> — {count} story", "📰 <b>Your digest</b> — {count} stories"),
    ),
    "digest.more": _texts(
        "…另有 {count} 則相關新聞：<code>/search {term}</code>",
        "…另有 {count} 条相关新闻：<code>/search {term}</code>",
        Plural(
            "…and {count} more: <code>/search {term}</code>",
            "…and {count} more: <code>/search {term}</code>",
        ),
    ),
    "button.more": _texts("更多", "更多", "More"),
    "digest.more_button": _texts(
        "➕ {term}：再看 {count} 則", "➕ {term}：再看 {count} 条", "➕ {term}: {count} more"
    ),
    "digest.more_header": _texts(
        "🔹 <b>{term}</b>：還有 {count} 則新聞",
        "🔹 <b>{term}</b>：还有 {count} 条新闻",
        Plural("🔹 <b>{term}</b>: {count} more story", "🔹 <b>{term}</b>: {count} more stories"),
    ),
    "digest.more_none": _texts(
        "<b>{term}</b> 沒有其他新聞了。",
        "<b>{term}</b> 没有其他新闻了。",
        "No more stories about <b>{term}</b>.",
    ),
    "digest.more_unfollowed": _texts(
        "您已經不再關注這個主題了。",
        "您已经不再关注这个话题了。",
        "You no longer follow that topic.",
    ),
    "digest.more_sent": _texts(
        "已經傳給您了，請看上面。", "已经发给您了，请看上面。", "Already sent: see above."
    ),
    "digest.more_expired": _texts(
        "這份摘要太舊了，無法再展開；請改用 /search 查詢。",
        "这份简报太旧了，无法再展开；请改用 /search 查询。",
        "That digest is too old to open up now: try /search instead.",
    ),
    "button.next": _texts("下一頁 ›", "下一页 ›", "Next ›"),
    "button.previous": _texts("‹ 上一頁", "‹ 上一页", "‹ Previous"),
    "button.back": _texts("« 返回", "« 返回", "« Back"),
    "button.done": _texts("完成", "完成", "Done"),
    # settings
    "settings.screen": _texts(
        "⚙️ <b>設定</b>\n"
        "🕗 每日摘要時間：<b>{time}</b>\n"
        "🌏 時區：<b>{timezone}</b>\n"
        "💬 語言：<b>{language}</b>\n"
        "📝 摘要長度：<b>{sentences}</b>\n"
        "🔔 即時通知：<b>{instant}</b>\n"
        "⏯ 狀態：<b>{status}</b>\n\n"
        "點選下方按鈕即可修改。",
        "⚙️ <b>设置</b>\n"
        "🕗 每日简报时间：<b>{time}</b>\n"
        "🌏 时区：<b>{timezone}</b>\n"
        "💬 语言：<b>{language}</b>\n"
        "📝 摘要长度：<b>{sentences}</b>\n"
        "🔔 即时推送：<b>{instant}</b>\n"
        "⏯ 状态：<b>{status}</b>\n\n"
        "点击下方按钮即可修改。",
        "⚙️ <b>Settings</b>\n"
        "🕗 Daily digest at: <b>{time}</b>\n"
        "🌏 Time zone: <b>{timezone}</b>\n"
        "💬 Language: <b>{language}</b>\n"
        "📝 Summary length: <b>{sentences}</b>\n"
        "🔔 Instant alerts: <b>{instant}</b>\n"
        "⏯ Status: <b>{status}</b>\n\n"
        "Tap a button below to change something.",
    ),
    "settings.sentences": _texts(
        "{count} 句", "{count} 句", Plural("{count} sentence", "{count} sentences")
    ),
    "settings.on": _texts("開啟", "开启", "on"),
    "settings.off": _texts("關閉", "关闭", "off"),
    "settings.active": _texts("正常傳送", "正常推送", "delivering"),
    "settings.paused": _texts("已暫停", "已暂停", "paused"),
    "settings.button.time": _texts("🕗 摘要時間", "🕗 简报时间", "🕗 Digest time"),
    "settings.button.timezone": _texts("🌏 時區", "🌏 时区", "🌏 Time zone"),
    "settings.button.language": _texts("💬 語言", "💬 语言", "💬 Language"),
    "settings.button.length": _texts("📝 摘要長度", "📝 摘要长度", "📝 Summary length"),
    "settings.button.instant_on": _texts(
        "🔔 開啟即時通知", "🔔 开启即时推送", "🔔 Turn instant alerts on"
    ),
    "settings.button.instant_off": _texts(
        "🔕 關閉即時通知", "🔕 关闭即时推送", "🔕 Turn instant alerts off"
    ),
    "settings.button.pause": _texts("⏸ 暫停所有通知", "⏸ 暂停所有推送", "⏸ Pause everything"),
    "settings.button.resume": _texts("▶️ 恢復通知", "▶️ 恢复推送", "▶️ Resume"),
    "settings.time.prompt": _texts(
        "每日摘要要在幾點送達？請選擇時間，或直接傳送像 <code>07:30</code> 這樣的時間。",
        "每日简报几点送达？请选择时间，或直接发送类似 <code>07:30</code> 的时间。",
        "When should your daily digest arrive? Pick a time or send one like <code>07:30</code>.",
    ),
    "settings.time.saved": _texts(
        "好的，每日摘要會在 <b>{time}</b>（{timezone}）送達。",
        "好的，每日简报会在 <b>{time}</b>（{timezone}）送达。",
        "Done: your digest will arrive every day at <b>{time}</b> ({timezone}).",
    ),
    "settings.time.invalid": _texts(
        "看不懂「{value}」這個時間，請用 24 小時制 HH:MM，例如 <code>07:30</code>。",
        "看不懂“{value}”这个时间，请使用 24 小时制 HH:MM，例如 <code>07:30</code>。",
        "“{value}” isn't a time I understand. Please use 24-hour HH:MM, e.g. <code>07:30</code>.",
    ),
    "settings.timezone.prompt": _texts(
        "您在哪個時區？請選擇，或傳送時區名稱，例如 <code>Asia/Taipei</code>。",
        "您在哪个时区？请选择，或发送时区名称，例如 <code>Asia/Shanghai</code>。",
        "Which time zone are you in? Pick one or send its name, e.g. <code>Europe/London</code>.",
    ),
    "settings.timezone.saved": _texts(
        "時區已設為 <b>{timezone}</b>，當地現在是 {now}。",
        "时区已设为 <b>{timezone}</b>，当地现在是 {now}。",
        "Time zone set to <b>{timezone}</b>; it is {now} there now.",
    ),
    "settings.timezone.invalid": _texts(
        "找不到「{value}」這個時區，請使用像 <code>Asia/Taipei</code> 這樣的名稱。",
        "找不到“{value}”这个时区，请使用类似 <code>Asia/Shanghai</code> 的名称。",
        "I don't know the time zone “{value}”. Please use a name like <code>Europe/London</code>.",
    ),
    "settings.language.prompt": _texts("請選擇語言：", "请选择语言：", "Choose a language:"),
    "settings.language.saved": _texts(
        "好的，之後我會用繁體中文和您溝通。",
        "好的，之后我会用简体中文和您交流。",
        "OK, I'll speak English from now on.",
    ),
    "settings.length.prompt": _texts(
        "每則摘要要顯示幾句？", "每条摘要要显示几句？", "How many sentences should a summary have?"
    ),
    "settings.length.saved": _texts(
        "好的，摘要會顯示 {count} 句。",
        "好的，摘要会显示 {count} 句。",
        Plural(
            "OK, summaries will have {count} sentence.",
            "OK, summaries will have {count} sentences.",
        ),
    ),
    "settings.instant.on": _texts(
        "🔔 已開啟即時通知：關注主題一有新報導，就會立刻傳給您。",
        "🔔 已开启即时推送：关注话题一有新报道，就会立即推送给您。",
        "🔔 Instant alerts are on: new stories on your topics arrive as soon as I see them.",
    ),
    "settings.instant.off": _texts(
        "🔕 已關閉即時通知：您只會收到每日摘要。",
        "🔕 已关闭即时推送：您只会收到每日简报。",
        "🔕 Instant alerts are off: you will only get the daily digest.",
    ),
    "settings.pause.on": _texts(
        "⏸ 已暫停。在您到 /settings 恢復之前，我不會傳送任何通知或摘要。",
        "⏸ 已暂停。在您到 /settings 恢复之前，我不会推送任何消息或简报。",
        "⏸ Paused. I won't send alerts or digests until you resume them in /settings.",
    ),
    "settings.pause.off": _texts(
        "▶️ 歡迎回來！通知與每日摘要已恢復。",
        "▶️ 欢迎回来！推送和每日简报已恢复。",
        "▶️ Welcome back! Alerts and digests are on again.",
    ),
    # links sent to the bot
    "link.private": _texts(
        "無法開啟這個連結：它指向私人或本機網址。",
        "无法打开这个链接：它指向内网或本机地址。",
        "I can't open that link: it points to a private or local address.",
    ),
    "link.scheme": _texts(
        "我只能開啟 http:// 或 https:// 開頭的連結。",
        "我只能打开 http:// 或 https:// 开头的链接。",
        "I can only open links that start with http:// or https://.",
    ),
    "link.too_big": _texts(
        "這個網頁太大了（超過 {limit}），我無法讀取。",
        "这个网页太大了（超过 {limit}），我无法读取。",
        "That page is too big for me to read (over {limit}).",
    ),
    "link.timeout": _texts(
        "這個網頁太久沒有回應，請稍後再試。",
        "这个网页太久没有响应，请稍后再试。",
        "That page took too long to answer. Please try again later.",
    ),
    "link.failed": _texts(
        "無法從這個網頁讀出文章內容。",
        "无法从这个网页读取文章内容。",
        "I couldn't find an article on that page.",
    ),
    # admin
    "stats.body": _texts(
        "📊 <b>統計</b>\n文章：{articles}\n來源：{sources}\n聊天室：{chats}（使用中 {active}）\n"
        "關注：{subscriptions}\n待送訊息：{pending}，失敗：{failed}",
        "📊 <b>统计</b>\n文章：{articles}\n来源：{sources}\n聊天：{chats}（活跃 {active}）\n"
        "关注：{subscriptions}\n待发消息：{pending}，失败：{failed}",
        "📊 <b>Statistics</b>\nArticles: {articles}\nSources: {sources}\n"
        "Chats: {chats} ({active} active)\nSubscriptions: {subscriptions}\n"
        "Outbox: {pending} pending, {failed} failed",
    ),
    # handler messages
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
