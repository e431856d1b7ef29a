"""The fake Telegram Bot API, driven by the real python-telegram-bot over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import html
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
)

from bot.fakeapi import FakeTelegram, parse_html, utf16_len

TOKEN = "123:TEST"
ECHO_BOT = Path(__file__).parent / "fixtures" / "fakeapi" / "echo_bot.py"
SUPERGROUP = -1001234567890


class FakeClock:
    """Flood control's clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(flood_limits=False) as fake:
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=tg.base_url, base_file_url=tg.base_file_url) as real_bot:
        yield real_bot


@pytest.fixture
def timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 reports RetryAfter.retry_after as a timedelta once opted in (no warning)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


def build_app(tg: FakeTelegram) -> Application:
    builder = ApplicationBuilder().token(TOKEN).base_url(tg.base_url)
    return builder.base_file_url(tg.base_file_url).build()


@contextlib.asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(" ".join(context.args or []))


# -- the real Application, end to end --------------------------------------------------------


async def test_command_reaches_the_bot_and_its_reply_is_recorded(tg: FakeTelegram) -> None:
    app = build_app(tg)
    app.add_handler(CommandHandler("echo", echo))
    async with polling(app):
        update = tg.inject_message(42, "/echo hi there", language_code="de")
        call = await tg.wait_for("sendMessage", chat_id=42)

    assert update is not None
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 5}]
    assert call.ok and call.result["text"] == "hi there"
    assert call.result["message_id"] == update["message"]["message_id"] + 1
    [reply] = tg.sent_messages(42)
    assert (reply.text, reply.from_bot) == ("hi there", True)
    assert tg.pending_updates() == []  # PTB confirmed the update when it stopped


async def test_group_sees_commands_for_this_bot_only(tg: FakeTelegram) -> None:
    app = build_app(tg)
    app.add_handler(CommandHandler("echo", echo))
    async with polling(app):
        assert tg.inject_message(-5, "/echo@newsgist_test_bot to the group", user_id=7)
        call = await tg.wait_for("sendMessage", chat_id=-5)
        # privacy mode: plain chatter and commands for other bots never reach the bot
        assert tg.inject_message(-5, "just chatting", user_id=7) is None
        assert tg.inject_message(-5, "/echo@other_bot hello", user_id=7) is None

    assert call.result["text"] == "to the group"
    assert call.result["chat"] == {"id": -5, "type": "group", "title": "Group -5"}


async def test_callback_query_round_trip(tg: FakeTelegram) -> None:
    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        keyboard = [[InlineKeyboardButton("More", callback_data="more:1")]]
        await update.message.reply_text("Pick one", reply_markup=InlineKeyboardMarkup(keyboard))

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Loading")
        await query.edit_message_text(f"You chose {query.data}")

    app = build_app(tg)
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CallbackQueryHandler(pressed))
    async with polling(app):
        tg.inject_message(5, "/menu")
        await tg.wait_for("sendMessage", chat_id=5)
        [shown] = tg.sent_messages(5)
        [button] = shown.buttons()
        press = tg.inject_callback(5, shown.message_id, button["callback_data"])
        await tg.wait_for("editMessageText", chat_id=5)

    [answer] = tg.calls("answerCallbackQuery")
    assert answer.ok and answer.params["text"] == "Loading"
    assert answer.params["callback_query_id"] == press["callback_query"]["id"]
    # editing without reply_markup drops the keyboard, as Telegram does
    assert (shown.text, shown.reply_markup) == ("You chose more:1", None)
    assert shown.edit_date is not None
    with pytest.raises(ValueError, match="no button"):
        tg.inject_callback(5, shown.message_id, "forged")


async def test_inline_query_round_trip(tg: FakeTelegram) -> None:
    async def search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.inline_query
        assert query is not None
        results = [
            InlineQueryResultArticle(
                id=f"{query.query}-{n}",
                title=f"Result {n}",
                input_message_content=InputTextMessageContent(
                    f"<b>{html.escape(query.query)}</b> #{n}", parse_mode="HTML"
                ),
            )
            for n in range(3)
        ]
        await query.answer(results, next_offset="3")

    app = build_app(tg)
    app.add_handler(InlineQueryHandler(search))
    async with polling(app):
        injected = tg.inject_inline_query(9, "taiwan & chips")
        call = await tg.wait_for("answerInlineQuery")

    assert call.ok
    assert call.params["inline_query_id"] == injected["inline_query"]["id"]
    assert [r["id"] for r in call.params["results"]] == [f"taiwan & chips-{n}" for n in range(3)]
    assert call.params["next_offset"] == "3"


