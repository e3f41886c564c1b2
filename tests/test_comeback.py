"""A platform that cannot start comes back by itself: a 5xx (or an unreachable API, a
timeout) at start is tried again with a growing pause, the process staying up meanwhile and
``/healthz`` saying why; said once in the log, not at every try. A refused token stays off,
the admins are told once, and the other platforms serve."""

from __future__ import annotations

from tests.conftest import FROZEN, running
from tests.harness import Harness, free_port, settings_for
from tests.logcapture import captured_logs
from tests.platforms.telegram.fake_telegram import TOKEN, FakeTelegram
from tests.platforms.zalo.fake_zalo import ZALO_TOKEN, FakeZalo
from tests.support.monitor import until_health

ZALO_ADMIN = "zu-admin-01"


async def test_the_only_platform_failing_at_start_keeps_the_process_up_until_it_serves(
    db_url: str, fake: FakeTelegram
) -> None:
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    fake.fail_next("getMe", status=502, description="Bad Gateway", count=10_000)
    bot = Harness(db_url=db_url, fake=fake, now=FROZEN, web_port=port)
    with captured_logs([TOKEN], level="INFO") as stream:
        async with running(bot):
            down = await until_health(site, 503, reason="platform telegram: retrying")
            tries = len([call for call in fake.calls if call[0] == "getMe"])
            await until_health(site, 503, reason="platform telegram: retrying")
            assert bot.task is not None and not bot.task.done()  # up, though nothing serves
            fake.heal()
            await until_health(site, 200)
            await bot.member(4201).send("/start", "Chọn đơn vị")
            retried = len([call for call in fake.calls if call[0] == "getMe"])
    assert down["reasons"] == ["platform telegram: retrying (server_error)"]
    assert retried > tries >= 1
    lines = stream.getvalue().splitlines()
    [failed] = [line for line in lines if "Không khởi động được telegram" in line]
    assert "TELEGRAM_API_BASE" in failed and "tự thử lại" in failed and "Bad Gateway" in failed
    [back] = [line for line in lines if "telegram đã khởi động được sau" in line]
    assert f"sau {retried} lần thử" in back
    assert "CRITICAL" not in stream.getvalue() and "Traceback" not in stream.getvalue()


async def test_a_refused_token_stays_off_and_the_admins_are_told_once(
    db_url: str, zalo: FakeZalo
) -> None:
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    other = FakeTelegram(token="654321:ANOTHER-bots-token")  # ours gets 401 there
    extra = settings_for(zalo, admin_ids=f"zalo:{ZALO_ADMIN}")
    zalo.add_chat(ZALO_ADMIN, "PRIVATE")  # the admin wrote to the bot once
    async with running(other):
        bot = Harness(db_url=db_url, fake=other, now=FROZEN, web_port=port, **extra)
        with captured_logs([TOKEN, ZALO_TOKEN], level="INFO") as stream:
            async with running(bot):
                body = await until_health(site, 503, reason="platform telegram: off")
                told = await zalo.wait_for(ZALO_ADMIN, "không khởi động được telegram")
                mark = zalo.mark()
                zalo.push_text("zu-4202", "/start", display_name="Hà")
                await zalo.wait_for("zu-4202", "Chọn đơn vị", after=mark)
                await bot.restart()  # the same day: not told again
                await until_health(site, 503, reason="platform telegram: off")
                await zalo.idle()
    assert body["platforms"] == {"telegram": "off", "zalo": "serving"}
    assert body["reasons"] == ["platform telegram: off (token_refused)"]
    assert "TELEGRAM_BOT_TOKEN" in (told.text or "")
    notices = [s for s in zalo.messages(ZALO_ADMIN) if "không khởi động được" in (s.text or "")]
    assert len(notices) == 1
    refusals = [error for error in other.errors if error[:2] == ("getMe", 401)]
    assert len(refusals) == 2  # once per start: a refused token is not tried again
    [*_, line] = [x for x in stream.getvalue().splitlines() if "Không khởi động được" in x]
    assert "tắt cho tới khi sửa cấu hình" in line and "Các nền tảng khác vẫn chạy" in line
