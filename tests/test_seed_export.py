"""seed-demo fills a database with plausible data, deterministically and appending; export writes
the published archive as CSV, xlsx and JSON that read back whole, Vietnamese intact."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.export import COLUMNS, export
from bot.cli.seed_demo import seed_demo
from handlers.org import load_org
from storage.db import make_engine, make_sessions, migrate
from storage.models import Member, Status, Submission

ORG = load_org(Path(__file__).resolve().parents[1] / "config" / "org.example.toml")
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
END = date(2026, 11, 30)
Sessions = async_sessionmaker[AsyncSession]


@asynccontextmanager
async def _database(url: str) -> AsyncIterator[Sessions]:
    engine = make_engine(url)
    await migrate(engine)
    try:
        yield make_sessions(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[Sessions]:
    async with _database(db_url) as factory:
        yield factory


async def _seed(sessions: Sessions, seed: int = 1, submissions: int = 600) -> dict[str, int]:
    return await seed_demo(
        sessions,
        org=ORG,
        tz=TZ,
        submissions=submissions,
        units=30,
        days=60,
        end=END,
        seed=seed,
        now=datetime.combine(END, time(12), UTC),
    )


async def _all(sessions: Sessions, sql: str) -> list[Any]:
    async with sessions() as session:
        return list((await (await session.connection()).execute(text(sql))).all())


def _utc(value: str | datetime) -> datetime:
    """SQLite hands back text from a raw query, PostgreSQL an aware datetime."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


ITEMS = "SELECT id, kind, status, path, thoi_gian, link, member_id, unit_code, theme_key"
ITEMS += " FROM submission ORDER BY id"
PUBLISHED = "SELECT id, published_at FROM submission WHERE status = 'published' ORDER BY id"


async def test_seed_counts_proportions_posts_and_tree(sessions: Sessions) -> None:
    counts = await _seed(sessions)
    assert counts["units"] == 30 and counts["members"] == 30 and counts["submissions"] == 600
    rows = await _all(sessions, ITEMS)
    assert [r.id for r in rows] == list(range(1, 601))
    statuses, kinds = Counter(r.status for r in rows), Counter(r.kind for r in rows)
    # Every status but "merged", which needs a story told twice: the demo tells none twice.
    assert set(statuses) == {status.value for status in Status} - {Status.MERGED}
    assert 0.55 < statuses["published"] / 600 < 0.8 and 0.65 < kinds["tin_tot"] / 600 < 0.85
    assert 0.5 < sum(r.path == "raw" for r in rows) / 600 < 0.7
    for row in rows:
        assert row.thoi_gian if row.path == "raw" else ORG.is_trusted(urlparse(row.link).netloc)
    posts = await _all(sessions, "SELECT submission_id, status, sent_at FROM outbox")
    published = await _all(sessions, PUBLISHED)
    assert counts["posts"] == len(posts) == len(published)
    sent = {p.submission_id: _utc(p.sent_at) for p in posts if p.status == "sent"}
    assert all(sent[p.id] == _utc(p.published_at) for p in published)
    times = await _all(
        sessions,
        "SELECT submitted_at, decided_at, published_at, theme_key FROM submission"
        " WHERE status = 'published'",
    )
    for row in times:
        submitted, decided = _utc(row.submitted_at), _utc(row.decided_at)
        assert submitted < decided <= _utc(row.published_at)
        local = submitted.astimezone(TZ).date()
        assert END - timedelta(days=59) <= local <= END and row.theme_key == ORG.theme_on(local).key
    parents = dict(await _all(sessions, "SELECT code, parent_code FROM unit"))

    def depth(code: str) -> int:
        return 0 if parents[code] is None else 1 + depth(parents[code])

    assert max(depth(code) for code in parents) >= 2


