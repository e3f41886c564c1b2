"""The command-line tasks beside a serving bot, and what they may write.

report, export and forget run while the bot serves the same SQLite file (WAL lets them);
their files never replace the database, nor an existing file without --force, and a wrong
path or a reversed range is one clear line, not a traceback or an empty file."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sqlmodel import select

from storage.models import Member
from tests.harness import Harness
from tests.support.cli import ROOT, main_in_process, run_bot, run_bot_beside


async def test_report_export_and_forget_run_beside_the_serving_bot(
    bot: Harness, db_url: str, tmp_path: Path
) -> None:
    lan = bot.member(1601)
    await lan.register()
    env = {"DATABASE_URL": db_url}
    code, out, err = await run_bot_beside(env, "report", "--period", "thang")
    assert code == 0 and "tiến trình khác" not in err, err
    code, out, err = await run_bot_beside(
        env, "export", "--format", "json", "--out", str(tmp_path / "kho.json")
    )
    assert code == 0 and (tmp_path / "kho.json").exists(), err
    code, out, err = await run_bot_beside(env, "forget", "--member", "telegram:1601")
    assert code == 0 and "Đã xóa dữ liệu cá nhân" in out, err
    assert bot.app is not None
    async with bot.app.sessions() as session:
        [member] = (await session.exec(select(Member))).all()
    assert member.platform_user_id.startswith("erased:")
    # The bot served all along and still does: Lan writing again starts as a new member.
    await lan.send("/start", "Chọn đơn vị")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_files_the_cli_refuses_to_write(tmp_path: Path) -> None:
    database = tmp_path / "tintot.db"
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    assert main_in_process(env, "migrate")[0] == 0
    before = _digest(database)
    (tmp_path / "link.csv").symlink_to(database)
    os.link(database, tmp_path / "hard.csv")
    old = tmp_path / "old.csv"
    old.write_text("giữ nguyên\n", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    cases = [
        (["export", "--format", "csv", "--out", str(database)], "cơ sở dữ liệu"),
        (["export", "--format", "csv", "--out", str(database), "--force"], "cơ sở dữ liệu"),
        (["export", "--out", f"{database}-wal", "--force"], "cơ sở dữ liệu"),
        (["export", "--out", f"{database}-shm"], "cơ sở dữ liệu"),
        (["export", "--out", str(tmp_path / "link.csv"), "--force"], "cơ sở dữ liệu"),
        (["export", "--out", str(tmp_path / "hard.csv"), "--force"], "cơ sở dữ liệu"),
        (["export", "--out", str(tmp_path / "folder" / ".." / "tintot.db")], "cơ sở dữ liệu"),
        (["report", "--xlsx", str(database), "--force"], "cơ sở dữ liệu"),
        (["report", "--png", str(old)], "đã có"),
        (["export", "--format", "csv", "--out", str(old)], "đã có"),
        (["export", "--out", str(tmp_path / "folder")], "là một thư mục"),
        (["export", "--out", str(tmp_path / "nowhere" / "x.csv")], "không tồn tại"),
        (["export", "--from", "2026-10-31", "--to", "2026-10-01", "--out", "x"], "đứng sau"),
    ]
    for args, reason in cases:
        code, _, err = main_in_process(env, *args)
        assert code == 2 and reason in err and len(err.strip().splitlines()) == 1, (args, err)
    assert _digest(database) == before and old.read_text(encoding="utf-8") == "giữ nguyên\n"
    assert main_in_process(env, "export", "--format", "csv", "--out", str(old), "--force")[0] == 0
    assert old.read_text(encoding="utf-8-sig").startswith("Mã tin")


def test_the_database_by_a_relative_path_from_a_subprocess(tmp_path: Path) -> None:
    database = tmp_path / "tintot.db"
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    assert main_in_process(env, "migrate")[0] == 0
    before = _digest(database)
    relative = os.path.relpath(database, ROOT)  # the subprocess runs in the repository
    result = run_bot(env, "export", "--format", "csv", "--out", relative, "--force")
    assert result.returncode == 2 and "cơ sở dữ liệu" in result.stderr
    assert "Traceback" not in result.stderr and _digest(database) == before
