"""Pasted links: the safe fetcher (sources.linkfetch) and the bot's summary of a link."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
import pytest_asyncio
from aiohttp import web

from bot.context import deps_of, install_deps
from sources.linkfetch import LinkFetchError, LinkRefused, fetch_page, is_public

if TYPE_CHECKING:
    from bot_harness import Harness

    from summariser.article import Article

pytest_plugins = ["bot_harness"]

PAGES = Path(__file__).parent / "fixtures" / "bot" / "pages"
PUBLIC = "93.184.216.34"
HTML = {"content-type": "text/html; charset=utf-8"}
PAGE = b"<html><body><p>Hello there.</p></body></html>"

Handler = Callable[[httpx.Request], httpx.Response]


def resolver_for(table: dict[str, Sequence[str]]) -> Callable:
    async def resolve(host: str, port: int) -> Sequence[str]:
        if host not in table:
            raise OSError(f"no such host {host}")
        return table[host]

    return resolve


async def fetch(url: str, handler: Handler, hosts: dict[str, Sequence[str]] | None = None, **kw):
    """fetch_page with a scripted network: `handler` answers, `hosts` resolves."""
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    transport = httpx.MockTransport(record)
    async with httpx.AsyncClient(transport=transport) as client:
        resolver = resolver_for(hosts or {"news.example.com": [PUBLIC]})
        try:
            return await fetch_page(url, client, resolver=resolver, **kw), seen
        except LinkFetchError as error:
            error.requests = seen  # type: ignore[attr-defined]
            raise


# -- the fetcher -----------------------------------------------------------------------------


async def test_fetch_connects_to_the_checked_address_and_keeps_the_host_name() -> None:
    page, [request] = await fetch(
        "https://News.Example.com/story?id=1#top",
        lambda r: httpx.Response(200, headers=HTML, content=PAGE),
    )

    assert request.url.host == PUBLIC  # no second DNS lookup can move us elsewhere
    assert request.headers["host"] == "news.example.com"
    assert request.extensions["sni_hostname"] == "news.example.com"
    assert (page.url, page.content_type, page.charset, page.body) == (
        "https://News.Example.com/story?id=1#top",
        "text/html",
        "utf-8",
        PAGE,
    )


async def test_international_host_names_go_out_as_punycode() -> None:
    page, [request] = await fetch(
        "https://新聞.example.com/台灣",
        lambda r: httpx.Response(200, headers=HTML, content=PAGE),
        {"xn--efvv70d.example.com": [PUBLIC]},
    )
    assert request.headers["host"] == "xn--efvv70d.example.com"
    assert request.url.host == PUBLIC and page.body == PAGE


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "224.0.0.1",  # multicast
        "240.0.0.1",  # reserved
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fd00:ec2::254",  # cloud metadata, IPv6
        "::ffff:127.0.0.1",  # IPv4-mapped
        "64:ff9b::a01:203",  # NAT64 of 10.1.2.3
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "ff02::1",
    ],
)
async def test_links_to_private_addresses_are_refused_before_connecting(address: str) -> None:
    never = lambda r: pytest.fail("connected")  # noqa: E731
    with pytest.raises(LinkRefused) as refused:
        await fetch("http://innocent.example.com/", never, {"innocent.example.com": [address]})
    assert refused.value.reason == "link.private"

    host = f"[{address}]" if ":" in address else address
    with pytest.raises(LinkRefused):
        await fetch(f"http://{host}:8080/admin", never, {})


async def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    with pytest.raises(LinkRefused):
        await fetch(
            "http://mixed.example.com/",
            lambda r: pytest.fail("connected"),
            {"mixed.example.com": [PUBLIC, "10.0.0.1"]},
        )


def test_public_addresses_pass() -> None:
    import ipaddress

    for address in (PUBLIC, "2606:4700:4700::1111", "8.8.8.8"):
        assert is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "ftp://news.example.com/",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "gopher://x/",
        "http://user:secret@news.example.com/",
        "http:///no-host",
        "https://[::1",
    ],
)
async def test_only_plain_http_and_https_links_are_opened(url: str) -> None:
    with pytest.raises(LinkRefused) as refused:
        await fetch(url, lambda r: pytest.fail("connected"))
    assert refused.value.reason == "link.scheme"


async def test_every_redirect_is_checked_again() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"location": "http://169.254.169.254/latest/meta-data"})

    with pytest.raises(LinkRefused) as refused:
        await fetch("http://news.example.com/short", handler)
    assert refused.value.reason == "link.private"
    assert len(refused.value.requests) == 1


async def test_relative_redirects_are_followed_up_to_five_times() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        hop = int(request.url.params.get("hop", "0"))
        if hop < 5:
            return httpx.Response(301, headers={"location": f"/next?hop={hop + 1}"})
        return httpx.Response(200, headers=HTML, content=PAGE)

    page, seen = await fetch("http://news.example.com/next?hop=0", handler)
    assert page.url == "http://news.example.com/next?hop=5" and len(seen) == 6

    def endless(request: httpx.Request) -> httpx.Response:
        return httpx.Response(307, headers={"location": "/again"})

    with pytest.raises(LinkFetchError) as failed:
        await fetch("http://news.example.com/again", endless)
    assert failed.value.reason == "link.failed" and "redirects" in failed.value.detail
    assert len(failed.value.requests) == 6


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (
            httpx.Response(200, headers={"content-type": "application/pdf"}, content=b"%PDF"),
            "link.failed",
        ),
        (httpx.Response(200, content=b"no type at all"), "link.failed"),
        (httpx.Response(404, headers=HTML, content=PAGE), "link.failed"),
        (
            httpx.Response(200, headers={**HTML, "content-length": "5000000"}, content=b""),
            "link.too_big",
        ),
    ],
)
async def test_pages_we_will_not_read(response: httpx.Response, reason: str) -> None:
    with pytest.raises(LinkFetchError) as failed:
        await fetch("http://news.example.com/", lambda r: response)
    assert failed.value.reason == reason


async def test_the_size_limit_holds_while_streaming_without_a_declared_length() -> None:
    sent: list[int] = []

    async def endless_body() -> AsyncIterator[bytes]:
        for n in range(1000):
            sent.append(n)
            yield b"x" * 10_000

    with pytest.raises(LinkFetchError) as failed:
        await fetch(
            "http://news.example.com/",
            lambda r: httpx.Response(200, headers=HTML, content=endless_body()),
            max_bytes=50_000,
        )
    assert failed.value.reason == "link.too_big"
    assert len(sent) <= 6  # it stopped reading, it did not download everything


async def test_slow_or_unreachable_sites() -> None:
    def times_out(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    with pytest.raises(LinkFetchError) as failed:
        await fetch("http://news.example.com/", times_out)
    assert failed.value.reason == "link.timeout"

    async def slow_resolver(host: str, port: int) -> list[str]:
        await asyncio.sleep(5)
        return [PUBLIC]

    async with httpx.AsyncClient() as client:
        with pytest.raises(LinkFetchError) as failed:
            await fetch_page(
                "http://news.example.com/", client, timeout=0.01, resolver=slow_resolver
            )
    assert failed.value.reason == "link.timeout"

    with pytest.raises(LinkFetchError) as failed:
        await fetch("http://nowhere.example.com/", lambda r: pytest.fail("connected"))
    assert failed.value.reason == "link.failed"


# -- the bot ---------------------------------------------------------------------------------


@pytest_asyncio.fixture(loop_scope="module")
async def site() -> AsyncIterator[str]:
    """A web site on 127.0.0.1 serving tests/fixtures/bot/pages (and a non-HTML file)."""

    async def robots(request: web.Request) -> web.Response:
        return web.Response(text="User-agent: *")

    app = web.Application()
    app.router.add_get("/robots.txt", robots)
    app.router.add_static("/", PAGES)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


@pytest.fixture
def loopback_allowed(bot: Harness) -> AsyncIterator[None]:
    """Let the bot fetch from 127.0.0.1, for this test only; the guard is back afterwards."""
    deps = deps_of(bot.app)
    install_deps(
        bot.app, replace(deps, fetch_link=functools.partial(fetch_page, allow_loopback=True))
    )
    yield
    install_deps(bot.app, deps)


async def reply_to_link(bot: Harness, user: int, text: str) -> str:
    """Paste `text`; the summary arrives from a task of its own, after the update is handled."""
    await bot.send(user, text, language_code="en")
    call = await bot.tg.wait_for("sendMessage", chat_id=user, timeout=10)
    return bot.bot_messages(user)[-1].text if call.ok else ""


pytestmark_bot = pytest.mark.asyncio(loop_scope="module")


@pytestmark_bot
async def test_a_link_to_a_stored_article_is_answered_from_the_database(
    bot: Harness, story: Callable[[str], Article]
) -> None:
    user = bot.new_user()
    climate = story("Climate")
    pasted = climate.url.replace("focus.example.com", "FOCUS.example.com") + "?utm_source=x"

    [answer] = await bot.send(user, f"Have you seen this? {pasted}", language_code="en")

    assert answer.text.startswith("Climate talks open with new pledge on methane")
    assert climate.summary[0] in answer.text
    assert bot.tg.calls("sendChatAction", chat_id=user) == []  # nothing was fetched


@pytestmark_bot
async def test_an_unknown_page_is_fetched_and_summarised_on_the_spot(
    bot: Harness, site: str, loopback_allowed: None
) -> None:
    user = bot.new_user()
    await bot.send(user, "/settings length 2", language_code="en")

    text = await reply_to_link(bot, user, f"{site}/ferry.html")

    assert text.startswith("Harbour ferry fares to rise in spring\n127.0.0.1 · 2025-11-19 22:30")
    assert "Ferry fares across the harbour will rise by about eight percent" in text
    assert "Share this story" not in text and "All rights reserved" not in text
    assert text.endswith("(Not from my news sources: I just read it for you.)")
    assert bot.db.execute(
        "SELECT count(*) FROM articles WHERE source = '127.0.0.1'"
    ).fetchone() == (0,)


@pytestmark_bot
async def test_a_page_without_an_article_is_explained(
    bot: Harness, site: str, loopback_allowed: None
) -> None:
    user = bot.new_user()
    text = await reply_to_link(bot, user, f"see {site}/robots.txt")
    assert text == "I couldn't find an article on that page."


@pytestmark_bot
async def test_with_the_guard_on_local_addresses_are_refused(bot: Harness, site: str) -> None:
    user = bot.new_user()
    text = await reply_to_link(bot, user, f"{site}/ferry.html")
    assert text == "I can't open that link: it points to a private or local address."

    other = bot.new_user()
    text = await reply_to_link(bot, other, "http://169.254.169.254/latest/meta-data/")
    assert text == "I can't open that link: it points to a private or local address."


@pytestmark_bot
async def test_plain_text_gets_a_hint_and_group_chatter_is_ignored(bot: Harness) -> None:
    user = bot.new_user()
    assert (await bot.reply_text(user, "hello?", language_code="en")).startswith("Send me a link")

    group = bot.new_group()
    await bot.member(group, "member", user_id=user)
    ignored = await bot.send(group, "@newsgist_test_bot https://example.com/x", user_id=user)
    assert ignored == []