async def test_seed_is_deterministic_and_appends(sessions: Sessions, tmp_path: Path) -> None:
    await _seed(sessions)
    async with _database(f"sqlite+aiosqlite:///{tmp_path / 'other.db'}") as other:
        await _seed(other)  # same seed, another database (SQLite for both backends): same rows
        assert await _all(sessions, ITEMS) == await _all(other, ITEMS)

    again = await _seed(sessions, seed=2, submissions=300)
    assert again["units"] == 0 and again["submissions"] == 300
    ids = [r.id for r in await _all(sessions, "SELECT id FROM submission ORDER BY id")]
    assert ids == list(range(1, 901))
    members = await _all(sessions, "SELECT id FROM member")
    assert len(members) == 45 and len({m.id for m in members}) == 45
    new = await _all(sessions, "SELECT kind, status FROM submission WHERE id > 600")
    assert new != (await _all(sessions, "SELECT kind, status FROM submission WHERE id <= 300"))
    async with sessions.begin() as session:  # the bot's own inserts continue after the demo ids
        member = Member(platform="telegram", platform_user_id="42", chat_id="42")
        session.add(member)
        await session.flush()
        item = Submission(kind="tin_tot", member_id=member.id or 0)
        session.add(item)
        await session.flush()
        assert (member.id, item.id) == (46, 901)


def _read(fmt: str, out: Path) -> list[dict[str, Any]]:
    if fmt == "json":
        return list(json.loads(out.read_text(encoding="utf-8")))
    if fmt == "csv":
        assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
        with out.open(encoding="utf-8-sig", newline="") as handle:
            table = list(csv.reader(handle))
    else:
        sheet = load_workbook(out, read_only=True).active
        table = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    assert table[0][:2] == ["Mã tin", "Loại"] and table[0][-1] == "Liên kết bài đã đăng"
    return [dict(zip(COLUMNS, row, strict=True)) for row in table[1:]]


async def test_export_formats_read_back(sessions: Sessions, tmp_path: Path) -> None:
    await _seed(sessions, submissions=300)
    start, end = END - timedelta(days=20), END - timedelta(days=5)
    published = await _all(sessions, PUBLISHED)
    last_minute = datetime(end.year, end.month, end.day, 23, 30, tzinfo=TZ)
    inside, outside = published[0].id, published[1].id
    note = "Tuổi trẻ Bình Tân “chung tay” – nghĩa cử đẹp ✓"
    async with sessions.begin() as session:  # one item at each edge of the last local day
        for sub_id, when in ((inside, last_minute), (outside, last_minute + timedelta(hours=1))):
            sub = await session.get(Submission, sub_id)
            assert sub is not None
            sub.published_at, sub.post_text = when, note
            session.add(sub)
    expected = {
        r.id
        for r in await _all(sessions, PUBLISHED)
        if start <= _utc(r.published_at).astimezone(TZ).date() <= end
    }
    assert inside in expected and outside not in expected and len(expected) > 20
    formats: list[Literal["csv", "xlsx", "json"]] = ["csv", "xlsx", "json"]
    for fmt in formats:
        out = tmp_path / f"kho.{fmt}"
        written = await export(sessions, tz=TZ, org=ORG, fmt=fmt, start=start, end=end, out=out)
        rows = {int(r["id"]): r for r in _read(fmt, out)}
        assert written == len(rows) == len(expected) and set(rows) == expected
        assert rows[inside]["post_text"] == note and rows[inside]["post_links"]
        shown = "2026-11-25T23:30:00+07:00" if fmt == "json" else "25/11/2026 23:30"
        assert rows[inside]["published_at"] == shown
        # JSON keeps the codes, the sheets show the labels of templates/export/headings.j2.
        good = ["tin_tot", "Tin tốt"]
        for row in rows.values():
            tags = ORG.hashtags.for_kind("tin_tot" if row["kind"] in good else "cau_chuyen_dep")
            assert row["hashtags"] == (tags if fmt == "json" else " ".join(tags))
        kinds = {row["kind"] for row in rows.values()}
        assert kinds == (
            {"tin_tot", "cau_chuyen_dep"} if fmt == "json" else {"Tin tốt", "Câu chuyện đẹp"}
        )
        assert any(r["unit_name"].startswith("Chi đoàn Khu phố") for r in rows.values())
