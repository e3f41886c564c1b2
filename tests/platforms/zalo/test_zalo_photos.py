"""Zalo photos as Zalo really hands them out: a URL whose lifetime is undocumented. The bot
fetches each at intake into its media store, tells the member at once when it cannot, and
publishes to a Zalo group from the store (Zalo fetches the photo from the bot's web server),
so a URL that died after intake loses nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

from sqlmodel import select

from storage import media_store
from storage.models import Media
from tests.conftest import FROZEN, running
from tests.fake_web import FakeWeb
from tests.harness import ZALO_EDITOR, Harness, free_port, settings_for
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.zalo.fake_zalo import FakeZalo
from tests.support.flows import PHOTO, ZaloChat, submit, to_photos_on_zalo
from tests.support.images import jpeg

GROUP = "zalo-group-1"


def zalo_alone(db_url: str, fake: FakeTelegram, zalo: FakeZalo, *, public: bool) -> Harness:
    """Zalo only, publishing to a Zalo group; with ``public`` the bot's web server is the
    PUBLIC_BASE_URL Zalo fetches stored photos from."""
    port = free_port()
    web = {"public_base_url": f"http://127.0.0.1:{port}", "webhook_port": port} if public else {}
    return Harness(
        db_url=db_url,
        fake=fake,
        now=FROZEN,
        **settings_for(
            zalo,
            telegram_bot_token=None,
            editor_chat_id=None,
            publish_targets=f"zalo:{GROUP}",
            webhook_host="127.0.0.1",
            **web,
        ),
    )


async def media_rows(harness: Harness) -> list[Media]:
    assert harness.app is not None
    async with harness.app.sessions() as session:
        return list((await session.exec(select(Media))).all())


async def stored_bytes(harness: Harness, sha256: str) -> bytes | None:
    assert harness.app is not None
    async with harness.app.sessions() as session:
        return await media_store.read(session, sha256=sha256)


async def test_a_photo_whose_url_dies_after_intake_is_still_published(
    db_url: str, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    zalo.add_chat(GROUP)
    editor = ZaloChat(zalo, ZALO_EDITOR, "Biên tập Zalo")
    harness = zalo_alone(db_url, fake, zalo, public=True)
    await harness.start()
    try:
        await editor.send("/start", "Chọn đơn vị")
        await submit(ZaloChat(zalo, "zu-2001"), zalo)
        [media] = await media_rows(harness)
        photo = jpeg()
        assert media.sha256 is not None and (media.mime, media.size) == ("image/jpeg", len(photo))
        assert (media.width, media.height) == (64, 48) and media.stored_at is not None
        assert await stored_bytes(harness, media.sha256) == photo
        zalo.kill_photo(zalo.photo_url(PHOTO))  # Zalo's URL is gone before the item is decided
        await zalo.wait_for(ZALO_EDITOR, "Tin chờ duyệt #1")
        await editor.send("/duyet 1", "đã duyệt")
        sent = await zalo.wait_for(GROUP)
        base = str(harness.settings.public_base_url).rstrip("/")
        assert (sent.method, sent.photo) == ("sendPhoto", f"{base}/media/{media.sha256}.jpg")
        await zalo.wait_for(GROUP, "#moingay1tintot")
        await zalo.wait_for("zu-2001", "đã được đăng")
        assert not [e for e in zalo.errors if e[0] == "sendPhoto"]  # Zalo got the bytes
    finally:
        await harness.stop()


async def test_a_photo_that_cannot_be_fetched_is_refused_at_once(
    db_url: str, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    harness = zalo_alone(db_url, fake, zalo, public=False)
    await harness.start()
    try:
        member = ZaloChat(zalo, "zu-2002")
        await to_photos_on_zalo(member)
        dead = zalo.photo_url("het-han.jpg")
        zalo.kill_photo(dead)
        mark = zalo.mark()
        zalo.push_photo(member.id, dead)
        told = await zalo.wait_for(member.id, "chưa tải được ảnh", after=mark)
        assert told.text and "vẫn còn nguyên" in told.text
        not_a_photo = zalo.photo_url("trang.jpg", b"<html>hello</html>")  # named .jpg only
        mark = zalo.mark()
        zalo.push_photo(member.id, not_a_photo)
        await zalo.wait_for(member.id, "không phải ảnh hay video", after=mark)
        assert await media_rows(harness) == []  # nothing half-stored
        mark = zalo.mark()
        zalo.push_photo(member.id, zalo.photo_url(PHOTO))  # the flow stayed at the photo step
        await zalo.wait_for(member.id, "1/10", after=mark)
        [media] = await media_rows(harness)
        assert media.sha256 is not None
    finally:
        await harness.stop()


async def test_forgetting_deletes_the_stored_photo(
    db_url: str, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    harness = zalo_alone(db_url, fake, zalo, public=False)
    await harness.start()
    try:
        member = ZaloChat(zalo, "zu-2003")
        await submit(member, zalo)
        [media] = await media_rows(harness)
        assert media.sha256 and await stored_bytes(harness, media.sha256)
        await member.send("/xoadulieu", "Tiếp tục")
        await member.send("1", "2. ↩️ Thôi")
        await member.send("1", "Đã xóa dữ liệu cá nhân")
        assert await media_rows(harness) == []
        assert await stored_bytes(harness, media.sha256) is None  # the bytes, not just the row
    finally:
        await harness.stop()


async def test_a_photo_url_leading_inside_gets_the_same_answer_as_a_dead_one(
    db_url: str, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    """A redirect to another loopback address (127.0.0.1 only is allowed in the tests): the
    bot never connects there and says what it says of any photo it could not fetch."""
    harness = zalo_alone(db_url, fake, zalo, public=False)
    await harness.start()
    try:
        async with (
            running(FakeWeb("127.0.0.1")) as outside,
            running(FakeWeb("127.0.0.2")) as inside,
        ):
            member = ZaloChat(zalo, "zu-2004")
            await to_photos_on_zalo(member)
            answers = []
            dead = zalo.photo_url("het-han.jpg")
            zalo.kill_photo(dead)
            for url in (dead, outside.via(inside.url()), "http://169.254.169.254/latest/"):
                mark = zalo.mark()
                zalo.push_photo(member.id, url)
                answers.append((await zalo.wait_for(member.id, after=mark)).text)
            assert answers[0] and "chưa tải được ảnh" in answers[0]
            assert answers == [answers[0]] * 3 and inside.hits == []
            assert await media_rows(harness) == []
    finally:
        await harness.stop()
