"""Backups that restore, on SQLite and PostgreSQL: an office's data made through the real flow
is backed up while a member keeps typing, restored into a fresh place, and a bot started on it
finds every row and photo again; restore refuses a place that is not empty; a failing
migration leaves the database as it was; the daily backup runs once a day and tells the
admins once when it fails."""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from bot.backup import daily, files, migrating
from bot.backup.make import take
from bot.backup.restore import restore
from bot.cli import database
from storage import archive, media_store
from storage.db import make_engine, migrate, revision_of
from storage.media_archive import unarchived
from storage.models import Media
from tests.conftest import FROZEN
from tests.fake_base import PATIENCE
from tests.harness import ADMIN, ED1, Chat, Harness, settings_for
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.zalo.fake_zalo import FakeZalo
from tests.support.backups import KEPT, bare_settings, every_row, fresh_place
from tests.support.flows import ZaloChat, card, press, submit, submit_raw
from tests.support.migrations import ADD_COLUMN, chain_copy, plant, revisions, throwaway
from tests.support.sites import until

HEAD = revisions()[-1]
FROZEN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")  # TIMEZONE's default


async def keeps_typing(member: Chat, done: asyncio.Event, started: asyncio.Event) -> int:
    """A member who keeps writing to the bot until ``done``: how many messages."""
    count = 0
    while not done.is_set():
        await member.send("/start", "Chọn đơn vị")
        count += 1
        started.set()
    return count


async def photos_of(bot: Harness) -> dict[str, bytes]:
    """Every stored photo's bytes, by sha256."""
    assert bot.app is not None
    async with bot.app.sessions() as session:
        rows = (await session.exec(select(Media).where(col(Media.sha256).is_not(None)))).all()
        return {
            m.sha256 or "": await media_store.read(session, sha256=m.sha256 or "") or b""
            for m in rows
        }


async def archived(bot: Harness) -> None:
    """Until the approved items' photos are in the archive: that background task would
    otherwise change their rows between the reading of every row and the backup."""
    assert bot.app is not None
    async with asyncio.timeout(PATIENCE):
        while True:
            async with bot.app.sessions() as session:
                if not await unarchived(session, platforms=list(bot.app.fetchers)):
                    return
            await asyncio.sleep(0.05)


async def test_a_backup_taken_while_members_type_restores_every_row_and_photo(
    db_url: str, fake: FakeTelegram, zalo: FakeZalo, tmp_path: Path
) -> None:
    extra = settings_for(zalo, admin_ids=f"telegram:{ADMIN}")
    office = Harness(db_url=db_url, fake=fake, now=FROZEN, **extra)
    await office.start()
    try:
        await submit_raw(office.member(1001), fake, photos=2)  # Lan, on Telegram
        await card(fake)
        press(fake, ED1, "Duyệt")
        await fake.wait_for(1001, "đã được đăng")
        mark = fake.mark()
        await submit(ZaloChat(zalo, "zu-3001"), zalo)  # Hà, on Zalo, with a photo
        await card(fake, after=mark)
        press(fake, ED1, "Duyệt")
        await zalo.wait_for("zu-3001", "đã được đăng")
        await fake.idle()
        await archived(office)
        before, photos = await every_row(db_url), await photos_of(office)
        assert len(photos) >= 1 and all(photos.values())
        assert len(before["submission"]) == 2 and before["audit"] and before["outbox"]

        done, started = asyncio.Event(), asyncio.Event()
        typing = asyncio.create_task(keeps_typing(office.member(1002, "Minh"), done, started))
        await started.wait()
        made = await take(office.settings, tmp_path / "backups", at=office.now)
        done.set()
        assert await typing >= 1
    finally:
        await office.stop()

    assert made.path.name.startswith("tintot-backup-20261117-")
    async with fresh_place(db_url, tmp_path / "restored") as place:
        restored = await restore(bare_settings(place), made.path)
        assert restored.revision == HEAD
        after = await every_row(place)
        for table, rows in before.items():
            if table in KEPT:  # every row as it was
                assert rows.items() <= after[table].items(), table
            else:  # still there (an outbox row may have been sent meanwhile)
                assert rows.keys() <= after[table].keys(), table
        # The copy is one moment: what the manifest counted is exactly what came back.
        counted = {t: n for t, n in made.counts.items() if not t.startswith("archive_")}
        assert {t: len(rows) for t, rows in after.items()} == counted

        await _forget_the_index(place)  # as a database from before the index (0011) would be
        again = Harness(db_url=place, fake=fake, now=office.now, **extra)
        await again.start()
        try:
            assert await photos_of(again) == photos  # every stored photo's bytes
            await again.member(1002, "Minh").send("/start", "Chọn đơn vị")
            # The bot indexes what the archive's search lacks, beside serving.
            for _ in range(int(PATIENCE / 0.05)):
                if len(await _found(again, "an lac")) == 2:
                    break
                await asyncio.sleep(0.05)
            assert len(await _found(again, "an lac")) == 2
        finally:
            await again.stop()


