"""``python -m bot export``: every published item for the organisation's archive ("ngân hàng dữ
liệu"), as CSV, xlsx or JSON. Items are read in pages by id and written as they come, so a big
archive never sits in memory; headings and labels come from ``templates/export/headings.j2``.
Spreadsheet cells go through ``handlers.reports.cell_text``: a member's text is never a formula."""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

# openpyxl ships no type information; "unused-ignore" keeps mypy quiet once stubs are installed.
from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import branches, fields
from handlers.engine.texts import environment
from handlers.org import OrgConfig
from handlers.reports.cell_text import csv_cell, write_only
from storage.models import Media, Member, Outbox, OutboxStatus, Status, Submission, Unit

PAGE = 2_000
FIELDS = list(fields.exported())  # the story's fields, then the editors' post text
TIMES = ["submitted_at", "decided_at", "published_at"]
COLUMNS = ["id", "kind", "hashtags", "unit_code", "unit_name", "member", "theme", "path"]
COLUMNS += [*FIELDS, *TIMES, "media", "post_links"]
Record = dict[str, Any]


def _labels() -> dict[str, str]:
    module = environment("plain").get_template("export/headings.j2").module
    names = [*COLUMNS, "sheet", "kind_tin_tot", "kind_cau_chuyen_dep", "path_raw", "path_article"]
    return {name: str(getattr(module, name)) for name in names}


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tz).astimezone(UTC)


async def _pages(
    sessions: async_sessionmaker[AsyncSession],
    org: OrgConfig,
    tz: ZoneInfo,
    start: date | None,
    end: date | None,
) -> AsyncIterator[list[Record]]:
    last = 0
    while True:
        query = (
            select(Submission, Member.display_name, Unit.name)
            .join(Member, col(Member.id) == col(Submission.member_id))
            .outerjoin(Unit, col(Unit.code) == col(Submission.unit_code))
            .where(col(Submission.status) == Status.PUBLISHED, col(Submission.id) > last)
            .order_by(col(Submission.id))
            .limit(PAGE)
        )
        if start is not None:
            query = query.where(col(Submission.published_at) >= _local_midnight(start, tz))
        if end is not None:
            upto = _local_midnight(end + timedelta(days=1), tz)
            query = query.where(col(Submission.published_at) < upto)
        async with sessions() as session:  # one short session per page: nothing piles up
            rows = (await session.exec(query)).all()
            ids = [sub.id or 0 for sub, _, _ in rows]
            media = await session.exec(
                select(Media.submission_id, Media.ref)
                .where(col(Media.submission_id).in_(ids))
                .order_by(col(Media.id))
            )
            links = await session.exec(
                select(Outbox.submission_id, Outbox.link)
                .where(col(Outbox.submission_id).in_(ids), col(Outbox.kind) == "post")
                .where(col(Outbox.status) == OutboxStatus.SENT, col(Outbox.link).is_not(None))
                .order_by(col(Outbox.id))
            )
            tree = await branches.parents(session)  # a branch's own hashtags
            refs: dict[int | None, list[str]] = {}
            for sub_id, ref in media:
                refs.setdefault(sub_id, []).append(ref)
            posts: dict[int | None, list[str]] = {}
            for post_of, link in links:
                posts.setdefault(post_of, []).append(str(link))
        if not rows:
            return
        yield [_record(sub, member, unit, org, tz, refs, posts, tree) for sub, member, unit in rows]
        last = ids[-1]


def _record(
    sub: Submission,
    member: str,
    unit: str | None,
    org: OrgConfig,
    tz: ZoneInfo,
    refs: dict[int | None, list[str]],
    posts: dict[int | None, list[str]],
    tree: dict[str, str | None],
) -> Record:
    record: Record = {
        "id": sub.id,
        "kind": sub.kind,
        "hashtags": branches.parts_in(org, sub, tree, tz)["hashtags"],
        "unit_code": sub.unit_code,
        "unit_name": unit,
        "member": member,
        "theme": org.theme(sub.theme_key).title,
        "path": sub.path,
        "media": refs.get(sub.id, []),
        "post_links": posts.get(sub.id, []),
    }
    record.update({name: getattr(sub, name) for name in FIELDS})
    for name in TIMES:
        value = getattr(sub, name)
        record[name] = value.astimezone(tz) if value is not None else None
    return record


def _cells(record: Record, labels: dict[str, str]) -> list[Any]:
    """One row of a sheet: labels for codes, dd/mm/yyyy HH:MM times, lists joined by spaces."""
    cells: list[Any] = []
    for name in COLUMNS:
        value = record[name]
        if name in ("kind", "path") and value is not None:
            value = labels.get(f"{name}_{value}", value)
        elif isinstance(value, datetime):
            value = value.strftime("%d/%m/%Y %H:%M")
        elif isinstance(value, list):
            value = " ".join(value)
        cells.append(value)
    return cells


class _Writer(Protocol):
    def write(self, records: list[Record]) -> None: ...

    def close(self) -> None: ...


class _Csv:
    def __init__(self, out: Path, labels: dict[str, str]) -> None:
        # The BOM makes Excel read the file as UTF-8, so Vietnamese shows right.
        self.handle = out.open("w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.handle)
        self.labels = labels
        self.writer.writerow([labels[name] for name in COLUMNS])

    def write(self, records: list[Record]) -> None:
        rows = ([csv_cell(cell) for cell in _cells(record, self.labels)] for record in records)
        self.writer.writerows(rows)

    def close(self) -> None:
        self.handle.close()


class _Xlsx:
    def __init__(self, out: Path, labels: dict[str, str]) -> None:
        self.out, self.labels = out, labels
        self.book = Workbook(write_only=True)  # rows go to a temporary file, not to memory
        self.sheet = self.book.create_sheet(labels["sheet"])
        self.sheet.append([labels[name] for name in COLUMNS])

    def write(self, records: list[Record]) -> None:
        for record in records:
            self.sheet.append([write_only(self.sheet, c) for c in _cells(record, self.labels)])

    def close(self) -> None:
        self.book.save(self.out)


class _Json:
    def __init__(self, out: Path, labels: dict[str, str]) -> None:
        self.handle = out.open("w", encoding="utf-8")
        self.handle.write("[")
        self.separator = "\n"

    def write(self, records: list[Record]) -> None:
        for record in records:
            values = {name: record[name] for name in COLUMNS}
            text = json.dumps(values, ensure_ascii=False, default=datetime.isoformat)
            self.handle.write(self.separator + text)
            self.separator = ",\n"

    def close(self) -> None:
        self.handle.write("\n]\n")
        self.handle.close()


WRITERS: dict[str, Callable[[Path, dict[str, str]], _Writer]] = {
    "csv": _Csv,
    "xlsx": _Xlsx,
    "json": _Json,
}


async def export(
    sessions: async_sessionmaker[AsyncSession],
    *,
    tz: ZoneInfo,
    org: OrgConfig,
    fmt: Literal["csv", "xlsx", "json"],
    start: date | None,
    end: date | None,
    out: Path,
) -> int:
    """Write the items published on the local days ``start``..``end`` (each end open when
    None) to ``out``; the number of items written."""
    writer = WRITERS[fmt](out, _labels())
    count = 0
    try:
        async for page in _pages(sessions, org, tz, start, end):
            writer.write(page)
            count += len(page)
    finally:
        writer.close()
    return count
