"""A URL that arrives in a message (a Zalo photo) cannot make the bot reach inside: every hop
of a redirect chain is resolved and checked, private and special addresses are refused unless
MEDIA_FETCH_ALLOW_HOSTS lists them, plain http too, and every refusal looks the same to the
member as a dead link (no port-scan oracle)."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator

import pytest

from bot.runtime.media import MediaUnavailable, fetch_url
from bot.runtime.safe_fetch import Allowed, forbidden
from tests.conftest import running
from tests.fake_web import FakeWeb
from tests.support.images import jpeg

LOCAL = Allowed.of(["127.0.0.1"])  # what the tests' settings allow: the fake servers


@pytest.fixture
async def site() -> AsyncIterator[FakeWeb]:
    async with running(FakeWeb("127.0.0.1")) as web:
        yield web


@pytest.fixture
async def inside() -> AsyncIterator[FakeWeb]:
    """A server on another loopback address, one the settings do not allow."""
    async with running(FakeWeb("127.0.0.2")) as web:
        yield web


async def refused(url: str, allowed: Allowed = LOCAL) -> str:
    with pytest.raises(MediaUnavailable) as caught:
        await fetch_url(url, allowed=allowed)
    return str(caught.value)


async def test_an_allowed_host_is_fetched_through_its_redirects(site: FakeWeb) -> None:
    assert await fetch_url(site.via(site.via(site.url())), allowed=LOCAL) == jpeg()
    assert len(site.hits) == 3


async def test_a_redirect_chain_ending_on_another_loopback_address_is_refused(
    site: FakeWeb, inside: FakeWeb
) -> None:
    assert await fetch_url(inside.url(), allowed=Allowed.of(["127.0.0.0/8"])) == jpeg()
    inside.hits.clear()
    assert await refused(site.via(site.via(inside.url()))) == "unreachable: refused"
    assert inside.hits == []  # never connected to


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "http://10.1.2.3/photo",
        "http://[::ffff:127.0.0.2]/photo",  # IPv4-mapped loopback
        "http://93.184.216.34/photo.jpg",  # public, but plain http
        "ftp://127.0.0.1/photo",
    ],
)
async def test_inside_addresses_and_plain_http_are_refused(site: FakeWeb, target: str) -> None:
    assert await refused(target) == "unreachable: refused"
    assert await refused(site.via(target)) == "unreachable: refused"


async def test_nothing_local_is_fetched_without_the_setting(site: FakeWeb) -> None:
    assert await refused(site.url(), Allowed()) == "unreachable: refused"
    name = site.url().replace("127.0.0.1", "localhost")  # a name that resolves to loopback
    assert await refused(name, Allowed()) == "unreachable: refused"
    assert await refused(name.replace("http:", "https:"), Allowed()) == "unreachable: refused"
    assert site.hits == []


@pytest.mark.parametrize(
    ("address", "bad"),
    [
        ("127.0.0.1", True),
        ("10.0.0.1", True),
        ("172.16.5.4", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),  # carrier-grade NAT
        ("224.0.0.1", True),
        ("0.0.0.0", True),
        ("240.0.0.1", True),
        ("::1", True),
        ("::", True),
        ("fe80::1", True),
        ("fc00::1", True),
        ("ff02::1", True),
        ("::ffff:10.0.0.1", True),
        ("::ffff:169.254.169.254", True),
        ("93.184.216.34", False),
        ("2606:2800:220:1:248:1893:25c8:1946", False),
    ],
)
def test_which_addresses_are_refused(address: str, bad: bool) -> None:
    assert forbidden(ipaddress.ip_address(address)) is bad
