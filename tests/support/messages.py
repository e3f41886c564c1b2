"""Realistic messages for the snapshot tests: for each template a person reads, the situations
it is shown in, with the context the handlers give it. User text carries HTML, an ampersand, a
script tag, emoji, a phone number and an e-mail, as members really type them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from types import SimpleNamespace as Row
from typing import Any
from zoneinfo import ZoneInfo

from bot.platforms.registry import PLATFORMS, chat_names, served_names
from handlers.engine.types import Choice, MediaRef, Reply, Say
from handlers.reports.report_data import (
    EventInfo,
    PageFigures,
    Participation,
    Period,
    Ranked,
    ReportData,
    TargetCadence,
    UnitRow,
)
from storage.models import Submission

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AT = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)  # 09:00 17/11/2026 in Vietnam
# How people are named in usage lines: the chat platforms (their own examples), typed on the
# first; and the publish targets, as start-up and the CLI pass them from the registry's rows.
CHATS = chat_names()
NAMING: dict[str, Any] = {"chats": CHATS, "here": CHATS[0]}
TARGETS: dict[str, Any] = {"targets": served_names()}
# What members type: markup that must show literally, emoji, and personal data.
USER = "Chị <b>Hoa</b> & nhóm “Áo xanh” <script>alert(1)</script> 🌸💚, gọi 0901 234 567"
EMAIL = "hoa.nguyen@example.vn"
NAME = "Lan <i>Anh</i> & Co 🌟"
UNIT = "Đoàn phường An Lạc"
LONG = ("Các bạn đoàn viên dạy chữ cho các em mỗi tối thứ Ba và thứ Năm 📚. " * 30).strip()
THEME = Row(title="Nhà giáo trẻ", focus="Tấm gương thầy cô giáo trẻ tận tụy, sáng tạo.")
NEXT_THEME = Row(title="Tình nguyện mùa đông", focus="Chiến dịch Xuân tình nguyện, áo ấm.")
HASHTAGS = Row(tin_tot="#moingay1tintot", cau_chuyen_dep="#moituan1cauchuyendep")
ORG = Row(name="Đoàn phường An Lạc & Hội Chữ thập đỏ", short_name="Đoàn An Lạc")


@dataclass(frozen=True)
class Case:
    title: str
    reply: Reply


def case(
    title: str,
    template: str,
    *,
    choices: list[list[str]] | None = None,
    media: int = 0,
    **ctx: Any,
) -> Case:
    """One situation: its template and context, with buttons by label and photos by count."""
    rows = tuple(
        tuple(Choice(label, f"x:{n}") for n, label in enumerate(row)) for row in choices or []
    )
    refs = tuple(MediaRef("photo", f"https://photo.example/anh-{n + 1}.jpg") for n in range(media))
    return Case(title, Reply(Say(template, ctx), rows, refs))


def sub(**values: Any) -> Submission:
    base: dict[str, Any] = {
        "id": 27,
        "member_id": 1,
        "kind": "tin_tot",
        "path": "raw",
        "status": "pending",
        "submitted_at": AT,
    }
    return Submission.model_validate(base | values)


def asks() -> dict[str, list[Case]]:
    steps = ["thoi_gian", "dia_diem", "nhan_vat", "muc_dich", "y_nghia"]
    found = {
        f"ask/{name}.j2": [
            case("câu hỏi lần đầu", f"ask/{name}.j2", number=n + 1, total=5, current="", limit=500),
            case(
                "sửa câu đã trả lời",
                f"ask/{name}.j2",
                number=n + 1,
                total=5,
                current=USER,
                limit=500,
            ),
        ]
        for n, name in enumerate(steps)
    }
    for n, name in enumerate(["link", "cam_nhan"]):
        found[f"ask/{name}.j2"] = [
            case(
                "câu hỏi lần đầu", f"ask/{name}.j2", number=n + 1, total=2, current="", limit=1500
            ),
            case(
                "sửa câu đã trả lời",
                f"ask/{name}.j2",
                number=n + 1,
                total=2,
                current=USER,
                limit=1500,
            ),
        ]
    found["ask/_current.j2"] = [
        case("chưa trả lời", "ask/_current.j2", current="", limit=200),
        case("đã trả lời", "ask/_current.j2", current=USER, limit=200),
    ]
    return found


def unit_row(
    code: str, name: str, parent: str | None, depth: int, published: int = 1, **more: int
) -> UnitRow:
    """A unit's line of a month's report: 2 sent, ``published`` published, 5 weeks."""
    counts = {
        "submitted": 2,
        "approved": published,
        "published": published,
        "rejected": 0,
        "waiting": 1,
        "tin_tot": 1,
        "cau_chuyen_dep": 1,
        "weeks_with_post": 1,
        "weeks": 5,
    }
    counts |= more
    totals = {
        f"total_{k}": counts[k]
        for k in ("submitted", "published", "approved", "rejected", "waiting", "weeks_with_post")
    }
    return UnitRow(code=code, name=name, parent=parent, depth=depth, **counts, **totals)


def report_data(*, empty: bool = False) -> ReportData:
    period = Period("thang", date(2026, 11, 1), date(2026, 11, 30), "tháng 11/2026", AT, AT)
    if empty:
        return ReportData("Đoàn phường An Lạc", period, None, AT, totals=dict.fromkeys(TOTALS, 0))
    units = [
        unit_row("p-anlac", UNIT, None, 0, published=6, weeks_with_post=3),
        *(
            unit_row(f"cd-{n}", f"Chi đoàn khu phố {n} <b>&</b>", "p-anlac", 1)
            for n in range(1, 14)
        ),
    ]
    return ReportData(
        org_name="Đoàn phường An Lạc & Hội Chữ thập đỏ",
        period=period,
        unit_filter="An Lạc",
        generated_at=AT,
        units=units,
        units_without_post=[f"Chi hội {n}" for n in range(1, 13)],
        targets=[TargetCadence("telegram:-100555", 21, 30)],
        median_hours_to_decision=5.0,
        top_members=[Ranked(NAME, UNIT, 4, 6), Ranked("Minh", "", 2, 3)],
        top_units=[Ranked(UNIT, "", 6, 9)],
        themes=[("Nhà giáo trẻ", 7), ("Tình nguyện mùa đông", 2)],
        totals={name: n + 3 for n, name in enumerate(TOTALS)},
        weeks=5,
        days=30,
    )


TOTALS = [
    "submitted",
    "approved",
    "published",
    "rejected",
    "waiting",
    "tin_tot",
    "published_tin_tot",
    "cau_chuyen_dep",
    "published_cau_chuyen_dep",
    "taken_down",
    "direct",
]


def member_cases() -> dict[str, list[Case]]:
    rows = [
        Row(id=27, kind="tin_tot", unit_code="p-anlac", submitted_at=AT, status="pending"),
        Row(id=12, kind="cau_chuyen_dep", unit_code="gone", submitted_at=AT, status="published"),
    ]
    return {
        "start.j2": [
            case(
                "lần đầu, chưa chọn đơn vị",
                "start.j2",
                member_name=NAME,
                org=ORG,
                theme=THEME,
                unit=None,
            ),
            case(
                "đã có đơn vị",
                "start.j2",
                member_name="bạn",
                org=ORG,
                theme=THEME,
                unit=Row(name=UNIT),
                choices=[["📝 Gửi tin mới"]],
            ),
        ],
        "idle.j2": [case("tin nhắn khi không soạn gì", "idle.j2", choices=[["📝 Gửi tin mới"]])],
        "guide.j2": [case("/huongdan", "guide.j2", org=ORG, choices=[["📝 Gửi tin mới"]])],
        "kind_pick.j2": [
            case(
                "/gui",
                "kind_pick.j2",
                hashtags=HASHTAGS,
                choices=[["🌱 Tin tốt"], ["🌸 Câu chuyện đẹp"]],
            )
        ],
        "path_pick.j2": [
            case(
                f"sau khi chọn {kind}",
                "path_pick.j2",
                kind=kind,
                choices=[
                    ["🔗 Đã có bài viết (gửi liên kết)"],
                    ["📝 Thông tin thô (5 nội dung cơ bản)"],
                ],
            )
            for kind in ("tin_tot", "cau_chuyen_dep")
        ],
        "unit_pick.j2": [
            case(
                "/start lần đầu: lời chào ở trên, cùng một tin",
                "unit_pick.j2",
                pages=3,
                page=1,
                current=None,
                welcome=True,
                member_name=NAME,
                org=ORG,
                theme=THEME,
                unit=None,
                choices=[[UNIT], ["Đoàn phường Tân Tạo"], ["Trang sau ▶"]],
            ),
            case(
                "trang đầu",
                "unit_pick.j2",
                pages=3,
                page=1,
                current=None,
                choices=[[UNIT], ["Đoàn phường Tân Tạo"], ["Trang sau ▶"]],
            ),
            case(
                "một trang, đang có đơn vị",
                "unit_pick.j2",
                pages=1,
                page=1,
                current=Row(name=UNIT),
                choices=[[UNIT]],
            ),
        ],
        "unit_saved.j2": [
            case("sau /start", "unit_saved.j2", unit=Row(name=UNIT), then=""),
            case("trong lúc /gui", "unit_saved.j2", unit=Row(name=UNIT), then="gui"),
        ],
        "unit_typed.j2": [
            case("nhiều đơn vị khớp", "unit_typed.j2", count=3, text=USER),
            case("không đơn vị nào khớp", "unit_typed.j2", count=0, text="an lạc <b>"),
        ],
        "unit_busy.j2": [case("đổi đơn vị khi đang soạn", "unit_busy.j2")],
        "unit_first.j2": [case("/gui khi chưa có đơn vị", "unit_first.j2")],
        "unit_gone.j2": [case("đơn vị đã ngừng", "unit_gone.j2")],
        "media_ask.j2": [
            case("chưa có ảnh", "media_ask.j2", limit=10, count=0, choices=[["⏭ Bỏ qua"]]),
            case("đã có 3 ảnh", "media_ask.j2", limit=10, count=3, choices=[["✅ Xong"]]),
        ],
        "media_got.j2": [
            case("một ảnh", "media_got.j2", album=False, count=1, limit=10, choices=[["✅ Xong"]]),
            case("một album", "media_got.j2", album=True, count=4, limit=10, choices=[["✅ Xong"]]),
        ],
        "media_full.j2": [case("ảnh thứ 11", "media_full.j2", limit=10)],
        "media_text.j2": [case("gõ chữ ở bước ảnh", "media_text.j2")],
        "media_refused.j2": [
            case("ảnh Zalo không tải được", "media_refused.j2", reason="unreachable"),
            case("ảnh Zalo quá lớn", "media_refused.j2", reason="too_big", limit_mb=20),
            case("tệp không phải ảnh", "media_refused.j2", reason="not_media"),
        ],
        "media_too_big.j2": [case("video 25 MB", "media_too_big.j2", limit_mb=20)],
        "media_wrong_kind.j2": [
            case("nhãn dán", "media_wrong_kind.j2", got="sticker"),
            case("loại lạ", "media_wrong_kind.j2", got="other"),
        ],
        "need_text.j2": [
            case("ảnh khi bot hỏi chữ", "need_text.j2", got="media"),
            case("tin nhắn thoại", "need_text.j2", got="voice"),
        ],
        "empty_answer.j2": [case("chỉ có dấu cách", "empty_answer.j2")],
        "too_long.j2": [case("quá dài", "too_long.j2", length=1834, limit=1200)],
        "not_a_link.j2": [case("không phải liên kết", "not_a_link.j2")],
        "link_untrusted.j2": [
            case(
                "trang lạ",
                "link_untrusted.j2",
                domains=["tuoitre.vn", "thanhnien.vn", "doanthanhnien.vn"],
            )
        ],
        "consent_ask.j2": [
            case(
                "sau khi gửi ảnh",
                "consent_ask.j2",
                choices=[["✅ Đã đồng ý"], ["❔ Chưa hỏi"], ["🚫 Không có người trong ảnh"]],
            )
        ],
        "consent_pick.j2": [case("gõ chữ thay vì chọn", "consent_pick.j2")],
        "choose_button.j2": [case("gõ chữ thay vì bấm nút", "choose_button.j2")],
        "edit_pick.j2": [
            case(
                "Sửa trong bản xem trước",
                "edit_pick.j2",
                choices=[["Thời gian"], ["Địa điểm"], ["Ảnh/video"], ["↩️ Quay lại bản xem trước"]],
            )
        ],
        "sent.j2": [
            case("gửi lần đầu", "sent.j2", again=False, sub=sub(kind="cau_chuyen_dep")),
            case("gửi phần bổ sung", "sent.j2", again=True, sub=sub()),
        ],
        "cancelled.j2": [
            case("hủy tin đang soạn", "cancelled.j2", paused=None, had_draft=True),
            case("dừng bổ sung", "cancelled.j2", paused=27, had_draft=False),
            case("không có gì", "cancelled.j2", paused=None, had_draft=False),
        ],
        "nothing_to_cancel.j2": [case("/huy khi không soạn", "nothing_to_cancel.j2")],
        "draft_gone.j2": [case("nút của tin đã gửi", "draft_gone.j2")],
        "draft_kept.j2": [case("giữ bản nháp", "draft_kept.j2")],
        "draft_open.j2": [case("/gui khi đang soạn", "draft_open.j2")],
        "my_list.j2": [
            case("chưa gửi tin nào", "my_list.j2", rows=[], units={}, tz=TZ),
            case("có tin đang chờ", "my_list.j2", rows=rows, units={"p-anlac": UNIT}, tz=TZ),
        ],
        "themes.j2": [
            case(
                "có chủ đề tiếp theo",
                "themes.j2",
                current=THEME,
                next_theme=NEXT_THEME,
                next_start=date(2026, 12, 1),
                hashtags=HASHTAGS,
            ),
            case(
                "chủ đề cuối",
                "themes.j2",
                current=THEME,
                next_theme=None,
                next_start=None,
                hashtags=HASHTAGS,
            ),
        ],
        "supplement_start.j2": [
            case("có ghi chú", "supplement_start.j2", sub=sub(), note=USER),
            case("không ghi chú", "supplement_start.j2", sub=sub(), note=""),
        ],
        "supplement_busy.j2": [case("đang soạn tin khác", "supplement_busy.j2", sid=27)],
        "stale_button.j2": [case("nút cũ", "stale_button.j2")],
        "unknown_command.j2": [
            case("lệnh lạ", "unknown_command.j2", command="abc<b>", busy=False),
            case("lệnh lạ khi đang soạn", "unknown_command.j2", command="xyz", busy=True),
        ],
        "whoami.j2": [
            case("có tên", "whoami.j2", ident="zalo:a1b2c3", name=NAME),
            case("không tên", "whoami.j2", ident="123456789", name=""),
        ],
        "internal_error.j2": [case("lỗi bất ngờ", "internal_error.j2")],
        "files_unavailable.j2": [case("báo cáo trên Zalo", "files_unavailable.j2", count=2)],
    }


def desk_cases() -> dict[str, list[Case]]:
    decided = sub(status="approved", decided_by_name=NAME, decided_at=AT)
    problem = Row(submission_id=12, platform="telegram", chat_id="-100555", status="needs_check")
    failed = Row(submission_id=13, platform="zalo", chat_id="g1", status="failed")
    return {
        "notice/approved.j2": [
            case("đăng ngay", "notice/approved.j2", sub_id=27, slot=False),
            case("chờ khung giờ", "notice/approved.j2", sub_id=27, slot=True),
        ],
        "notice/published.j2": [
            case(
                "có liên kết",
                "notice/published.j2",
                sub_id=27,
                links=["https://t.me/tintot/123", "https://t.me/tintot/124"],
            ),
            case("không liên kết", "notice/published.j2", sub_id=27, links=[]),
        ],
        "notice/rejected.j2": [case("lý do có HTML", "notice/rejected.j2", sub_id=27, reason=USER)],
        "notice/needs_info.j2": [
            case(
                "có ghi chú",
                "notice/needs_info.j2",
                sub_id=27,
                fields=["Địa điểm", "Ảnh/video"],
                note=USER,
                choices=[["📝 Bổ sung ngay"]],
            ),
            case(
                "không ghi chú",
                "notice/needs_info.j2",
                sub_id=27,
                fields=["Thời gian"],
                note="",
                choices=[["📝 Bổ sung ngay"]],
            ),
        ],
        "notice/merged.j2": [
            case(
                "đã đăng",
                "notice/merged.j2",
                sub_id=31,
                into=27,
                status="published",
                links=["https://t.me/tintot/123"],
            ),
            case("đã duyệt", "notice/merged.j2", sub_id=31, into=27, status="approved", links=[]),
            case("đang chờ", "notice/merged.j2", sub_id=31, into=27, status="pending", links=[]),
        ],
        "notice/draft_purge.j2": [
            case(
                "nhắc bản nháp",
                "notice/draft_purge.j2",
                kind="cau_chuyen_dep",
                day="17/12/2026",
                choices=[["✍️ Giữ bản nháp, soạn tiếp"]],
            )
        ],
        "notice/post_problem.j2": [
            case(
                "không rõ đã đăng",
                "notice/post_problem.j2",
                sub_id=27,
                status="needs_check",
                target="telegram:-100555",
                error="",
            ),
            case(
                "thất bại",
                "notice/post_problem.j2",
                sub_id=27,
                status="failed",
                target="zalo:g1",
                error="Forbidden: bot <b>was</b> kicked & banned",
            ),
            case(
                "Facebook từ chối vì quyền",
                "notice/post_problem.j2",
                sub_id=27,
                status="needs_check",
                target="facebook:123456789012345",
                error="Refused: Graph API #200 (HTTP 403): Permissions error <b>&</b>",
            ),
        ],
        "platforms/facebook/notice_token.j2": [
            case(
                "mã trang hết hạn",
                "platforms/facebook/notice_token.j2",
                page="123456789012345",
                code=190,
                error="Error validating access token: Session has expired <b>&</b>",
            ),
        ],
        "notice/platform_off.j2": [
            case(
                "token bị từ chối",
                "notice/platform_off.j2",
                platform="telegram",
                key="token_refused",
                variable="TELEGRAM_BOT_TOKEN",
            ),
            case(
                "webhook không nhận",
                "notice/platform_off.j2",
                platform="zalo",
                key="webhook",
                variable="ZALO_WEBHOOK_URL, ZALO_WEBHOOK_SECRET",
            ),
        ],
        "notice/reminder.j2": [
            case(
                "tin chờ lâu",
                "notice/reminder.j2",
                items=[
                    Row(id=27, kind="tin_tot", unit_code="p-anlac", hours=49),
                    Row(id=28, kind="cau_chuyen_dep", unit_code=None, hours=25),
                ],
            )
        ],
        "notice/slot_empty.j2": [
            case(f"khung giờ {kind}", "notice/slot_empty.j2", kind=kind, slot="07:30")
            for kind in ("tin_tot", "cau_chuyen_dep")
        ],
        "notice/weekly_reminder.j2": [
            case(
                "có tên",
                "notice/weekly_reminder.j2",
                name=NAME,
                theme="Nhà giáo trẻ",
                choices=[["📝 Gửi tin mới"]],
            ),
            case("không tên", "notice/weekly_reminder.j2", name="", theme="Nhà giáo trẻ"),
        ],
        "review/announce.j2": [
            case(
                "tin mới",
                "review/announce.j2",
                sub_id=27,
                kind="tin_tot",
                unit="p-anlac",
                again=False,
                duplicate_of=None,
                duplicate_rule=None,
                personal=False,
                reason="",
            ),
            case(
                "đã bổ sung, có thể trùng, có SĐT",
                "review/announce.j2",
                sub_id=27,
                kind="cau_chuyen_dep",
                unit="p-anlac",
                again=True,
                duplicate_of=12,
                duplicate_rule="link",
                personal=True,
                reason="",
            ),
            case(
                "chờ duyệt riêng trở lại",
                "review/announce.j2",
                sub_id=27,
                kind="tin_tot",
                unit="p-anlac",
                again=False,
                duplicate_of=None,
                duplicate_rule=None,
                personal=False,
                reason="released",
            ),
            case(
                "thành viên rút",
                "review/announce.j2",
                sub_id=27,
                kind="tin_tot",
                unit="p-anlac",
                again=False,
                duplicate_of=None,
                duplicate_rule=None,
                personal=False,
                reason="withdrawn",
            ),
        ],
        "review/ask_note.j2": [case("Yêu cầu bổ sung", "review/ask_note.j2", sid=27, limit=1000)],
        "review/ask_post.j2": [case("Sửa bài", "review/ask_post.j2", sid=27, limit=3500)],
        "review/ask_reason.j2": [case("Lý do khác", "review/ask_reason.j2", sid=27, limit=1000)],
        "review/bad_text.j2": [
            case("trống", "review/bad_text.j2", length=0, limit=1000),
            case("quá dài", "review/bad_text.j2", length=1200, limit=1000),
        ],
        "review/hidden_characters.j2": [case("ký tự điều khiển", "review/hidden_characters.j2")],
        "review/card_resent.j2": [case("gửi lại thẻ", "review/card_resent.j2", sid=27)],
        "review/consent_confirm.j2": [
            case(
                "chưa hỏi ý kiến",
                "review/consent_confirm.j2",
                sid=27,
                choices=[["⚠️ Vẫn duyệt khi chưa hỏi ý kiến"], ["↩️ Quay lại"]],
            )
        ],
        "review/consent_confirm_text.j2": [
            case("trên Zalo", "review/consent_confirm_text.j2", sid=27)
        ],
        "review/decided.j2": [
            case("người khác đã duyệt", "review/decided.j2", sub=decided, tz=TZ),
            case("không ai quyết định", "review/decided.j2", sub=sub(status="withdrawn"), tz=TZ),
            case("tin đã xóa", "review/decided.j2", sub=None, tz=TZ),
        ],
        "review/done_private.j2": [
            case(
                "từ chối trên Zalo",
                "review/done_private.j2",
                sub=sub(status="rejected", reject_reason=USER, card_message_id="55"),
            ),
            case("duyệt, chưa có thẻ", "review/done_private.j2", sub=sub(status="approved")),
        ],
        "review/edited_done.j2": [case("duyệt bài đã sửa", "review/edited_done.j2", sid=27)],
        "review/merge_refused.j2": [
            case(
                "không có tin",
                "review/merge_refused.j2",
                why="missing",
                sid=27,
                into=99,
                primary=None,
            ),
            case(
                "gộp vào chính nó",
                "review/merge_refused.j2",
                why="self",
                sid=27,
                into=27,
                primary=None,
            ),
            case(
                "tin đã gộp",
                "review/merge_refused.j2",
                why="merged",
                sid=27,
                into=12,
                primary=Row(merged_into=5, status="merged"),
            ),
            case(
                "tin bị từ chối",
                "review/merge_refused.j2",
                why="status",
                sid=27,
                into=12,
                primary=Row(merged_into=None, status="rejected"),
            ),
        ],
        "review/merge_usage.j2": [
            case(
                "không đánh dấu trùng", "review/merge_usage.j2", flagged=False, sid=27, number=None
            ),
            case("sai cú pháp", "review/merge_usage.j2", flagged=True, sid=27, number=99),
        ],
        "review/merged_done.j2": [
            case("vào tin đã đăng", "review/merged_done.j2", sid=31, into=27, status="published"),
            case("vào tin đang chờ", "review/merged_done.j2", sid=31, into=27, status="pending"),
        ],
        "review/need_fields.j2": [case("chưa chọn mục", "review/need_fields.j2")],
        "review/not_editor.j2": [case("người lạ bấm nút", "review/not_editor.j2")],
        "review/personal_done.j2": [
            case("giữ nguyên", "review/personal_done.j2", keep=True, sid=27, card=True),
            case("che", "review/personal_done.j2", keep=False, sid=27, card=False),
        ],
        "review/personal_none.j2": [case("không có", "review/personal_none.j2", sid=27)],
        "review/personal_usage.j2": [
            case("/giu không số", "review/personal_usage.j2", usage="giu", number=None),
            case("/che tin lạ", "review/personal_usage.j2", usage="che", number=99),
        ],
        "review/queue.j2": [
            case("trống", "review/queue.j2", items=[], buttons=True, problems=[]),
            case(
                "có tin và bài cần kiểm tra (Telegram)",
                "review/queue.j2",
                items=[Row(sub=sub(), hours=50), Row(sub=sub(id=28, unit_code=None), hours=3)],
                buttons=True,
                problems=[problem, failed],
                choices=[["🔁 Gửi lại thẻ #27"]],
            ),
            case(
                "có tin (Zalo)",
                "review/queue.j2",
                items=[Row(sub=sub(unit_code="p-anlac"), hours=5)],
                buttons=False,
                problems=[],
            ),
        ],
        "review/usage.j2": [
            case(f"/{usage}", "review/usage.j2", usage=usage, number=None, fields=["Thời gian"])
            for usage in ("tuchoi", "bosung", "sua", "duyet")
        ]
        + [case("/xem tin lạ", "review/usage.j2", usage="xem", number=99)],
        "report/usage.j2": [
            case(
                "kỳ không đọc được",
                "report/usage.j2",
                words="thang abc <b>",
                unit_words="",
                candidates=[],
            ),
            case(
                "nhiều đơn vị khớp",
                "report/usage.j2",
                words="",
                unit_words="an",
                candidates=[UNIT, "Chi đoàn An Lạc A"],
            ),
            case("không thấy đơn vị", "report/usage.j2", words="", unit_words=USER, candidates=[]),
        ],
        "report/summary.j2": [
            case("tháng, một đơn vị, đủ mục", "report/summary.j2", data=report_data(), tz=TZ),
            case(
                "đợt, bí thư hai đơn vị, tỉ lệ tham gia",
                "report/summary.j2",
                data=figures_report_data(),
                tz=TZ,
            ),
            case(
                "tự động, kỳ trống",
                "report/summary.j2",
                data=report_data(empty=True),
                tz=TZ,
                scheduled=True,
            ),
        ],
        "report/period.j2": [
            case(kind, "report/period.j2", kind=kind, start=start, end=end)
            for kind, start, end in [
                ("tuan", date(2026, 11, 16), date(2026, 11, 22)),
                ("thang", date(2026, 11, 1), date(2026, 11, 30)),
                ("quy", date(2026, 10, 1), date(2026, 12, 31)),
                ("6thang", date(2026, 1, 1), date(2026, 6, 30)),
                ("nam", date(2025, 1, 1), date(2025, 12, 31)),
                ("khoang", date(2026, 9, 1), date(2026, 9, 30)),
            ]
        ]
        + [
            case(
                "dot",
                "report/period.j2",
                kind="dot",
                start=date(2026, 12, 15),
                end=date(2027, 2, 6),
                event_title="Tết Nhân ái 2027",
            )
        ],
    }


def admin_cases() -> dict[str, list[Case]]:
    erased = Row(texts=2, media=3, drafts=1, messages=4, kept=1)
    pending = [
        Row(id=27, kind="tin_tot", status="pending", submitted_at=AT),
        Row(id=28, kind="cau_chuyen_dep", status="needs_info", submitted_at=None),
    ]
    return {
        "ban/list.j2": [
            case(
                "có người bị dừng",
                "ban/list.j2",
                tz=TZ,
                **NAMING,
                rows=[
                    Row(platform="telegram", user_id="555", created_at=AT, reason=USER),
                    Row(platform="zalo", user_id="abc", created_at=AT, reason=""),
                ],
            ),
            case("trống", "ban/list.j2", tz=TZ, rows=[], **NAMING),
        ],
        "ban/done.j2": [
            case("dừng", "ban/done.j2", banned=True, changed=True, target="telegram:555"),
            case("bỏ dừng", "ban/done.j2", banned=False, changed=True, target="zalo:abc"),
            case(
                "đã dừng từ trước", "ban/done.j2", banned=True, changed=False, target="telegram:555"
            ),
            case("không bị dừng", "ban/done.j2", banned=False, changed=False, target="zalo:abc"),
        ],
        "ban/notice.j2": [case("báo người bị dừng", "ban/notice.j2")],
        "ban/usage.j2": [
            case("sai cú pháp", "ban/usage.j2", **NAMING),
            case("gõ trên nền tảng thứ hai", "ban/usage.j2", chats=CHATS, here=CHATS[1]),
        ],
        "staff/list.j2": [
            case(
                "danh sách",
                "staff/list.j2",
                admins=["telegram:9001"],
                editors=["telegram:9002", "zalo:ed-1"],
                rows=[
                    Row(platform="zalo", user_id="ed-2", role="editor", added_by="telegram:9001"),
                    Row(platform="telegram", user_id="77", role="admin", added_by="cli"),
                ],
                removed=[Row(platform="telegram", user_id="9003")],
                **NAMING,
            ),
            case("trống", "staff/list.j2", admins=[], editors=[], rows=[], removed=[], **NAMING),
        ],
        "staff/done.j2": [
            case(
                "thêm biên tập viên",
                "staff/done.j2",
                added=True,
                target="telegram:77",
                role="editor",
            ),
            case(
                "thêm quản trị viên", "staff/done.j2", added=True, target="zalo:ed-2", role="admin"
            ),
            case("gỡ", "staff/done.j2", added=False, target="telegram:77", role="editor"),
        ],
        "staff/usage.j2": [
            case("sai cú pháp", "staff/usage.j2", **NAMING),
            case("gõ trên nền tảng thứ hai", "staff/usage.j2", chats=CHATS, here=CHATS[1]),
        ],
        "staff/admins_only.j2": [case("không phải quản trị", "staff/admins_only.j2")],
        "units/list.j2": [
            case(
                "danh sách",
                "units/list.j2",
                rows=[
                    Row(code="p-anlac", name=UNIT, parent_code=None, active=True),
                    Row(
                        code="cd-kp3",
                        name="Chi đoàn khu phố 3 <b>&</b>",
                        parent_code="p-anlac",
                        active=False,
                    ),
                ],
            )
        ],
        "units/done.j2": [
            case(
                verb or "không làm được",
                "units/done.j2",
                done=bool(verb),
                verb=verb,
                code="cd-kp3",
                text=text,
            )
            for verb, text in [
                ("", ""),
                ("them", "Chi đoàn khu phố 3 & 4"),
                ("doiten", "Chi đoàn KP3"),
                ("ngung", ""),
                ("mo", ""),
                ("cha", "p-anlac"),
                ("sodoanvien", "120"),
                ("sodoanvien", "-"),
                ("cha", "-"),
            ]
        ],
        "units/usage.j2": [case("sai cú pháp", "units/usage.j2")],
        "rights/forget_ask.j2": [
            case("/xoadulieu", "rights/forget_ask.j2", choices=[["➡️ Tiếp tục"], ["↩️ Thôi"]])
        ],
        "rights/forget_confirm.j2": [
            case("lần hai", "rights/forget_confirm.j2", choices=[["🗑 Xóa vĩnh viễn"], ["↩️ Thôi"]])
        ],
        "rights/forget_expired.j2": [case("nút hết hạn", "rights/forget_expired.j2")],
        "rights/forget_kept.j2": [case("Thôi", "rights/forget_kept.j2")],
        "rights/forgotten.j2": [
            case("đã xóa, có tin đã đăng", "rights/forgotten.j2", erased=erased, withdrawn=1),
            case(
                "không có gì",
                "rights/forgotten.j2",
                withdrawn=0,
                erased=Row(texts=0, media=0, drafts=0, messages=0, kept=0),
            ),
        ],
        "rights/withdraw.j2": [
            case("đã rút", "rights/withdraw.j2", outcome="done", sid=27),
            case("rút rồi", "rights/withdraw.j2", outcome="already", sid=27),
            case(
                "đã quyết định", "rights/withdraw.j2", outcome="decided", sid=27, status="published"
            ),
            case("không thấy", "rights/withdraw.j2", outcome="unknown", sid=99),
            case(
                "gõ sai, có tin chờ",
                "rights/withdraw.j2",
                outcome="usage",
                typed=USER,
                rows=pending,
                tz=TZ,
            ),
            case(
                "không có tin chờ", "rights/withdraw.j2", outcome="usage", typed="", rows=[], tz=TZ
            ),
        ],
    }


# Printed on the server's terminal or in the console demo: plain text only.
# python -m bot doctor's lines: passed, the key, what the line shows.
DOCTOR_LINES: list[tuple[bool, str, dict[str, Any]]] = [
    (True, "settings_ok", {}),
    (True, "migrations_ok", {"head": "0012"}),
    (False, "migrations_pending", {"current": None, "head": "0012"}),
    (False, "db_unreachable", {"backend": "PostgreSQL", "detail": "refused <b>"}),
    (True, "token_ok", {"platform": "telegram", "name": "@tintot_bot"}),
    (False, "token_refused", {"platform": "zalo", "variable": "ZALO_BOT_TOKEN"}),
    (
        False,
        "webhook_other",
        {"platform": "telegram", "url": "https://a/t", "registered": "https://b/t"},
    ),
    (
        False,
        "telegram/channel_rights",
        {
            "platform": "telegram",
            "chat": -100555,
            "title": "Tin tốt & <đẹp>",
            "editors": False,
        },
    ),
    (
        True,
        "telegram/chat_ok",
        {"platform": "telegram", "chat": -100777, "title": "", "editors": True},
    ),
    (False, "facebook/page_refused", {"page": "104857600123456", "code": 190}),
    (False, "wordpress/site_refused", {"site": "doan", "status": 401}),
    (
        False,
        "space_low",
        {"path": "/srv/tintot/media", "free": "0.4 GB", "needed": "1.0 GB"},
    ),
    (
        False,
        "backup_old",
        {"name": "tintot-backup-20261115-0300.tar", "hours": 74, "days": 3},
    ),
]

# A platform's own doctor lines (templates/platforms/<name>/doctor.j2), beside those above.
PLATFORM_DOCTOR_LINES: list[tuple[bool, str, dict[str, Any]]] = [
    (True, "facebook/page_ok", {"page": "104857600123456", "name": "Đoàn <phường>"}),
    (True, "wordpress/site_ok", {"site": "doan", "user": "Biên tập"}),
    (
        False,
        "telegram/chat_not_found",
        {"platform": "telegram", "chat": -100555, "editors": True, "detail": "chat not found"},
    ),
    (
        False,
        "telegram/chat_rights",
        {"platform": "telegram", "chat": -100777, "editors": False, "status": "left"},
    ),
]

NAMES = ["telegram", "zalo", "facebook", "wordpress"]
PLAIN_ONLY = {
    **{
        f"platforms/{platform}/doctor.j2": [
            Say("cli/doctor.j2", {"ok": ok, "key": key} | ctx)
            for ok, key, ctx in DOCTOR_LINES + PLATFORM_DOCTOR_LINES
            if key.startswith(f"{platform}/")
        ]
        for platform in ("telegram", "facebook", "wordpress")
    },
    "cli/already_running.j2": [Say("cli/already_running.j2", {"path": "data/tintot.db"})],
    "cli/bad_value.j2": [
        Say("cli/bad_value.j2", {"what": "day", "value": "31/13/2026"}),
        Say("cli/bad_value.j2", {"what": "month", "value": "2026-13"}),
    ],
    "cli/database_gone.j2": [Say("cli/database_gone.j2", {"path": "data/tintot.db"})],
    "cli/database_read_only.j2": [
        Say("cli/database_read_only.j2", {"path": "data/tintot.db", "where": "file"}),
        Say("cli/database_read_only.j2", {"path": "data", "where": "folder"}),
    ],
    "cli/refused.j2": [
        Say("cli/refused.j2", {"why": why, "path": "data/tintot.db"})
        for why in ("range", "database", "folder", "no_folder", "exists")
    ],
    "cli/config_error.j2": [
        Say(
            "cli/config_error.j2",
            {"chats": CHATS, "name": "TIMEZONE", "key": "timezone_unknown", "value": "Mars/X"},
        ),
        Say(
            "cli/config_error.j2",
            {"chats": CHATS, "name": "ADMIN_IDS", "key": "ids_format", "value": "123"},
        ),
        Say(
            "cli/config_error.j2",
            {"chats": CHATS, "name": "X", "key": "other", "value": "giá trị lạ <b>"},
        ),
        Say(
            "cli/config_error.j2",
            {"chats": CHATS, "name": "BACKUP_AT", "key": "hour_minute", "value": "25:00"},
        ),
        *(
            Say("cli/config_error.j2", {"chats": CHATS, "name": name, "key": key, "value": "doan"})
            for name, key in [
                ("WORDPRESS_SITES", "named_format"),
                ("WORDPRESS_CREDENTIALS", "wordpress/login"),
                ("WORDPRESS_SITES", "wordpress/site_missing"),
                ("WORDPRESS_CREDENTIALS", "wordpress/login_missing"),
                ("WORDPRESS_SITES", "wordpress/url"),
                ("PUBLIC_BASE_URL", "base_not_https"),
            ]
        ),
    ],
    **{
        f"platforms/{platform}/config_error.j2": [
            Say(
                "cli/config_error.j2",
                {"chats": CHATS, "name": name, "key": f"{platform}/{key}", "value": "7"},
            )
            for name, key in keys
        ]
        for platform, keys in {
            "telegram": [
                ("TELEGRAM_BOT_TOKEN", "token_format"),
                ("TELEGRAM_WEBHOOK_SECRET", "secret_format"),
                ("BENCH_NO_LIMITS", "bench_only"),
            ],
            "zalo": [("ZALO_WEBHOOK_SECRET", "secret_format")],
            "zalo_oa": [
                ("ZALO_OA_APP_ID", "app_id"),
                ("ZALO_OA_APP_ID", "app_id_needed"),
                ("ZALO_OA_APP_SECRET", "app_secret_needed"),
                ("ZALO_OA_SECRET_KEY", "secret_key_needed"),
                ("PUBLISH_TARGETS", "target"),
                ("PUBLIC_BASE_URL", "cover_needs_base"),
            ],
            "facebook": [
                ("FACEBOOK_PAGE_TOKENS", "tokens_format"),
                ("FACEBOOK_PAGE_TOKENS", "token_missing"),
                ("ADMIN_IDS, EDITOR_IDS", "not_target"),
            ],
            "wordpress": [
                ("WORDPRESS_CREDENTIALS", "login"),
                ("WORDPRESS_SITES", "site_missing"),
                ("WORDPRESS_CREDENTIALS", "login_missing"),
                ("WORDPRESS_SITES", "url"),
            ],
        }.items()
    },
    "cli/exported.j2": [Say("cli/exported.j2", {"rows": 12, "path": "kho-tin.csv"})],
    "cli/forgotten.j2": [
        Say(
            "cli/forgotten.j2",
            {
                "member_id": 5,
                "account": "telegram:123",
                "already": False,
                "withdrawn": 1,
                "erased": Row(texts=2, media=3, drafts=1, messages=4, kept=1),
            },
        ),
        Say("cli/forgotten.j2", {"member_id": 5, "account": "#5", "already": True}),
    ],
    "cli/member_unknown.j2": [
        Say("cli/member_unknown.j2", {"spec": "telegram:abc", "chats": CHATS})
    ],
    "cli/nothing_serves.j2": [Say("cli/nothing_serves.j2")],
    "cli/platform_failed.j2": [
        Say(
            "cli/platform_failed.j2",
            {
                "platform": name,
                "key": key,
                "variable": variable,
                "detail": detail,
                "others": o,
                "retrying": retrying,
            },
        )
        for name, key, variable, detail, o, retrying in [
            ("zalo", "webhook", "ZALO_WEBHOOK_SECRET", "secret_token is invalid <b>", True, False),
            ("telegram", "token_refused", "TELEGRAM_BOT_TOKEN", "Unauthorized", False, False),
            ("zalo", "unreachable", "ZALO_API_BASE", "", True, True),
            ("telegram", "server_error", "TELEGRAM_API_BASE", "Bad Gateway", False, True),
        ]
    ],
    "cli/doctor.j2": [
        Say("cli/doctor.j2", {"ok": ok, "key": key} | ctx) for ok, key, ctx in DOCTOR_LINES
    ],
    "cli/platform_back.j2": [Say("cli/platform_back.j2", {"platform": "zalo", "tries": 4})],
    "cli/task_died.j2": [
        Say("cli/task_died.j2", {"task": "outbox telegram", "error": "RuntimeError: boom & <x>"})
    ],
    "cli/migrated.j2": [
        Say("cli/migrated.j2", {"before": "0012", "after": "0012", "applied": []}),
        Say(
            "cli/migrated.j2",
            {
                "before": "0011",
                "after": "0013",
                "applied": [
                    {"revision": "0012", "doc": "the office's board"},
                    {"revision": "0013", "doc": "a new column"},
                ],
                "backup": "/var/backups/tintot/tintot-backup-20261207-023000.tar",
            },
        ),
        Say(
            "cli/migrated.j2",
            {
                "before": None,
                "after": "0012",
                "applied": [{"revision": "0001", "doc": "initial schema"}],
                "backup": None,
            },
        ),
        Say(
            "cli/migrated.j2",
            {
                "before": "0011",
                "after": "0012",
                "applied": [{"revision": "0012", "doc": "the office's board"}],
                "backup": None,
            },
        ),
    ],
    "cli/migrate_failed.j2": [
        Say(
            "cli/migrate_failed.j2",
            {
                "before": "0012",
                "error": "OperationalError: no such table: x",
                "backup": "/var/backups/tintot/tintot-backup-20261207-023000.tar",
            },
        ),
        Say(
            "cli/migrate_failed.j2",
            {"before": "0012", "error": "ProgrammingError: <b>", "backup": None},
        ),
    ],
    "cli/backed_up.j2": [
        Say(
            "cli/backed_up.j2",
            {
                "path": "/var/backups/tintot/tintot-backup-20261207-023000.tar",
                "revision": "0012",
                "counts": {"member": 120, "submission": 340, "audit": 900},
                "media_files": 75,
            },
        ),
        Say(
            "cli/backed_up.j2",
            {
                "path": "/var/backups/tintot/tintot-backup-20261207-023000.tar",
                "revision": "0012",
                "counts": {"member": 3, "submission": 4, "mediablob": 2},
                "media_files": 0,
            },
        ),
    ],
    "cli/backup_tool_missing.j2": [
        Say("cli/backup_tool_missing.j2", {"tool": "pg_dump"}),
        Say("cli/backup_tool_missing.j2", {"tool": "pg_restore"}),
    ],
    "cli/backup_failed.j2": [Say("cli/backup_failed.j2", {"error": "pg_dump: connection refused"})],
    "cli/restore_refused.j2": [
        Say(
            "cli/restore_refused.j2",
            {
                "what": "tables",
                "path": "data/tintot.db",
                "names": ["audit", "ban", "inbox", "media", "member", "outbox"],
            },
        ),
        Say("cli/restore_refused.j2", {"what": "media", "path": "data/media", "names": []}),
        Say(
            "cli/restore_refused.j2",
            {
                "what": "backend",
                "path": "/var/backups/tintot/tintot-backup-20261207-023000.tar",
                "names": ["postgresql"],
            },
        ),
        Say("cli/restore_refused.j2", {"what": "not_backup", "path": "ghi-chu.txt", "names": []}),
    ],
    "cli/restored.j2": [
        Say(
            "cli/restored.j2",
            {
                "path": "/var/backups/tintot/tintot-backup-20261207-023000.tar",
                "revision": "0012",
                "counts": {"member": 120, "submission": 340},
            },
        )
    ],
    "cli/no_platform.j2": [Say("cli/no_platform.j2")],
    "cli/web_served.j2": [Say("cli/web_served.j2", {"url": "http://127.0.0.1:8080/"})],
    "cli/org_error.j2": [
        Say(
            "cli/org_error.j2",
            {
                **TARGETS,
                "path": "org.toml",
                "where": "hashtags.extra.0: ",
                "key": "hashtag",
                "value": "moingay",
            },
        ),
        Say(
            "cli/org_error.j2",
            {
                **TARGETS,
                "path": "org.toml",
                "where": "",
                "key": "other",
                "value": "Expected '=' after a key (line 3)",
            },
        ),
    ],
    "cli/seeded.j2": [
        Say(
            "cli/seeded.j2",
            {"counts": {"units": 5, "members": 20, "submissions": 60, "media": 40, "posts": 30}},
        )
    ],
    "console_bye.j2": [Say("console_bye.j2")],
    "console_file.j2": [Say("console_file.j2", {"path": "data/reports/bao-cao-thang-11.xlsx"})],
    "console_heading.j2": [
        Say("console_heading.j2", {"editors": True, "channel": False, "chat": "bien-tap"}),
        Say("console_heading.j2", {"editors": False, "channel": True, "chat": "kenh"}),
        Say("console_heading.j2", {"editors": False, "channel": False, "chat": "demo-admin"}),
    ],
    "console_intro.j2": [Say("console_intro.j2")],
    "console_role.j2": [
        Say("console_role.j2", {"role": r}) for r in ("thanhvien", "bientap", "quantri")
    ],
    "platforms/zalo_oa/connect.j2": [
        Say(
            "platforms/zalo_oa/connect.j2",
            {
                "step": "open",
                "url": "https://oauth.zaloapp.com"
                "/v4/oa/permission?app_id=123&redirect_uri=https%3A%2F%2Fbot.example.vn%2Fok"
                "&code_challenge=abc&state=xyz",
            },
        ),
        *(
            Say("platforms/zalo_oa/connect.j2", {"step": step})
            for step in ("state_mismatch", "no_code", "not_configured")
        ),
        Say(
            "platforms/zalo_oa/connect.j2",
            {"step": "refused", "reason": "Invalid code <b>", "code": -14019},
        ),
        Say("platforms/zalo_oa/connect.j2", {"step": "done", "hours": 25}),
    ],
}
# Units' own pages (#23): the start's line about a unit's target, and count-pages' line.
PLAIN_ONLY |= {
    "cli/unit_target.j2": [
        Say("cli/unit_target.j2", {"key": "platform", "value": "fb <b>", "names": NAMES}),
        Say(
            "cli/unit_target.j2",
            {
                "key": "refused",
                "name": "FACEBOOK_PAGE_TOKENS",
                "why": "facebook/token_missing",
                "chats": CHATS,
                "value": "200000000000001",
            },
        ),
        Say(
            "cli/unit_target.j2",
            {
                "key": "refused",
                "name": "WORDPRESS_SITES",
                "why": "wordpress/site_missing",
                "chats": CHATS,
                "value": "quan",
            },
        ),
    ],
    "cli/pages_counted.j2": [
        Say(
            "cli/pages_counted.j2",
            {"counted": Row(pages=3, posts=7, audiences=2, refused=[], failed=[])},
        ),
        Say(
            "cli/pages_counted.j2",
            {
                "counted": Row(
                    pages=1,
                    posts=0,
                    audiences=0,
                    refused=["facebook:200000000000001"],
                    failed=["wordpress:quan"],
                )
            },
        ),
    ],
}
PLAIN_ONLY["cli/org_error.j2"] += [
    Say(
        "cli/org_error.j2",
        {"path": "org.toml", "where": "units.3.targets: ", "key": key, "value": value, **TARGETS},
    )
    for key, value in (
        ("target_format", "facebook 123"),
        ("target_twice", "facebook:1, facebook:1"),
    )
] + [
    Say(
        "cli/org_error.j2",
        {
            **TARGETS,
            "path": "org.toml",
            "where": "units (p-anlac) targets: ",
            "key": "target",
            "value": "chưa có mã truy cập cho trang facebook:200000000000001 (biến X)",
        },
    )
]
# Modules of names: labels, headings, reasons and macros, read by the code by name.
LABELS = [
    "buttons.j2",
    "menu.j2",
    "console_labels.j2",
    "export/headings.j2",
    "report/headings.j2",
    "review/reasons.j2",
    "_macros.j2",
    "review/_duplicate.j2",
    "platforms/wordpress/labels.j2",
    *(f"{row.templates}/names.j2" for row in PLATFORMS),  # every row's label
]


def platform_cases() -> dict[str, list[Case]]:
    """What the platforms' realities make the bot say: a quota, a voice message, a group id."""
    month, text = "11/2026", f"📝 Câu 1/5 · Thời gian\n1. Hủy\n{USER}"
    return {
        "platforms/zalo/held_reply.j2": [
            case("trả lời Zalo giữ lại khi hết hạn mức", "platforms/zalo/held_reply.j2", text=text)
        ],
        "hidden_characters.j2": [case("câu trả lời có ký tự điều khiển", "hidden_characters.j2")],
        "notice/quota_budget.j2": [
            case("đã dùng 80% hạn mức", "notice/quota_budget.j2", month=month, sent=2400,
                 budget=3000),
        ],
        "notice/quota_refused.j2": [
            case("Zalo từ chối gửi", "notice/quota_refused.j2", month=month, sent=3000,
                 error="Quota exceeded <b>&</b>", minutes=15),
        ],
        "staff/group_id.j2": [case("/toi trong nhóm", "staff/group_id.j2", target="zalo:g-8a1f")],
        "flood.j2": [case("một thành viên gửi dồn dập", "flood.j2")],
        "edited.j2": [case("sửa một câu đã gửi", "edited.j2")],
        "staff/refused_self.j2": [case("quản trị viên tự gỡ mình", "staff/refused_self.j2")],
        "link_refused.j2": [
            case(f"liên kết bị từ chối: {why}", "link_refused.j2", why=why)
            for why in ("space", "hidden", "backslash", "scheme", "slashes", "userinfo",
                        "encoded", "ip", "khác")
        ],
        "unsupported.j2": [
            case(f"nhận {got}", "unsupported.j2", got=got, choices=[["📝 Gửi tin mới"]])
            for got in ("voice", "sticker", "một sự kiện lạ")
        ],
    }  # fmt: skip


