"""Start-up: a wrong setting stops the bot with one clear line naming the variable.

``python -m bot``'s ``main`` runs in the test's process where the bot stops at its settings,
before any platform or database is touched: a process of its own would show only its exit
code more (``test_empty_zalo_secret_stops_the_real_process`` shows that one, and
``tests/test_secrets.py`` a real process failing later)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.platforms.registry import chat_names
from bot.settings import Settings, describe_error
from handlers.engine.texts import platform_example, render
from handlers.engine.types import Say
from tests.support.cli import main_in_process, run_bot

ROOT = Path(__file__).resolve().parents[1]


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
        ("MEDIA_FETCH_ALLOW_HOSTS", "127.0.0.1, máy chủ nội bộ"),
        ("PUBLIC_BASE_URL", "http://bot.example.vn"),  # sign-in links over plain http
        ("PUBLIC_BASE_URL", "http://10.0.0.5:8080"),
    ],
)
def test_bad_setting_names_the_variable(name: str, value: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db", name: value}
    code, out, err = main_in_process(env, "run")
    assert code == 2 and not out
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert name in lines[0] and "Traceback" not in err
    if name == "TELEGRAM_BOT_TOKEN":
        assert value not in err  # a token never shows, even a malformed one
    assert not (tmp_path / "x.db").exists()  # stopped before the database


def test_an_id_without_its_platform_is_shown_the_platforms_examples(tmp_path: Path) -> None:
    """``ADMIN_IDS=123``: the line says how an id is written, with examples the chat platforms
    give themselves (the text names none of them)."""
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db", "ADMIN_IDS": "123"}
    code, _, err = main_in_process(env, "run")
    first, second = chat_names()[:2]
    examples = f"ví dụ {first}:{platform_example(first)} hoặc {second}:{platform_example(second)}"
    assert code == 2
    assert err.strip() == (
        f"Cấu hình sai ở biến ADMIN_IDS: “123” phải có dạng ‹nền tảng›:‹mã›, {examples}. "
        "Sửa trong môi trường hoặc tệp .env (xem .env.example) rồi chạy lại."
    )


@pytest.mark.parametrize(
    "base", ["https://bot.example.vn", "http://127.0.0.1:8080", "http://localhost", "http://[::1]"]
)
def test_a_public_base_over_https_or_on_this_machine_passes(base: str) -> None:
    settings = Settings(_env_file=None, public_base_url=base)
    assert str(settings.public_base_url).startswith(base)


def test_a_plain_http_public_base_is_refused_in_one_line() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, public_base_url="http://bot.example.vn")
    name, key, value = describe_error(caught.value)
    said = {"name": name, "key": key, "value": value, "chats": chat_names()}
    line = render(Say("cli/config_error.j2", said), "plain")
    assert name == "PUBLIC_BASE_URL" and "https://" in line and "bot.example.vn" in line


ZALO_HOOK = {"ZALO_BOT_TOKEN": "zalo-token-abc", "ZALO_WEBHOOK_URL": "https://bot.example.vn/zalo"}
TELEGRAM_HOOK = {
    "TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOP",
    "TELEGRAM_WEBHOOK_URL": "https://bot.example.vn/telegram",
}


@pytest.mark.parametrize(
    ("env", "name", "says"),
    [
        (ZALO_HOOK, "ZALO_WEBHOOK_SECRET", "cần đặt khi dùng webhook"),  # a deaf bot before
        (ZALO_HOOK | {"ZALO_WEBHOOK_SECRET": ""}, "ZALO_WEBHOOK_SECRET", "không được để trống"),
        (ZALO_HOOK | {"ZALO_WEBHOOK_SECRET": "short-7"}, "ZALO_WEBHOOK_SECRET", "8-256"),
        (ZALO_HOOK | {"ZALO_WEBHOOK_SECRET": "x" * 257}, "ZALO_WEBHOOK_SECRET", "8-256"),
        (TELEGRAM_HOOK, "TELEGRAM_WEBHOOK_SECRET", "cần đặt khi dùng webhook"),
        (TELEGRAM_HOOK | {"TELEGRAM_WEBHOOK_SECRET": "  "}, "TELEGRAM_WEBHOOK_SECRET", "cần đặt"),
        (TELEGRAM_HOOK | {"TELEGRAM_WEBHOOK_SECRET": "bí-mật"}, "TELEGRAM_WEBHOOK_SECRET", "A-Z"),
        (TELEGRAM_HOOK | {"TELEGRAM_WEBHOOK_SECRET": "a:b"}, "TELEGRAM_WEBHOOK_SECRET", "A-Z"),
        (
            TELEGRAM_HOOK | {"TELEGRAM_WEBHOOK_SECRET": "a" * 257},
            "TELEGRAM_WEBHOOK_SECRET",
            "1-256",
        ),
        # The bench's switch never reaches the real Telegram.
        (
            {"TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOP", "BENCH_NO_LIMITS": "1"},
            "BENCH_NO_LIMITS",
            "chỉ dành cho bench",
        ),
    ],
)
def test_each_platform_checks_its_webhook_settings(
    env: dict[str, str], name: str, says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``python -m bot`` prints (the same rendering, without a process per case)."""
    for variable in env:
        monkeypatch.setenv(variable, env[variable])
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None)
    variable, key, value = describe_error(refused.value)
    line = render(
        Say(
            "cli/config_error.j2",
            {"name": variable, "key": key, "value": value, "chats": chat_names()},
        ),
        "plain",
    )
    assert variable == name and f"biến {name}:" in line and says in line
    secret = env.get(name, "")
    assert "\n" not in line and (len(secret.strip()) < 3 or secret not in line)


def test_well_formed_webhook_settings_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable, value in (ZALO_HOOK | TELEGRAM_HOOK).items():
        monkeypatch.setenv(variable, value)
    monkeypatch.setenv("ZALO_WEBHOOK_SECRET", "z" * 8)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "A-z_09")
    settings = Settings(_env_file=None)
    assert settings.zalo_webhook_secret is not None and settings.telegram_webhook_secret


def test_the_bench_switch_is_taken_only_beside_a_local_fake(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABCDEFGHIJKLMNOP")
    monkeypatch.setenv("TELEGRAM_API_BASE", "http://127.0.0.1:8081")
    monkeypatch.setenv("BENCH_NO_LIMITS", "1")
    assert Settings(_env_file=None).bench_no_limits
    monkeypatch.delenv("BENCH_NO_LIMITS")
    assert not Settings(_env_file=None).bench_no_limits


def test_empty_zalo_secret_stops_the_real_process(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db", "ZALO_WEBHOOK_SECRET": ""}
    result = run_bot(env | ZALO_HOOK, "run")
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "ZALO_WEBHOOK_SECRET" in line and "Traceback" not in result.stderr


def test_webhook_needs_a_secret(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db",
        "TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOP",
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.vn/telegram",
    }
    code, _, err = main_in_process(env, "run")
    assert code == 2 and "TELEGRAM_WEBHOOK_SECRET" in err


def test_broken_org_file_is_named(tmp_path: Path) -> None:
    org = tmp_path / "org.toml"
    org.write_text('name = "X"\nshort_name = "X"\ntrusted_domains = []\nunits = []\n')
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db", "ORG_CONFIG": str(org)}
    code, _, err = main_in_process(env, "demo")
    assert code == 2 and str(org) in err
    assert "Traceback" not in err


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
