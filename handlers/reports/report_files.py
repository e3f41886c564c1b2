"""A report's attachments: an Excel workbook for the official file and a PNG chart for the chat.

Every word shown comes from ``templates/report/headings.j2``; this module only lays it out.
Each cell is written through ``handlers.reports.cell_text.put``: names are text, never formulas.
Both builders are pure functions of ``ReportData``: the same data gives the same bytes for the
workbook (its time stamps come from ``generated_at``, not the clock).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from io import BytesIO
from typing import TYPE_CHECKING, Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

# openpyxl ships no type information; "unused-ignore" keeps mypy quiet once stubs are installed.
from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]
from openpyxl.styles import (  # type: ignore[import-untyped, unused-ignore]
    Alignment,
    Border,
    Font,
    PatternFill,
    Side,
)
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]
from openpyxl.writer.excel import ExcelWriter  # type: ignore[import-untyped, unused-ignore]

from handlers.engine.textnorm import fold
from handlers.engine.texts import environment
from handlers.engine.types import FileOut
from handlers.reports.cell_text import clean, put
from handlers.reports.page_sheet import page_sheet
from handlers.reports.report_data import Period, ReportData, UnitRow

if TYPE_CHECKING:
    from matplotlib.figure import Figure

HEADINGS = "report/headings.j2"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
CHART_UNITS = 15  # bars per panel: more would not be readable on a phone
CHART_SIZE = (10.0, 8.0)  # inches
CHART_DPI = 100
_NAME_CHARS = 32  # a unit's name on the chart's axis is cut beyond this

Value = str | int | float | date | None

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")
# matplotlib documents no thread safety; attachments_async may run several builds at once.
_CHART_LOCK = threading.Lock()


def heading(name: str) -> str:
    """A text defined in ``templates/report/headings.j2`` with ``{% set name = "..." %}``."""
    value = _heading_or_none(name)
    if value is None:
        raise KeyError(f"no heading {name!r} in templates/{HEADINGS}")
    return value


def _heading_or_none(name: str) -> str | None:
    module = environment("plain").get_template(HEADINGS).module
    value = getattr(module, name, None)
    return value if isinstance(value, str) else None


# -- the workbook ---------------------------------------------------------------------------


def workbook(data: ReportData) -> bytes:
    """The report as an .xlsx file: one sheet per table, each under the same title rows."""
    book = Workbook()
    book.remove(book.active)  # the default sheet has an English name
    _summary(_Sheet(book, "sheet_summary", data), data)
    _units(_Sheet(book, "sheet_units", data), data)
    _cadence(_Sheet(book, "sheet_cadence", data), data)
    _honours(_Sheet(book, "sheet_honours", data), data)
    _themes(_Sheet(book, "sheet_themes", data), data)
    _missing(_Sheet(book, "sheet_missing", data), data)
    page_sheet(_Sheet(book, "sheet_pages", data), data, heading)
    from handlers.reports.report_sheets import add_sheets  # it builds on this module

    add_sheets(book, data)
    book.properties.creator = clean(data.org_name)
    book.properties.title = clean(_title(data))
    return _save(book, data)


class _Sheet:
    """One worksheet being filled top-down: title rows first, then tables below them."""

    def __init__(self, book: Any, name: str, data: ReportData) -> None:
        self.ws = book.create_sheet(heading(name))
        self.widths: dict[int, float] = {}
        self.header_row = 0  # the last table's header row, set by ``table``
        put(self.ws, 1, 1, data.org_name).font = Font(bold=True, size=14)
        put(self.ws, 2, 1, _title(data)).font = Font(bold=True, size=12)
        # Dates as real dates, so that the file sorts and filters like any official table.
        self.put(3, 1, heading("date_from"))
        self.put(3, 2, data.period.start)
        self.put(3, 3, heading("date_to"))
        self.put(3, 4, data.period.end)
        self.row = 4
        if data.unit_filter:
            # Long text: left to overflow into the empty cells beside it, not counted in widths.
            put(self.ws, 4, 1, heading("scope").format(unit=_unit_name(data, data.unit_filter)))
            self.row = 5
        self.row += 1  # a blank row before the tables

    def put(self, row: int, col: int, value: Value, number_format: str | None = None) -> Any:
        if isinstance(value, datetime):
            value = value.replace(microsecond=0)
        cell = put(self.ws, row, col, value)
        if number_format:
            cell.number_format = number_format
        elif isinstance(value, datetime):
            cell.number_format = DATETIME_FORMAT
        elif isinstance(value, date):
            cell.number_format = DATE_FORMAT
        self._fit(col, _display_width(value))
        return cell

    def table(
        self,
        col: int,
        headers: Sequence[str],
        rows: Sequence[Sequence[Value]],
        formats: dict[int, str] | None = None,
        indents: Sequence[int] = (),
        caption: str | None = None,
    ) -> None:
        """A table with a bold header at ``self.row`` (a caption row above it if given).

        Tables written side by side share the same rows: call ``done`` after the last one.
        """
        top = self.row
        if caption is not None:
            put(self.ws, top, col, caption).font = Font(bold=True, size=12)
            top += 1
        for i, text in enumerate(headers):
            cell = put(self.ws, top, col + i, text)
            cell.font, cell.fill, cell.border, cell.alignment = _BOLD, _HEADER_FILL, _BORDER, _WRAP
            # Headers wrap: a long one takes two or three lines rather than a wide column.
            self._fit(col + i, min(len(text), 16))
        for r, values in enumerate(rows, start=top + 1):
            indent = indents[r - top - 1] if indents else 0
            for i, value in enumerate(values):
                cell = self.put(r, col + i, value, (formats or {}).get(i))
                cell.border = _BORDER
                if i == 0 and indent:
                    cell.alignment = Alignment(indent=indent)
                    self._fit(col, _display_width(value) + 2 * indent)
        self.header_row = top

    def done(self, freeze_col: int = 1) -> None:
        ws = self.ws
        # Rows above the first data row stay in view; so does the first column when asked.
        ws.freeze_panes = ws.cell(self.header_row + 1, freeze_col).coordinate
        ws.print_title_rows = f"{self.header_row}:{self.header_row}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        for col, width in sorted(self.widths.items()):
            ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 60)

    def _fit(self, col: int, width: float) -> None:
        self.widths[col] = max(self.widths.get(col, 0), width)


def _summary(sheet: _Sheet, data: ReportData) -> None:
    rows: list[list[Value]] = [
        [_heading_or_none(f"total_{key}") or key, value] for key, value in data.totals.items()
    ]
    median = data.median_hours_to_decision
    rows.append([heading("median_hours"), heading("not_available") if median is None else median])
    rows.append([heading("generated_at"), _local(data.generated_at, data.period)])
    sheet.table(1, [heading("col_item"), heading("col_value")], rows)
    median_cell = sheet.ws.cell(sheet.header_row + len(rows) - 1, 2)
    if median is not None:
        median_cell.number_format = "0.0"
    sheet.done()


def _units(sheet: _Sheet, data: ReportData) -> None:
    names = [
        "unit",
        "code",
        "submitted",
        "tin_tot",
        "cau_chuyen_dep",
        "approved",
        "published",
        "rejected",
        "waiting",
        "weeks_with_post",
        "weeks",
        "total_submitted",
        "total_published",
        "direct",
    ]
    rows = [_unit_values(u) for u in data.units]
    indents = [max(u.depth, 0) for u in data.units]
    sheet.table(1, [heading(f"col_{n}") for n in names], rows, indents=indents)
    sheet.done(freeze_col=2)


def _unit_values(u: UnitRow) -> list[Value]:
    return [
        u.name,
        u.code,
        u.submitted,
        u.tin_tot,
        u.cau_chuyen_dep,
        u.approved,
        u.published,
        u.rejected,
        u.waiting,
        u.weeks_with_post,
        u.weeks,
        u.total_submitted,
        u.total_published,
        u.direct,
    ]


def _cadence(sheet: _Sheet, data: ReportData) -> None:
    headers = [heading(n) for n in ("col_target", "col_days_with_tin_tot", "col_days", "col_ratio")]
    rows: list[list[Value]] = [
        [t.target, t.days_with_tin_tot, t.days, t.days_with_tin_tot / t.days if t.days else None]
        for t in data.targets
    ]
    sheet.table(1, headers, rows, formats={3: "0%"})
    sheet.done()


def _honours(sheet: _Sheet, data: ReportData) -> None:
    # Side by side rather than stacked, so that one frozen header row serves both tables.
    members: list[list[Value]] = [
        [i, m.name, m.unit, m.published, m.submitted] for i, m in enumerate(data.top_members, 1)
    ]
    units: list[list[Value]] = [
        [i, u.name, u.published, u.submitted] for i, u in enumerate(data.top_units, 1)
    ]
    counts = [heading("col_published"), heading("col_submitted")]
    member_headers = [heading("col_no"), heading("col_member"), heading("col_unit"), *counts]
    sheet.table(1, member_headers, members, caption=heading("top_members"))
    unit_col = len(member_headers) + 2
    unit_headers = [heading("col_no"), heading("col_unit"), *counts]
    sheet.table(unit_col, unit_headers, units, caption=heading("top_units"))
    sheet.done()


def _themes(sheet: _Sheet, data: ReportData) -> None:
    rows: list[list[Value]] = [[i, title, n] for i, (title, n) in enumerate(data.themes, 1)]
    headers = [heading("col_no"), heading("col_theme"), heading("col_theme_submitted")]
    sheet.table(1, headers, rows)
    sheet.done()


def _missing(sheet: _Sheet, data: ReportData) -> None:
    rows: list[list[Value]] = [[i, name] for i, name in enumerate(data.units_without_post, 1)]
    sheet.table(1, [heading("col_no"), heading("col_unit")], rows)
    sheet.done()


def _save(book: Any, data: ReportData) -> bytes:
    """The .xlsx bytes, identical for identical data.

    ``openpyxl.save_workbook`` stamps the file with the clock (the "modified" property and each
    zip entry's time), so the writer is driven directly and the entries are re-stamped.
    """
    stamp_utc = _naive_utc(data.generated_at).replace(microsecond=0)
    book.properties.created = stamp_utc
    book.properties.modified = stamp_utc
    raw = BytesIO()
    ExcelWriter(book, ZipFile(raw, "w", ZIP_DEFLATED, allowZip64=True)).save()
    stamp = _local(data.generated_at, data.period).timetuple()[:6]
    out = BytesIO()
    with ZipFile(raw) as src, ZipFile(out, "w", ZIP_DEFLATED) as dst:
        for entry in src.infolist():
            fixed = ZipInfo(entry.filename, date_time=stamp)
            fixed.compress_type = ZIP_DEFLATED
            fixed.external_attr = entry.external_attr
            dst.writestr(fixed, src.read(entry))
    return out.getvalue()


def _display_width(value: Value) -> float:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, float):
        return 6
    return len(str(value))


# -- the chart ------------------------------------------------------------------------------


def chart(data: ReportData) -> bytes:
    """A PNG: published items per unit and weeks with a post, for the units publishing most."""
    # A Figure with its own Agg canvas: no pyplot, so no global figure registry or GUI backend.
    # Imported here, not at the top: matplotlib is a second of CPU at every start of
    # ``python -m bot`` (a bot, a cron task), and only a report draws.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=CHART_SIZE, dpi=CHART_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    title = clean(f"{data.org_name}\n{_title(data)}")
    figure.suptitle(title, fontsize=12, fontweight="bold", wrap=True)
    # Most published first; ties in tree order, as the units sheet lists them.
    order = sorted(enumerate(data.units), key=lambda pair: (-pair[1].published, pair[0]))
    units = [u for _, u in order[:CHART_UNITS]]
    if units:
        _draw_panels(figure, units)
    else:
        figure.text(0.5, 0.5, heading("chart_empty"), ha="center", va="center", fontsize=16)
    out = BytesIO()
    with _CHART_LOCK:
        figure.savefig(out, format="png", dpi=CHART_DPI)
    return out.getvalue()


def _draw_panels(figure: Figure, units: list[UnitRow]) -> None:
    from matplotlib.ticker import MaxNLocator

    left, right = figure.subplots(1, 2, sharey=True, width_ratios=[3, 2])
    ys = list(range(len(units)))
    left.set_yticks(ys, [_short(u.name) for u in units])
    left.invert_yaxis()  # the unit with most posts on top; shared with the right panel

    bars = left.barh(ys, [u.published for u in units], color="#2e7d32")
    left.bar_label(bars, padding=3)
    title = heading("chart_published")
    left.set_title(f"{title}\n{heading('chart_top').format(count=CHART_UNITS)}", fontsize=10)
    left.set_xlabel(heading("chart_items"))
    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    left.margins(x=0.12)  # room for the labels after the longest bar

    weeks = right.barh(ys, [u.weeks for u in units], color="#d9d9d9", label=heading("chart_weeks"))
    right.barh(
        ys, [u.weeks_with_post for u in units], color="#1565c0", label=heading("chart_cadence")
    )
    right.bar_label(weeks, labels=[f"{u.weeks_with_post}/{u.weeks}" for u in units], padding=3)
    right.set_title(heading("chart_cadence"), fontsize=10)
    right.set_xlabel(heading("chart_week_axis"))
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    right.margins(x=0.2)
    figure.legend(loc="outside lower center", ncols=2, frameon=False)


def _short(name: str) -> str:
    name = clean(name)  # a control character has no glyph
    return name if len(name) <= _NAME_CHARS else name[: _NAME_CHARS - 1].rstrip() + "…"


# -- the files ------------------------------------------------------------------------------


def file_stem(data: ReportData) -> str:
    """An ASCII name for the files: "bao-cao-thang-10-2026", the unit's code when filtered."""
    parts = [heading("file_prefix"), fold(data.period.label)]
    if data.unit_filter:
        parts.append(fold(data.unit_filter))
    stem = "-".join(p.replace(" ", "-") for p in parts if p)
    if stem == heading("file_prefix"):  # a label with no letters or digits at all
        stem += f"-{data.period.start:%Y%m%d}-{data.period.end:%Y%m%d}"
    return stem


def attachments(data: ReportData) -> tuple[FileOut, ...]:
    stem = file_stem(data)
    return (
        FileOut(f"{stem}.xlsx", workbook(data), "document"),
        FileOut(f"{stem}.png", chart(data), "photo"),
    )


async def attachments_async(data: ReportData) -> tuple[FileOut, ...]:
    """``attachments`` in a worker thread: building them takes long enough to stall the bot."""
    return await asyncio.to_thread(attachments, data)


# -- shared pieces --------------------------------------------------------------------------


def _title(data: ReportData) -> str:
    return heading("report_title").format(period=data.period.label)


def _unit_name(data: ReportData, code: str) -> str:
    return next((u.name for u in data.units if u.code == code), code)


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _local(moment: datetime, period: Period) -> datetime:
    """Wall-clock time in the organisation's zone, naive: Excel has no time zones.

    The zone's offset is the one at the period's start (its local midnight against its UTC
    instant); Vietnam keeps no daylight saving time, so it holds all year.
    """
    if moment.tzinfo is None:
        return moment
    offset = datetime.combine(period.start, time()) - _naive_utc(period.start_utc)
    return _naive_utc(moment) + offset
