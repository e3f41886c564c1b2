"""The SQLite file under a running bot: deleted or replaced, the bot stops with a clear line
instead of writing on into a file that is gone; read-only at start, the message names the
database, not the organisation file."""

from __future__ import annotations

import asyncio
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.runtime.watchdog import DatabaseGone
from tests.fake_base import PATIENCE
from tests.harness import Harness
from tests.platforms.telegram.fake_telegram import TOKEN, FakeTelegram
from tests.support.cli import main_in_process, run_bot, start_bot

NOW = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)


def _delete(database: Path) -> None:
    for end in ("", "-wal", "-shm"):
        Path(f"{database}{end}").unlink(missing_ok=True)


def _replace(database: Path) -> None:
    copy = database.with_name("copy.db")
    shutil.copyfile(database, copy)
    os.replace(copy, database)  # e.g. a backup restored over it while the bot runs


@pytest.mark.parametrize("happening", [_delete, _replace])
async def test_a_database_file_gone_under_the_bot_stops_it(
    happening: object, fake: FakeTelegram, tmp_path: Path
) -> None:
    database = tmp_path / "tintot.db"
    bot = Harness(db_url=f"sqlite+aiosqlite:///{database}", fake=fake, now=NOW)
    await bot.start()
    try:
        await bot.member(1701).register()
        assert callable(happening)
        happening(database)
        assert bot.task is not None
        with pytest.raises(DatabaseGone, match=str(database)):
            await asyncio.wait_for(bot.task, timeout=PATIENCE)
    finally:
        bot.task = None  # it has ended
        await bot.stop()


async def test_python_m_bot_run_stops_non_zero_with_one_clear_line(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    database = tmp_path / "tintot.db"
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": fake.base_url,
        "WEB_PORT": "0",  # its web server (/healthz) on any free port: tests run side by side
    }
    process = await start_bot(env, "run")
    try:
        mark = fake.mark()
        fake.push_text(1702, "/start", first_name="Lan")
        await fake.wait_for(1702, "Chọn đơn vị", after=mark, timeout=240)  # serving
        _delete(database)
        _, err = await asyncio.wait_for(process.communicate(), timeout=240)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 2
    assert f"Tệp cơ sở dữ liệu {database} đã bị xóa" in err.decode()
    assert "Traceback" not in err.decode()


def test_a_read_only_database_is_named_at_start(tmp_path: Path) -> None:
    database = tmp_path / "tintot.db"
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    assert main_in_process(env, "migrate")[0] == 0
    database.chmod(0o444)
    result = run_bot(env, "run", as_plain_owner=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert str(database) in result.stderr and "chỉ cho đọc" in result.stderr
    assert "ORG_CONFIG" not in result.stderr


def test_a_read_only_folder_is_named_at_start(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o555)
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{folder}/tintot.db"}
    result = run_bot(env, "run", as_plain_owner=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"Thư mục {folder}" in result.stderr and "ORG_CONFIG" not in result.stderr
