"""Start-up: a wrong setting stops the bot with one clear line naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_bot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TIMEZONE", "Mars/Olympus"),
        ("DATABASE_URL", "mysql://localhost/x"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("ADMIN_IDS", "123,456"),
        ("EDITOR_CHAT_ID", "nhóm biên tập"),
        ("ORG_CONFIG", "/nowhere/org.toml"),
        ("TELEGRAM_WEBHOOK_URL", "not a url"),
    ],
)
def test_bad_setting_names_the_variable(name: str, value: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db", name: value}
    result = run_bot(env, "run")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0] and "Traceback" not in result.stderr
    if name == "TELEGRAM_BOT_TOKEN":
        assert value not in result.stderr  # a token never shows, even a malformed one


def test_webhook_needs_a_secret(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db",
        "TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOP",
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.vn/telegram",
    }
    result = run_bot(env, "run")
    assert result.returncode == 2 and "TELEGRAM_WEBHOOK_SECRET" in result.stderr


def test_broken_org_file_is_named(tmp_path: Path) -> None:
    org = tmp_path / "org.toml"
    org.write_text('name = "X"\nshort_name = "X"\ntrusted_domains = []\nunits = []\n')
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db", "ORG_CONFIG": str(org)}
    result = run_bot(env, "demo")
    assert result.returncode == 2 and str(org) in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_command(tmp_path: Path) -> None:
    result = run_bot({"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"}, "migrate")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "x.db").exists()


def test_second_process_on_the_same_sqlite_file_stops(tmp_path: Path) -> None:
    from storage.locks import hold_sqlite_file

    url = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    held = hold_sqlite_file(url)  # as a running bot would
    try:
        result = run_bot({"DATABASE_URL": url}, "demo")
        assert result.returncode == 2 and "tiến trình khác" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    finally:
        assert held is not None
        held.close()
    assert run_bot({"DATABASE_URL": url}, "migrate").returncode == 0
