"""The facts two tellings of a story are compared on (see ``handlers.merging.duplicates``): the
article a link names, the dates a time answer gives, a field's telling words."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from handlers.engine.textnorm import fold

_TRACKING = re.compile(r"utm_.*|fbclid|gclid|zarsrc|igshid")
_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}|\d{2}))?(?!\d)")
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_WORDED = re.compile(r"\bngay (\d{1,2}) thang (\d{1,2})(?: nam (\d{4}))?")
# Words that tell no story apart: honorifics and kinship; function words; the commonest family
# and middle names; generic words for schools, roles and places.
_IGNORED_WORDS = """
co thay em anh chi ong ba chu bac cau di me bo con chau ban cac nhung moi quy nguoi dong
va cua la cho voi tai o trong ngoai tren duoi den tu vao ra nay do kia mot da dang se
duoc bi cung nhu ma de khi luc sau truoc gan ben canh ve theo qua rat ay tung vua
nguyen tran le pham hoang huynh phan vu vo dang bui ho ngo duong ly van thi
truong thcs thpt tieu mam non hoc sinh giao vien lop doan hoi thanh nien tinh
phuong xa quan huyen pho khu ap thon to so nha tam trung benh uy nhan dan gia dinh
"""
IGNORED = frozenset(_IGNORED_WORDS.split())


def link_key(url: str | None) -> str | None:
    """The article a link names, the same however it was copied."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    host = host.removeprefix("www.").removeprefix("m.")
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING.fullmatch(k.lower())
    )  # fmt: skip
    path = unquote(parts.path).rstrip("/")
    return host + path + ("?" + urlencode(query) if query else "") if host else None


def dates_in(text: str | None, around: date) -> frozenset[date]:
    """Every date written in a time answer; a missing year is the one nearest ``around``."""
    found: set[date] = set()
    lowered, folded = (text or "").lower(), fold(text or "")
    spans = [(int(d), int(m), y) for d, m, y in _DMY.findall(lowered)]
    spans += [(int(d), int(m), y) for y, m, d in _ISO.findall(lowered)]
    spans += [(int(d), int(m), y) for d, m, y in _WORDED.findall(folded)]
    for day, month, year in spans:
        near = [around.year - 1, around.year, around.year + 1]
        years = [int(year) + (2000 if len(year) == 2 else 0)] if year else near
        valid = [d for d in (_date(y, month, day) for y in years) if d is not None]
        if valid:
            found.add(min(valid, key=lambda d: abs((d - around).days)))
    return frozenset(found)


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def telling(text: str | None) -> frozenset[str]:
    return frozenset(fold(text or "").split()) - IGNORED


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0
