"""``python -m bot doctor`` tells an admin how the OA's tokens stand without ever spending the
single-use refresh token: only ZALO_OA_REFRESH_TOKEN waiting, tokens in the database, when the
access token ends, the refresh token's days (✗ under two weeks), and the OA's own answer to
the stored access token (its name, or Zalo's refusal)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col

from bot.cli.doctor import line
from bot.platforms.zalo_oa import ZALO_OA
from bot.platforms.zalo_oa.client import ZaloOAClient
from bot.platforms.zalo_oa.tokens import TokenKeeper
from bot.runtime.app import make_deps
from bot.serve.compose import build, platforms
from bot.settings import Settings
from handlers.org import load_org
from storage import clock
from storage.db import make_engine, make_sessions
from storage.models import PlatformToken
from tests.harness import ORG, free_port
from tests.platforms.zalo_oa.fake_oa import FakeOA
from tests.platforms.zalo_oa.fake_oauth import APP_ID, APP_SECRET, FIRST_REFRESH
from tests.platforms.zalo_oa.people import oa_settings


async def doctor_says(settings: Settings) -> list[str]:
    return [line(found) for found in await ZALO_OA.doctor(settings)]


async def test_the_doctor_reads_the_tokens_and_asks_the_oa_without_refreshing(
    db_url: str, oa: FakeOA
) -> None:
    settings = Settings(
        _env_file=None, database_url=db_url, org_config=ORG, **oa_settings(oa, free_port())
    )
    app = await build(settings, task=True)  # the database made, the OA not served yet
    await app.close()
    assert await doctor_says(settings) == [
        "✓ Zalo OA: cơ sở dữ liệu chưa có token; ZALO_OA_REFRESH_TOKEN sẽ được dùng một lần"
        " khi bot khởi động."
    ]
    unset = settings.model_copy(update={"zalo_oa_refresh_token": None})
    assert (await doctor_says(unset))[0].startswith("✗ Zalo OA: chưa có token nào")

    engine = make_engine(db_url)
    sessions = make_sessions(engine)  # the wall clock, as the doctor's own
    client = ZaloOAClient(
        app_id=APP_ID, app_secret=APP_SECRET, api_base=oa.base_url, oauth_base=oa.base_url
    )
    deps = make_deps(settings, load_org(ORG), clock.system, platforms())
    keeper = TokenKeeper(sessions, client, deps, first_refresh_token=FIRST_REFRESH)
    try:
        await keeper.seed()
        await keeper.access()  # the bot's first refresh
        assert oa.spent == [FIRST_REFRESH]
        said = await doctor_says(settings)
        assert [s[:2] for s in said] == ["✓ "] * 4, said
        assert said[0].startswith("✓ Zalo OA: token được lưu trong cơ sở dữ liệu")
        assert said[1].startswith("✓ Zalo OA: mã truy cập còn hạn đến ")
        assert said[2].startswith("✓ Zalo OA: mã làm mới còn 90 ngày")
        assert said[3] == "✓ Zalo OA Đoàn phường An Lạc (oa-1) trả lời: mã truy cập dùng được."

        oa.expire_access_tokens()  # Zalo no longer takes the stored access token
        said = await doctor_says(settings)
        assert said[3].startswith("✗ Zalo OA từ chối mã truy cập đang lưu (mã lỗi -216"), said

        async with sessions.begin() as session:  # refreshes have failed for eleven weeks
            now = clock.now(session)
            await session.exec(
                update(PlatformToken)
                .where(col(PlatformToken.platform) == "zalo_oa")
                .values(
                    access_expires_at=now - timedelta(hours=1),
                    refresh_expires_at=now + timedelta(days=10),
                    refused="-14014: Invalid refresh token",
                )
            )
        said = await doctor_says(settings)
        assert [s[:2] for s in said] == ["✓ ", "✗ ", "✓ ", "✗ "], said  # no call to the OA
        assert "(-14014: Invalid refresh token)" in said[1]
        assert said[2].startswith("✓ Zalo OA: mã truy cập đã hết hạn lúc ")
        assert said[3].startswith("✗ Zalo OA: mã làm mới chỉ còn 10 ngày")
        assert oa.spent == [FIRST_REFRESH] and oa.refusals == []  # the doctor spent nothing
    finally:
        await client.close()
        await engine.dispose()