async def test_migrated_group(tg: FakeTelegram, bot: Bot) -> None:
    tg.inject_my_chat_member(-5, "member", user_id=7)
    tg.inject_migration(-5, SUPERGROUP)
    updates = await bot.get_updates(timeout=0)
    migrations = [u.message for u in updates if u.message]
    assert [(m.chat.id, m.migrate_to_chat_id, m.migrate_from_chat_id) for m in migrations] == [
        (-5, SUPERGROUP, None),
        (SUPERGROUP, None, -5),
    ]

    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(-5, "still there?")
    assert migrated.value.new_chat_id == SUPERGROUP
    sent = await bot.send_message(SUPERGROUP, "moved")
    assert sent.chat.type == "supergroup"


async def test_bot_restarted_in_another_process_gets_what_was_sent_meanwhile(
    tg: FakeTelegram,
) -> None:
    async def start_bot() -> asyncio.subprocess.Process:
        quiet = asyncio.subprocess.DEVNULL
        return await asyncio.create_subprocess_exec(
            sys.executable, str(ECHO_BOT), tg.base_url, stdout=quiet, stderr=quiet
        )

    first = await start_bot()
    try:
        tg.inject_message(8, "/echo one")
        await tg.wait_for("sendMessage", chat_id=8, timeout=30)
        # killed before its next getUpdates, the bot would get "/echo one" again, as on
        # Telegram; here it has confirmed it first
        await tg.wait_until(lambda: not tg.pending_updates())
    finally:
        first.kill()
        await first.wait()
    tg.inject_message(8, "/echo two")  # while no bot is running
    second = await start_bot()
    try:
        await tg.wait_for("sendMessage", chat_id=8, timeout=30)
    finally:
        second.terminate()
        await second.wait()

    assert [(m.message_id, m.text) for m in tg.sent_messages(8)] == [(2, "one"), (4, "two")]


# -- formatting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<p>paragraph</p>", 'unsupported start tag "p"'),
        ("line<br>break", 'unsupported start tag "br"'),
        ("<b>never closed", 'can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>crossed</b></i>", 'unmatched end tag at byte offset 13, expected "</i>"'),
        ("stray</b>", "unexpected end tag"),
        ("1 < 2", 'character "<" at byte offset 2'),
        ("AT&T", 'character "&" at byte offset 2'),
        ("a -> b", 'character ">"'),
        ("a&nbsp;b", 'unsupported html entity "&nbsp;"'),
        ('<span class="red">x</span>', 'tag "span" must have class "tg-spoiler"'),
        ('<a href="https://example.com">open', "can't find end tag"),
    ],
)
async def test_html_telegram_refuses(tg: FakeTelegram, bot: Bot, text: str, reason: str) -> None:
    tg.add_chat(1)
    with pytest.raises(BadRequest) as refused:
        await bot.send_message(1, text, parse_mode="HTML")
    assert f"can't parse entities: {reason}" in str(refused.value).lower()
    assert tg.sent_messages() == []


async def test_html_accepted_gives_visible_text_and_utf16_entities(
    tg: FakeTelegram, bot: Bot
) -> None:
    tg.add_chat(1)
    text = (
        "<b>Bold</b> &lt;tag&gt; &amp; &quot;q&quot; &#128512; "
        '<a href="https://e.com/?a=1&b=2">link</a> <tg-spoiler>hidden</tg-spoiler> '
        '<blockquote expandable>quote</blockquote> <pre><code class="language-python">x = 1'
        "</code></pre>"
    )
    message = await bot.send_message(1, text, parse_mode="HTML")

    assert message.text == 'Bold <tag> & "q" 😀 link hidden quote x = 1'
    by_type = {entity.type: (entity, part) for entity, part in message.parse_entities().items()}
    assert by_type["bold"][1] == "Bold"
    assert by_type["text_link"][1] == "link"  # found by PTB through UTF-16 offsets
    assert by_type["text_link"][0].url == "https://e.com/?a=1&b=2"
    assert by_type["spoiler"][1] == "hidden"
    assert by_type["expandable_blockquote"][1] == "quote"
    assert (by_type["pre"][1], by_type["pre"][0].language) == ("x = 1", "python")


