"""`FakeTelegram`: the HTTP server, its call log, and the controls tests and `newsgist chat` use.

The bot reaches the fake only over HTTP, exactly as it reaches api.telegram.org, so a bot in
another process (killed and restarted mid-test) sees one continuous Telegram.

All state lives on the event loop that runs the server. The public synchronous methods may
also be called from another thread (see `run_in_thread`): they then run on the server's loop
and return its answer.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import json
import logging
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from typing import Any, ParamSpec, TypeVar

from aiohttp import web

from bot.fakeapi import updates
from bot.fakeapi.exceptions import ApiError, bad_request
from bot.fakeapi.flood import FloodControl, FloodLimits
from bot.fakeapi.methods import METHODS
from bot.fakeapi.params import Params, normalise
from bot.fakeapi.state import JSON, Call, Chat, StoredMessage, User, World
from bot.fakeapi.validate import commands_key

_LOG = logging.getLogger(__name__)

_CANONICAL = {name.lower(): name for name in [*METHODS, "getUpdates"]}
_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
_MAX_POLL_TIMEOUT = 50  # seconds, as Telegram caps long polling
_CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)
_CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)

P = ParamSpec("P")
R = TypeVar("R")
CallMatch = str | Callable[[Call], bool] | None


def _on_server_loop(func: Callable[P, R]) -> Callable[P, R]:
    """Run the method on the server's loop when called from another thread."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        self = args[0]
        assert isinstance(self, FakeTelegram)
        loop = self._loop
        if loop is None or threading.get_ident() == self._loop_thread:
            return func(*args, **kwargs)
        future: concurrent.futures.Future[R] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(func(*args, **kwargs))
            except Exception as exc:  # handed to the calling thread
                future.set_exception(exc)

        loop.call_soon_threadsafe(run)
        return future.result()

    return wrapper


