"""The media store for real on SQLite (a directory) and PostgreSQL (a blob table): kept once
per content, checked by its bytes, served at /media/<sha256>.<ext> and nothing else there,
deleted with the drafts and erasures that held it, and Telegram media fetched once when a
target first needs them, without the download URL (it holds the token) going anywhere."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.tasks import forget_member
from bot.platforms.telegram.download import fetcher
from bot.platforms.telegram.service import make_bot
from bot.runtime.media import MediaUnavailable, StoreSource
from bot.runtime.media_route import add_media_routes
from storage import media_store
from storage.db import make_engine, make_sessions, migrate
from storage.media_store import Refused
from storage.models import Media, MediaBlob, Member, Status, Submission
from storage.retention import delete_drafts
from tests.harness import Harness
from tests.platforms.telegram.fake_telegram import TOKEN, FakeTelegram
from tests.support.flows import submit_raw
from tests.support.images import jpeg, mp4

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def sessions(db_url: str, tmp_path: Path) -> AsyncIterator[Sessions]:
    engine = make_engine(db_url)
    await migrate(engine)
    made = make_sessions(engine)
    made.kw["info"] = {**made.kw["info"], "media_dir": tmp_path / "media"}
    try:
        yield made
    finally:
        await engine.dispose()


async def put(sessions: Sessions, data: bytes) -> media_store.Stored:
    async with sessions() as session, session.begin():
        return await media_store.put(session, data=data)


async def held(sessions: Sessions, sha256: str) -> bytes | None:
    async with sessions() as session:
        return await media_store.read(session, sha256=sha256)


async def kept_copies(sessions: Sessions, tmp_path: Path) -> int:
    async with sessions() as session:
        blobs = (await session.exec(select(func.count()).select_from(MediaBlob))).one()
    files = list((tmp_path / "media").glob("*")) if (tmp_path / "media").exists() else []
    return int(blobs) + len(files)


async def item(sessions: Sessions, status: Status, shas: list[media_store.Stored]) -> int:
    """A submission of ``status`` carrying media stored as ``shas``."""
    async with sessions() as session, session.begin():
        member = Member(platform="telegram", platform_user_id=f"u{status}{len(shas)}", chat_id="1")
        session.add(member)
        await session.flush()
        sub = Submission(member_id=member.id or 0, kind="tin_tot", status=status)
        session.add(sub)
        await session.flush()
        for n, stored in enumerate(shas):
            row = Media(
                submission_id=sub.id or 0,
                kind="photo",
                ref=f"P{sub.id}-{n}",
                platform="telegram",
                source_key=f"k{sub.id}-{n}",
            )
            session.add(row)
            await session.flush()
            at = sub.created_at
            await media_store.record(session, media_id=row.id or 0, stored=stored, now=at)
        return sub.id or 0


async def test_the_same_photo_sent_twice_is_kept_once(sessions: Sessions, tmp_path: Path) -> None:
    photo = jpeg(640, 480)
    first, again = await put(sessions, photo), await put(sessions, photo)
    assert first == again and (first.mime, first.width, first.height) == ("image/jpeg", 640, 480)
    assert first.size == len(photo) and first.name == f"{first.sha256}.jpg"
    assert await held(sessions, first.sha256) == photo
    assert await kept_copies(sessions, tmp_path) == 1  # no second copy, no temporary file left
    clip = await put(sessions, mp4())
    assert (clip.kind, clip.mime, clip.width) == ("video", "video/mp4", None)


def test_type_and_size_are_read_from_the_bytes() -> None:
    with pytest.raises(Refused) as caught:
        media_store.inspect(b"<html><script>alert(1)</script></html>")  # a page called .jpg
    assert caught.value.reason == "not_media"
    with pytest.raises(Refused) as caught:
        media_store.inspect(b"\xff\xd8\xff" + b"\0" * media_store.LIMITS["photo"])
    assert (caught.value.reason, caught.value.limit_mb) == ("too_big", 20)
    with pytest.raises(Refused) as caught:
        media_store.inspect(mp4(media_store.LIMITS["video"]))
    assert (caught.value.reason, caught.value.limit_mb) == ("too_big", 50)
    assert media_store.inspect(b"GIF89a" + b"\0" * 20).mime == "image/gif"


async def test_the_draft_purge_deletes_bytes_no_kept_item_shares(sessions: Sessions) -> None:
    shared, own = await put(sessions, jpeg(shade=1)), await put(sessions, jpeg(shade=2))
    draft = await item(sessions, Status.DRAFT, [shared, own])
    await item(sessions, Status.PENDING, [shared])  # the same photo in an item that stays
    async with sessions() as session, session.begin():
        assert await delete_drafts(session, ids=[draft]) == 1
    assert await held(sessions, own.sha256) is None
    assert await held(sessions, shared.sha256) is not None


@pytest.fixture
async def media_site(sessions: Sessions) -> AsyncIterator[str]:
    app = web.Application()
    add_media_routes(app, sessions)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def test_stored_media_are_served_by_their_hash_and_nothing_else(
    sessions: Sessions, media_site: str, tmp_path: Path
) -> None:
    photo = await put(sessions, jpeg())
    orphan = await put(sessions, jpeg(shade=9))  # bytes no media row refers to
    await item(sessions, Status.PUBLISHED, [photo])
    (tmp_path / "secret.txt").write_text("not for the public")
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        async with http.get(f"{media_site}/media/{photo.name}") as response:
            assert (response.status, response.content_type) == (200, "image/jpeg")
            assert await response.read() == jpeg()
        for path in (
            f"/media/{photo.sha256}.png",  # the wrong type
            f"/media/{orphan.name}",
            f"/media/{'0' * 64}.jpg",
            "/media/",
            "/media/..%2Fsecret.txt",
            f"/media/{photo.sha256}",
            "/media/%2E%2E/%2E%2E/secret.txt",
        ):
            async with http.get(f"{media_site}{path}") as response:
                assert response.status == 404, path


async def test_telegram_media_fetched_once_without_the_token_going_anywhere(
    bot: Harness, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    lan = bot.member(4001)
    await lan.register()
    await lan.send("/gui", "Bạn muốn gửi gì")
    await lan.press("Tin tốt", "Bước 2")
    await lan.press("Thông tin thô", "Thời gian")
    await lan.raw_answers(["Sáng 15/11", "Nhà văn hóa", "Cô Hoa", "Dạy học"])
    await lan.send("Lan tỏa", "Ảnh")
    fake.file_bytes["CLASS"] = photo = jpeg(320, 240)
    fake.push_photo(lan.id, file_id="CLASS")
    await fake.wait_for(lan.id, "Đã nhận")
    assert bot.app is not None
    async with bot.app.sessions() as session:
        [media] = (await session.exec(select(Media))).all()
    telegram = make_bot(bot.settings)
    try:
        source = StoreSource(bot.app.sessions, {"telegram": fetcher(telegram)})
        got = await source.get(media)
        assert (got.data, got.mime, got.kind, got.width, got.height) == (
            photo,
            "image/jpeg",
            "photo",
            320,
            240,
        )
        assert (await source.get(media)).data == photo and len(fake.downloads) == 1  # once
        fake.file_bytes["CLASS"] = b"GIF89a"  # a changed file would be fetched again: it is not
        assert (await source.get(media)).data == photo
        with pytest.raises(MediaUnavailable) as caught:
            await source.get(Media(submission_id=1, kind="photo", ref="NOPE", platform="telegram",
                                   source_key="x"))  # fmt: skip
        assert TOKEN not in str(caught.value) and caught.value.__cause__ is None
    finally:
        await telegram.session.close()
    async with bot.app.sessions() as session:
        for table in SQLModel.metadata.sorted_tables:
            rows = (await session.exec(text(f'SELECT * FROM "{table.name}"'))).all()  # type: ignore[call-overload]
            assert TOKEN not in repr(rows), table.name
    assert TOKEN not in caplog.text and TOKEN.split(":")[1] not in caplog.text


async def test_forget_from_the_shell_deletes_the_stored_media(
    bot: Harness, fake: FakeTelegram
) -> None:
    lan = bot.member(4002)
    await submit_raw(lan, fake, photos=1)  # sent, waiting: never published
    assert bot.app is not None
    async with bot.app.sessions() as session:
        [media] = (await session.exec(select(Media))).all()
    telegram = make_bot(bot.settings)
    try:  # a target needed it: fetched into the store
        await StoreSource(bot.app.sessions, {"telegram": fetcher(telegram)}).get(media)
    finally:
        await telegram.session.close()
    async with bot.app.sessions() as session:
        [media] = (await session.exec(select(Media))).all()
        assert media.sha256 and await media_store.read(session, sha256=media.sha256)
    assert await forget_member(bot.app, "telegram:4002") == 0
    async with bot.app.sessions() as session:
        assert (await session.exec(select(Media))).all() == []
        assert await media_store.read(session, sha256=media.sha256) is None
