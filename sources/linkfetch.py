"""Fetch one web page a user pasted, without letting the link reach inside our network.

A pasted link is untrusted input that makes the bot open a connection, the classic
server-side request forgery. So: http(s) only; every address the host resolves to must be
a public one (no loopback, private, link-local, multicast, reserved, CGNAT or cloud metadata
address, also when wrapped in an IPv6 form); the connection goes to the address that was
checked (the Host header and TLS name stay the host's), so DNS cannot answer differently a
moment later; redirects are followed by hand, at most `MAX_REDIRECTS`, each checked again;
only HTML is read, and reading stops at `max_bytes`; the whole fetch has one deadline.

Errors carry an i18n key (`reason`) the bot answers with.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from sources.exceptions import FetchError

MAX_BYTES = 2_000_000
TIMEOUT = 10.0
MAX_REDIRECTS = 5
HTML_TYPES = ("text/html", "application/xhtml+xml")
USER_AGENT = "newsgist/0.1 (link summary; +https://github.com/newsgist)"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_METADATA = frozenset(map(ipaddress.ip_address, ("169.254.169.254", "fd00:ec2::254")))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class LinkFetchError(FetchError):
    """The page could not be read; `reason` is an i18n key ("link.timeout", ...)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class LinkRefused(LinkFetchError):
    """The link was not even tried: a scheme other than http(s) or a non-public address."""


@dataclass(frozen=True)
class FetchedPage:
    """An HTML page as served: the URL it was finally read from, and its bytes."""

    url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for `host`."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, Teredo, NAT64), if any."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: IPAddress) -> bool:
    """True when a link may make us connect to `address`."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None and not is_public(inner):
            return False
    return not (
        address in _METADATA
        or address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv4Address) and address in _CGNAT)
        or not address.is_global
    )


@dataclass(frozen=True)
class _Target:
    """Where one request goes: the checked address, and the names the server expects."""

    url: str  # with the address in place of the host name
    host_header: str
    sni: str


def _split_url(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise LinkRefused("link.scheme", f"not a URL: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise LinkRefused("link.scheme", f"scheme {scheme!r} is not http(s)")
    if not parts.hostname:
        raise LinkRefused("link.scheme", "the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise LinkRefused("link.scheme", "the URL carries a user name or password")
    try:  # an international name travels as punycode, in DNS and in the Host header
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise LinkRefused("link.scheme", f"{parts.hostname!r} is not a host name") from None
    return scheme, host, port or (443 if scheme == "https" else 80)


async def _target(url: str, resolver: Resolver, allow_loopback: bool) -> _Target:
    """Check `url` and pick the address to connect to; LinkRefused if any is not public."""
    scheme, host, port = _split_url(url)
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            addresses = [ipaddress.ip_address(a.split("%")[0]) for a in await resolver(host, port)]
        except (OSError, ValueError) as error:
            raise LinkFetchError("link.failed", f"cannot resolve {host!r}: {error}") from None
    if not addresses:
        raise LinkFetchError("link.failed", f"{host!r} has no address")
    for address in addresses:
        if not (is_public(address) or (allow_loopback and address.is_loopback)):
            raise LinkRefused("link.private", f"{host!r} resolves to {address}")
    chosen = addresses[0]
    literal = f"[{chosen}]" if chosen.version == 6 else str(chosen)
    parts = urlsplit(url.strip())
    default_port = port == (443 if scheme == "https" else 80)
    netloc = literal if default_port else f"{literal}:{port}"
    named = f"[{host}]" if ":" in host else host  # an IPv6 literal keeps its brackets
    host_header = named if default_port else f"{named}:{port}"
    return _Target(parts._replace(scheme=scheme, netloc=netloc).geturl(), host_header, host)


def _media_type(response: httpx.Response) -> tuple[str, str | None]:
    header = response.headers.get("content-type", "")
    media, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.lower() == "charset" and value:
            charset = value.strip("\"' ")
    return media.strip().lower(), charset


async def _read(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise LinkFetchError("link.too_big", f"Content-Length {declared} > {max_bytes}")
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise LinkFetchError("link.too_big", f"more than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _fetch(
    url: str,
    client: httpx.AsyncClient,
    max_bytes: int,
    resolver: Resolver,
    allow_loopback: bool,
) -> FetchedPage:
    for _ in range(MAX_REDIRECTS + 1):
        target = await _target(url, resolver, allow_loopback)
        request = client.build_request(
            "GET",
            target.url,
            headers={
                "Host": target.host_header,
                "User-Agent": USER_AGENT,
                "Accept": "text/html,application/xhtml+xml;q=0.9",
            },
            extensions={"sni_hostname": target.sni},
        )
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            if response.status_code in _REDIRECTS and "location" in response.headers:
                url = urljoin(url, response.headers["location"])
                continue
            if response.status_code != 200:
                raise LinkFetchError("link.failed", f"HTTP {response.status_code}")
            media, charset = _media_type(response)
            if media not in HTML_TYPES:
                raise LinkFetchError("link.failed", f"not a web page ({media or 'no type'})")
            body = await _read(response, max_bytes)
            return FetchedPage(url, response.status_code, media, charset, body)
        finally:
            await response.aclose()
    raise LinkFetchError("link.failed", f"more than {MAX_REDIRECTS} redirects")


async def fetch_page(
    url: str,
    client: httpx.AsyncClient,
    *,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT,
    resolver: Resolver = system_resolver,
    allow_loopback: bool = False,
) -> FetchedPage:
    """The HTML page at `url`, read safely (see the module docstring).

    Raises `LinkRefused` before any connection for a link we must not open, and
    `LinkFetchError` when the page cannot be read. `allow_loopback` exists for tests that
    serve pages from 127.0.0.1; nothing else may set it.
    """
    try:
        async with asyncio.timeout(timeout):
            return await _fetch(url, client, max_bytes, resolver, allow_loopback)
    except TimeoutError:
        raise LinkFetchError("link.timeout", f"no answer within {timeout}s") from None
    except httpx.TimeoutException as error:
        raise LinkFetchError("link.timeout", str(error) or "timed out") from None
    except httpx.HTTPError as error:
        raise LinkFetchError("link.failed", f"{type(error).__name__}: {error}") from None
