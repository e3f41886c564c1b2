"""The offline console: the same core, numbered choices, on the embedded store."""

from __future__ import annotations

import io

from sqlmodel import col, select

from bot.platforms.console.service import event_from_line, run_console
from bot.serve.compose import build
from storage.models import Media, Submission
from tests.conftest import FROZEN
from tests.harness import make_settings
from tests.platforms.telegram.fake_telegram import FakeTelegram

SCRIPT = """2
/gui
tin tot
2
Sáng 15/11
<b>Nhà văn hóa</b> & sân
Cô Hoa
Dạy học

Lan tỏa
/nhandan
/album 3
/anh bieu-duong.jpg
1
1
gửi
/cuatoi
/vai bientap
2
2
/vai thanhvien
/gui
2
1
https://tuoitre.vn/bai-viet.htm
Cảm động.
2
1
/vai bientap
1
/thoat
"""


async def test_console_walks_the_whole_flow(db_url: str, fake: FakeTelegram) -> None:
    settings = make_settings(db_url, fake)
    app = await build(settings, console=True)
    out: list[str] = []
    try:
        await run_console(app.core, stdin=io.StringIO(SCRIPT), write=out.append)
        async with app.sessions() as session:
            [sub, story] = (
                await session.exec(select(Submission).order_by(col(Submission.id)))
            ).all()
            media = (await session.exec(select(Media))).all()
    finally:
        await app.close()
    text = "\n".join(out)
    assert "\n1. 🌱 Tin tốt" in text and "\n2. 🌸 Câu chuyện đẹp" in text
    assert "<b>Nhà văn hóa</b> & sân" in text  # plain text: shown as typed, no markup
    assert "nhãn dán" in text and "Đã nhận album" in text
    assert "1. ✅ Đã đồng ý" in text and "Người trong ảnh: đã đồng ý cho đăng" in text
    assert f"Đã gửi tin tốt #{sub.id}" in text
    assert f"#{sub.id} · Tin tốt · Đoàn phường An Lạc" in text  # /cuatoi
    # The editor rejected the first with the second preset reason and approved the story.
    assert sub.status == "rejected" and sub.reject_reason == "Trùng lặp với tin đã có"
    assert "[Nhóm biên tập]" in text and "Chờ duyệt" in text
    assert "Lý do: Trùng lặp với tin đã có" in text  # the member's notice
    assert story.status == "published" and story.kind == "cau_chuyen_dep"
    channel = text.split("[Kênh: bài đã đăng]")[-1]
    assert "#moituan1cauchuyendep" in channel and "Cảm động." in channel
    assert sub.dia_diem == "<b>Nhà văn hóa</b> & sân" and len(media) == 4
    assert "Tạm biệt" in out[-1]
    assert FROZEN  # the console uses the real clock; the theme is whatever today is


def test_console_lines_become_events() -> None:
    album = event_from_line("/album 4")
    assert album is not None and len(album.media) == 4
    assert len({m.media_group_id for m in album.media}) == 1
    command = event_from_line("/gui@TinTotBot now")
    assert command is not None and command.command == "gui" and command.args == "now"
    assert event_from_line("   ") is None
