"""The workbook's sheet "Trang": one row per unit's page with its followers now, at the
period's start and at the year's start, the growth in percent and whether the year's growth
reached the organisation's aim. Written by ``report_files.workbook`` through its sheet."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Protocol

from handlers.reports.report_data import ReportData

Value = str | int | float | date | None


class Sheet(Protocol):
    def table(
        self,
        col: int,
        headers: Sequence[str],
        rows: Sequence[Sequence[Value]],
        formats: dict[int, str] | None = None,
    ) -> None: ...

    def done(self, freeze_col: int = 1) -> None: ...


def page_sheet(sheet: Sheet, data: ReportData, heading: Callable[[str], str]) -> None:
    names = ("unit", "page", "followers_now", "followers_start", "followers_year")
    headers = [heading(f"col_{name}") for name in names]
    headers += [heading("col_period_growth"), heading("col_year_growth")]
    headers.append(heading("col_aim").format(aim=f"{data.followers_aim:g}"))
    rows: list[list[Value]] = [
        [
            page.unit,
            page.target,
            page.now,
            page.at_start,
            page.at_year_start,
            None if page.period_percent is None else page.period_percent / 100,
            None if page.year_percent is None else page.year_percent / 100,
            heading("aim_yes" if page.reached else "aim_no"),
        ]
        for page in data.pages
    ]
    sheet.table(1, headers, rows, formats={5: "0.0%", 6: "0.0%"})
    sheet.done(freeze_col=2)
