"""An admin on a phone: a link from the bot through the fake Telegram, signed in in a real
Chromium, sees An Lạc turn from "nothing" to "published" after an approval, downloads the
month's workbook; the page has no serious accessibility problem (axe-core)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]
from playwright.async_api import ViewportSize

from tests.harness import ADMIN, CHANNEL, ED1, Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.support.board import link_from_bot
from tests.support.browser import (
    ARGS,
    CHROMIUM,
    needs_chromium,
    new_context,
    screenshot,
    serious_violations,
)
from tests.support.flows import card, press, submit_raw

PHONE: ViewportSize = {"width": 360, "height": 760}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
AN_LAC = '[data-unit="p-anlac"]'
pytestmark = needs_chromium


async def test_admin_watches_a_unit_publish_and_downloads_the_workbook(
    board: tuple[Harness, str], fake: FakeTelegram, db_url: str, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    harness, base = board
    link = await link_from_bot(harness, ADMIN)
    backend = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            # The page's CSP allows no script: axe-core is injected past it.
            phone = await new_context(
                browser, viewport=PHONE, device_scale_factor=2, bypass_csp=True
            )
            page = await phone.new_page()
            await page.goto(link)
            await page.get_by_role("button", name="Đăng nhập").click()
            await page.wait_for_url(f"{base}/quantri")
            assert "Chưa có tin" in await page.locator(AN_LAC).first.inner_text()
            # Not wider than the phone: nothing to scroll sideways.
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], width

            await submit_raw(harness.member(1301), fake)
            await card(fake)
            press(fake, ED1, "Duyệt")
            await fake.wait_for(CHANNEL, "#moingay1tintot")
            await fake.wait_for(1301, "đã được đăng")
            await page.reload()
            an_lac = await page.locator(AN_LAC).first.inner_text()
            assert "Đã đăng: 1" in an_lac and "đăng gần nhất 17/11/2026" in an_lac
            assert await page.locator('[data-figure="published"]').inner_text() == "1"

            assert await serious_violations(page) == []
            await screenshot(page, f"quantri-360-{backend}")

            async with page.expect_download() as info:
                await page.get_by_label("Tải báo cáo").fill("thang 11/2026")
                await page.get_by_role("button", name="Tải về").click()
            download = await info.value
            assert download.suggested_filename.endswith(".xlsx")
            saved = tmp_path / download.suggested_filename
            await download.save_as(saved)
            book = load_workbook(saved)
            cells = [c for ws in book for row in ws.iter_rows(values_only=True) for c in row]
            assert "Đoàn phường An Lạc" in cells

            desk = await new_context(browser, viewport=DESKTOP, bypass_csp=True)
            wide = await desk.new_page()
            await wide.goto(await link_from_bot(harness, ADMIN))
            await wide.get_by_role("button", name="Đăng nhập").click()
            await wide.wait_for_url(f"{base}/quantri")
            assert await serious_violations(wide) == []
            await screenshot(wide, f"quantri-desktop-{backend}")

            # The link already used opens nothing in another browser.
            again = await (await new_context(browser)).new_page()
            response = await again.goto(link)
            assert response is not None and response.status == 403
            assert "chỉ dùng được một lần" in await again.content()
        finally:
            await browser.close()
