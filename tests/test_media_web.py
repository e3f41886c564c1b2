"""The photos of the public archive as an outsider meets them on the real web server: a photo
is served only while a published item shows it (or a pending post needs it), gone at once after
a take-down or an erasure; streamed, never loaded whole; ranges, validators, a cap per address."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, update
from sqlmodel import col, select

from bot.runtime.app import App
from handlers.privacy import erasure
from storage.models import Member, Outbox, OutboxKind, OutboxStatus, Status, Submission
from tests.conftest import FROZEN
from tests.fake_telegram import FakeTelegram
from tests.fake_wordpress import FakeWordPress
from tests.harness import ED1, EDITORS, free_port
from tests.support.archive import publish, serving
from tests.support.flows import card, press
from tests.support.media import attach, get, png
from tests.support.sites import approved, site_bot

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


async def test_a_published_photo_is_public_for_a_day_and_gone_once_taken_down(
    db_url: str, fake: FakeTelegram, wp: FakeWordPress
) -> None:
    port = free_port()
    bot = site_bot(db_url, fake, wp, web_port=port, web_host="127.0.0.1")
    await bot.start()
    try:
        await approved(bot, fake)
        await fake.wait_for(1001, "đã được đăng", timeout=10)
        assert bot.app is not None
        photo = f"http://127.0.0.1:{port}/media/{(await attach(bot.app, 1, png())).name}"
        status, headers, body = await get(photo)
        assert (status, headers["Cache-Control"], body) == (200, "public, max-age=86400", png())
        await card(fake, "📢 Telegram ✓ · Website ✓")  # the card offers the take-down
        press(fake, ED1, "Gỡ bài")
        await card(fake, "Gỡ bài #1 khỏi mọi nơi")
        mark = fake.mark()
        press(fake, ED1, "Chắc chắn gỡ bài")
        await fake.wait_for(EDITORS, "Gỡ bài #1", after=mark, timeout=10)
        assert (await get(photo))[0] == 410
    finally:
        await bot.stop()


async def unpublished(app: App, number: int, status: Status, pending: OutboxKind) -> None:
    """Item ``number`` back to ``status``, with a send of ``pending`` kind still to go to Zalo
    (which fetches a photo by its URL) instead of its post on the channel."""
    async with app.sessions() as session, session.begin():
        sub = await session.get(Submission, number)
        assert sub is not None
        sub.status, sub.published_at = status, None
        await session.exec(delete(Outbox).where(col(Outbox.submission_id) == number))
        session.add(Outbox(key=f"{pending}:{number}:zalo", kind=pending, platform="zalo",
                           chat_id="zalo-1", submission_id=number))  # fmt: skip


async def test_an_erased_members_photo_is_gone_at_once(site: Site) -> None:
    app, url = site
    number = await publish(app, at=FROZEN, member="Trần Văn Minh")
    await unpublished(app, number, Status.PENDING, OutboxKind.CARD)  # a Zalo editor's card
    photo = f"{url}media/{(await attach(app, number, png())).name}"
    assert (await get(photo))[0] == 200
    async with app.sessions() as session:
        member = (
            await session.exec(select(Member).where(Member.display_name == "Trần Văn Minh"))
        ).one()
        await erasure.forget(session, member, app.core.deps, actor="cli")
        await session.commit()
    assert (await get(photo))[0] == 404


async def test_a_photo_a_pending_post_needs_is_served_privately_until_it_is_sent(
    site: Site,
) -> None:
    """Zalo's sendPhoto fetches the photo by URL while the post is being sent; nobody after."""
    app, url = site
    number = await publish(app, at=FROZEN)
    await unpublished(app, number, Status.APPROVED, OutboxKind.POST)
    photo = f"{url}media/{(await attach(app, number, png())).name}"
    status, headers, _ = await get(photo)
    assert (status, headers["Cache-Control"]) == (200, "private, no-store")
    async with app.sessions() as session, session.begin():
        await session.exec(update(Outbox).values(status=OutboxStatus.SENT))
    assert (await get(photo))[0] == 410
