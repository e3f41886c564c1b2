"""Issue 24's sheets of the workbook, after ``report_files``' own: each unit's participation,
every member's tally ("Đoàn viên"), and in a year's workbook one sheet per event of the year.
Laid out with ``report_files``' sheet builder; every word from ``templates/report/headings.j2``.
"""

from __future__ import annotations

import re
from typing import Any

from handlers.reports import report_files as rf
from handlers.reports.report_data import ReportData

_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_CHARS = 31  # Excel's limit on a sheet's name


def add_sheets(book: Any, data: ReportData) -> None:
    _participation(rf._Sheet(book, "sheet_participation", data), data)
    _members(rf._Sheet(book, "sheet_members", data), data)
    for event_data in data.event_reports:
        sheet = rf._Sheet(book, "sheet_event", event_data)
        sheet.ws.title = _sheet_name(book, event_data)
        rf._units(sheet, event_data)


def _participation(sheet: rf._Sheet, data: ReportData) -> None:
    names = ["unit", "code", "senders", "headcount", "share", "participation_aim"]
    aim = data.participation_aim / 100 if data.participation_aim else None
    rows: list[list[rf.Value]] = [
        [p.name, p.code, p.senders, p.members, p.share, aim] for p in data.participation
    ]
    indents = [max(p.depth, 0) for p in data.participation]
    headers = [rf.heading(f"col_{n}") for n in names]
    sheet.table(1, headers, rows, formats={4: "0%", 5: "0%"}, indents=indents)
    sheet.done(freeze_col=2)


def _members(sheet: rf._Sheet, data: ReportData) -> None:
    names = ["no", "member", "unit", "submitted", "pub_tin_tot", "pub_cau_chuyen_dep", "weeks_pub"]
    rows: list[list[rf.Value]] = [
        [
            i,
            m.name,
            m.unit,
            m.submitted,
            m.published_tin_tot,
            m.published_cau_chuyen_dep,
            m.weeks_with_post,
        ]
        for i, m in enumerate(data.member_tally, 1)
    ]
    sheet.table(1, [rf.heading(f"col_{n}") for n in names], rows)
    sheet.done(freeze_col=3)


def _sheet_name(book: Any, data: ReportData) -> str:
    title = data.event.title if data.event else data.period.label
    base = _FORBIDDEN.sub(" ", f"{rf.heading('sheet_event')} {title}")[:SHEET_CHARS].strip()
    taken = {ws.title for ws in book.worksheets[:-1]}
    name, n = base, 2
    while name in taken:
        suffix = f" {n}"
        name, n = base[: SHEET_CHARS - len(suffix)] + suffix, n + 1
    return name