def board_cases() -> dict[str, list[Case]]:
    """/web, /lienhe and the weekly nudge to units (issue 16, the office's board)."""
    link = "https://tintot.example.vn/quantri/dangnhap?t=abc_DEF-123.sig"
    unit, other = Row(code="p-anlac", name=UNIT), Row(code="p-btd", name="Đoàn <b>Bình</b> & Trị")
    return {
        "staff/web_link.j2": [
            case(
                "đường dẫn đăng nhập",
                "staff/web_link.j2",
                url=link,
                minutes=10,
                until=AT.astimezone(TZ),
            )
        ],
        "staff/web_off.j2": [case("chưa bật trang web", "staff/web_off.j2")],
        "staff/web_refused.j2": [case("thành viên xin /web", "staff/web_refused.j2")],
        "staff/contacts_list.j2": [
            case(
                "mọi đơn vị",
                "staff/contacts_list.j2",
                rows=[(unit, ["telegram:501", "zalo:abc"]), (other, [])],
                chats=CHATS,
            ),
            case("trống", "staff/contacts_list.j2", rows=[], chats=CHATS),
        ],
        "staff/contacts_usage.j2": [
            case("sai cú pháp", "staff/contacts_usage.j2", unknown=None, chats=CHATS),
            case("không có đơn vị", "staff/contacts_usage.j2", unknown="<b>xyz</b>", chats=CHATS),
        ],
        "staff/contacts_done.j2": [
            case(
                "thêm",
                "staff/contacts_done.j2",
                added=True,
                changed=True,
                who="telegram:501",
                unit=UNIT,
                limit=5,
            ),
            case(
                "gỡ",
                "staff/contacts_done.j2",
                added=False,
                changed=True,
                who="zalo:abc",
                unit=UNIT,
                limit=5,
            ),
            case(
                "đã có hoặc đủ",
                "staff/contacts_done.j2",
                added=True,
                changed=False,
                who="telegram:501",
                unit=UNIT,
                limit=5,
            ),
            case(
                "không phải liên hệ",
                "staff/contacts_done.j2",
                added=False,
                changed=False,
                who="zalo:x",
                unit=UNIT,
                limit=5,
            ),
        ],
        "notice/unit_nudge.j2": [
            case(
                "đơn vị chưa có tin",
                "notice/unit_nudge.j2",
                unit="Đoàn <b>Bình</b> & Trị",
                until="22/11",
            )
        ],
    }


