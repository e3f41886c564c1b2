"""The photos of the public archive as an outsider meets them on the real web server: a photo
is served only while a published item shows it (or a pending post needs it), gone at once after
a take-down or an erasure; streamed, never loaded whole; ranges, validators, a cap per address."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from io import BytesIO
from pathlib import Path

import aiohttp
import pytest
from PIL import Image
from sqlalchemy import delete, update
from sqlmodel import col, select

from bot.runtime.app import App
from bot.runtime.archive_media import thumbnail
from bot.serve.compose import build
from handlers.privacy import erasure
from storage.db import make_engine, make_sessions
from storage.models import Media, Member, Outbox, OutboxKind, OutboxStatus, Status, Submission
from tests.conftest import FROZEN
from tests.fake_base import PATIENCE
from tests.harness import CHANNEL, ED1, EDITORS, Harness, free_port, make_settings
from tests.platforms.telegram.fake_telegram import TOKEN, FakeTelegram
from tests.platforms.wordpress.fake_wordpress import FakeWordPress
from tests.support.archive import publish, serving
from tests.support.cli import start_bot
from tests.support.flows import card, press, submit_raw
from tests.support.images import jpeg
from tests.support.media import SlowReader, attach, get, noise_png, png, resident_mb
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
        await fake.wait_for(1001, "đã được đăng")
        assert bot.app is not None
        photo = f"http://127.0.0.1:{port}/media/{(await attach(bot.app, 1, png())).name}"
        status, headers, body = await get(photo)
        assert (status, headers["Cache-Control"], body) == (200, "public, max-age=86400", png())
        await card(fake, "📢 Telegram ✓ · Website ✓")  # the card offers the take-down
        press(fake, ED1, "Gỡ bài")
        await card(fake, "Gỡ bài #1 khỏi mọi nơi")
        mark = fake.mark()
        press(fake, ED1, "Chắc chắn gỡ bài")
        await fake.wait_for(EDITORS, "Gỡ bài #1", after=mark)
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


@pytest.fixture(scope="module")
def large() -> bytes:
    return noise_png(19)


async def test_ranges_and_validators(site: Site) -> None:
    app, url = site
    number = await publish(app, at=FROZEN)
    data = noise_png(1)
    stored = await attach(app, number, data)
    photo = f"{url}media/{stored.name}"
    status, headers, body = await get(photo)
    assert (status, headers["ETag"], headers["Accept-Ranges"]) == (
        200,
        f'"{stored.sha256}"',
        "bytes",
    )
    assert body == data
    status, headers, body = await get(photo, Range="bytes=10-19")
    assert (status, headers["Content-Range"], body) == (
        206,
        f"bytes 10-19/{len(data)}",
        data[10:20],
    )
    status, _, body = await get(photo, Range="bytes=-5")
    assert (status, body) == (206, data[-5:])
    status, headers, _ = await get(photo, Range=f"bytes={len(data)}-")
    assert (status, headers["Content-Range"]) == (416, f"bytes */{len(data)}")
    status, headers, body = await get(photo, **{"If-None-Match": f'"{stored.sha256}"'})
    assert (status, headers["ETag"], body) == (304, f'"{stored.sha256}"', b"")
    assert (await get(photo, **{"If-None-Match": '"somethingelse"'}))[0] == 200


async def test_one_address_gets_four_streams_at_a_time(site: Site, large: bytes) -> None:
    app, url = site
    stored = await attach(app, await publish(app, at=FROZEN), large)
    port = int(url.rsplit(":", 1)[1].strip("/"))
    path = f"/media/{stored.name}"
    readers = [SlowReader(port, path) for _ in range(4)]
    try:
        assert [await reader.start() for reader in readers] == [200] * 4
        status, headers, _ = await get(f"{url}{path[1:]}")
        assert (status, headers["Retry-After"]) == (429, "5")
        other = SlowReader(port, path, "127.0.0.2")  # another address is not held back
        assert await other.start() == 200
        await other.close()
        # Behind the reverse proxy on this machine: the address it says it forwards for.
        proxied = [
            SlowReader(port, path, forwarded_for=f"10.9.8.7, 203.0.113.{n}")
            for n in (5, 5, 5, 5, 5, 6)
        ]
        try:
            assert [await reader.start() for reader in proxied] == [200] * 4 + [429, 200]
        finally:
            for reader in proxied:
                await reader.close()
        await readers.pop().close()
        for _ in range(int(PATIENCE / 0.05)):  # the server notices the closed connection
            if (status := (await get(f"{url}{path[1:]}", Range="bytes=0-0"))[0]) != 429:
                break
            await asyncio.sleep(0.05)
        assert status == 206
    finally:
        for reader in readers:
            await reader.close()


async def test_twenty_slow_readers_of_a_large_photo_do_not_load_it_into_memory(
    db_url: str, fake: FakeTelegram, tmp_path: Path, large: bytes
) -> None:
    """The real ``python -m bot run``: its resident memory, read from /proc."""
    app = await build(
        make_settings(db_url, fake, media_dir=tmp_path / "media"), clock=lambda: FROZEN
    )
    try:
        stored = await attach(app, await publish(app, at=FROZEN), large)
    finally:
        await app.close()
    port = free_port()
    process = await start_bot(
        {
            "DATABASE_URL": db_url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE": fake.base_url,
            "WEB_HOST": "127.0.0.1",
            "WEB_PORT": str(port),
            "MEDIA_DIR": str(tmp_path / "media"),
            "LOG_LEVEL": "WARNING",
        },
        "run",
    )
    photo, readers = f"http://127.0.0.1:{port}/media/{stored.name}", []
    try:
        for _ in range(600):
            with contextlib.suppress(aiohttp.ClientError):
                if (await get(photo))[2] == large:  # up, and every code path warmed once
                    break
            await asyncio.sleep(0.1)
        engine = make_engine(db_url)  # the bot's thumbnail made first: a one-off, not a stream
        try:
            for _ in range(600):
                async with make_sessions(engine)() as session:
                    if (await session.exec(select(Media.thumb_sha256))).first():
                        break
                await asyncio.sleep(0.1)
        finally:
            await engine.dispose()
        before = resident_mb(process.pid)
        readers = [
            SlowReader(port, f"/media/{stored.name}", f"127.0.0.{10 + n}") for n in range(20)
        ]
        assert [await reader.start() for reader in readers] == [200] * 20
        peak = before
        for _ in range(20):  # all twenty streams open and stalled
            peak = max(peak, resident_mb(process.pid))
            await asyncio.sleep(0.1)
        print(f"resident memory {before:.0f} MB, with twenty slow readers {peak:.0f} MB")
        assert peak - before < 50
    finally:
        for reader in readers:
            await reader.close()
        process.terminate()
        await process.wait()


async def test_an_approved_telegram_submissions_photos_reach_the_archive_with_thumbnails(
    db_url: str, fake: FakeTelegram
) -> None:
    """Telegram posts re-send photos by file id: only the archive needs the bytes, and gets
    them on approval, with a small copy for the listing."""
    port = free_port()
    bot = Harness(db_url=db_url, fake=fake, now=FROZEN, editor_chat_id=EDITORS,
                  editor_ids=f"telegram:{ED1}", publish_targets=f"telegram:{CHANNEL}",
                  web_port=port, web_host="127.0.0.1")  # fmt: skip
    photos = [jpeg(1600, 1200), png(1000, 800)]
    fake.file_bytes.update({f"P1001-{n}": data for n, data in enumerate(photos)})
    await bot.start()
    try:
        await submit_raw(bot.member(1001), fake, photos=2)
        await card(fake)
        press(fake, ED1, "Duyệt")
        await fake.wait_for(1001, "đã được đăng")
        assert bot.app is not None
        for _ in range(600):  # the archiving runs beside the outbox
            async with bot.app.sessions() as session:
                rows = list((await session.exec(select(Media).order_by(col(Media.id)))).all())
            if all(row.thumb_sha256 for row in rows):
                break
            await asyncio.sleep(0.05)
        site = f"http://127.0.0.1:{port}"
        page, listing = (
            (await get(f"{site}/tin/1"))[2].decode(),
            (await get(f"{site}/"))[2].decode(),
        )
        for row, data in zip(rows, photos, strict=True):
            assert row.sha256 and row.thumb_sha256 and row.thumb_sha256 != row.sha256
            original = f"/media/{row.sha256}.{'jpg' if row.mime == 'image/jpeg' else 'png'}"
            assert (await get(site + original))[2] == data
            assert original in page and f"/media/{row.thumb_sha256}.jpg" not in page
            status, headers, small = await get(f"{site}/media/{row.thumb_sha256}.jpg")
            assert (status, headers["Content-Type"]) == (200, "image/jpeg") and len(small) < len(
                data
            )
            with Image.open(BytesIO(small)) as thumb:
                assert max(thumb.size) <= 480
            assert f'src="/media/{row.thumb_sha256}.jpg"' in listing and original not in listing
        assert re.search(f'og:image" content="[^"]*/media/{rows[0].sha256}.jpg"', page)
    finally:
        await bot.stop()


def test_a_photo_announcing_too_many_pixels_is_not_decoded_for_a_thumbnail() -> None:
    out = BytesIO()
    Image.new("1", (8000, 7000)).save(out, "PNG")  # 56 million pixels in a few kilobytes
    assert len(out.getvalue()) < 100_000
    with pytest.raises(ValueError, match="too many pixels"):
        thumbnail(out.getvalue())
    assert thumbnail(png(400, 300)) is None  # small enough to be its own
