"""The duplicate rule on realistic Vietnamese submissions: retellings found (with and without
diacritics), and different stories that only share a place, a unit or a class left alone."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest

from handlers.merging.duplicates import best_match, compare, story
from handlers.merging.story_facts import dates_in, link_key
from storage.models import Submission

SENT = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)
_ids = itertools.count(1)


def raw(
    unit: str, thoi_gian: str, dia_diem: str, nhan_vat: str, muc_dich: str = "", y_nghia: str = ""
) -> Submission:
    return Submission(
        id=next(_ids),
        member_id=1,
        kind="tin_tot",
        path="raw",
        unit_code=unit,
        thoi_gian=thoi_gian,
        dia_diem=dia_diem,
        nhan_vat=nhan_vat,
        muc_dich=muc_dich,
        y_nghia=y_nghia,
        submitted_at=SENT,
    )


def article(unit: str, link: str, cam_nhan: str = "Rất cảm động.") -> Submission:
    return Submission(
        id=next(_ids),
        member_id=1,
        kind="cau_chuyen_dep",
        path="article",
        unit_code=unit,
        link=link,
        cam_nhan=cam_nhan,
        submitted_at=SENT,
    )


def rule(new: Submission, old: Submission) -> str | None:
    found = compare(story(new), story(old))
    return found.rule if found else None


# --- links ------------------------------------------------------------------------------------

ARTICLE = "https://tuoitre.vn/thay-giao-tre-day-mien-phi-20261115.htm"


@pytest.mark.parametrize(
    "copied",
    [
        "http://www.tuoitre.vn/thay-giao-tre-day-mien-phi-20261115.htm",
        "https://TUOITRE.VN/thay-giao-tre-day-mien-phi-20261115.htm/",
        "https://m.tuoitre.vn/thay-giao-tre-day-mien-phi-20261115.htm#binh-luan",
        f"{ARTICLE}?utm_source=facebook&utm_medium=social&fbclid=IwAR3xYz",
        f"{ARTICLE}?zarsrc=30&gclid=abc",
    ],
)
def test_the_same_article_however_copied(copied: str) -> None:
    assert (
        link_key(copied)
        == link_key(ARTICLE)
        == "tuoitre.vn/thay-giao-tre-day-mien-phi-20261115.htm"
    )
    assert rule(article("p-bhh", copied), article("p-anlac", ARTICLE)) == "link"


def test_other_articles_of_one_site_differ() -> None:
    assert (
        rule(article("p-anlac", ARTICLE.replace("1115", "1116")), article("p-anlac", ARTICLE))
        is None
    )
    a = "https://nhandan.vn/bai-viet.html?id=101&utm_source=zalo"
    b = "https://nhandan.vn/bai-viet.html?id=102"
    assert link_key(a) == "nhandan.vn/bai-viet.html?id=101"
    assert rule(article("p-anlac", a), article("p-anlac", b)) is None


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sáng 15/11", {date(2026, 11, 15)}),
        ("Chủ nhật, 15-11-2026", {date(2026, 11, 15)}),
        ("ngày 15.11", {date(2026, 11, 15)}),
        ("Ngày 15 tháng 11 năm 2026", {date(2026, 11, 15)}),
        ("ngay 15 thang 11", {date(2026, 11, 15)}),
        ("2026-11-15", {date(2026, 11, 15)}),
        ("Từ 14/11 đến 16/11/26", {date(2026, 11, 14), date(2026, 11, 16)}),
        ("28/12", {date(2026, 12, 28)}),  # no year: the one nearest the day it was sent
        ("7h30 sáng thứ Bảy", set()),
        ("Quyên góp 1.500.000 đồng", set()),
        ("Hè 2026", set()),
    ],
)
def test_dates_read_from_the_time_answer(text: str, expected: set[date]) -> None:
    assert dates_in(text, SENT.date()) == expected


def test_a_missing_year_is_the_nearest_one() -> None:
    assert dates_in("28/12", date(2027, 1, 5)) == {date(2026, 12, 28)}
    assert dates_in("02/01", date(2026, 12, 30)) == {date(2027, 1, 2)}


# --- retellings found -------------------------------------------------------------------------

HOA = raw(
    "p-anlac",
    "Sáng chủ nhật 15/11/2026",
    "Trường THCS Lê Lợi, phường An Lạc",
    "Cô Nguyễn Thị Hoa, giáo viên Ngữ văn",
    "Mở lớp học miễn phí buổi tối cho học sinh có hoàn cảnh khó khăn",
    "Lan tỏa tấm gương nhà giáo tận tụy với học trò nghèo",
)


def test_the_same_event_retold_without_diacritics() -> None:
    retold = raw(
        "p-anlac",
        "sang 15/11",
        "truong thcs le loi",
        "co giao Hoa day van",
        "co Hoa day them cho cac ban nha ngheo",
        "rat dang tran trong",
    )
    assert rule(retold, HOA) == "details"


def test_the_same_event_retold_with_other_words_and_no_date() -> None:
    first = raw(
        "ctd-anlac",
        "Sáng chủ nhật vừa qua",
        "Nhà văn hóa khu phố 3",
        "Bà Lê Thị Tư, 82 tuổi, hội viên Chữ thập đỏ",
        "Tặng 50 phần quà cho người già neo đơn",
    )
    second = raw(
        "ctd-anlac",
        "chủ nhật tuần trước",
        "Nhà văn hoá KP3, An Lạc",
        "cụ Tư (82 tuổi)",
        "Cụ góp tiền dành dụm mua quà tặng các cụ già neo đơn trong khu phố",
    )
    assert rule(second, first) == "details"


def test_an_event_over_two_days_told_from_each_day() -> None:
    first = raw("p-bhh", "Thứ Bảy 14/11", "Công viên Bình Hưng Hòa", "Đội hình Mùa hè xanh")
    second = raw("p-bhh", "16/11", "công viên Bình Hưng Hoà", "Các bạn đội hình Mùa hè xanh")
    assert rule(second, first) == "details"


LONG = (
    "Tối 15/11, tại Trường THCS Lê Lợi phường An Lạc, cô Nguyễn Thị Hoa đã mở lớp học miễn phí "
    "cho hai mươi em học sinh có hoàn cảnh khó khăn. Cô dạy Ngữ văn và Toán ba buổi mỗi tuần, "
    "tự mua sách vở và chuẩn bị bữa ăn nhẹ cho các em trước giờ học."
)


def test_the_same_message_pasted_again_by_another_unit() -> None:
    first = article("p-anlac", "https://facebook.com/thcsleloi/posts/1", LONG)
    pasted = LONG.replace("hai mươi", "20").replace("ba buổi", "3 buổi")
    unaccented = "toi 15/11 tai truong thcs le loi phuong an lac, co nguyen thi hoa da mo " + (
        "lop hoc mien phi cho hai muoi em hoc sinh co hoan canh kho khan. co day ngu van va toan "
        "ba buoi moi tuan, tu mua sach vo va chuan bi bua an nhe cho cac em truoc gio hoc."
    )
    for text in (pasted, unaccented):
        again = article("thpt-binhtan", "https://zalo.me/some-group/1", text)
        assert rule(again, first) == "text"


# --- different stories left alone -------------------------------------------------------------


def test_different_stories_at_the_same_school_on_the_same_day() -> None:
    other = raw(
        "p-anlac",
        "Sáng 15/11/2026",
        "Trường THCS Lê Lợi, phường An Lạc",
        "Em Trần Minh Khôi, học sinh lớp 8A",
        "Nhặt được ví có 5 triệu đồng và trả lại cho người đánh rơi",
        "Tấm gương thật thà",
    )
    assert rule(other, HOA) is None


def test_people_who_share_only_family_and_middle_names() -> None:
    an = raw("p-btd", "20/11", "Trường Tiểu học Bình Trị Đông", "Thầy Nguyễn Văn An")
    binh = raw("p-btd", "20/11", "Trường Tiểu học Bình Trị Đông", "thầy Nguyễn Văn Bình")
    assert rule(binh, an) is None


def test_two_pupils_of_one_class() -> None:
    mai = raw("thpt-vinhloc", "19/11", "Lớp 10A3, THPT Vĩnh Lộc", "Em Mai, lớp 10A3")
    lan = raw("thpt-vinhloc", "19/11", "Lớp 10A3, THPT Vĩnh Lộc", "Em Lan, lớp 10A3")
    assert rule(lan, mai) is None


def test_the_same_class_a_week_later() -> None:
    next_week = raw("p-anlac", "Sáng 22/11", "Trường THCS Lê Lợi", "Cô Hoa")
    assert rule(next_week, HOA) is None


def test_the_same_place_and_person_from_another_unit() -> None:
    other = raw("p-bhh", "15/11", "Trường THCS Lê Lợi", "Cô Hoa", "Tặng sách cho thư viện")
    assert rule(other, HOA) is None


def test_short_texts_do_not_match_by_chance() -> None:
    a = article("p-anlac", "https://tuoitre.vn/a.htm", "Rất cảm động, cảm ơn thầy cô.")
    b = article("p-bhh", "https://thanhnien.vn/b.htm", "Rất cảm động, cảm ơn thầy cô!")
    assert rule(b, a) is None


def test_shared_wording_of_the_campaign_is_not_enough() -> None:
    meaning = (
        "Lan tỏa tinh thần tương thân tương ái, góp phần xây dựng hình ảnh đẹp của tuổi trẻ "
        "quận Bình Tân trong cuộc vận động mỗi ngày một tin tốt"
    )
    a = raw("p-anlac", "10/11", "Chợ An Lạc", "Chị Lan bán rau", "Tặng rau cho bếp ăn", meaning)
    b = raw(
        "p-bhh", "12/11", "Bệnh viện Bình Tân", "Anh Tuấn xe ôm", "Chở bệnh nhân miễn phí", meaning
    )
    assert rule(b, a) is None


# --- the best match ---------------------------------------------------------------------------


def test_the_best_match_wins() -> None:
    first = article("p-anlac", ARTICLE, LONG)
    pasted = article("p-anlac", "https://facebook.com/x/posts/9", LONG)
    linked = article("p-bhh", ARTICLE + "?utm_source=zalo", LONG)
    new = article("p-bhh", ARTICLE, LONG)
    found = best_match(story(new), [story(pasted), story(linked), story(first)])
    assert found is not None and (found.rule, found.sub_id) == ("link", first.id)
    assert best_match(story(new), []) is None
    assert best_match(story(new), [story(new)]) is None  # never itself


def test_four_hundred_candidates_at_full_length() -> None:
    """400 candidates with every field at its length limit (the cost: bench/duplicates.py)."""
    text = LONG * 8
    olds = [
        raw("p-anlac", text[:200], text[:300], text[:500] + str(n), text[:800], text[:1200])
        for n in range(400)
    ]
    # Its cost is measured by bench/duplicates.py, never timed here.
    new = story(raw("p-anlac", text[:200], "x", "y", text[:800], text[:1200]))
    assert best_match(new, map(story, olds)) is None  # others' people: not the same story