def publishing_cases() -> dict[str, list[Case]]:
    """Publishing to WordPress, and correcting or taking down a post everywhere."""
    results = [
        Row(platform="telegram", chat="-100555", change="done", reason=""),
        Row(platform="wordpress", chat="doan", change="failed", reason=f"rest_forbidden: {USER}"),
        Row(platform="facebook", chat="1234", change="done", reason=""),
        Row(platform="zalo", chat="g1", change="not_allowed", reason=""),
    ]
    late = [
        Row(platform="telegram", chat="-100555", change="too_old", reason=""),
        Row(platform="console", chat="kenh", change="unavailable", reason=""),
    ]
    posts = [
        Row(platform="telegram", status="sent", context={}, error=None),
        Row(platform="facebook", status="sent", context={"taken_down": True}, error=None),
        Row(platform="wordpress", status="queued", context={}, error=None),
        Row(platform="zalo", status="failed", context={}, error=f"Permanent: {USER}"),
    ]
    published = sub(status="published", taken_down_at=AT)
    return {
        "takedown/result.j2": [
            case("gỡ bài: mỗi nơi một kết quả", "takedown/result.j2", sid=27,
                 action="take_down", results=results),
            case("gỡ bài sau 48 giờ", "takedown/result.j2", sid=27, action="take_down",
                 results=late),
            case("sửa bài", "takedown/result.j2", sid=27, action="correct", results=results),
            case("chưa đăng ở đâu", "takedown/result.j2", sid=27, action="correct", results=[]),
        ],
        "takedown/usage.j2": [
            case("thiếu số", "takedown/usage.j2", number="", limit=3500),
            case("số chưa đăng", "takedown/usage.j2", number="<27>", limit=3500),
        ],
        "takedown/already.j2": [case("đã gỡ", "takedown/already.j2", sid=27, at=AT, tz=TZ)],
        "takedown/confirm.j2": [
            case("nút Gỡ bài", "takedown/confirm.j2", sid=27,
                 choices=[["🗑 Chắc chắn gỡ bài ở mọi nơi"], ["↩️ Quay lại"]]),
        ],
        "notice/taken_down.j2": [case("bài bị gỡ", "notice/taken_down.j2", sub_id=27)],
        "notice/corrected.j2": [case("bài được sửa", "notice/corrected.j2", sub_id=27)],
        "notice/backup_failed.j2": [
            case("sao lưu hằng ngày hỏng", "notice/backup_failed.j2", day="07/12/2026",
                 error="OSError: [Errno 28] No space left on device <b>",
                 folder="/var/backups/tintot"),
        ],
        "platforms/wordpress/notice_refused.j2": [
            case("mật khẩu ứng dụng bị thu hồi", "platforms/wordpress/notice_refused.j2",
                 site="doan", error=f"incorrect_password: {USER}", minutes=15),
        ],
        "platforms/wordpress/title.j2": [
            case("tiêu đề bài WordPress", "platforms/wordpress/title.j2", sub=sub(),
                 theme=THEME, unit=Row(name=f"{UNIT} <b>&</b>")),
            case("không chủ đề, không đơn vị", "platforms/wordpress/title.j2",
                 sub=sub(kind="cau_chuyen_dep"), theme=None, unit=None),
        ],
        "review/card_targets.j2": [
            case("mỗi nơi một trạng thái, đã gỡ", "review/card_targets.j2", posts=posts,
                 sub=published, tz=TZ),
            case("chưa có nơi đăng", "review/card_targets.j2", posts=[], sub=sub(), tz=TZ),
        ],
        "review/card_versions.j2": [
            case("sửa một lần", "review/card_versions.j2", tz=TZ, versions=[
                Row(created_at=AT, by="telegram:7", by_name="Minh <b>",
                    old_text="Cô Hoa mở lớp\ndạy miễn phí & <i>vui</i>")]),
            case("sửa năm lần, chữ dài", "review/card_versions.j2", tz=TZ, versions=[
                Row(created_at=AT, by=f"zalo:{n}", by_name="", old_text="Chữ " * 60)
                for n in range(5)]),
            case("chưa sửa", "review/card_versions.j2", tz=TZ, versions=[]),
        ],
    }  # fmt: skip