class _Signal:
    """Wakes every waiter when something happened (a call answered, an update queued)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)


def canonical_method(name: str) -> str:
    """The Bot API spelling of a method the fake serves ("sendmessage" -> "sendMessage")."""
    try:
        return _CANONICAL[name.lower()]
    except KeyError:
        raise ValueError(f"the fake Bot API has no method {name!r}") from None


def _matcher(
    match: CallMatch, chat_id: int | str | None, ok: bool | None
) -> Callable[[Call], bool]:
    method = canonical_method(match) if isinstance(match, str) else None

    def matches(call: Call) -> bool:
        if method is not None and call.method != method:
            return False
        if callable(match) and not match(call):
            return False
        if chat_id is not None and call.chat_id != chat_id:
            return False
        return ok is None or call.ok == ok

    return matches


class FakeTelegram:
    """A Telegram Bot API server on 127.0.0.1 with a scriptable world behind it.

    Point python-telegram-bot at it with
    `ApplicationBuilder().token(...).base_url(tg.base_url).base_file_url(tg.base_file_url)`.

    `token=None` accepts any well-formed token; a given token makes others answer 401.
    `flood_limits=False` turns flood control off; `clock` drives flood control (seconds,
    monotonic) so tests can move time. `privacy_mode` hides ordinary group messages from the
    bot, as Telegram does unless privacy mode is switched off in BotFather.

    Users act through `inject_*`; the bot's side is read with `calls`, `sent_messages` and
    awaited with `wait_for`/`wait_until`; `block`, `kick`, `fail_next`, `delay_next` make
    Telegram refuse. `world` holds the raw state, for inspection.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_id: int | None = None,
        username: str = "newsgist_test_bot",
        first_name: str = "newsgist",
        host: str = "127.0.0.1",
        port: int = 0,
        flood_limits: FloodLimits | bool = True,
        clock: Callable[[], float] = time.monotonic,
        privacy_mode: bool = True,
    ) -> None:
        if token is not None and not _TOKEN.fullmatch(token):
            raise ValueError("a bot token looks like 123456:ABC-def")
        if bot_id is None:
            bot_id = int(token.split(":")[0]) if token else 123
        if flood_limits is True:
            flood_limits = FloodLimits()
        flood = FloodControl(flood_limits, clock) if flood_limits else None
        self.token = token
        self.host = host
        self.port = port
        self.world = World(
            bot=User(bot_id, first_name, username, is_bot=True),
            flood=flood,
            privacy_mode=privacy_mode,
        )
        self._calls: list[Call] = []
        self._since = 0  # call index at the last injected update
        self._faults: defaultdict[str, deque[ApiError]] = defaultdict(deque)
        self._delays: defaultdict[str, deque[float]] = defaultdict(deque)
        self._listeners: list[Callable[[Call], None]] = []
        self._poll_generation = 0
        self._closing = False
        self._changed: _Signal | None = None
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None

    # -- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on host:port (port 0 picks a free one, then `port` holds it)."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._changed = _Signal()
        self._closing = False
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Answer pending long polls, then close the server."""
        if self._runner is None:
            return
        self._closing = True
        self._notify()
        await self._runner.cleanup()
        self._runner = None
        self._loop = self._loop_thread = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @classmethod
    @contextlib.contextmanager
    def run_in_thread(cls, **options: Any) -> Iterator[FakeTelegram]:
        """Serve from a background thread, for synchronous callers (CLI, sync tests).

        `options` are the constructor's. The yielded server's public methods are safe to call
        from the calling thread; use `wait_for_blocking` instead of `wait_for`.
        """
        fake = cls(**options)
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="fake-telegram", daemon=True)
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(fake.start(), loop).result()
            yield fake
        finally:
            asyncio.run_coroutine_threadsafe(fake.stop(), loop).result()
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            loop.close()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For `ApplicationBuilder().base_url`: PTB appends the token, then "/method"."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    # -- HTTP -------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        method = _CANONICAL.get(name.lower(), name)
        params: Params = {}
        try:
            self._check_token(request.match_info["token"])
            if method not in _CANONICAL.values():
                raise ApiError(404, "Not Found")
            params = normalise(await _read_params(request))
            fault = self._pop(self._faults, method)
            if fault is not None:
                raise fault
            result = await self._dispatch(method, params)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as error:
            status, body = error.status, error.body()
        self._record(method, params, status, body)
        delay = self._pop(self._delays, method)
        if delay:
            await asyncio.sleep(delay)
        return web.json_response(body, status=status, dumps=_dumps)

    def _check_token(self, token: str) -> None:
        if not _TOKEN.fullmatch(token):
            raise ApiError(404, "Not Found")
        if self.token is not None and token != self.token:
            raise ApiError(401, "Unauthorized")

    async def _dispatch(self, method: str, params: Params) -> Any:
        if method == "getUpdates":
            return await self._get_updates(params)
        return METHODS[method](self.world, params)

    async def _get_updates(self, p: Params) -> list[JSON]:
        """Long poll: answer as soon as an update is pending or the timeout ends.

        A newer getUpdates ends an older one with 409 Conflict, as on Telegram; that is what
        a killed bot process leaves behind when its successor starts polling.
        """
        queue = self.world.updates
        if self.world.webhook_url:
            raise ApiError(409, _CONFLICT_WEBHOOK)
        self._poll_generation += 1
        generation = self._poll_generation
        if "allowed_updates" in p:
            queue.set_allowed(p["allowed_updates"])
        queue.confirm(p.get("offset", 0))
        self._notify()  # ends an older poll; shows wait_until the confirmation
        limit = min(max(p.get("limit", 100), 1), 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(max(p.get("timeout", 0), 0), _MAX_POLL_TIMEOUT)
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, _CONFLICT_POLL)
            batch = queue.take(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._closing:
                return batch
            assert self._changed is not None
            await self._changed.wait(remaining)

    @staticmethod
    def _pop(table: defaultdict[str, deque[Any]], method: str) -> Any:
        pending = table.get(method)
        return pending.popleft() if pending else None

    def _record(self, method: str, params: Params, status: int, body: JSON) -> None:
        call = Call(len(self._calls), method, params, time.time(), status, body)
        self._calls.append(call)
        for listener in list(self._listeners):
            try:
                listener(call)
            except Exception:
                _LOG.exception("fake Telegram listener failed on %s", method)
        self._notify()

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.fire()

    # -- what the bot did -------------------------------------------------------------------

    @_on_server_loop
    def calls(
        self,
        method: str | None = None,
        *,
        chat_id: int | str | None = None,
        ok: bool | None = None,
    ) -> list[Call]:
        """Recorded calls in the order they were answered, optionally filtered."""
        matches = _matcher(method, chat_id, ok)
        return [call for call in self._calls if matches(call)]

    @_on_server_loop
    def sent_messages(self, chat_id: int | None = None) -> list[StoredMessage]:
        """Messages the bot sent, in order, as they stand now (after edits, deletions)."""
        return [m for m in self.world.sent if chat_id is None or m.chat_id == chat_id]

    @_on_server_loop
    def mark(self) -> int:
        """The current position in the call log, for `wait_for(since=...)`."""
        return len(self._calls)

    @property
    def too_many_requests(self) -> int:
        """How many calls were answered 429 (flood control or an injected fault)."""
        return sum(1 for call in self.calls() if call.status == 429)

    async def wait_for(
        self,
        match: CallMatch = None,
        *,
        chat_id: int | str | None = None,
        ok: bool | None = None,
        count: int = 1,
        since: int | None = None,
        timeout: float = 5.0,
    ) -> Call:
        """The `count`-th matching call since `since` (default: the last injected update).

        `match` is a method name, a predicate on `Call`, or None for any call. Returns as soon
        as the call is answered; raises TimeoutError listing the calls seen otherwise.
        """
        matches = _matcher(match, chat_id, ok)
        start = self._since if since is None else since

        def found() -> Call | None:
            hits = [call for call in self._calls[start:] if matches(call)]
            return hits[count - 1] if len(hits) >= count else None

        def seen() -> str:
            calls = ", ".join(f"{c.method}({c.status})" for c in self._calls[start:])
            return f"no matching call within {timeout}s; seen: {calls or 'none'}"

        return await self._wait(found, timeout, seen)

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Return once `condition()` holds, re-checked whenever a call arrives or is answered.

        For state rather than calls, e.g. `wait_until(lambda: not tg.pending_updates())`:
        the bot has confirmed every update it was given.
        """
        await self._wait(
            lambda: True if condition() else None,
            timeout,
            lambda: f"condition still false after {timeout}s",
        )

    async def _wait(
        self, probe: Callable[[], R | None], timeout: float, failure: Callable[[], str]
    ) -> R:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (result := probe()) is None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(failure())
            assert self._changed is not None
            await self._changed.wait(remaining)
        return result

    def wait_for_blocking(self, match: CallMatch = None, **options: Any) -> Call:
        """`wait_for` for a thread other than the server's (see `run_in_thread`)."""
        assert self._loop is not None, "the server is not running"
        return asyncio.run_coroutine_threadsafe(
            self.wait_for(match, **options), self._loop
        ).result()

    @_on_server_loop
    def add_listener(self, listener: Callable[[Call], None]) -> Callable[[], None]:
        """Call `listener(call)` on the server loop after each answered call.

        Returns a function that removes the listener.
        """
        self._listeners.append(listener)
        return functools.partial(self._listeners.remove, listener)

    @_on_server_loop
    def commands(self, language_code: str = "", scope: JSON | None = None) -> list[JSON]:
        """The command list setMyCommands stored for this scope and language."""
        return self.world.commands.get(commands_key(scope, language_code), [])

    @_on_server_loop
    def pending_updates(self) -> list[JSON]:
        """Updates queued and not yet confirmed by the bot."""
        return list(self.world.updates.pending)

    # -- what users do ----------------------------------------------------------------------

    def _queued(self, update: R) -> R:
        self._since = len(self._calls)
        self._notify()
        return update

    @_on_server_loop
    def inject_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        language_code: str | None = None,
        chat_type: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
        title: str | None = None,
        reply_to: int | None = None,
    ) -> JSON | None:
        """A user writes `text` in the chat (created on first sight).

        In a private chat the user defaults to the chat's id. Returns the queued update, or
        None when Telegram would not show the message to the bot (privacy mode in a group,
        bot not in the group).
        """
        uid = updates.default_user_id(chat_id, user_id)
        user = updates.sender(
            self.world, uid, first_name=first_name, username=username, language_code=language_code
        )
        chat = updates.ensure_chat(self.world, chat_id, chat_type=chat_type, title=title, user=user)
        return self._queued(updates.message(self.world, chat, user, text, reply_to=reply_to))

    @_on_server_loop
    def inject_callback(
        self, chat_id: int, message_id: int, data: str, *, user_id: int | None = None
    ) -> JSON:
        """A user presses the inline button with `data` under a bot message."""
        user = self.world.user(updates.default_user_id(chat_id, user_id))
        return self._queued(updates.callback_query(self.world, chat_id, message_id, data, user))

    @_on_server_loop
    def inject_inline_query(
        self,
        user_id: int,
        query: str,
        offset: str = "",
        *,
        chat_type: str | None = None,
        language_code: str | None = None,
        username: str | None = None,
    ) -> JSON:
        """A user types "@bot query" in some chat (offset: the bot's last next_offset)."""
        user = updates.sender(self.world, user_id, username=username, language_code=language_code)
        return self._queued(updates.inline_query(self.world, user, query, offset, chat_type))

    @_on_server_loop
    def inject_my_chat_member(
        self,
        chat_id: int,
        status: str,
        *,
        user_id: int | None = None,
        chat_type: str | None = None,
        title: str | None = None,
    ) -> JSON:
        """The bot's membership changes: added ("member"/"administrator") or removed
        ("left"/"kicked") by `user_id`; in a private chat "kicked" is the user blocking it.
        """
        user = self.world.user(updates.default_user_id(chat_id, user_id))
        chat = updates.ensure_chat(self.world, chat_id, chat_type=chat_type, title=title, user=user)
        return self._queued(updates.my_chat_member(self.world, chat, status, user))

    @_on_server_loop
    def inject_migration(self, old_chat_id: int, new_chat_id: int) -> list[JSON]:
        """A basic group becomes a supergroup; sending to the old id then fails with
        "group chat was upgraded to a supergroup chat" and migrate_to_chat_id.
        """
        return self._queued(updates.migration(self.world, old_chat_id, new_chat_id))

    # -- the world, set up directly ---------------------------------------------------------

    @_on_server_loop
    def add_chat(
        self,
        chat_id: int,
        *,
        chat_type: str | None = None,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
    ) -> Chat:
        """A chat the bot already knows (e.g. one saved in a database before this run)."""
        user = (
            updates.sender(self.world, chat_id, first_name=first_name, username=username)
            if chat_id > 0
            else None
        )
        chat = updates.ensure_chat(self.world, chat_id, chat_type=chat_type, title=title, user=user)
        if username and not chat.is_private:
            chat.username = username
        return chat

    @_on_server_loop
    def set_admins(
        self, chat_id: int, user_ids: Iterable[int], *, creator: int | None = None
    ) -> None:
        """Who getChatMember/getChatAdministrators report as administrators (and creator)."""
        chat = self._known_chat(chat_id)
        chat.admins = set(user_ids)
        chat.creator = creator
        chat.members |= chat.admins | ({creator} if creator else set())

    @_on_server_loop
    def block(self, chat_id: int) -> None:
        """The user blocks the bot (no update): sends fail 403 from now on."""
        self._known_chat(chat_id).blocked = True

    @_on_server_loop
    def unblock(self, chat_id: int) -> None:
        self._known_chat(chat_id).blocked = False

    @_on_server_loop
    def deactivate(self, chat_id: int) -> None:
        """The user deletes their account: sends fail 403 "user is deactivated"."""
        self._known_chat(chat_id).deactivated = True

    @_on_server_loop
    def kick(self, chat_id: int) -> None:
        """The bot is removed from a group (no update): sends fail 403 "bot was kicked"."""
        self._known_chat(chat_id).bot_status = "kicked"

    def _known_chat(self, chat_id: int) -> Chat:
        if chat_id not in self.world.chats:
            raise ValueError(f"chat {chat_id} is unknown; inject a message or add_chat first")
        return self.world.chats[chat_id]

    # -- faults -----------------------------------------------------------------------------

    @_on_server_loop
    def fail_next(
        self,
        method: str,
        status: int = 502,
        *,
        count: int = 1,
        description: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next `count` calls of `method` with `status`, without acting on them.

        429 carries parameters.retry_after (default 1), so PTB raises RetryAfter.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if status == 429
                else HTTPStatus(status).phrase
            )
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        error = ApiError(status, description, parameters)
        self._faults[canonical_method(method)].extend([error] * count)

    @_on_server_loop
    def delay_next(self, method: str, seconds: float, *, count: int = 1) -> None:
        """Hold back the answer to the next `count` calls of `method` for `seconds`.

        The call takes effect at once, only its answer is late: a client that times out
        has in fact sent the message, as happens with Telegram on a slow network.
        """
        self._delays[canonical_method(method)].extend([seconds] * count)


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Query string, then a JSON, form or multipart body (file parts become their names)."""
    params: dict[str, Any] = dict(request.query)
    if not request.can_read_body:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse request JSON object") from None
        if not isinstance(body, dict):
            raise bad_request("request JSON must be an object")
        params.update(body)
    else:
        form = await request.post()
        params.update(
            {
                key: value if isinstance(value, str) else value.filename
                for key, value in form.items()
            }
        )
    return params


_dumps = functools.partial(json.dumps, ensure_ascii=False)
