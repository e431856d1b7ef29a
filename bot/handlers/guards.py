"""Who may do what, and how often: the group-admin check and the per-user command limit.

Both keep a little state per process (safe to lose on restart) and read time from the
injected clock, so tests move time instead of waiting.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import Enum

from telegram import Bot, ChatMember, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.clock import Clock
from bot.context import BotContext
from bot.i18n import language_for, t
from bot.render import plain
from storage import chats

ADMIN_STATUSES = frozenset({ChatMember.ADMINISTRATOR, ChatMember.OWNER})


class Verdict(Enum):
    OK = "ok"
    NOTICE = "notice"  # the first refused command of a flood: say so once
    DROP = "drop"  # later ones: ignore quietly


class CommandLimit:
    """At most `per_window` commands (or button presses) per user in a sliding window."""

    _SWEEP_EVERY = 1024

    def __init__(self, clock: Clock, per_window: int = 20, window: float = 60.0) -> None:
        self.clock = clock
        self.per_window = per_window
        self.window = window
        self._seen: dict[int, deque[float]] = {}
        self._noticed: dict[int, float] = {}  # user -> when the flood notice went out
        self._hits = 0

    def hit(self, user_id: int) -> Verdict:
        now = self.clock.monotonic()
        self._hits += 1
        if self._hits % self._SWEEP_EVERY == 0:
            self._sweep(now)
        times = self._seen.setdefault(user_id, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) < self.per_window:
            times.append(now)
            return Verdict.OK
        noticed = self._noticed.get(user_id)
        if noticed is not None and noticed > now - self.window:
            return Verdict.DROP
        self._noticed[user_id] = now
        return Verdict.NOTICE

    def _sweep(self, now: float) -> None:
        """Forget users quiet for a whole window, so memory follows the active users."""
        self._seen = {u: ts for u, ts in self._seen.items() if ts and ts[-1] > now - self.window}
        self._noticed = {u: ts for u, ts in self._noticed.items() if ts > now - self.window}


class AdminCache:
    """Is a user an admin of a group? Asked with getChatMember, remembered for `ttl` s."""

    def __init__(self, clock: Clock, ttl: float = 60.0, size: int = 4096) -> None:
        self.clock = clock
        self.ttl = ttl
        self.size = size
        self._known: dict[tuple[int, int], tuple[bool, float]] = {}

    async def is_admin(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        now = self.clock.monotonic()
        cached = self._known.get((chat_id, user_id))
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            member = await bot.get_chat_member(chat_id, user_id)
        except TelegramError:
            return False  # cannot tell: refuse, and ask again next time
        answer = member.status in ADMIN_STATUSES
        if len(self._known) >= self.size:
            self._known = {k: v for k, v in self._known.items() if v[1] > now}
            if len(self._known) >= self.size:
                self._known.clear()
        self._known[(chat_id, user_id)] = (answer, now + self.ttl)
        return answer


@dataclass
class Guards:
    """The per-process guards every handler shares (kept in `Deps`)."""

    admins: AdminCache
    commands: CommandLimit

    @classmethod
    def for_clock(cls, clock: Clock) -> Guards:
        return cls(AdminCache(clock), CommandLimit(clock))


async def throttle(update: Update, context: BotContext) -> None:
    """Runs before every handler: a user over the command limit is told once, then ignored.

    Counts messages and button presses (not inline queries, which arrive per keystroke).
    """
    user = update.effective_user
    typed = update.message is not None and bool(update.message.text)
    if user is None or not (typed or update.callback_query is not None):
        return
    verdict = context.deps.guards.commands.hit(user.id)
    if verdict is Verdict.OK:
        return
    if verdict is Verdict.NOTICE:
        chat = (
            chats.get_chat(context.db, update.effective_chat.id) if update.effective_chat else None
        )
        lang = chat.language if chat else language_for(user.language_code)
        text = t(lang, "error.rate_limited")
        if update.callback_query is not None:
            await update.callback_query.answer(plain(text))
        else:
            await update.message.reply_text(text)
    elif update.callback_query is not None:
        await update.callback_query.answer()  # stop the button's spinner, say nothing
    raise ApplicationHandlerStop
