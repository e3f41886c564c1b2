"""The report's attachments: the workbook read back with openpyxl, the chart opened with Pillow."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any
from zipfile import ZipFile

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]
from PIL import Image

from handlers.reports.report_data import Period, Ranked, ReportData, TargetCadence, UnitRow
from handlers.reports.report_files import (
    attachments,
    attachments_async,
    chart,
    file_stem,
    heading,
    workbook,
)

ORG = "Quận Đoàn Bình Tân"
PERIOD = Period(
    kind="thang",
    start=date(2026, 10, 1),
    end=date(2026, 10, 31),
    label="tháng 10/2026",
    start_utc=datetime(2026, 9, 30, 17, 0, tzinfo=UTC),
    end_utc=datetime(2026, 10, 31, 17, 0, tzinfo=UTC),
)
GENERATED = datetime(2026, 11, 1, 1, 30, 15, 123456, tzinfo=UTC)  # 08:30 in Vietnam
SHEETS = [
    "Tổng hợp",
    "Theo đơn vị",
    "Nhịp đăng",
    "Tuyên dương",
    "Chủ đề",
    "Chưa có tin",
    "Trang",
    "Tham gia",
    "Đoàn viên",
]
UNIT_HEADERS = [
    "Đơn vị",
    "Mã",
    "Đã gửi",
    "Tin tốt",
    "Câu chuyện đẹp",
    "Đã duyệt",
    "Đã đăng",
    "Từ chối",
    "Đang chờ",
    "Tuần có tin",
    "Số tuần",
    "Cộng cả đơn vị trực thuộc (gửi)",
    "Cộng cả đơn vị trực thuộc (đăng)",
    "Đăng trực tiếp",
]
HEADER_ROW = 5  # org, title, dates, blank, header


def unit(code: str, name: str, parent: str | None, published: int, weeks_with_post: int) -> UnitRow:
    submitted = published * 2 + 1 if published else 0
    return UnitRow(
        code=code,
        name=name,
        parent=parent,
        depth=0 if parent is None else 1,
        submitted=submitted,
        approved=published + 1 if published else 0,
        published=published,
        rejected=1 if published else 0,
        waiting=submitted - published * 2 if published else 0,
        tin_tot=submitted - published // 2,
        cau_chuyen_dep=published // 2,
        weeks_with_post=weeks_with_post,
        weeks=5,
        total_submitted=submitted,
        total_published=published,
    )


WARDS = [
    ("p-anlac", "Đoàn phường An Lạc", 7, 4),
    ("p-anlaca", "Đoàn phường An Lạc A", 3, 2),
    ("p-bhh", "Đoàn phường Bình Hưng Hòa", 9, 5),
    ("p-bhha", "Đoàn phường Bình Hưng Hòa A", 1, 1),
    ("p-btd", "Đoàn phường Bình Trị Đông", 4, 3),
    ("p-btda", "Đoàn phường Bình Trị Đông A", 2, 2),
    ("p-tantao", "Đoàn phường Tân Tạo", 5, 4),
    ("p-tantaoa", "Đoàn phường Tân Tạo A", 0, 0),  # nothing at all this month
    ("thpt-vinhloc", "Đoàn trường THPT Vĩnh Lộc", 6, 3),
]
RED_CROSS = [
    ("ctd-anlac", "Chi hội Chữ thập đỏ phường An Lạc", 2, 2),
    ("ctd-tantao", "Chi hội Chữ thập đỏ phường Tân Tạo, khu dân cư số 12", 1, 1),
]


def root(code: str, name: str, children: list[UnitRow]) -> UnitRow:
    own = unit(code, name, None, 2, 2)
    return dataclasses.replace(
        own,
        total_submitted=own.submitted + sum(c.submitted for c in children),
        total_published=own.published + sum(c.published for c in children),
    )


def report(**changes: Any) -> ReportData:
    wards = [unit(c, n, "qd-binhtan", p, w) for c, n, p, w in WARDS]
    cross = [unit(c, n, "ctd-binhtan", p, w) for c, n, p, w in RED_CROSS]
    units = [
        root("qd-binhtan", ORG, wards),
        *wards,
        root("ctd-binhtan", "Hội Chữ thập đỏ quận Bình Tân", cross),
        *cross,
    ]
    data = ReportData(
        org_name=ORG,
        period=PERIOD,
        unit_filter=None,
        generated_at=GENERATED,
        units=units,
        units_without_post=["Đoàn phường Tân Tạo A"],
        targets=[
            TargetCadence("telegram:-100123", days_with_tin_tot=24, days=31),
            TargetCadence("zalo:oa-binhtan", days_with_tin_tot=0, days=0),
        ],
        median_hours_to_decision=5.25,
        top_members=[
            Ranked("Nguyễn Thị Ánh Dương", "Đoàn phường Bình Hưng Hòa", 5, 6),
            Ranked("Trần Văn Đức", "Đoàn phường An Lạc", 4, 4),
        ],
        top_units=[
            Ranked("Đoàn phường Bình Hưng Hòa", "", 9, 19),
            Ranked("Đoàn phường An Lạc", "", 7, 15),
        ],
        themes=[("Nhà giáo trẻ", 12), ("Thường xuyên", 31)],
        totals={"submitted": 95, "approved": 52, "published": 44, "rejected": 11, "waiting": 8},
    )
    return dataclasses.replace(data, **changes)


def open_book(data: ReportData) -> Any:
    return load_workbook(BytesIO(workbook(data)))


def header(ws: Any, row: int = HEADER_ROW, first: int = 1) -> list[Any]:
    values = [c.value for c in ws[row][first - 1 :]]
    while values and values[-1] is None:
        values.pop()
    return values


def test_sheets_and_title_rows() -> None:
    book = open_book(report())
    assert book.sheetnames == SHEETS
    for ws in book.worksheets:
        assert len(ws.title) <= 31
        assert ws["A1"].value == ORG
        assert ws["A1"].font.b and ws["A1"].font.sz > ws["A2"].font.sz
        title = ws["A2"].value
        assert isinstance(title, str) and title.endswith("— tháng 10/2026")
        assert "Mỗi ngày một tin tốt, mỗi tuần một câu chuyện đẹp" in title
        assert (ws["A3"].value, ws["C3"].value) == ("Từ ngày", "Đến ngày")
        # Real dates shown the Vietnamese way, not text.
        assert ws["B3"].value == datetime(2026, 10, 1) and ws["B3"].number_format == "dd/mm/yyyy"
        assert ws["D3"].value == datetime(2026, 10, 31) and ws["D3"].number_format == "dd/mm/yyyy"
        assert all(c.value is None for c in ws[4])


def test_units_sheet() -> None:
    data = report()
    ws = open_book(data)["Theo đơn vị"]
    assert header(ws) == UNIT_HEADERS
    assert all(c.font.b for c in ws[HEADER_ROW][: len(UNIT_HEADERS)])
    assert ws.freeze_panes == "B6"  # under the header, the names kept in view
    rows = list(ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert len(rows) == len(data.units) == 13
    first = rows[0]
    assert first[:2] == (ORG, "qd-binhtan")
    assert all(type(v) is int for v in first[2:])  # numbers, not text
    bhh = next(r for r in rows if r[1] == "p-bhh")
    assert bhh[2:] == (19, 15, 4, 10, 9, 1, 1, 5, 5, 19, 9, 0)
    zero = next(r for r in rows if r[1] == "p-tantaoa")
    assert zero[0] == "Đoàn phường Tân Tạo A" and zero[2:] == (0,) * 8 + (5, 0, 0, 0)
    assert first[11] == 5 + sum(u.submitted for u in data.units[1:10])
    # The tree shows as indentation of the name cell; the names themselves stay clean.
    indents = {ws.cell(r, 2).value: ws.cell(r, 1).alignment.indent for r in range(6, 19)}
    assert indents["qd-binhtan"] == indents["ctd-binhtan"] == 0
    assert indents["p-anlac"] == indents["ctd-tantao"] == 1
    assert ws.column_dimensions["A"].width > ws.column_dimensions["C"].width >= 8


def test_summary_sheet() -> None:
    ws = open_book(report())["Tổng hợp"]
    assert header(ws) == ["Chỉ tiêu", "Giá trị"]
    assert ws.freeze_panes == "A6"
    rows = {r[0]: r[1] for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)}
    assert rows["Số tin đã gửi"] == 95 and rows["Số tin đã đăng"] == 44
    assert isinstance(rows["Số tin đã gửi"], int)
    assert rows["Thời gian từ khi gửi đến khi có quyết định (trung vị, giờ)"] == 5.25
    # Generated at, in Vietnam's time, seconds kept, microseconds dropped.
    assert rows["Thời điểm lập báo cáo"] == datetime(2026, 11, 1, 8, 30, 15)
    stamp = ws.cell(HEADER_ROW + len(rows), 2)
    assert stamp.number_format == "dd/mm/yyyy hh:mm"
    assert ws.cell(HEADER_ROW + len(rows) - 1, 2).number_format == "0.0"


def test_summary_unknown_total_and_no_median() -> None:
    ws = open_book(report(totals={"mystery": 3}, median_hours_to_decision=None))["Tổng hợp"]
    rows = list(ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert rows[0][:2] == ("mystery", 3)  # a total without a heading yet still shows
    assert rows[1][1] == "Chưa có"  # no median: said so, not a blank or a zero


def test_cadence_honours_themes_missing() -> None:
    book = open_book(report())
    cadence = book["Nhịp đăng"]
    assert header(cadence) == ["Nơi đăng", "Số ngày có Tin tốt", "Số ngày", "Tỉ lệ"]
    assert cadence["A6"].value == "telegram:-100123" and cadence["B6"].value == 24
    assert cadence["D6"].value == pytest.approx(24 / 31) and cadence["D6"].number_format == "0%"
    assert cadence["D7"].value is None  # no days: no ratio rather than a division by zero

    honours = book["Tuyên dương"]
    assert (honours["A5"].value, honours["G5"].value) == ("Đoàn viên tiêu biểu", "Đơn vị tiêu biểu")
    assert header(honours, 6) == [
        "STT",
        "Đoàn viên",
        "Đơn vị",
        "Đã đăng",
        "Đã gửi",
        None,
        "STT",
        "Đơn vị",
        "Đã đăng",
        "Đã gửi",
    ]
    assert [c.value for c in honours[7]][:5] == [
        1,
        "Nguyễn Thị Ánh Dương",
        "Đoàn phường Bình Hưng Hòa",
        5,
        6,
    ]
    assert [c.value for c in honours[8]][6:10] == [2, "Đoàn phường An Lạc", 7, 15]
    assert honours.freeze_panes == "A7"

    themes = book["Chủ đề"]
    assert header(themes) == ["STT", "Chủ đề", "Số tin đã gửi"]
    assert [c.value for c in themes[7]] == [2, "Thường xuyên", 31, None]

    missing = book["Chưa có tin"]
    assert header(missing) == ["STT", "Đơn vị"]
    assert (missing["A6"].value, missing["B6"].value) == (1, "Đoàn phường Tân Tạo A")


def test_unit_filter_adds_a_scope_row() -> None:
    data = report(unit_filter="ctd-binhtan")
    ws = open_book(data)["Theo đơn vị"]
    assert ws["A4"].value == (
        "Phạm vi: đơn vị Hội Chữ thập đỏ quận Bình Tân và các đơn vị trực thuộc"
    )
    assert header(ws, HEADER_ROW + 1) == UNIT_HEADERS and ws.freeze_panes == "B7"
    assert file_stem(data) == "bao-cao-thang-10-2026-ctd-binhtan"


def test_workbook_is_deterministic() -> None:
    data = report()
    first = workbook(data)
    assert workbook(data) == first
    # Stamped from the data, not the clock: the same bytes on another day too.
    with ZipFile(BytesIO(first)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2026, 11, 1, 8, 30, 14)}
    props = load_workbook(BytesIO(first)).properties
    assert props.created == props.modified == datetime(2026, 11, 1, 1, 30, 15)
    assert props.creator == ORG


def test_chart_is_a_png() -> None:
    png = chart(report())
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == (1000, 800)
        # Something was drawn: far more than a blank page's handful of colours.
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or ()) > 50


def test_empty_report() -> None:
    data = report(
        units=[],
        units_without_post=[],
        targets=[],
        top_members=[],
        top_units=[],
        themes=[],
        totals={},
        median_hours_to_decision=None,
    )
    book = open_book(data)
    assert book.sheetnames == SHEETS
    assert header(book["Theo đơn vị"]) == UNIT_HEADERS
    assert book["Theo đơn vị"].max_row == HEADER_ROW
    png = chart(data)
    with Image.open(BytesIO(png)) as image:
        assert image.size == (1000, 800)
    assert heading("chart_empty") == "Chưa có số liệu trong kỳ báo cáo"


def test_file_names() -> None:
    files = attachments(report())
    assert [(f.name, f.kind) for f in files] == [
        ("bao-cao-thang-10-2026.xlsx", "document"),
        ("bao-cao-thang-10-2026.png", "photo"),
    ]
    span = dataclasses.replace(PERIOD, kind="khoang", label="từ 01/09/2026 đến 30/09/2026")
    assert file_stem(report(period=span)) == "bao-cao-tu-01-09-2026-den-30-09-2026"
    assert file_stem(report(period=dataclasses.replace(PERIOD, label="quý 4/2026"))) == (
        "bao-cao-quy-4-2026"
    )


async def test_attachments_off_the_event_loop() -> None:
    data = report()
    files = await attachments_async(data)
    assert [f.name for f in files] == [f.name for f in attachments(data)]
    assert files[0].data == workbook(data)