def unit_pages_cases() -> dict[str, list[Case]]:
    """#23: a report where units posted on their own pages themselves, and their pages'
    followers against the yearly aim."""
    data = report_data()
    rows = [
        dataclasses.replace(row, direct=2, total_direct=2) if row.depth else row
        for row in data.units[:3]
    ]
    pages = [
        PageFigures(UNIT, "facebook:200000000000001", 1060, 1030, 1000, 2.9, 6.0, True),
        PageFigures("Chi đoàn <b>&</b>", "facebook:2002", 510, 500, 500, 2.0, 2.0, False),
        PageFigures("Chi đoàn 3", "facebook:2003", 90, None, None, None, None, False),
    ]
    targets = [*data.targets, TargetCadence("facebook:200000000000001", 9, 30, UNIT)]
    full = dataclasses.replace(data, units=rows, pages=pages, followers_aim=5.0, targets=targets)
    return {
        "report/summary.j2": [
            case("đơn vị tự đăng, trang đạt mục tiêu", "report/summary.j2", data=full, tz=TZ),
        ],
        "review/card_targets.j2": [
            case(
                "hai trang Facebook: trang chung và trang đơn vị",
                "review/card_targets.j2",
                posts=[
                    Row(
                        platform="telegram",
                        chat_id="-100555",
                        status="sent",
                        context={},
                        error=None,
                    ),
                    Row(
                        platform="facebook",
                        chat_id="104857600123456",
                        status="sent",
                        context={},
                        error=None,
                    ),
                    Row(
                        platform="facebook",
                        chat_id="200000000000001",
                        status="queued",
                        context={},
                        error=None,
                    ),
                ],
                sub=sub(status="approved"),
                tz=TZ,
            ),
        ],
        "takedown/queued.j2": [
            case("gỡ ở bốn nơi", "takedown/queued.j2", sid=27, action="take_down", count=4),
            case("sửa ở một nơi", "takedown/queued.j2", sid=27, action="correct", count=1),
        ],
    }


