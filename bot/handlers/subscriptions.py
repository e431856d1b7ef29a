"""/subscribe, /unsubscribe, /mute, /unmute, /list and their buttons.

Terms are separated by commas (or 、，；, new lines); a space next to a CJK character also
separates, since Chinese never puts one inside a word ("台積電 AI" is two topics, "climate
change" one). Everything a user typed is shown back escaped and clipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import callbacks
from bot.context import BotContext
from bot.exceptions import TermError
from bot.i18n import Markup, t, term_list, usage_error
from bot.matching import MAX_TERM_LENGTH, normalise_term, parse_terms
from bot.render import plain, subscriptions_list
from bot.script import for_reader
from storage import subscriptions
from storage.chats import Chat
from storage.subscriptions import DEFAULT_LIMIT, Mute, Subscription

from .common import argument, chat_of, clip, may_change, notify, redraw, reply
from .lookup import todays_tags

MAX_TERMS_PER_COMMAND = 10
TRENDING_BUTTONS = 12

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")


def terms_of(text: str) -> tuple[list[tuple[str, str]], list[TermError]]:
    """(folded, display) terms of a command argument, and the ones refused."""
    return parse_terms(_CJK_SPACE.sub(",", text))


def _term_error(lang: str, error: TermError) -> Markup:
    return t(lang, error.reason, term=clip(error.term), max=MAX_TERM_LENGTH)


def _keyboard(buttons: Sequence[InlineKeyboardButton], per_row: int) -> InlineKeyboardMarkup:
    rows = [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]
    return InlineKeyboardMarkup(rows)


async def _checked_terms(
    update: Update, context: BotContext, chat: Chat, text: str, command: str
) -> tuple[list[tuple[str, str]], list[TermError]] | None:
    """The terms of `text` to act on; None after saying why not (none, too many, no right)."""
    pairs, errors = terms_of(text)
    if len(pairs) + len(errors) > MAX_TERMS_PER_COMMAND:
        await reply(update, t(chat.language, "error.too_many_terms", max=MAX_TERMS_PER_COMMAND))
        return None
    if not pairs and not errors:
        await reply(update, usage_error(chat.language, command))
        return None
    if not await may_change(update, context, chat):
        return None
    return pairs, errors


async def add_terms(
    update: Update, context: BotContext, chat: Chat, text: str, *, mute: bool
) -> None:
    """Subscribe to (or mute) the terms in `text` and say what happened to each."""
    checked = await _checked_terms(update, context, chat, text, "mute" if mute else "subscribe")
    if checked is None:
        return
    pairs, errors = checked
    lang = chat.language
    lines = []
    if pairs:
        add = subscriptions.mute if mute else subscriptions.subscribe
        result = add(context.db, chat.chat_id, pairs, now=context.clock.now())
        prefix = "mute" if mute else "sub"
        if result.added:
            lines.append(t(lang, f"{prefix}.added", terms=term_list(lang, result.added)))
        if result.already:
            lines.append(t(lang, f"{prefix}.already", terms=term_list(lang, result.already)))
        if result.over_limit:
            lines.append(
                t(
                    lang,
                    f"{prefix}.over_limit",
                    limit=DEFAULT_LIMIT,
                    terms=term_list(lang, result.over_limit),
                )
            )
        if result.added and chat.paused and not mute:
            lines.append(t(lang, "notice.paused"))
    lines += [_term_error(lang, error) for error in errors]
    await reply(update, "\n".join(lines))


async def remove_terms(
    update: Update, context: BotContext, chat: Chat, text: str, *, mute: bool
) -> None:
    """Unsubscribe from (or unmute) the terms in `text`."""
    checked = await _checked_terms(update, context, chat, text, "unmute" if mute else "unsubscribe")
    if checked is None:
        return
    pairs, errors = checked
    lang = chat.language
    remove = subscriptions.unmute if mute else subscriptions.unsubscribe
    result = remove(context.db, chat.chat_id, [folded for folded, _ in pairs])
    typed = dict(pairs)
    prefix = "unmute" if mute else "unsub"
    lines = []
    if result.removed:
        lines.append(t(lang, f"{prefix}.removed", terms=term_list(lang, result.removed)))
    if result.missing:
        missing = [typed.get(term, term) for term in result.missing]
        lines.append(t(lang, f"{prefix}.missing", terms=term_list(lang, missing)))
    lines += [_term_error(lang, error) for error in errors]
    await reply(update, "\n".join(lines))


async def subscribe(update: Update, context: BotContext) -> None:
    """Follow topics; without any, offer today's trending tags as buttons."""
    chat = await chat_of(update, context)
    text = argument(update)
    if text:
        await add_terms(update, context, chat, text, mute=False)
        return
    trending = todays_tags(context, 3 * TRENDING_BUTTONS)  # some may not fit a button
    shown = [(for_reader(tag, chat.language), count) for tag, count in trending]
    buttons = [
        InlineKeyboardButton(
            f"{tag} · {count}", callback_data=callbacks.encode("subscribe", term=tag)
        )
        for tag, count in shown
        if callbacks.fits("subscribe", term=tag)
    ][:TRENDING_BUTTONS]
    if not buttons:
        await reply(update, usage_error(chat.language, "subscribe"))
        return
    await reply(update, t(chat.language, "sub.choose"), keyboard=_keyboard(buttons, 2))


