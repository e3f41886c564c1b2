"""The photos of the public archive as an outsider meets them on the real web server: a photo
is served only while a published item shows it (or a pending post needs it), gone at once after
a take-down or an erasure; streamed, never loaded whole; ranges, validators, a cap per address."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.runtime.app import App
from tests.conftest import FROZEN
from tests.fake_telegram import FakeTelegram
from tests.support.archive import publish, serving
from tests.support.media import attach, get, png

Site = tuple[App, str]


@pytest.fixture
async def site(db_url: str, fake: FakeTelegram) -> AsyncIterator[Site]:
    async with serving(db_url, fake, FROZEN) as running:
        yield running


async def test_a_png_photo_is_shown_and_served_as_a_png(site: Site) -> None:
    app, url = site
    number = await publish(app, at=FROZEN)
    stored = await attach(app, number, png())
    status, _, page = await get(f"{url}tin/{number}")
    assert status == 200 and f"/media/{stored.sha256}.png".encode() in page
    status, headers, body = await get(f"{url}media/{stored.sha256}.png")
    assert (status, headers["Content-Type"], body) == (200, "image/png", png())
    assert (await get(f"{url}media/{stored.sha256}.jpg"))[0] == 404