def zalo_oa_cases() -> dict[str, list[Case]]:
    """The Zalo OA's own messages (templates/platforms/zalo_oa/), and the card's line about a
    member a notice cannot reach yet (held for the OA's window) or at all."""
    oa = "platforms/zalo_oa"
    return {
        f"{oa}/token_refused.j2": [
            case("Zalo từ chối mã làm mới", f"{oa}/token_refused.j2", code=-14014,
                 reason="Invalid refresh token <b>&</b>", expires_at="2027-02-15T02:00:00+00:00"),
            case("không rõ lý do", f"{oa}/token_refused.j2", code=None, reason="", expires_at=""),
        ],
        f"{oa}/token_aging.j2": [
            case("còn hai tuần", f"{oa}/token_aging.j2", code=None, reason="",
                 expires_at="2027-02-15T02:00:00+00:00"),
            case("không rõ ngày", f"{oa}/token_aging.j2", code=None, reason="", expires_at=""),
        ],
        f"{oa}/files_on_board.j2": [
            case("báo cáo trên Zalo OA, có trang quản lý", f"{oa}/files_on_board.j2", count=2,
                 board="https://bot.example.vn/web"),
            case("chưa đặt PUBLIC_BASE_URL", f"{oa}/files_on_board.j2", count=2, board=None),
        ],
        f"{oa}/article_title.j2": [
            case("tiêu đề bài viết trên OA", f"{oa}/article_title.j2", sub=sub(), theme=THEME,
                 unit=Row(name=f"{UNIT} <b>&</b>")),
            case("không chủ đề, không đơn vị", f"{oa}/article_title.j2",
                 sub=sub(kind="cau_chuyen_dep"), theme=None, unit=None),
        ],
        "review/card_unreached.j2": [
            case("người gửi chưa nhắn lại trong 48 giờ", "review/card_unreached.j2",
                 unreached=[Row(status="held")]),
            case("người gửi đã bỏ quan tâm OA", "review/card_unreached.j2",
                 unreached=[Row(status="failed")]),
            case("thông báo đã tới", "review/card_unreached.j2", unreached=[]),
        ],
    }  # fmt: skip


