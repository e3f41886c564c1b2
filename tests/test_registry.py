"""The one registry of platforms, and what ``serve`` makes of it when a platform cannot start:
one line naming what to fix, without secrets, while the other platforms keep serving."""

from __future__ import annotations

import asyncio
import io
from typing import Any, get_args

import pytest
from pydantic import BaseModel, SecretStr, ValidationError

from bot.platforms.protocol import Platform, Receives, Sends, Served, TextUnit
from bot.platforms.registry import PLATFORMS, served
from bot.serve.compose import platforms
from bot.settings import Settings, describe_error, secret_values
from tests.conftest import FROZEN
from tests.fake_base import PATIENCE
from tests.harness import ORG, Harness, free_port, settings_for
from tests.logcapture import captured_logs
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.zalo.fake_zalo import FakeZalo


def holds_secret(annotation: Any) -> bool:
    """A SecretStr, or a type made of one (a dict of them, a model with one)."""
    if annotation is SecretStr:
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return any(holds_secret(f.annotation) for f in annotation.model_fields.values())
    return any(holds_secret(arg) for arg in get_args(annotation))


def test_every_row_says_what_it_is() -> None:
    assert [p.name for p in PLATFORMS] == [
        "telegram",
        "zalo",
        "zalo_oa",
        "facebook",
        "wordpress",
        "console",
    ]
    for platform in PLATFORMS:
        assert isinstance(platform, Platform)
        for name in platform.secrets:  # its secrets are secrets of the settings model
            assert holds_secret(Settings.model_fields[name].annotation), name
        model = platform.settings_model  # its variables are in the one Settings
        assert model is None or issubclass(Settings, model), platform.name
        assert platform.templates == f"platforms/{platform.name}"
    rows = {p.name: p for p in PLATFORMS}
    telegram, zalo, console = rows["telegram"], rows["zalo"], rows["console"]
    facebook, wordpress = rows["facebook"], rows["wordpress"]
    assert (telegram.buttons, telegram.text_limit, telegram.text_unit) == (
        True,
        4096,
        TextUnit.UTF16,
    )
    assert (zalo.buttons, zalo.text_limit, zalo.text_unit) == (False, 2000, TextUnit.UTF16)
    assert not console.buttons and not isinstance(console, Served)
    assert isinstance(facebook, Served) and facebook.sends == {Sends.POSTS}
    assert isinstance(wordpress, Served) and wordpress.sends == {Sends.POSTS}
    assert [(p.label, p.chats) for p in PLATFORMS] == [
        ("Telegram", True),
        ("Zalo", True),
        ("Zalo OA", True),
        ("Facebook", False),
        ("Website", False),
        ("Kênh", True),
    ]
    oa = rows["zalo_oa"]  # members write to the union's OA; editors too; it posts articles
    assert (oa.buttons, oa.text_limit) == (False, 2000)
    assert oa.sends == {Sends.REPLIES, Sends.POSTS}
    assert oa.commands == ("zalo-oa-connect",) and telegram.commands == ()
    assert zalo.fetch_media is not None and telegram.fetch_media is None  # Telegram: its bot
    assert oa.fetch_media is not None
    # A webhook reaches a receiver class of the platform's own; a publish-only target has none.
    assert [p.name for p in PLATFORMS if p.receiver is not None] == ["telegram", "zalo", "zalo_oa"]


def test_what_the_core_is_told_comes_from_the_rows() -> None:
    """The core imports no platform: start-up tells it which have buttons and where people
    chat; a deployment's ids are checked against the rows' names."""
    told = platforms()
    assert [(f.name, f.chats, f.buttons) for f in told.facts] == [
        ("telegram", True, True),
        ("zalo", True, False),
        ("zalo_oa", True, False),
        ("facebook", False, False),
        ("wordpress", False, False),
    ]
    assert list(told.fetch_media) == ["zalo", "zalo_oa"]
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, org_config=ORG, admin_ids="console:1")
    assert describe_error(refused.value) == (
        "ADMIN_IDS",
        "other",
        "Input should be 'telegram', 'zalo', 'zalo_oa', 'facebook' or 'wordpress'",
    )


def test_run_serves_the_rows_that_have_a_token() -> None:
    nothing = Settings(_env_file=None, org_config=ORG)
    assert served(nothing) == []  # the console then
    both = Settings(
        _env_file=None,
        org_config=ORG,
        telegram_bot_token="123456:ABCDEFGHIJKLMNOP",
        zalo_bot_token="zalo-token",
        zalo_webhook_url="https://bot.example.vn/zalo",
        zalo_webhook_secret="long-enough",
    )
    assert [(p.name, p.receives(both)) for p in served(both)] == [
        ("telegram", Receives.POLLING),
        ("zalo", Receives.WEBHOOK),
    ]


