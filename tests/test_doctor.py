"""``python -m bot doctor`` explains every misconfiguration the fake servers can produce: one
table row per ✓ and per ✗, each run against the real clients and the fakes; exit status 0
only when every line passes."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.cli import doctor
from bot.serve.compose import build
from bot.settings import Settings
from storage.db import make_engine, migrate
from tests.conftest import FROZEN
from tests.harness import CHANNEL, EDITORS, ORG, free_port, org_file
from tests.platforms.facebook.fake_graph import PAGE, FakeGraph
from tests.platforms.facebook.fake_graph import TOKEN as PAGE_TOKEN
from tests.platforms.telegram.fake_telegram import TOKEN, FakeTelegram
from tests.platforms.wordpress.fake_wordpress import PASSWORD, USER, FakeWordPress
from tests.platforms.zalo.fake_zalo import ZALO_TOKEN, FakeZalo
from tests.support.cli import own_environment, run_bot


@dataclass
class World:
    """Everything a row may change: the fakes, a folder, the settings it starts from."""

    fake: FakeTelegram
    zalo: FakeZalo
    graph: FakeGraph
    wp: FakeWordPress
    folder: Path
    values: dict[str, Any] = field(default_factory=dict)
    migrate: bool = True  # the database made and up to date before the doctor looks
    min_free: int = 1


Arrange = Callable[[World], Awaitable[None]]


async def nothing(world: World) -> None:
    return None


def setting(**values: Any) -> Arrange:
    async def arrange(world: World) -> None:
        world.values |= values

    return arrange


async def register_webhook(fake: FakeTelegram, url: str) -> None:
    async with aiohttp.ClientSession() as http:
        form = {"url": url, "secret_token": "s3cret-hook"}
        async with http.post(f"{fake.base_url}/bot{TOKEN}/setWebhook", data=form) as response:
            assert response.status == 200


HOOK = "https://bot.example.vn/telegram"


async def webhook_set(world: World) -> None:
    world.values |= {"telegram_webhook_url": HOOK, "telegram_webhook_secret": "s3cret-hook"}
    await register_webhook(world.fake, HOOK)


async def webhook_unset(world: World) -> None:
    world.values |= {"telegram_webhook_url": HOOK, "telegram_webhook_secret": "s3cret-hook"}


async def webhook_elsewhere(world: World) -> None:
    await webhook_unset(world)
    await register_webhook(world.fake, "https://old-server.example.vn/telegram")


async def webhook_left(world: World) -> None:
    await register_webhook(world.fake, HOOK)  # polling configured


async def channel_member(world: World) -> None:
    world.fake.add_channel(CHANNEL, "Tin tốt phường", status="member")


async def channel_gone(world: World) -> None:
    world.fake.forget_chat(CHANNEL)


async def editors_gone(world: World) -> None:
    world.fake.forget_chat(EDITORS)


async def telegram_wrong_token(world: World) -> None:
    world.values["telegram_bot_token"] = "999999:SOMEONE-elses-token"


async def telegram_away(world: World) -> None:
    world.values["telegram_api_base"] = f"http://127.0.0.1:{free_port()}"


async def zalo_webhook(world: World) -> None:
    url = "https://bot.example.vn/zalo"
    world.values |= {"zalo_webhook_url": url, "zalo_webhook_secret": "zalo-secret-123"}
    async with aiohttp.ClientSession() as http:
        form = {"url": url, "secret_token": "zalo-secret-123"}
        async with http.post(f"{world.zalo.base_url}/bot{ZALO_TOKEN}/setWebhook", json=form):
            pass


async def zalo_webhook_unset(world: World) -> None:
    url = "https://bot.example.vn/zalo"
    world.values |= {"zalo_webhook_url": url, "zalo_webhook_secret": "zalo-secret-123"}


async def page_expired(world: World) -> None:
    world.graph.expire(PAGE)


async def site_revoked(world: World) -> None:
    world.wp.revoke()


async def bad_org(world: World) -> None:
    world.values["org_config"] = org_file(
        world.folder, "hashtags", 'extra = ["khong co dau thang"]'
    )


async def no_database(world: World) -> None:
    world.migrate = False


async def old_database(world: World) -> None:
    world.migrate = False
    engine = make_engine(world.values["database_url"])
    await migrate(engine, "0011")
    await engine.dispose()


async def database_away(world: World) -> None:
    world.migrate = False
    world.values["database_url"] = f"postgresql+asyncpg://tintot@127.0.0.1:{free_port()}/tintot"


async def disk_full(world: World) -> None:
    world.min_free = 2**62  # more than any disk has free


def backups(age: timedelta | None) -> Arrange:
    async def arrange(world: World) -> None:
        folder = world.folder / "backups"
        folder.mkdir()
        world.values["backup_dir"] = folder
        if age is not None:
            # The name says when it was taken (bot/backup/files.py), whatever the file's mtime.
            made = folder / f"tintot-backup-{FROZEN - age:%Y%m%d-%H%M%S}.tar"
            made.write_bytes(b"backup")

    return arrange


@dataclass(frozen=True)
class Row:
    name: str
    arrange: Arrange
    mark: str  # "✓" or "✗"
    says: str  # what the line about it says


ROWS = [
    Row("settings and organisation file", nothing, "✓", "Tệp tổ chức"),
    Row("organisation file wrong", bad_org, "✗", "(biến ORG_CONFIG) không hợp lệ"),
    Row("database answers", nothing, "✓", "Cơ sở dữ liệu SQLite trả lời"),
    Row("migrations done", nothing, "✓", "đã ở phiên bản mới nhất"),
    Row("database file missing", no_database, "✗", "Chưa có tệp cơ sở dữ liệu"),
    Row("migrations pending", old_database, "✗", "đang ở 0011, mới nhất"),
    Row("database unreachable", database_away, "✗", "Không kết nối được cơ sở dữ liệu PostgreSQL"),
    Row("telegram token", nothing, "✓", "Token telegram hợp lệ (bot @fake_test_bot)"),
    Row("telegram token refused", telegram_wrong_token, "✗", "Token telegram bị từ chối"),
    Row("telegram unreachable", telegram_away, "✗", "Không gọi được telegram (TELEGRAM_API_BASE)"),
    Row("telegram polling", nothing, "✓", "telegram: nhận tin bằng cách hỏi định kỳ"),
    Row("telegram webhook left", webhook_left, "✗", "nhưng một webhook đang đăng ký"),
    Row("telegram webhook", webhook_set, "✓", f"webhook đăng ký đúng địa chỉ {HOOK}"),
    Row("telegram webhook missing", webhook_unset, "✗", f"webhook {HOOK} chưa được đăng ký"),
    Row("telegram webhook elsewhere", webhook_elsewhere, "✗", "webhook đang đăng ký là https://old"),
    Row("editors' group", nothing, "✓", f"bot có quyền trong nhóm biên tập {EDITORS}"),
    Row("editors' group unknown", editors_gone, "✗", f"không thấy nhóm biên tập {EDITORS}"),
    Row("channel", nothing, "✓", f"bot có quyền trong kênh/nhóm đăng bài {CHANNEL}"),
    Row("channel without rights", channel_member, "✗", "chưa là quản trị viên được đăng bài"),
    Row("channel unknown", channel_gone, "✗", f"không thấy kênh/nhóm đăng bài {CHANNEL}"),
    Row("zalo token", nothing, "✓", "Token zalo hợp lệ"),
    Row("zalo token refused", setting(zalo_bot_token="not-our-bot"), "✗", "Token zalo bị từ chối"),
    Row("zalo polling", nothing, "✓", "zalo: nhận tin bằng cách hỏi định kỳ"),
    Row("zalo webhook", zalo_webhook, "✓", "zalo: webhook đăng ký đúng địa chỉ"),
    Row("zalo webhook missing", zalo_webhook_unset, "✗", "zalo: webhook https://bot.example"),
    Row("facebook page", nothing, "✓", "): mã truy cập dùng được"),
    Row("facebook token expired", page_expired, "✗", "Facebook từ chối mã truy cập (mã lỗi 190)"),
    Row("wordpress site", nothing, "✓", "Trang WordPress doan: đăng nhập được"),
    Row("wordpress refused", site_revoked, "✗", "doan: không đăng nhập được (HTTP 401)"),
    Row("free space", nothing, "✓", "Thư mục ảnh"),
    Row("disk full", disk_full, "✗", "chỉ còn trống"),
    Row("backups off", nothing, "✓", "Sao lưu hằng ngày chưa bật"),
    Row("backup recent", backups(timedelta(hours=5)), "✓", "20261116-210000.tar: 5 giờ trước"),
    Row("backup old", backups(timedelta(days=3)), "✗", "đã cũ 3 ngày"),
    Row("no backup yet", backups(None), "✗", "Chưa có bản sao lưu nào"),
]  # fmt: skip


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
async def test_doctor_explains(
    row: Row,
    tmp_path: Path,
    fake: FakeTelegram,
    zalo: FakeZalo,
    graph: FakeGraph,
    wp: FakeWordPress,
) -> None:
    fake.add_channel(CHANNEL, "Tin tốt phường", status="administrator", can_post_messages=True)
    world = World(
        fake, zalo, graph, wp, tmp_path, values=everything(tmp_path, fake, zalo, graph, wp)
    )
    await row.arrange(world)
    settings = Settings(_env_file=None, **world.values)
    if world.migrate:  # as a bot started earlier left it (with a good organisation file)
        app = await build(settings.model_copy(update={"org_config": ORG}), task=True)
        await app.close()
    out = io.StringIO()
    status = await doctor.run(settings, out=out, clock=lambda: FROZEN, min_free=world.min_free)
    lines = out.getvalue().splitlines()
    [found] = [line for line in lines if row.says in line] or [
        f"nothing says {row.says!r}: {lines}"
    ]
    assert found.startswith(f"{row.mark} "), lines
    assert all(line[:2] in ("✓ ", "✗ ") for line in lines), lines
    everything_passed = all(line.startswith("✓ ") for line in lines)
    assert status == (0 if everything_passed else 1)
    assert everything_passed == (row.mark == "✓"), lines  # each ✗ row breaks one thing only
    secrets = (TOKEN.split(":")[1], ZALO_TOKEN, PAGE_TOKEN, PASSWORD)
    assert not [secret for secret in secrets if secret in out.getvalue()]


def everything(folder: Path, fake: FakeTelegram, zalo: FakeZalo, graph: FakeGraph,
               wp: FakeWordPress) -> dict[str, Any]:  # fmt: skip
    """Telegram with its editors' group and channel, Zalo, a Facebook page and a WordPress
    site, all working; a SQLite file in ``folder``."""
    return {
        "database_url": f"sqlite+aiosqlite:///{folder / 'tintot.db'}",
        "org_config": ORG,
        "telegram_bot_token": TOKEN,
        "telegram_api_base": fake.base_url,
        "zalo_bot_token": ZALO_TOKEN,
        "zalo_api_base": zalo.base_url,
        "editor_chat_id": EDITORS,
        "publish_targets": f"telegram:{CHANNEL},facebook:{PAGE},wordpress:doan",
        "facebook_page_tokens": f"{PAGE}:{PAGE_TOKEN}",
        "facebook_graph_base": graph.base,
        "wordpress_sites": f"doan={wp.base_url}",
        "wordpress_credentials": f"doan={USER}:{PASSWORD}",
        "media_dir": folder / "media",
    }


def test_wrong_settings_are_the_first_and_only_line(tmp_path: Path) -> None:
    env = own_environment()
    env |= {
        "TELEGRAM_BOT_TOKEN": "not-a-token",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db",
    }
    done = run_bot(env, "doctor")
    assert done.returncode == 1
    assert done.stdout.strip().splitlines() == [
        "✗ Cấu hình sai ở biến TELEGRAM_BOT_TOKEN: token Telegram có dạng 123456789:ABC... "
        "(lấy từ @BotFather). Sửa trong môi trường hoặc tệp .env (xem .env.example) rồi chạy lại."
    ]


async def test_the_database_lines_on_each_backend(db_url: str, tmp_path: Path) -> None:
    settings = Settings(_env_file=None, database_url=db_url, org_config=ORG, media_dir=tmp_path)
    app = await build(settings, task=True)
    await app.close()
    out = io.StringIO()
    assert await doctor.run(settings, out=out, clock=lambda: FROZEN, min_free=1) == 0
    backend = "SQLite" if db_url.startswith("sqlite") else "PostgreSQL"
    assert f"✓ Cơ sở dữ liệu {backend} trả lời." in out.getvalue().splitlines()