def cases() -> dict[str, list[Case]]:
    found = (
        asks()
        | member_cases()
        | desk_cases()
        | admin_cases()
        | platform_cases()
        | board_cases()
        | publishing_cases()
        | figures_cases()
        | zalo_oa_cases()
    )
    for name, more in unit_pages_cases().items():  # added to a template's own situations
        found[name] = [*found.get(name, []), *more]
    return found


def figures_report_data() -> ReportData:
    """An event's report for a secretary of two units, with headcounts and an aim (#24)."""
    base = report_data()
    period = Period("dot", date(2026, 12, 15), date(2027, 2, 6), "đợt Tết Nhân ái", AT, AT)
    shares = [
        Participation("ctd", "Hội Chữ thập đỏ <b>quận</b>", 0, 9, 12, 0.75),
        Participation("ctd-1", "Chi hội 1", 1, 2, 10, 0.2),
        Participation("ctd-2", "Chi hội 2", 1, 1, None, None),
    ]
    event = EventInfo("tet-nhan-ai", "Tết Nhân ái", ["Hội Chữ thập đỏ quận"], "#tetnhanai")
    return replace(
        base,
        period=period,
        unit_filter="Hội Chữ thập đỏ quận, Đoàn phường An Lạc",
        participation=shares,
        participation_aim=80,
        event=event,
    )


