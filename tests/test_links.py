"""A member's link is read as a browser reads it: the source marked official is the site a
reader's browser opens, and links that read one way to a person and another to a browser are
refused politely, with the flow staying at the link."""

from __future__ import annotations

import pytest

from handlers.member.links import Link, Refused, read_link
from handlers.org import load_org
from tests.harness import ORG, Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram

TRUSTED = load_org(ORG)

# (what the member sends, the host a browser opens or why it is refused)
LINKS = [
    ("https://tuoitre.vn/a-b.htm", "tuoitre.vn"),
    ("www.thanhnien.vn/x", "www.thanhnien.vn"),
    ("http://binhtan.hochiminhcity.gov.vn", "binhtan.hochiminhcity.gov.vn"),
    ("HTTPS://TuoiTre.VN/Bai-Viet", "tuoitre.vn"),
    ("https://tuoitre.vn:443/a", "tuoitre.vn"),
    ("https://tuổitrẻ.vn/a", "xn--tuitr-351b8g.vn"),
    ("https://tuoitre.vn.evil.example/a", "tuoitre.vn.evil.example"),
    ("https://evil.example?@tuoitre.vn", "evil.example"),
    ("https://tuoitre.vn#@evil.example", "tuoitre.vn"),
    ("tuoitre.vn", Refused("not_link")),
    ("xem bài này", Refused("not_link")),
    ("https://localhost/a", Refused("not_link")),
    ("https://evil.example\\@tuoitre.vn/bai-viet", Refused("backslash")),
    ("https:\\\\evil.example/tuoitre.vn", Refused("backslash")),
    ("https://tuoitre.vn@evil.example/bai-viet", Refused("userinfo")),
    ("https://user:pass@tuoitre.vn/a", Refused("userinfo")),
    ("https://@tuoitre.vn/a", Refused("userinfo")),
    ("https://evil.example%2F@tuoitre.vn", Refused("userinfo")),
    ("https://tuoitre%2evn/a", Refused("encoded")),
    ("https://tuoitre.vn%40evil.example/a", Refused("encoded")),
    ("http://1.2.3.4/tuoitre.vn", Refused("ip")),
    ("https://0x7f.1/a", Refused("ip")),
    ("https://[::1]/a", Refused("ip")),
    ("https:tuoitre.vn/a", Refused("slashes")),
    ("https:///evil.example/a", Refused("slashes")),
    ("javascript:alert(1)//tuoitre.vn", Refused("scheme")),
    ("ftp://tuoitre.vn/a", Refused("scheme")),
    ("file:///etc/passwd", Refused("scheme")),
    ("https://tuoitre.vn\u200b.evil.example/a", Refused("hidden")),
    ("https://tuoitre.vn/a\x00b", Refused("hidden")),
    ("https://tuoi tre.vn", Refused("space")),
    ("https://tuoitre.vn/a\nhttps://evil.example", Refused("space")),
]


@pytest.mark.parametrize(("text", "expected"), LINKS)
def test_the_host_is_the_one_a_browser_opens(text: str, expected: str | Refused) -> None:
    got = read_link(text)
    if isinstance(expected, Refused):
        assert got == expected
    else:
        assert isinstance(got, Link) and got.host == expected


@pytest.mark.parametrize(
    ("text", "trusted"),
    [
        ("https://tuoitre.vn/a", True),
        ("https://m.tuoitre.vn/a", True),
        ("https://TUOITRE.VN./a", True),
        ("https://tuoitre.vn.evil.example/a", False),
        ("https://nottuoitre.vn/a", False),
        ("https://evil.example?@tuoitre.vn", False),
        ("https://evil.example/#tuoitre.vn", False),
    ],
)
def test_trusted_means_the_browser_lands_on_a_trusted_site(text: str, trusted: bool) -> None:
    link = read_link(text)
    assert isinstance(link, Link) and TRUSTED.is_trusted(link.host) is trusted


async def test_a_backslash_link_is_refused_and_nothing_is_marked_official(
    bot: Harness, fake: FakeTelegram
) -> None:
    lan = bot.member(1301)
    await lan.register()
    await lan.send("/gui", "Bạn muốn gửi gì")
    await lan.press("Câu chuyện đẹp", "Bước 2")
    await lan.press("Đã có bài viết", "Liên kết")
    for hostile, why in [
        ("https://evil.example\\@tuoitre.vn/bai-viet", "dấu \\"),
        ("https://tuoitre.vn@evil.example/bai-viet", "dấu @"),
        ("http://1.2.3.4/tuoitre.vn", "địa chỉ IP"),
    ]:
        answer = await lan.send(hostile, "chưa dùng được")
        assert why in (answer.plain or "")
        assert (await bot.member_row(1301)).step == "link"  # the flow stays at the link
    [draft] = await bot.submissions()
    assert draft.link is None and not draft.link_trusted
    await lan.send("https://m.tuoitre.vn/thay-giao-tre-123.htm", "Cảm nhận")
    [draft] = await bot.submissions()
    assert draft.link == "https://m.tuoitre.vn/thay-giao-tre-123.htm" and draft.link_trusted
    assert not fake.errors