async def _forget_the_index(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            index = "archive_fts" if engine.dialect.name == "sqlite" else "archive_text"
            await connection.execute(sa.text(f"DELETE FROM {index}"))
    finally:
        await engine.dispose()


async def _found(bot: Harness, words: str) -> list[int]:
    assert bot.app is not None
    async with bot.app.sessions() as session:
        found = await archive.search(session, words=words, filters=archive.Filters(), limit=10)
    return [sub.id or 0 for sub in found]


def _args(command: str, **values: object) -> argparse.Namespace:
    return argparse.Namespace(command=command, **values)


async def test_the_commands_say_what_they_did_and_refuse_what_they_must(
    empty_db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db_url = empty_db_url
    settings = bare_settings(db_url)
    folder = tmp_path / "backups"
    assert await database.run(_args("migrate", no_backup=False, out=folder), settings) == 0
    assert f"từ phiên bản trống lên {HEAD}" in capsys.readouterr().out
    assert await database.run(_args("migrate", no_backup=False, out=folder), settings) == 0
    assert "không có gì để cập nhật" in capsys.readouterr().out

    for _ in range(2):  # the same second twice: a second name, nothing overwritten
        assert await database.run(_args("backup", out=folder), settings, lambda: FROZEN) == 0
        assert "Đã sao lưu vào" in capsys.readouterr().out
    names = sorted(path.name for path, _ in files.backups(folder))
    assert names == ["tintot-backup-20261117-020000-2.tar", "tintot-backup-20261117-020000.tar"]
    newest = files.latest_backup(folder)
    assert newest is not None and newest[1] == FROZEN and newest[0].name.endswith("-2.tar")

    assert await database.run(_args("restore", file=newest[0]), settings) == 2
    refused = capsys.readouterr().err
    assert "đã có bảng (archivestate, audit, ban, " in refused  # named, in order
    junk = tmp_path / "notes.txt"
    junk.write_text("không phải bản sao lưu")
    assert await database.run(_args("restore", file=junk), settings) == 2
    assert "không phải là tệp sao lưu" in capsys.readouterr().err

    sqlite = db_url.startswith("sqlite")
    if sqlite:  # a media folder with files is no empty place either
        place = tmp_path / "elsewhere"
        (place / "media").mkdir(parents=True)
        (place / "media" / "anh.jpg").write_bytes(b"x")
        fresh = bare_settings(f"sqlite+aiosqlite:///{place / 'tintot.db'}")
        assert await database.run(_args("restore", file=newest[0]), fresh) == 2
        assert f"thư mục ảnh {place / 'media'} đã có tệp" in capsys.readouterr().err

    # Without pg_dump on the PATH: one clear line on PostgreSQL; SQLite does not need it.
    monkeypatch.setenv("PATH", str(tmp_path))
    code = await database.run(_args("backup", out=folder), settings, lambda: FROZEN)
    output = capsys.readouterr()
    if sqlite:
        assert code == 0 and "Đã sao lưu vào" in output.out
    else:
        assert code == 2 and "Không tìm thấy chương trình pg_dump" in output.err
        assert len(output.err.strip().splitlines()) == 1


async def test_a_failing_migration_leaves_the_database_as_it_was(
    db_url: str, tmp_path: Path
) -> None:
    engine = make_engine(db_url)
    try:
        await migrate(engine)
        async with engine.begin() as connection:
            await connection.run_sync(plant)
    finally:
        await engine.dispose()
    before = await every_row(db_url)
    fails = ADD_COLUMN + '\n    op.execute("UPDATE no_such_table SET x = 1")'
    broken = chain_copy(tmp_path / "broken", {"0099_fails.py": throwaway("0099", HEAD, fails)})
    settings = bare_settings(db_url)
    for backup in (True, False):  # with a backup, or --no-backup
        with pytest.raises(migrating.MigrateFailed) as failed:
            await migrating.run(
                settings, at=FROZEN, backup=backup, folder=tmp_path / "b", location=broken
            )
        assert failed.value.before == HEAD and "no_such_table" in str(failed.value.error)
        assert (failed.value.backup is not None) is backup
        assert await every_row(db_url) == before
        engine = make_engine(db_url)
        try:
            assert await revision_of(engine) == HEAD
            async with engine.connect() as connection:
                columns = await connection.run_sync(
                    lambda c: [col["name"] for col in sa.inspect(c).get_columns("submission")]
                )
            assert "extra_note" not in columns
        finally:
            await engine.dispose()

    good = chain_copy(tmp_path / "good", {"0099_extra.py": throwaway("0099", HEAD, ADD_COLUMN)})
    done = await migrating.run(settings, at=FROZEN, folder=tmp_path / "b", location=good)
    assert (done.before, done.after, [rev for rev, _ in done.applied]) == (HEAD, "0099", ["0099"])
    assert done.backup is not None and done.backup.exists()


async def test_the_daily_backup_runs_once_a_day_and_tells_admins_once_when_it_fails(
    db_url: str, fake: FakeTelegram, tmp_path: Path
) -> None:
    folder = tmp_path / "daily"
    local = FROZEN.astimezone(FROZEN_TZ)
    bot = Harness(
        db_url=db_url,
        fake=fake,
        now=FROZEN,
        admin_ids=f"telegram:{ADMIN}",
        backup_dir=folder,
        backup_keep=2,
        backup_at=local.strftime("%H:%M"),
    )
    await bot.start()
    try:
        await bot.member(ADMIN, "Quân").send("/start")  # Telegram lets a bot write to him now
        await until(lambda: files.latest_backup(folder) is not None)  # the scheduler's tick
        assert bot.app is not None
        sessions, deps = bot.app.sessions, bot.app.core.deps
        plan = daily.plan(bot.settings)
        assert plan is not None
        tomorrow = bot.now + timedelta(days=1)
        claims = []
        for now in (bot.now, tomorrow, tomorrow):  # today's was taken; tomorrow's, once
            async with sessions() as session, session.begin():
                claims.append(await daily.claim(session, plan=plan, deps=deps, now=now))
        assert claims == [None, tomorrow.astimezone(FROZEN_TZ).date(), None]
        day = local.date()
        for _ in range(3):
            assert await daily.run(sessions, deps, plan, day) is not None
        assert len(files.backups(folder)) == 2  # BACKUP_KEEP

        blocked = tmp_path / "not-a-folder"
        blocked.write_text("")
        broken = daily.Plan(bot.settings, blocked, 2, plan.at)
        for _ in range(2):
            assert await daily.run(sessions, deps, broken, day) is None
        await fake.wait_for(ADMIN, "không ghi được")
        await fake.idle()
        told = [m for m in fake.messages(ADMIN) if "không ghi được" in (m.plain or "")]
        assert len(told) == 1
    finally:
        await bot.stop()