async def test_escaped_headline_is_shown_verbatim(tg: FakeTelegram, bot: Bot) -> None:
    tg.add_chat(1)
    headline = 'Q&A: why <script> tags & "quotes" aren\'t news'
    message = await bot.send_message(1, f"<b>{html.escape(headline)}</b>", parse_mode="HTML")
    assert message.text == headline


@given(st.text(max_size=200))
def test_escaped_text_parses_back_to_itself(text: str) -> None:
    parsed = parse_html(f"<i>{html.escape(text)}</i>")
    assert parsed.text == text.strip()
    lengths = [entity["length"] for entity in parsed.entities]
    assert lengths == ([utf16_len(parsed.text)] if parsed.text else [])


@pytest.mark.parametrize(
    "text",
    [
        "a" * 4096,
        "<b>" + "a" * 4096 + "</b>",  # tags are not counted
        "&amp;" * 4096,  # an entity is one character
        "😀" * 2048,  # two UTF-16 units each
        "  " + "a" * 4096 + "\n",  # surrounding white space is dropped
    ],
)
async def test_4096_visible_units_are_accepted(tg: FakeTelegram, bot: Bot, text: str) -> None:
    tg.add_chat(1)
    message = await bot.send_message(1, text, parse_mode="HTML")
    assert message.text is not None and utf16_len(message.text) == 4096


@pytest.mark.parametrize(
    "text",
    ["a" * 4097, "<i>" + "a" * 4097 + "</i>", "😀" * 2048 + "a", "é" * 4097],
)
async def test_4097_visible_units_are_too_long(tg: FakeTelegram, bot: Bot, text: str) -> None:
    tg.add_chat(1)
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(1, text, parse_mode="HTML")


@pytest.mark.parametrize("text", [" \n ", "<b> </b>"])
async def test_blank_text_is_empty(tg: FakeTelegram, bot: Bot, text: str) -> None:
    tg.add_chat(1)
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(1, text, parse_mode="HTML")


# -- keyboards -------------------------------------------------------------------------------


