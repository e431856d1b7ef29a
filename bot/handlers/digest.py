"""The "more" buttons under a digest: the stories of one topic it had no room for.

A button carries the digest's window and the topic's key (see `bot.digest.more_data`), and
the digest's outbox rows say which articles it showed, so a button works after a restart
for as long as the outbox keeps the digest (`bot.jobs.KEEP_DELIVERED`). The stories come as
new messages under the digest, at most `MORE_PAGE` at a press; the button then goes, and
when more are left the last message carries a button for the next ones. A double tap
(both presses sent before the button went) is answered, not served twice.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.callbacks import moment_of, term_key
from bot.context import BotContext
from bot.digest import MAX_MORE_OFFSET, more_data, more_label, more_stories
from bot.i18n import t
from storage import outbox, subscriptions
from storage.chats import Chat

from .common import notify, redraw, reply

log = logging.getLogger(__name__)

SERVED = "digest.more.served"  # chat_data: presses answered, by (message id, button data)
SERVED_KEPT = 32


async def press_more(
    update: Update, context: BotContext, chat: Chat, fields: dict[str, str]
) -> None:
    """A "➕ topic" button under a digest: send the topic's stories it left out."""
    db, lang = context.db, chat.language
    query = update.callback_query
    served = context.chat_data.setdefault(SERVED, {})
    press = (query.message.message_id, query.data)
    if press in served:
        await notify(update, t(lang, "digest.more_sent"))
        return
    since, until = moment_of(fields["since"]), moment_of(fields["until"])
    shown = outbox.digest_articles(db, chat.chat_id, until)
    if shown is None or since >= until:  # no such digest here: forged, or forgotten
        await notify(update, t(lang, "digest.more_expired"))
        return
    followed = subscriptions.list_subscriptions(db, chat.chat_id)
    topic = next((s for s in followed if term_key(s.term) == fields["key"]), None)
    if topic is None:
        await notify(update, t(lang, "digest.more_unfollowed"))
        return
    offset = int(fields["offset"])
    more = more_stories(
        db, chat, followed, [m.term for m in subscriptions.list_mutes(db, chat.chat_id)],
        term=topic.term, since=since, until=until, shown=shown, offset=offset,
    )  # fmt: skip
    if more is None:
        await notify(update, t(lang, "digest.more_none", term=topic.display))
        await _drop_button(update)
        return
    await query.answer()
    keyboard = None
    if more.left and offset + more.sent <= MAX_MORE_OFFSET:
        data = more_data(topic.term, since=since, until=until, offset=offset + more.sent)
        button = InlineKeyboardButton(
            more_label(lang, topic.display, more.left), callback_data=data
        )
        keyboard = InlineKeyboardMarkup([[button]])
    await reply(update, more.messages, keyboard=keyboard)
    served[press] = True
    while len(served) > SERVED_KEPT:
        del served[next(iter(served))]
    await _drop_button(update)


async def _drop_button(update: Update) -> None:
    """Take the pressed button off its message, leaving the others (best effort: the
    stories went out whatever happens to the old message)."""
    query = update.callback_query
    markup = query.message.reply_markup if query.message is not None else None
    buttons = [button for row in (markup.inline_keyboard if markup else ()) for button in row]
    if not any(button.callback_data == query.data for button in buttons):
        return
    rows = [
        kept
        for row in markup.inline_keyboard
        if (kept := [button for button in row if button.callback_data != query.data])
    ]
    try:
        await redraw(update, keyboard=InlineKeyboardMarkup(rows) if rows else None)
    except TelegramError as error:
        log.info("could not take a used digest button away: %s", error)