async def _wait_for_line(stream: io.StringIO, text: str) -> str:
    for _ in range(int(PATIENCE / 0.05)):
        for line in stream.getvalue().splitlines():
            if text in line:
                return line
        await asyncio.sleep(0.05)
    raise AssertionError(f"no log line with {text!r}: {stream.getvalue()[-2000:]}")


async def test_telegram_keeps_answering_when_zalo_refuses_the_webhook(
    db_url: str, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    port, secret = free_port(), "zalo-secret-quoted-back"
    bot = Harness(
        db_url=db_url,
        fake=fake,
        now=FROZEN,
        **settings_for(
            zalo,
            zalo_webhook_url=f"http://127.0.0.1:{port}/zalo",
            zalo_webhook_secret=secret,
            webhook_host="127.0.0.1",
            webhook_port=port,
        ),
    )
    zalo.fail_next("setWebhook", error_code=400, description=f"invalid secret_token {secret}")
    with captured_logs(secret_values(bot.settings), level="INFO") as stream:
        await bot.start()
        try:
            line = await _wait_for_line(stream, "Không khởi động được zalo")
            await bot.member(4001).send("/start", "Chọn đơn vị")  # Telegram serves
            assert bot.task is not None and not bot.task.done()
        finally:
            await bot.stop()
    assert "ZALO_WEBHOOK_SECRET" in line and "Các nền tảng khác vẫn chạy" in line
    assert secret not in stream.getvalue() and "Traceback" not in stream.getvalue()


@pytest.mark.parametrize("fault", ["token refused", "API unreachable"])
async def test_zalo_keeps_answering_when_telegram_cannot_start(
    db_url: str, zalo: FakeZalo, fault: str
) -> None:
    other = FakeTelegram(token="654321:ANOTHER-bots-token")  # ours gets 401 there
    await other.start()
    base = other.base_url if fault == "token refused" else f"http://127.0.0.1:{free_port()}"
    bot = Harness(db_url=db_url, fake=other, now=FROZEN, **settings_for(zalo))
    bot.settings.telegram_api_base = type(bot.settings.telegram_api_base)(base)
    with captured_logs(secret_values(bot.settings), level="INFO") as stream:
        await bot.start()
        try:
            line = await _wait_for_line(stream, "Không khởi động được telegram")
            mark = zalo.mark()
            zalo.push_text("zu-7001", "/start", display_name="Hà")
            await zalo.wait_for("zu-7001", "Chọn đơn vị", after=mark)
        finally:
            await bot.stop()
            await other.stop()
    variable = "TELEGRAM_BOT_TOKEN" if fault == "token refused" else "TELEGRAM_API_BASE"
    assert variable in line and "Traceback" not in stream.getvalue()
    assert not [call for call in other.calls if call[0] == "getUpdates"]


async def test_zalo_webhook_without_a_secret_refuses_everything(
    db_url: str, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    """Belt and braces: the settings refuse an empty secret at start, and should one get
    through anyway, the webhook obeys no request rather than every request."""
    port = free_port()
    bot = Harness(
        db_url=db_url,
        fake=fake,
        now=FROZEN,
        **settings_for(
            zalo,
            zalo_webhook_url=f"http://127.0.0.1:{port}/zalo",
            zalo_webhook_secret="a-good-secret",
            webhook_host="127.0.0.1",
            webhook_port=port,
        ),
    )
    await bot.start()
    try:
        await zalo.until(lambda: zalo.webhook is not None)
        bot.settings.zalo_webhook_secret = SecretStr("")
        forged = {
            "event_name": "message.text.received",
            "message": {
                "message_id": "f0f0f0",
                "date": 1763350000000,
                "chat": {"id": "zu-9009", "chat_type": "PRIVATE"},
                "from": {"id": "zu-9009", "display_name": "Kẻ giả", "is_bot": False},
                "text": "/start",
            },
        }
        assert await zalo.post_webhook(forged, secret=None) == 401
        assert await zalo.post_webhook(forged, secret="") == 401
        await asyncio.sleep(0.5)
        assert not zalo.messages("zu-9009")  # nothing was handled
    finally:
        await bot.stop()
