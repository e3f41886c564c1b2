"""A member's whole submission, on Telegram, through the real aiogram client."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Media, Status
from tests.harness import Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram

RAW = [
    "Sáng Chủ nhật 15/11/2026",
    "Trường Tiểu học An Lạc 1, phường An Lạc",
    "Cô Nguyễn Thị Hoa và 15 đoàn viên Chi đoàn Khu phố 3",
    "Mở lớp học tình thương miễn phí cho 20 em",
    "Giúp các em không bỏ học, lan tỏa tinh thần tương thân tương ái",
]


async def test_raw_path_with_album_end_to_end(bot: Harness, fake: FakeTelegram) -> None:
    lan = bot.member(1001)
    greeting = await lan.send("/start", "Nhà giáo trẻ")  # the theme of 17/11 from the calendar
    assert "Mỗi ngày một tin tốt, mỗi tuần một câu chuyện đẹp" in (greeting.plain or "")
    await fake.wait_for(1001, "Chọn đơn vị")
    await lan.press("Đoàn phường An Lạc", "Đã lưu đơn vị")
    kinds = await lan.send("/gui", "Bạn muốn gửi gì")
    assert [label for row in kinds.buttons for label, _ in row] == [
        "🌱 Tin tốt",
        "🌸 Câu chuyện đẹp",
    ]
    paths = await lan.press("Tin tốt", "Bước 2")
    labels = " ".join(label for row in paths.buttons for label, _ in row)
    assert "Đã có bài viết" in labels and "Thông tin thô" in labels
    prompts = [await lan.press("Thông tin thô", "Thời gian")]
    for answer, next_prompt in zip(
        RAW, ["Địa điểm", "Nhân vật", "Mục đích", "Ý nghĩa", "Ảnh"], strict=True
    ):
        prompts.append(await lan.send(answer, next_prompt))
    assert all("Ví dụ:" in (p.plain or "") for p in prompts[:5])

    mark = fake.mark()
    for n in range(3):
        fake.push_photo(1001, file_id=f"PHOTO{n}", media_group_id="album-1", first_name="Lan")
    fake.push_video(1001, file_id="VIDEO1", first_name="Lan")
    await fake.wait_for(1001, "4/10", after=mark)
    await lan.press("Xong", "đồng ý cho đăng")  # photos: were the people shown asked?
    preview_mark = fake.mark()
    await lan.press("Đã đồng ý", "Xem lại trước khi gửi")
    album = [s for s in fake.sent[preview_mark:] if s.method == "sendMediaGroup"]
    assert [ref for _, ref in album[0].media] == ["PHOTO0", "PHOTO1", "PHOTO2", "VIDEO1"]
    preview = await fake.wait_for(1001, "Xem lại", after=preview_mark)
    for answer in RAW:
        assert answer in (preview.plain or "")
    assert "Ảnh/video: 4" in (preview.plain or "") and "#moingay1tintot" in (preview.plain or "")
    assert "Người trong ảnh: đã đồng ý cho đăng" in (preview.plain or "")

    done = await lan.press("Gửi", "Đã gửi")
    [sub] = await bot.submissions()
    assert f"#{sub.id}" in (done.plain or "")
    assert sub.status == Status.PENDING and sub.kind == "tin_tot" and sub.path == "raw"
    assert (sub.thoi_gian, sub.dia_diem, sub.nhan_vat, sub.muc_dich, sub.y_nghia) == tuple(RAW)
    assert sub.unit_code == "p-anlac" and sub.theme_key == "nha-giao-tre"
    assert bot.app is not None
    async with bot.app.sessions() as session:
        media = (await session.exec(select(Media).where(Media.submission_id == sub.id))).all()
    assert sorted(m.ref for m in media) == ["PHOTO0", "PHOTO1", "PHOTO2", "VIDEO1"]
    member = await bot.member_row(1001)
    assert member.step == "idle" and member.draft_id is None
    assert not fake.errors


async def test_article_path_marks_untrusted_source(bot: Harness, fake: FakeTelegram) -> None:
    lan = bot.member(1002)
    await lan.register()
    await lan.send("/gui", "Bạn muốn gửi gì")
    await lan.press("Câu chuyện đẹp", "Bước 2")
    await lan.press("Đã có bài viết", "Liên kết")
    await lan.send("xem bài trên facebook nhé", "chưa phải là một liên kết")
    assert (await bot.member_row(1002)).step == "link"  # the flow stays where it was
    await lan.send("https://www.facebook.com/some.page/posts/123", "không thuộc danh sách")
    await fake.wait_for(1002, "Cảm nhận")
    await lan.send("Tôi rất cảm phục thầy.", "Ảnh")
    preview = await lan.press("Bỏ qua", "Xem lại")
    assert "nguồn chưa xác thực" in (preview.plain or "")
    assert "#moituan1cauchuyendep" in (preview.plain or "")
    await lan.press("Sửa", "sửa mục nào")
    await lan.press("Liên kết", "facebook.com")  # the prompt shows the current answer
    preview = await lan.send("https://tuoitre.vn/thay-giao-tre-123.htm", "Xem lại")
    assert "nguồn chưa xác thực" not in (preview.plain or "")
    assert "tuoitre.vn" in (preview.plain or "")
    await lan.press("Gửi", "Đã gửi")
    [sub] = await bot.submissions()
    assert sub.kind == "cau_chuyen_dep" and sub.link_trusted is True
    assert sub.cam_nhan == "Tôi rất cảm phục thầy."


async def test_html_in_every_field_is_shown_literally(bot: Harness, fake: FakeTelegram) -> None:
    lan = bot.member(1003, name="<b>Lan</b> & co")
    await lan.register()
    await lan.send("/gui")
    await lan.press("Tin tốt")
    await lan.press("Thông tin thô", "Thời gian")
    nasty = ["<b>7h</b>", "A & B <i", "<script>alert(1)</script>", "x < y > z &amp;", "&nbsp; <3"]
    await lan.raw_answers(nasty)
    preview = await lan.press("Bỏ qua", "Xem lại")
    for answer in nasty:
        assert answer in (preview.plain or "")
    assert "<b>Lan</b> & co" in (preview.plain or ""), preview.plain
    assert not fake.errors, fake.errors


async def test_long_answers_fit_telegram_limits(bot: Harness, fake: FakeTelegram) -> None:
    lan = bot.member(1004)
    await lan.register()
    await lan.send("/gui")
    await lan.press("Tin tốt")
    await lan.press("Thông tin thô", "Thời gian")
    limits = [200, 300, 500, 800, 1200]
    await lan.send("&" * 201, "quá giới hạn 200")
    assert (await bot.member_row(1004)).step == "thoi_gian"
    await lan.raw_answers(["&<" * (limit // 2) for limit in limits])
    mark = fake.mark()
    await lan.press("Bỏ qua", "Bấm Gửi")
    parts = [s for s in fake.sent[mark:] if s.method == "sendMessage"]
    assert all(len(s.plain or "") <= 4096 for s in parts)
    assert not fake.errors, fake.errors
    [sub] = await bot.submissions()
    assert sub.y_nghia == "&<" * 600
