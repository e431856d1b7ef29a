"""/settings and /language: a button screen, typed values, and saving them.

Every change goes through `storage.chats.update_chat`, which validates it again. After a
button asks for a time or a time zone, the next plain message in that chat (within
`TYPED_WINDOW`) is taken as the answer.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType

from bot import callbacks
from bot.context import BotContext
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, t, usage_error
from bot.render import plain, settings_text
from storage import chats
from storage.chats import MAX_SUMMARY_SENTENCES, Chat, parse_clock, parse_timezone

from .common import argument, chat_of, clip, may_change, notify, redraw, reply, set_chat_menu

TIME_PRESETS = ("06:00", "07:00", "07:30", "08:00", "09:00", "12:00", "18:00", "21:00")
ZONE_PRESETS = (
    "Asia/Taipei",
    "Asia/Hong_Kong",
    "Asia/Shanghai",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/London",
    "America/New_York",
    "UTC",
)
TYPED_WINDOW = 300.0  # seconds a "send me a time" prompt waits for the answer
_AWAITING = "settings.awaiting"

# Words people use for each language, in /language and /settings lang.
_LANGUAGE_WORDS = {
    **{word: "zh-Hant" for word in ("zh-hant", "zh-tw", "zh-hk", "tw", "繁體", "繁体", "正體")},
    **{word: "zh-Hans" for word in ("zh-hans", "zh-cn", "zh", "cn", "简体", "簡體", "中文")},
    **{word: "en" for word in ("en", "english", "英文", "英語", "英语")},
}


def _label(lang: str, key: str) -> str:
    """A button's text: plain, not HTML."""
    return plain(t(lang, key))


def _button(text: str, what: str, value: object = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text, callback_data=callbacks.encode("settings", what=what, value=value)
    )


def _main_keyboard(chat: Chat) -> InlineKeyboardMarkup:
    lang = chat.language
    return InlineKeyboardMarkup(
        [
            [
                _button(_label(lang, "settings.button.time"), "time"),
                _button(_label(lang, "settings.button.timezone"), "tz"),
            ],
            [
                _button(_label(lang, "settings.button.language"), "lang"),
                _button(_label(lang, "settings.button.length"), "len"),
            ],
            [
                _button(
                    _label(
                        lang,
                        "settings.button.instant_off"
                        if chat.instant
                        else "settings.button.instant_on",
                    ),
                    "inst",
                    int(not chat.instant),
                )
            ],
            [
                _button(
                    _label(
                        lang, "settings.button.resume" if chat.paused else "settings.button.pause"
                    ),
                    "pause",
                    int(not chat.paused),
                )
            ],
        ]
    )


def _rows(buttons: list[InlineKeyboardButton], per_row: int, lang: str) -> InlineKeyboardMarkup:
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    return InlineKeyboardMarkup([*rows, [_button(_label(lang, "button.back"), "menu")]])


_CHOICE_SCREENS = ("time", "tz", "lang", "len")


def _choices(chat: Chat, what: str) -> tuple[str, InlineKeyboardMarkup]:
    """The prompt and buttons of one setting's screen (one of `_CHOICE_SCREENS`)."""
    lang = chat.language
    if what == "time":
        buttons = [_button(time, "time", time.replace(":", "")) for time in TIME_PRESETS]
        return t(lang, "settings.time.prompt"), _rows(buttons, 4, lang)
    if what == "tz":
        buttons = [_button(zone, "tz", zone) for zone in ZONE_PRESETS]
        return t(lang, "settings.timezone.prompt"), _rows(buttons, 2, lang)
    if what == "lang":
        buttons = [_button(LANGUAGE_NAMES[code], "lang", code) for code in LANGUAGES]
        return t(lang, "settings.language.prompt"), _rows(buttons, 3, lang)
    buttons = [_button(str(n), "len", n) for n in range(1, MAX_SUMMARY_SENTENCES + 1)]
    return t(lang, "settings.length.prompt"), _rows(buttons, MAX_SUMMARY_SENTENCES, lang)


async def _save(
    update: Update, context: BotContext, chat: Chat, what: str, value: str
) -> tuple[Chat, str]:
    """Apply one setting; returns the chat as saved and the confirmation (HTML).

    ValueError when `value` is not one this setting takes.
    """
    if what == "time":
        chat = chats.update_chat(context.db, chat.chat_id, digest_time=parse_clock(value))
        return chat, t(
            chat.language, "settings.time.saved", time=chat.digest_time, timezone=chat.timezone
        )
    if what == "tz":
        chat = chats.update_chat(context.db, chat.chat_id, timezone=parse_timezone(value))
        now = context.clock.now().astimezone(chat.zone)
        return chat, t(
            chat.language, "settings.timezone.saved", timezone=chat.timezone, now=f"{now:%H:%M}"
        )
    if what == "lang":
        code = value if value in LANGUAGES else _LANGUAGE_WORDS.get(value.strip().lower())
        if code is None:
            raise ValueError(f"unknown language {value!r}")
        chat = chats.update_chat(context.db, chat.chat_id, language=code)
        if update.effective_chat.type == ChatType.PRIVATE:
            await set_chat_menu(context, chat.chat_id, code)
        return chat, t(code, "settings.language.saved")
    if what == "len":
        if not value.isdigit():
            raise ValueError(f"summary length {value!r} is not a number")
        chat = chats.update_chat(context.db, chat.chat_id, summary_sentences=int(value))
        return chat, t(chat.language, "settings.length.saved", count=chat.summary_sentences)
    if what in ("inst", "pause") and value in ("0", "1"):
        on = value == "1"
        if what == "inst":
            chat = chats.update_chat(context.db, chat.chat_id, instant=on)
            return chat, t(chat.language, "settings.instant.on" if on else "settings.instant.off")
        chat = chats.update_chat(context.db, chat.chat_id, paused=on)
        return chat, t(chat.language, "settings.pause.on" if on else "settings.pause.off")
    raise ValueError(f"no setting {what!r} = {value!r}")


