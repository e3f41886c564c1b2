"""Chromium for the board's browser test: Debian's /usr/bin/chromium through Playwright (no
browser downloaded), axe-core from the axe-playwright-python package's bundled copy, and
screenshots kept under ``artifacts/`` (or TEST_ARTIFACTS) for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(
    os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "artifacts")
)


def need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")


def axe_script() -> str:
    import axe_playwright_python  # type: ignore[import-untyped, unused-ignore]

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


async def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page, as "rule: target" lines (the
    page's own CSP forbids scripts: its context is opened with ``bypass_csp=True``)."""
    await page.add_script_tag(content=axe_script())
    result = await page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


async def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - a test, once
    path = ARTIFACTS / name
    await page.screenshot(path=str(path), full_page=True)
    return path