def figures_cases() -> dict[str, list[Case]]:
    """Issue 24's messages: events, the theme corrected, the office's word to its units."""
    events = [
        Row(key="tet-nhan-ai", title="Tết Nhân ái"),
        Row(key="thang-nhan-dao", title="Tháng Nhân đạo"),
    ]
    themes = [
        Row(key="nha-giao-tre", title="Nhà giáo trẻ"),
        Row(key="thuong-xuyen", title="Thường xuyên"),
    ]
    return {
        "report/event_unknown.j2": [
            case(
                "mã lạ",
                "report/event_unknown.j2",
                words=USER[:40],
                keys=["tet-nhan-ai", "thang-nhan-dao"],
            ),
            case("chưa có đợt", "report/event_unknown.j2", words="tet", keys=[]),
        ],
        "report/erased_member.j2": [case("tên trong bảng Đoàn viên", "report/erased_member.j2")],
        "review/theme.j2": [
            case(
                "đã sửa",
                "review/theme.j2",
                sid=27,
                theme=themes[0],
                events=events[:1],
                changed=True,
                unknown=[],
                themes=themes,
                all_events=events,
            ),
            case(
                "mã lạ",
                "review/theme.j2",
                sid=27,
                theme=themes[1],
                events=[],
                changed=False,
                unknown=[USER[:40]],
                themes=themes,
                all_events=events,
            ),
            case(
                "chỉ xem, không có đợt",
                "review/theme.j2",
                sid=27,
                theme=themes[1],
                events=[],
                changed=False,
                unknown=[],
                themes=themes,
                all_events=[],
            ),
        ],
        "staff/broadcast_usage.j2": [
            case(
                "đơn vị lạ",
                "staff/broadcast_usage.j2",
                unknown=USER[:40],
                too_long=False,
                limit=1500,
            ),
            case("quá dài", "staff/broadcast_usage.j2", unknown=None, too_long=True, limit=1500),
            case(
                "thiếu nội dung",
                "staff/broadcast_usage.j2",
                unknown=None,
                too_long=False,
                limit=1500,
            ),
        ],
        "staff/broadcast_queued.j2": [
            case(
                "một cây đơn vị",
                "staff/broadcast_queued.j2",
                unit=UNIT,
                count=3,
                silent=["Chi đoàn <b>KP4</b>"],
            ),
            case(
                "mọi đơn vị",
                "staff/broadcast_queued.j2",
                unit=None,
                count=40,
                silent=[f"Chi hội {n}" for n in range(1, 13)],
            ),
            case("không ai để gửi", "staff/broadcast_queued.j2", unit=UNIT, count=0, silent=[UNIT]),
        ],
        "staff/broadcast_result.j2": [
            case(
                "chưa gửi lần nào",
                "staff/broadcast_result.j2",
                any=False,
                delivered=0,
                unreached=0,
                total=0,
            ),
            case(
                "còn chờ",
                "staff/broadcast_result.j2",
                any=True,
                delivered=30,
                unreached=2,
                total=40,
            ),
            case("xong", "staff/broadcast_result.j2", any=True, delivered=3, unreached=0, total=3),
        ],
        "notice/broadcast.j2": [
            case(
                "nội dung có HTML",
                "notice/broadcast.j2",
                org="QĐ Bình Tân",
                text=f"{USER}\n{EMAIL}",
            ),
        ],
    }