def _removal_keyboard(action: str, terms: Sequence[Subscription | Mute]) -> InlineKeyboardMarkup:
    return _keyboard(
        [
            InlineKeyboardButton(
                f"❌ {term.display}",
                callback_data=callbacks.encode(action, key=callbacks.term_key(term.term)),
            )
            for term in terms
        ],
        2,
    )


async def unsubscribe(update: Update, context: BotContext) -> None:
    """Stop following topics; without any, show the followed ones as buttons."""
    await _remove_or_choose(update, context, mute=False)


async def mute(update: Update, context: BotContext) -> None:
    """Never send stories that mention these words."""
    chat = await chat_of(update, context)
    await add_terms(update, context, chat, argument(update), mute=True)


async def unmute(update: Update, context: BotContext) -> None:
    """Unmute words; without any, show the muted ones as buttons."""
    await _remove_or_choose(update, context, mute=True)


async def _remove_or_choose(update: Update, context: BotContext, *, mute: bool) -> None:
    """Remove the terms given, or offer the chat's followed (or muted) terms as buttons."""
    chat = await chat_of(update, context)
    text = argument(update)
    if text:
        await remove_terms(update, context, chat, text, mute=mute)
        return
    if mute:
        terms, action = subscriptions.list_mutes(context.db, chat.chat_id), "unmute"
        empty, choose = "unmute.none", "unmute.choose"
    else:
        terms, action = subscriptions.list_subscriptions(context.db, chat.chat_id), "unsubscribe"
        empty, choose = "list.empty", "unsub.choose"
    if not terms:
        await reply(update, t(chat.language, empty))
        return
    await reply(update, t(chat.language, choose), keyboard=_removal_keyboard(action, terms))


def list_view(context: BotContext, chat: Chat) -> tuple[list[str], InlineKeyboardMarkup | None]:
    """The /list messages (topics, muted words, settings) and its instant-alert toggles."""
    lang = chat.language
    followed = subscriptions.list_subscriptions(context.db, chat.chat_id)
    muted = subscriptions.list_mutes(context.db, chat.chat_id)
    messages = subscriptions_list(followed, muted, lang)
    settings = t(
        lang,
        "list.settings",
        time=chat.digest_time,
        timezone=chat.timezone,
        sentences=t(lang, "settings.sentences", count=chat.summary_sentences),
        instant=t(lang, "settings.on" if chat.instant else "settings.off"),
        status=t(lang, "settings.paused" if chat.paused else "settings.active"),
    )
    tail = [settings] + ([t(lang, "list.toggle_hint")] if followed else [])
    messages[-1] = "\n\n".join([messages[-1], *tail])
    if not followed:
        return messages, None
    buttons = [
        InlineKeyboardButton(
            f"{'🔔' if sub.instant else '🔕'} {sub.display}",
            callback_data=callbacks.encode(
                "instant", key=callbacks.term_key(sub.term), on=int(not sub.instant)
            ),
        )
        for sub in followed
    ]
    return messages, _keyboard(buttons, 2)