# What people may type after /settings, and the setting each word means.
_TYPED = {
    "time": "time",
    "tz": "tz",
    "timezone": "tz",
    "lang": "lang",
    "language": "lang",
    "length": "len",
    "len": "len",
    "instant": "inst",
    "pause": "pause",
    "resume": "pause",
}
_SWITCH_WORDS = {"on": "1", "off": "0", "開": "1", "关": "0", "關": "0", "开": "1"}


def _typed_value(word: str, rest: str) -> str:
    if word == "pause":
        return "1"
    if word == "resume":
        return "0"
    if word == "instant":
        return _SWITCH_WORDS.get(rest.lower(), rest)
    return rest


async def _invalid(update: Update, chat: Chat, what: str, value: str) -> None:
    lang = chat.language
    shown = clip(value)
    if what == "time":
        await notify(update, t(lang, "settings.time.invalid", value=shown))
    elif what == "tz":
        await notify(update, t(lang, "settings.timezone.invalid", value=shown))
    else:
        await notify(update, usage_error(lang, "settings"))


async def settings(update: Update, context: BotContext) -> None:
    """Show the settings screen, or set one directly: `/settings time 07:30`, `tz Asia/Taipei`."""
    chat = await chat_of(update, context)
    text = argument(update)
    if not text:
        await reply(update, settings_text(chat), keyboard=_main_keyboard(chat))
        return
    word, _, rest = text.partition(" ")
    what = _TYPED.get(word.lower())
    rest = rest.strip()
    if what is None or (not rest and word.lower() not in ("pause", "resume")):
        await reply(update, usage_error(chat.language, "settings"))
        return
    if not await may_change(update, context, chat):
        return
    value = _typed_value(word.lower(), rest)
    try:
        _, saved = await _save(update, context, chat, what, value)
    except ValueError:
        await _invalid(update, chat, what, value)
        return
    await reply(update, saved)


async def language(update: Update, context: BotContext) -> None:
    """Choose the bot's language: buttons, or `/language en` (zh-Hant, zh-Hans)."""
    chat = await chat_of(update, context)
    text = argument(update)
    if not text:
        prompt, keyboard = _choices(chat, "lang")
        await reply(update, prompt, keyboard=keyboard)
        return
    if not await may_change(update, context, chat):
        return
    try:
        _, saved = await _save(update, context, chat, "lang", text)
    except ValueError:
        await reply(update, usage_error(chat.language, "language"))
        return
    await reply(update, saved)


async def press_settings(
    update: Update, context: BotContext, chat: Chat, fields: dict[str, str]
) -> None:
    """A button of the settings screens: open a choice, or save one and show the screen."""
    query = update.callback_query
    what, value = fields["what"], fields["value"]
    if not await may_change(update, context, chat):
        return
    if what == "menu" or (not value and what in _CHOICE_SCREENS):
        if what == "menu":
            text, keyboard = settings_text(chat), _main_keyboard(chat)
        else:
            text, keyboard = _choices(chat, what)
            if what in ("time", "tz"):
                context.chat_data[_AWAITING] = (what, context.clock.monotonic())
        await query.answer()
        await redraw(update, text, keyboard)
        return
    try:
        chat, saved = await _save(update, context, chat, what, value)
    except ValueError:
        await notify(update, t(chat.language, "error.stale_button"))
        return
    context.chat_data.pop(_AWAITING, None)
    await query.answer(plain(saved))
    await redraw(update, settings_text(chat), _main_keyboard(chat))


async def take_typed(update: Update, context: BotContext, chat: Chat) -> bool:
    """If this chat was just asked for a time or time zone, save the message as the answer."""
    awaiting = context.chat_data.pop(_AWAITING, None)
    if awaiting is None or context.clock.monotonic() - awaiting[1] > TYPED_WINDOW:
        return False
    what = awaiting[0]
    if not await may_change(update, context, chat):
        return True
    value = (update.effective_message.text or "").strip()
    try:
        _, saved = await _save(update, context, chat, what, value)
    except ValueError:
        await _invalid(update, chat, what, value)
        return True
    await reply(update, saved)
    return True
