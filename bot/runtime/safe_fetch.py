"""Fetching a URL that arrived in a message (a Zalo photo) without letting it reach inside:
every hop's host is resolved here and each of its addresses checked (no loopback, private,
link-local, multicast, reserved or unspecified address, IPv4-mapped forms included), the
connection goes to those checked addresses only (a resolver pinned to them: a second DNS
answer cannot swap in another), redirects are followed by hand, a few at most, and only https,
except for what ``MEDIA_FETCH_ALLOW_HOSTS`` lists. Every refusal is the same ``Blocked``:
whoever sent the URL learns nothing about what is behind it."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
REDIRECTS = 5
RESOLVE_SECONDS = 10.0


class Blocked(Exception):
    """Not fetched: an address or scheme that is not for us to reach (deliberately vague)."""


@dataclass(frozen=True)
class Allowed:
    """``MEDIA_FETCH_ALLOW_HOSTS``: host names and IP networks fetched although private, and
    over http too (a local test server, a proxy)."""

    names: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()

    @classmethod
    def of(cls, entries: Iterable[str]) -> Allowed:
        names, networks = set(), []
        for entry in entries:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                names.add(entry.lower().rstrip("."))
        return cls(frozenset(names), tuple(networks))

    def covers(self, host: str, addresses: list[Address]) -> bool:
        if host.lower().rstrip(".") in self.names:
            return True
        return bool(addresses) and all(
            any(address in net for net in self.networks) for address in addresses
        )


def forbidden(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


class PinnedResolver(AbstractResolver):
    """Answers only with the addresses this module checked for the host being fetched."""

    def __init__(self) -> None:
        self.pinned: dict[str, list[ResolveResult]] = {}

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host not in self.pinned:
            raise OSError("not a checked host")
        return self.pinned[host]

    async def close(self) -> None:
        return None


async def check(url: URL, allowed: Allowed, resolver: PinnedResolver) -> None:
    """Resolve and check one hop; pin what may be connected to. Raises ``Blocked``."""
    host = url.raw_host
    if url.scheme not in ("http", "https") or not host:
        raise Blocked()
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        async with asyncio.timeout(RESOLVE_SECONDS):
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
    except (OSError, TimeoutError, UnicodeError):
        raise Blocked() from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    let_through = allowed.covers(host, addresses)
    if not let_through and (url.scheme != "https" or any(map(forbidden, addresses))):
        raise Blocked()
    resolver.pinned[host] = [
        ResolveResult(hostname=host, host=str(info[4][0]), port=port, family=info[0],
                      proto=info[2], flags=socket.AI_NUMERICHOST)
        for info in infos
    ]  # fmt: skip


async def open_checked(
    http: aiohttp.ClientSession, resolver: PinnedResolver, url: str, allowed: Allowed
) -> aiohttp.ClientResponse:
    """The final response after at most ``REDIRECTS`` redirects, every hop checked; the
    caller releases it."""
    try:
        where = URL(url)
    except ValueError:
        raise Blocked() from None
    for _ in range(REDIRECTS + 1):
        await check(where, allowed, resolver)
        response = await http.get(where, allow_redirects=False)
        location = response.headers.get("Location")
        if response.status not in (301, 302, 303, 307, 308) or location is None:
            return response
        response.release()
        try:
            where = response.url.join(URL(location))
        except ValueError:
            raise Blocked() from None
    raise Blocked()


def pinned_session(timeout: aiohttp.ClientTimeout) -> tuple[aiohttp.ClientSession, PinnedResolver]:
    resolver = PinnedResolver()
    connector = aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False, force_close=True)
    options: dict[str, Any] = {"timeout": timeout, "connector": connector, "trust_env": False}
    return aiohttp.ClientSession(**options), resolver
