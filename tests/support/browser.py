"""A real browser for the web tests: Playwright for Python driving Debian's Chromium
(CHROMIUM_PATH, /usr/bin/chromium by default; never `playwright install`, nothing is
downloaded), pages checked with axe-core (shipped inside axe-playwright-python), and
screenshots saved as artifacts in TEST_ARTIFACTS (tests/artifacts by default, gitignored)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, BrowserContext, Page, ViewportSize, async_playwright

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARTIFACTS = Path(
    os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[1] / "artifacts")
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = ViewportSize(width=360, height=740)
# How long a page's action (a click, a navigation, a download) may take before the test fails,
# instead of Playwright's 30 s: on a loaded two-core CI machine Chromium and the bot's own work
# behind a page (a workbook and its chart) get a small share of the CPU. Actions end as soon as
# they are done.
PAGE_WAIT_MS = 180_000
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (scripts/test.sh installs it)"
)


@asynccontextmanager
async def phone() -> AsyncIterator[Page]:
    """A fresh page on a phone-sized screen (360x740), Vietnamese, no network beyond ours."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = await new_context(
                browser, viewport=PHONE, device_scale_factor=2, is_mobile=True, locale="vi-VN"
            )
            yield await context.new_page()
        finally:
            await browser.close()


async def new_context(browser: Browser, **options: Any) -> BrowserContext:
    """A browser context whose pages wait PAGE_WAIT_MS for their actions."""
    context = await browser.new_context(**options)
    context.set_default_timeout(PAGE_WAIT_MS)
    return context


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it stands."""
    results = await Axe().run(page)
    violations: list[dict[str, Any]] = results.response["violations"]
    return [v for v in violations if v.get("impact") in ("serious", "critical")]


async def screenshot(page: Page, name: str) -> Path:
    """Saved as ARTIFACTS/<name>.png (Playwright makes the folder)."""
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def fits_the_screen(page: Page) -> bool:
    """Nothing wider than the screen: no sideways scrolling on a phone."""
    width = await page.evaluate("document.documentElement.scrollWidth")
    return int(width) <= PHONE["width"]
