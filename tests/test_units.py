"""Pure pieces: the theme calendar, link checks, splitting long texts, folding Vietnamese."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.platforms.textsplit import split, visible_html_len
from handlers.engine.textnorm import fold
from handlers.org import Theme, load_org

ORG = load_org(Path(__file__).resolve().parents[1] / "config" / "org.example.toml")


@pytest.mark.parametrize(
    ("day", "key"),
    [
        (date(2026, 11, 14), "nha-giao-tre"),
        (date(2026, 11, 20), "nha-giao-tre"),
        (date(2026, 11, 21), "thuong-xuyen"),
        (date(2026, 1, 3), "hssv-tet"),
        (date(2026, 2, 5), "thanh-lap-dang"),
        (date(2026, 6, 21), "thieu-nhi"),
        (date(2026, 9, 2), "quoc-khanh"),
        (date(2026, 7, 1), "thuong-xuyen"),
    ],
)
def test_theme_calendar(day: date, key: str) -> None:
    assert ORG.theme_on(day).key == key


def test_whole_appendix_is_in_the_example_file() -> None:
    assert len(ORG.themes) == 11 and ORG.default_theme.title == "Thường xuyên"
    assert len(ORG.units) >= 12 and any(u.parent for u in ORG.units)


def test_theme_across_new_year_and_next_theme() -> None:
    tet = Theme(key="x", start="28/12", end="03/01", title="T", focus="F")
    assert tet.contains(date(2026, 12, 31)) and tet.contains(date(2027, 1, 2))
    assert not tet.contains(date(2027, 1, 4))
    upcoming = ORG.next_theme(date(2026, 11, 24))
    assert upcoming is not None and upcoming[0].key == "bo-doi-cu-ho"
    assert upcoming[1] == date(2026, 12, 16)
    after_december = ORG.next_theme(date(2026, 12, 25))
    assert after_december is not None and after_december[1] == date(2027, 1, 3)


def test_trusted_domains_match_whole_labels() -> None:
    assert ORG.is_trusted("binhtan.hochiminhcity.gov.vn") and ORG.is_trusted("TUOITRE.VN")
    assert not ORG.is_trusted("tuoitre.vn.evil.com") and not ORG.is_trusted("notgov.vn")


def test_split_keeps_every_line_and_the_limit() -> None:
    lines = [f"<b>Dòng {n}:</b> " + "&amp;" * 50 for n in range(200)]
    text = "\n".join(lines)
    parts = split(text, 4096, visible_html_len)
    assert len(parts) > 1 and all(visible_html_len(p) <= 4096 for p in parts)
    assert "\n".join(parts) == text
    long_line = "Câu một. " * 600
    parts = split(long_line, 2000)
    assert all(len(p) <= 2000 for p in parts) and all(p.endswith(".") for p in parts[:-1])


def test_fold_vietnamese() -> None:
    assert fold("Tin tốt") == fold("tin tot") == fold("TIN TỐT!") == "tin tot"
    assert fold("Đoàn phường") == "doan phuong"


def test_templates_keep_markup_characters_out_of_their_own_text() -> None:
    """Literal <, > and & in a template would reach Telegram unescaped and break the send;
    templates put them in expressions ({{ "<lý do>" }}), which are escaped. The web site's
    pages (templates/web/) are HTML themselves, autoescaped, and checked in a browser."""
    import re

    from handlers.engine.texts import TEMPLATES

    for path in TEMPLATES.rglob("*.j2"):
        if path.relative_to(TEMPLATES).parts[0] == "web":
            continue
        text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", path.read_text(), flags=re.S)
        assert not re.search(r"[<>&]", text), path