def keyboard(**button: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Go", **button)]])  # type: ignore[arg-type]


@pytest.mark.parametrize("data", ["x" * 64, "é" * 32, "1"])
async def test_callback_data_up_to_64_bytes(tg: FakeTelegram, bot: Bot, data: str) -> None:
    tg.add_chat(1)
    message = await bot.send_message(1, "pick", reply_markup=keyboard(callback_data=data))
    assert message.reply_markup is not None
    assert message.reply_markup.inline_keyboard[0][0].callback_data == data


@pytest.mark.parametrize("data", ["x" * 65, "é" * 33])
async def test_callback_data_over_64_bytes(tg: FakeTelegram, bot: Bot, data: str) -> None:
    tg.add_chat(1)
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(1, "pick", reply_markup=keyboard(callback_data=data))


async def test_url_buttons_and_keyboard_size(tg: FakeTelegram, bot: Bot) -> None:
    tg.add_chat(1)
    for url in ("https://example.com/a?b=c", "tg://resolve?domain=newsgist_test_bot"):
        await bot.send_message(1, "open", reply_markup=keyboard(url=url))
    for url in ("ftp://example.com/file", "javascript:alert(1)", "example.com"):
        with pytest.raises(BadRequest, match="(?i)wrong http url"):
            await bot.send_message(1, "open", reply_markup=keyboard(url=url))
    rows = [[InlineKeyboardButton(str(n), callback_data=str(n))] for n in range(101)]
    with pytest.raises(BadRequest, match="(?i)reply markup is too long"):
        await bot.send_message(1, "pages", reply_markup=InlineKeyboardMarkup(rows))


# -- flood control ---------------------------------------------------------------------------


async def test_flooding_one_chat_gets_retry_after(timedelta_retry_after: None) -> None:
    clock = FakeClock()
    async with (
        FakeTelegram(clock=clock) as tg,
        Bot(TOKEN, base_url=tg.base_url) as bot,
    ):
        tg.add_chat(1)
        for n in range(3):  # a small burst passes
            await bot.send_message(1, f"burst {n}")
        with pytest.raises(RetryAfter) as flooded:
            await bot.send_message(1, "one too many")
        assert flooded.value.retry_after == dtm.timedelta(seconds=1)
        for n in range(5):  # one a second is fine for ever
            clock.advance(1)
            await bot.send_message(1, f"steady {n}")
        with pytest.raises(RetryAfter):
            await bot.send_message(1, "no pause")

    assert tg.too_many_requests == 2
    assert len(tg.sent_messages(1)) == 8


async def test_flooding_across_chats_hits_the_global_limit(timedelta_retry_after: None) -> None:
    clock = FakeClock()
    async with (
        FakeTelegram(clock=clock) as tg,
        Bot(TOKEN, base_url=tg.base_url) as bot,
    ):
        for chat_id in range(1, 33):
            tg.add_chat(chat_id)
        for chat_id in range(1, 31):
            await bot.send_message(chat_id, "news")
        with pytest.raises(RetryAfter) as flooded:
            await bot.send_message(31, "news")
        assert flooded.value.retry_after == dtm.timedelta(seconds=1)
        clock.advance(0.1)  # thirty a second: three more tokens
        await bot.send_message(31, "news")

    assert tg.too_many_requests == 1


async def test_a_group_gets_about_twenty_messages_a_minute(timedelta_retry_after: None) -> None:
    clock = FakeClock()
    accepted = 0
    waits: list[dtm.timedelta] = []
    async with (
        FakeTelegram(clock=clock) as tg,
        Bot(TOKEN, base_url=tg.base_url) as bot,
    ):
        tg.add_chat(-5)
        for _ in range(60):  # one a second, fine in a private chat (see above)
            clock.advance(1)
            try:
                await bot.send_message(-5, "tick")
                accepted += 1
            except RetryAfter as exc:
                waits.append(exc.retry_after)  # type: ignore[arg-type]

    assert 20 <= accepted <= 40  # a burst of twenty, then one every three seconds
    assert waits and max(waits) <= dtm.timedelta(seconds=3)


async def test_flood_control_can_be_turned_off(tg: FakeTelegram, bot: Bot) -> None:
    tg.add_chat(1)
    for n in range(20):
        await bot.send_message(1, f"message {n}")
    assert tg.too_many_requests == 0


# -- chats the bot may not write to ----------------------------------------------------------


async def test_blocked_and_deactivated_users(tg: FakeTelegram, bot: Bot) -> None:
    tg.add_chat(1)
    tg.add_chat(2)
    tg.block(1)
    tg.deactivate(2)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(1, "hello?")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_chat_action(1, "typing")
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_message(2, "hello?")
    assert (await bot.get_chat(1)).id == 1  # a blocked user can still be looked up

    tg.unblock(1)
    await bot.send_message(1, "welcome back")
    tg.inject_my_chat_member(1, "kicked")  # blocking, with the update Telegram sends
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(1, "hello?")
    tg.inject_message(1, "/start")  # the user restarts the bot
    await bot.send_message(1, "welcome back again")

    updates = await bot.get_updates(timeout=0)
    seen = [
        u.my_chat_member.new_chat_member.status if u.my_chat_member else u.message.text
        for u in updates
        if u.my_chat_member or u.message
    ]  # type: ignore[union-attr]
    assert seen == ["kicked", "member", "/start"]


async def test_removed_from_groups(tg: FakeTelegram, bot: Bot) -> None:
    tg.inject_my_chat_member(-5, "member", user_id=7)
    await bot.send_message(-5, "hi group")
    tg.inject_my_chat_member(-5, "kicked", user_id=7)
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(-5, "hello?")
    tg.add_chat(SUPERGROUP)
    tg.kick(SUPERGROUP)
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(SUPERGROUP, "hello?")

    updates = await bot.get_updates(timeout=0)
    statuses = [u.my_chat_member.new_chat_member.status for u in updates if u.my_chat_member]
    assert statuses == ["member", "kicked"]


async def test_unknown_chat(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(999, "anyone?")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.get_chat(999)


async def test_members_admins_and_leaving(tg: FakeTelegram, bot: Bot) -> None:
    tg.inject_my_chat_member(-5, "administrator", user_id=7, title="News fans")
    tg.set_admins(-5, [8], creator=7)
    tg.inject_message(-5, "/start", user_id=9)

    chat = await bot.get_chat(-5)
    assert (chat.title, chat.type) == ("News fans", "group")
    admins = await bot.get_chat_administrators(-5)
    assert [(m.user.id, m.status) for m in admins] == [
        (7, "creator"),
        (8, "administrator"),
        (bot.id, "administrator"),
    ]
    statuses = [(await bot.get_chat_member(-5, uid)).status for uid in (9, 99, bot.id)]
    assert statuses == ["member", "left", "administrator"]
    tg.add_chat(9)
    with pytest.raises(BadRequest, match="(?i)no administrators in the private chat"):
        await bot.get_chat_administrators(9)

    assert await bot.leave_chat(-5)
    with pytest.raises(Forbidden, match="bot is not a member of the group chat"):
        await bot.send_message(-5, "still here?")


# -- messages --------------------------------------------------------------------------------


async def test_edits_deletes_and_replies_are_checked(tg: FakeTelegram, bot: Bot) -> None:
    question = tg.inject_message(1, "what's new?")
    assert question is not None
    user_message_id = question["message"]["message_id"]
    sent = await bot.send_message(1, "hello", reply_to_message_id=user_message_id)
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.message_id == user_message_id

    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("hello", 1, sent.message_id)
    edited = await bot.edit_message_text("<i>hello</i>", 1, sent.message_id, parse_mode="HTML")
    assert isinstance(edited, type(sent)) and edited.text == "hello"
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", 1, 999)
    with pytest.raises(BadRequest, match="(?i)message can't be edited"):
        await bot.edit_message_text("x", 1, user_message_id)
    with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
        await bot.send_message(1, "re", reply_to_message_id=999)

    assert await bot.delete_message(1, sent.message_id)
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(1, sent.message_id)
    assert tg.sent_messages(1)[0].deleted


async def test_queries_are_answered_once_and_inline_results_are_checked(
    tg: FakeTelegram, bot: Bot
) -> None:
    def article(result_id: str, text: str = "x") -> InlineQueryResultArticle:
        return InlineQueryResultArticle(result_id, "t", InputTextMessageContent(text, "HTML"))

    query_id = tg.inject_inline_query(9, "news")["inline_query"]["id"]
    refused = {
        "RESULTS_TOO_MUCH": [article(str(n)) for n in range(51)],
        "RESULT_ID_DUPLICATE": [article("a"), article("a")],
        "RESULT_ID_INVALID": [article("x" * 65)],
        "can't parse entities": [article("a", "<b>unclosed")],
    }
    for reason, results in refused.items():
        with pytest.raises(BadRequest, match=f"(?i){reason}"):
            await bot.answer_inline_query(query_id, results)
    assert await bot.answer_inline_query(query_id, [article(str(n)) for n in range(50)])
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_inline_query(query_id, [])


async def test_commands_are_stored_per_language_and_scope(tg: FakeTelegram, bot: Bot) -> None:
    english = [BotCommand("digest", "Today's digest"), BotCommand("follow", "Follow a topic")]
    german = [BotCommand("digest", "Heutige Übersicht")]
    assert await bot.set_my_commands(english)
    assert await bot.set_my_commands(german, language_code="de")
    assert await bot.set_my_commands([BotCommand("admin", "Admin")], BotCommandScopeChat(-5))

    assert list(await bot.get_my_commands()) == english
    assert list(await bot.get_my_commands(language_code="de")) == german
    assert list(await bot.get_my_commands(language_code="fr")) == []
    assert [c["command"] for c in tg.commands(scope={"type": "chat", "chat_id": -5})] == ["admin"]
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Digest", "capital letters")])
    assert await bot.delete_my_commands(language_code="de")
    assert tg.commands("de") == []


# -- getUpdates --------------------------------------------------------------------------------


async def test_get_updates_offset_confirms(tg: FakeTelegram, bot: Bot) -> None:
    ids = [tg.inject_message(1, f"m{n}")["update_id"] for n in range(3)]  # type: ignore[index]

    assert [u.update_id for u in await bot.get_updates(timeout=0)] == ids
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == ids  # not confirmed yet
    assert [u.update_id for u in await bot.get_updates(offset=ids[0] + 1, limit=1)] == ids[1:2]
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[2:]
    assert await bot.get_updates(offset=ids[2] + 1) == ()
    assert await bot.get_updates(timeout=0) == ()  # confirmed updates never come back


async def test_long_poll_answers_as_soon_as_an_update_arrives(tg: FakeTelegram, bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.05)  # let the poll reach the server
    tg.inject_message(1, "ping")
    [update] = await poll
    assert update.message is not None and update.message.text == "ping"
    assert loop.time() - started < 2


async def test_allowed_updates_filters_and_is_remembered(tg: FakeTelegram, bot: Bot) -> None:
    tg.inject_message(1, "dropped")
    tg.inject_inline_query(1, "kept")
    [update] = await bot.get_updates(timeout=0, allowed_updates=["inline_query"])
    assert update.inline_query is not None
    tg.inject_message(1, "also dropped")
    assert [u.inline_query for u in await bot.get_updates(timeout=0)] == [update.inline_query]
    assert (await bot.get_webhook_info()).allowed_updates == ("inline_query",)


async def test_second_poller_and_webhook_conflict(tg: FakeTelegram, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.05)
    async with Bot(TOKEN, base_url=tg.base_url) as other_instance:
        await other_instance.get_updates(timeout=0)
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first

    with pytest.raises(BadRequest, match="(?i)HTTPS URL"):
        await bot.set_webhook("http://example.com/hook")
    assert await bot.set_webhook("https://example.com/hook")
    assert (await bot.get_webhook_info()).url == "https://example.com/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates(timeout=0)
    assert await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == ()


# -- faults, transport, helpers ----------------------------------------------------------------


async def test_injected_faults(tg: FakeTelegram, bot: Bot, timedelta_retry_after: None) -> None:
    tg.add_chat(1)
    tg.fail_next("sendMessage", 502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(1, "first try")
    tg.fail_next("sendmessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as limited:
        await bot.send_message(1, "second try")
    assert limited.value.retry_after == dtm.timedelta(seconds=7)
    await bot.send_message(1, "third try")
    assert [m.text for m in tg.sent_messages()] == ["third try"]
    assert [c.status for c in tg.calls("sendMessage")] == [502, 429, 200]

    tg.delay_next("sendMessage", 0.3)
    with pytest.raises(TimedOut):
        await bot.send_message(1, "slow", read_timeout=0.05)
    # the answer was late, but the message went out: a retry would send it twice
    assert tg.sent_messages()[-1].text == "slow"
    with pytest.raises(ValueError, match="no method"):
        tg.fail_next("sendTelepathy")


async def test_unknown_method_and_bad_tokens(tg: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy")
    async with FakeTelegram(token="123:RIGHT") as strict:
        async with Bot("123:RIGHT", base_url=strict.base_url) as right:
            assert (await right.get_me()).username == "newsgist_test_bot"
        with pytest.raises(InvalidToken):
            async with Bot("123:WRONG", base_url=strict.base_url):
                pass
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{tg.base_url}not-a-token/getMe")
    assert (answer.status_code, answer.json()["description"]) == (404, "Not Found")


async def test_form_json_and_query_requests_are_recorded_alike(tg: FakeTelegram) -> None:
    tg.add_chat(1)
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    url = f"{tg.base_url}{TOKEN}/sendMessage"
    async with httpx.AsyncClient() as client:
        await client.post(
            url, data={"chat_id": "1", "text": "hi", "reply_markup": str(markup).replace("'", '"')}
        )
        await client.post(url, json={"chat_id": 1, "text": "hi", "reply_markup": markup})
        await client.get(url, params={"chat_id": "1", "text": "hi"})

    form, body, query = tg.calls("sendMessage")
    assert form.params == body.params == {"chat_id": 1, "text": "hi", "reply_markup": markup}
    assert query.ok and query.params == {"chat_id": 1, "text": "hi"}


async def test_listener_sees_each_answered_call(tg: FakeTelegram, bot: Bot) -> None:
    tg.add_chat(1)
    seen = []
    remove = tg.add_listener(seen.append)
    await bot.send_message(1, "one")
    remove()
    await bot.send_message(1, "two")
    assert [(c.method, c.params["text"]) for c in seen] == [("sendMessage", "one")]


async def test_wait_for_times_out_with_what_it_saw(tg: FakeTelegram, bot: Bot) -> None:
    tg.inject_message(1, "hello")
    await bot.get_updates(timeout=0)
    with pytest.raises(TimeoutError, match=r"seen: getUpdates\(200\)"):
        await tg.wait_for("sendMessage", timeout=0.05)


def test_thread_runner_serves_synchronous_callers() -> None:
    with FakeTelegram.run_in_thread(flood_limits=False) as tg:
        tg.inject_message(3, "/start")
        with httpx.Client(base_url=f"{tg.base_url}{TOKEN}/") as client:
            updates = client.post("getUpdates", data={"timeout": "0"}).json()["result"]
            client.post("sendMessage", data={"chat_id": "3", "text": "welcome"})
        call = tg.wait_for_blocking("sendMessage", chat_id=3, timeout=5)
        sent = tg.sent_messages(3)

    assert [u["message"]["text"] for u in updates] == ["/start"]
    assert call.result["text"] == "welcome"
    assert [m.text for m in sent] == ["welcome"]