async def list_command(update: Update, context: BotContext) -> None:
    """The chat's topics (with instant alerts on or off), muted words and settings."""
    chat = await chat_of(update, context)
    messages, keyboard = list_view(context, chat)
    await reply(update, messages, keyboard=keyboard)


# -- buttons ---------------------------------------------------------------------------------


def _find(terms: Sequence[Subscription | Mute], key: str) -> Subscription | Mute | None:
    return next((term for term in terms if callbacks.term_key(term.term) == key), None)


async def press_subscribe(
    update: Update, context: BotContext, chat: Chat, fields: dict[str, str]
) -> None:
    """A trending-tag button: follow the tag and tick the button."""
    query = update.callback_query
    try:
        term = normalise_term(fields["term"])
    except TermError:
        await notify(update, t(chat.language, "error.stale_button"))
        return
    if not await may_change(update, context, chat):
        return
    result = subscriptions.subscribe(
        context.db, chat.chat_id, [(term, fields["term"])], now=context.clock.now()
    )
    lang = chat.language
    if result.over_limit:
        text = t(
            lang, "sub.over_limit", limit=DEFAULT_LIMIT, terms=term_list(lang, result.over_limit)
        )
    elif result.already:
        text = t(lang, "sub.already", terms=term_list(lang, result.already))
    else:
        text = t(lang, "sub.added", terms=term_list(lang, result.added))
    await query.answer(plain(text))
    if result.added and query.message is not None and query.message.reply_markup:
        rows = [
            [
                InlineKeyboardButton(f"✅ {b.text}", callback_data=b.callback_data)
                if b.callback_data == query.data
                else b
                for b in row
            ]
            for row in query.message.reply_markup.inline_keyboard
        ]
        await redraw(update, keyboard=InlineKeyboardMarkup(rows))


async def _press_remove(
    update: Update, context: BotContext, chat: Chat, key: str, *, mute: bool
) -> None:
    query = update.callback_query
    lang = chat.language
    listed = (subscriptions.list_mutes if mute else subscriptions.list_subscriptions)(
        context.db, chat.chat_id
    )
    found = _find(listed, key)
    if found is None:
        await notify(update, t(lang, "error.stale_button"))
        return
    if not await may_change(update, context, chat):
        return
    remove = subscriptions.unmute if mute else subscriptions.unsubscribe
    result = remove(context.db, chat.chat_id, [found.term])
    text = t(
        lang, "unmute.removed" if mute else "unsub.removed", terms=term_list(lang, result.removed)
    )
    await query.answer(plain(text))
    rows = [
        [b for b in row if b.callback_data != query.data]
        for row in (
            query.message.reply_markup.inline_keyboard if query.message.reply_markup else []
        )
    ]
    rows = [row for row in rows if row]
    if rows:
        await redraw(update, keyboard=InlineKeyboardMarkup(rows))
    else:
        await redraw(update, text)


async def press_unsubscribe(
    update: Update, context: BotContext, chat: Chat, fields: dict[str, str]
) -> None:
    """A ❌ topic button under /unsubscribe."""
    await _press_remove(update, context, chat, fields["key"], mute=False)


async def press_unmute(
    update: Update, context: BotContext, chat: Chat, fields: dict[str, str]
) -> None:
    """A ❌ word button under /unmute."""
    await _press_remove(update, context, chat, fields["key"], mute=True)


async def press_instant(
    update: Update, context: BotContext, chat: Chat, fields: dict[str, str]
) -> None:
    """A 🔔/🔕 topic button under /list: switch its instant alerts, redraw the list."""
    query = update.callback_query
    lang = chat.language
    found = _find(subscriptions.list_subscriptions(context.db, chat.chat_id), fields["key"])
    if found is None:
        await notify(update, t(lang, "error.stale_button"))
        return
    if not await may_change(update, context, chat):
        return
    on = fields["on"] == "1"
    subscriptions.set_instant(context.db, chat.chat_id, found.term, on)
    await query.answer(
        plain(t(lang, "list.instant_on" if on else "list.instant_off", term=found.display))
    )
    messages, keyboard = list_view(context, chat)
    await redraw(update, messages[-1], keyboard)