# The Zalo OA's doctor lines (templates/platforms/zalo_oa/doctor.j2), one per key.
ZALO_OA_DOCTOR_LINES: list[tuple[bool, str, dict[str, Any]]] = [
    (True, "zalo_oa/first_token", {}),
    (False, "zalo_oa/no_token", {}),
    (False, "zalo_oa/tokens_unread", {"detail": "OperationalError"}),
    (True, "zalo_oa/tokens_stored", {"refreshed": "09:00 17/11/2026"}),
    (False, "zalo_oa/refused", {"reason": "-14014: Invalid refresh token <b>"}),
    (True, "zalo_oa/access_none", {}),
    (True, "zalo_oa/access_valid", {"until": "10:00 18/11/2026"}),
    (True, "zalo_oa/access_ended", {"at": "10:00 18/11/2026"}),
    (True, "zalo_oa/refresh_ok", {"days": 90, "until": "09:00 15/02/2027"}),
    (False, "zalo_oa/refresh_aging", {"days": 10, "until": "09:00 27/11/2026"}),
    (False, "zalo_oa/refresh_ended", {"days": 0, "until": "09:00 15/11/2026"}),
    (True, "zalo_oa/oa_ok", {"name": "Đoàn phường <An Lạc>", "oa_id": "579745863508352884"}),
    (False, "zalo_oa/oa_refused", {"code": -216, "detail": "Access token is invalid"}),
]
PLATFORM_DOCTOR_LINES += ZALO_OA_DOCTOR_LINES
PLAIN_ONLY["platforms/zalo_oa/doctor.j2"] = [
    Say("cli/doctor.j2", {"ok": ok, "key": key} | ctx) for ok, key, ctx in ZALO_OA_DOCTOR_LINES
]
# A direct reply the OA held for someone outside its window, kept as rendered (plain only).
PLAIN_ONLY["platforms/zalo_oa/held_reply.j2"] = [
    Say("platforms/zalo_oa/held_reply.j2", {"text": f"📢 Thông báo\n1. Hủy\n{USER}", "media": []})
]
