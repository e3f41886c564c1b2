"""The member's conversation, written down once.

Each member row holds one ``Step``; the table below is the whole flow (``docs/flow.md`` draws
it). ``/huy`` leaves any step for ``IDLE``; an unknown command or a button of an old message
leaves the step as it is.

| step          | waits for                         | goes to                                     |
|---------------|-----------------------------------|---------------------------------------------|
| IDLE          | /start, /gui, /donvi ...          | UNIT (no unit yet), KIND                    |
| UNIT          | a unit button (pages: ◀ ▶)       | IDLE, or KIND when it came from /gui        |
| KIND          | Tin tốt / Câu chuyện đẹp          | PATH                                        |
| PATH          | Đã có bài viết / Thông tin thô    | LINK, or THOI_GIAN                          |
| THOI_GIAN ... | one answer per field, in order    | the next field of the path, then MEDIA      |
| LINK, CAM_NHAN| the link, then the member's view  | MEDIA                                       |
| MEDIA         | photos / videos (≤ 10), Xong, Bỏ qua | PREVIEW, via CONSENT when there are any  |
| CONSENT       | Đã đồng ý / Chưa hỏi / Không có người | PREVIEW                                 |
| PREVIEW       | Gửi / Sửa / Hủy                   | IDLE (sent as pending), EDIT_PICK, IDLE     |
| EDIT_PICK     | the field to answer again         | that field or MEDIA, then back to PREVIEW   |

"Bổ sung ngay" under an editors' request leads from IDLE through the fields they asked for,
then to PREVIEW. A draft that is gone (removed, withdrawn) leaves any step for IDLE.
"""

from __future__ import annotations

from enum import StrEnum

from handlers import fields


class Step(StrEnum):
    IDLE = "idle"
    UNIT = "unit"
    KIND = "kind"
    PATH = "path"
    # One step per answer in ``handlers.fields`` (tests/test_fields.py checks none is missing).
    THOI_GIAN = fields.THOI_GIAN.name
    DIA_DIEM = fields.DIA_DIEM.name
    NHAN_VAT = fields.NHAN_VAT.name
    MUC_DICH = fields.MUC_DICH.name
    Y_NGHIA = fields.Y_NGHIA.name
    LINK = fields.LINK.name
    CAM_NHAN = fields.CAM_NHAN.name
    MEDIA = "media"
    CONSENT = "consent"  # did the people shown agree to be published (asked once, with media)
    PREVIEW = "preview"
    EDIT_PICK = "edit_pick"


PATHS: dict[str, tuple[Step, ...]] = {
    path: tuple(Step(field.name) for field in fields.asked_on(path)) for path in fields.PATH_NAMES
}
# The longest answer each field takes, in characters.
LIMITS: dict[Step, int] = {
    Step(field.name): field.limit for field in fields.answers() if field.limit is not None
}
FIELD_STEPS = frozenset(LIMITS)
DRAFT_STEPS = frozenset(Step) - {Step.IDLE, Step.UNIT, Step.KIND}
MAX_MEDIA = 10  # Telegram's album limit
MAX_MEDIA_BYTES = 20 * 1024 * 1024  # getFile's limit: the office must be able to download it


def after(path: str, field: Step) -> Step:
    """The step that follows a field on its path: the next field, or the media step."""
    steps = PATHS[path]
    index = steps.index(field)
    return steps[index + 1] if index + 1 < len(steps) else Step.MEDIA
