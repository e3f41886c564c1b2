"""Units with their own pages (#23): an organisation file where Đoàn phường An Lạc has its own
Facebook page, Đoàn phường Bình Hưng Hòa another, and the district union (Quận Đoàn Bình
Tân) its own WordPress site that also takes its bases' items; the bot serving them beside
the organisation's channel and page; and what the database then holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import col, select

# Imported before a bot starts: importing them inside the running loop stalls it.
import bot.platforms.facebook.service
import bot.platforms.telegram.service
import bot.platforms.wordpress.service  # noqa: F401
from storage.models import DirectPost, Outbox, PageReading
from tests.harness import ADMIN, CHANNEL, ED1, EDITORS, ORG, Harness
from tests.platforms.facebook.fake_graph import PAGE, TOKEN, FakeGraph
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.wordpress.fake_wordpress import PASSWORD, USER, FakeWordPress

ANLAC, ANLAC_TOKEN = "200000000000001", "EAAGanlac0123456789abcdefpagetoken"
BHH, BHH_TOKEN = "200000000000002", "EAAGbhh0123456789abcdefpagetoken00"
UNIT_PAGES = {ANLAC: ANLAC_TOKEN, BHH: BHH_TOKEN}
ANLAC_NAME, BHH_NAME = "Đoàn phường An Lạc", "Đoàn phường Bình Hưng Hòa"
DISTRICT = "qd-binhtan"


def unit_lines(folder: Path, units: dict[str, str], reports: str = "") -> Path:
    """The example organisation file with ``units[code]`` added to that unit's table (and
    ``reports`` under ``[reports]``)."""
    text = ORG.read_text(encoding="utf-8")
    for code, lines in units.items():
        line = f'code = "{code}"\n'
        assert line in text, code
        text = text.replace(line, f"{line}{lines}\n", 1)
    if reports:
        text = text.replace("[reports]\n", f"[reports]\n{reports}\n", 1)
    path = folder / "org.toml"
    path.write_text(text, encoding="utf-8")
    return path


def pages_org(folder: Path, reports: str = "") -> Path:
    return unit_lines(
        folder,
        {
            DISTRICT: 'targets = ["wordpress:quan"]\ntake_children = true',
            "p-anlac": f'targets = ["facebook:{ANLAC}"]',
            "p-bhh": f'targets = ["facebook:{BHH}"]',
        },
        reports,
    )


def pages_bot(
    db_url: str,
    fake: FakeTelegram,
    graph: FakeGraph,
    wp: FakeWordPress,
    org: Path,
    **extra: Any,
) -> Harness:
    """The bot publishing to the channel and the organisation's page (PUBLISH_TARGETS), with
    every unit page's token and the district's site."""
    from tests.conftest import FROZEN

    values: dict[str, Any] = {
        "editor_chat_id": EDITORS,
        "admin_ids": f"telegram:{ADMIN}",
        "editor_ids": f"telegram:{ED1}",
        "publish_targets": f"telegram:{CHANNEL},facebook:{PAGE}",
        "facebook_page_tokens": ",".join(
            f"{page}:{token}" for page, token in {PAGE: TOKEN, **UNIT_PAGES}.items()
        ),
        "facebook_graph_base": graph.base,
        "wordpress_sites": f"quan={wp.base_url}",
        "wordpress_credentials": f"quan={USER}:{PASSWORD}",
        "org_config": org,
    }
    return Harness(db_url=db_url, fake=fake, now=FROZEN, **(values | extra))


async def posts_of(bot: Harness, submission_id: int) -> list[str]:
    """The targets an item's posts went to, ``platform:chat``, in the order queued."""
    assert bot.app is not None
    async with bot.app.sessions() as session:
        rows = await session.exec(
            select(Outbox)
            .where(Outbox.kind == "post", Outbox.submission_id == submission_id)
            .order_by(col(Outbox.id))
        )
        return [f"{row.platform}:{row.chat_id}" for row in rows.all()]


async def direct_posts(bot: Harness) -> dict[str, DirectPost]:
    """Every direct post recorded, by its post id."""
    assert bot.app is not None
    async with bot.app.sessions() as session:
        rows = await session.exec(select(DirectPost).order_by(col(DirectPost.id)))
        return {row.post_id: row for row in rows.all()}


async def readings(bot: Harness) -> list[PageReading]:
    assert bot.app is not None
    async with bot.app.sessions() as session:
        rows = await session.exec(select(PageReading).order_by(col(PageReading.day)))
        return list(rows.all())


async def notices(bot: Harness, template: str) -> list[Outbox]:
    """The notices queued from ``template``, oldest first."""
    assert bot.app is not None
    async with bot.app.sessions() as session:
        rows = await session.exec(
            select(Outbox).where(Outbox.template == template).order_by(col(Outbox.id))
        )
        return list(rows.all())


async def november_workbook(bot: Harness) -> Any:
    """November's report workbook, as /report thang attaches it, opened."""
    import io
    from datetime import date

    import openpyxl

    from handlers.reports.periods import make_period
    from handlers.reports.report import build_report
    from handlers.reports.report_files import workbook

    assert bot.app is not None
    deps = bot.app.core.deps
    period = make_period("thang", date(2026, 11, 1), date(2026, 11, 30), deps.tz)
    async with bot.app.sessions() as session:
        data = await build_report(session, deps=deps, period=period, unit=None)
    return openpyxl.load_workbook(io.BytesIO(workbook(data)))


def _round_read(graph: FakeGraph) -> bool:
    feed = ("GET", f"{BHH}/posts")
    return feed in graph.calls and ("GET", BHH) in graph.calls[graph.calls.index(feed) :]


async def first_round(graph: FakeGraph) -> None:
    """The scheduler's own reading of the units' pages at start, finished: Bình Hưng Hòa's
    page, the last, read with its followers."""
    from tests.support.sites import until

    await until(lambda: _round_read(graph), 30)


async def report_text(bot: Harness, fake: FakeTelegram, words: str) -> str:
    """An admin's ``/report <words>``: the summary's text (the first report builds its
    workbook and chart, which takes a few seconds on a busy machine)."""
    mark = fake.mark()
    fake.push_text(ADMIN, f"/report {words}", first_name="Bí thư")
    return (await fake.wait_for(ADMIN, "Báo cáo", after=mark, timeout=60)).plain or ""
