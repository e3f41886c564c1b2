"""Phone numbers and ID numbers (CMND/CCCD) among the digits of a text; the other kinds of
personal data, and how all are masked, are in ``handlers.privacy.personal_data``.

- phone: a mobile (10 digits, 03/05/07/08/09…) or a landline (11 digits, 02…); +84, 84 or
  (+84) may replace the first 0. Its digits may come in groups split by one space, dot or
  dash, the first in brackets: "0912 345 678", "0912.345.678", "+84 912-345-678",
  "(028) 3822 1234". Every group has two digits or more (a lone one only in brackets:
  "+84 (0) 912…"). Hotlines (1800…, 1900…) and short numbers (113) belong to organisations,
  not people: not found.
- id_number (CMND 9 digits, CCCD 12): one group of exactly 9 or 12 digits standing alone (no
  letter touching it, no digits joined to it by a dot, comma, dash or slash: "5.000.000" is
  not one), not a phone and not an amount (a unit after it: đồng, đ, vnđ, vnd, triệu, tr, tỷ,
  nghìn, ngàn, k, usd, %; or VND, USD, $ before it). A 12-digit one must begin with 0: real
  CCCD numbers start with a province code (001–096), and this keeps order codes and long
  counts out. Within ``KEYWORD_REACH`` characters after CMND, CCCD, CMT, căn cước, chứng minh
  or định danh it is certain: any 9 or 12 digits, in groups too ("001 203 004 567",
  "123.456.789"), still not an amount.

Among digits in groups ("20-11-2026 0912 345 678") the longest window of whole groups that is
one of these is taken; dates, years, counts and amounts are none.
"""

from __future__ import annotations

import re

KEYWORD_REACH = 40  # characters between an ID keyword and the number it names
Hit = tuple[str, int, int]  # kind, start, end

# Patterns run on a "shadow" of the text: lower case, without diacritics, the same length.
_DIGITS = r"(?:\(\+?\d+\)?|\+?\d+)"  # a group of digits: "0912", "+84", "(028)", "(+84"
_RUN = re.compile(rf"(?<![\w.,]){_DIGITS}(?:[ .-]{_DIGITS})*")  # groups one separator apart
_GROUP = re.compile(r"(?P<open>\()?(?P<plus>\+?)(?P<d>\d+)(?P<close>(?(open)\)?))")
_LETTER = re.compile(r"\w")
_LONGER = re.compile(r"[,/]\d")  # "123456789,5", "20/11/2026"
_LONGER_BEFORE = re.compile(r"\d[,/]$")  # "5,123456789", "12/123456789"
_ID_WORD = re.compile(r"cmnd|cccd|cmt|can cuoc|chung minh|dinh danh")
_AMOUNT_AFTER = re.compile(r"\s*(?:dong|d|vnd|trieu|tr|ty|ti|nghin|ngan|k|usd|\$|%)(?!\w)")
_AMOUNT_BEFORE = re.compile(r"(?:vnd|usd|\$)\s*$")


def is_phone(digits: str) -> bool:
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = digits[2:] if digits[2] == "0" else "0" + digits[2:]
    mobile = len(digits) == 10 and digits[1] in "35789"
    return digits[0] == "0" and (mobile or (len(digits) == 11 and digits[1] == "2"))


def _kind(shadow: str, window: list[re.Match[str]], alone: bool) -> str | None:
    """What a window of digit groups is: a phone, an ID number, or nothing. ``alone``: spaces
    (or nothing) around it, not dots or dashes joining it to more digits."""
    start, end = window[0].start(), window[-1].end()
    digits = "".join(group["d"] for group in window)
    if _LETTER.match(shadow, end) or any(group["plus"] for group in window[1:]):
        return None
    if all(len(group["d"]) > 1 or group["open"] for group in window) and is_phone(digits):
        return "phone"  # "0912345678/0987654321": two phones
    if _LONGER.match(shadow, end) or _LONGER_BEFORE.search(shadow, max(0, start - 2), start):
        return None
    if window[0]["plus"] or (window[0]["open"] and len(window) > 1) or len(digits) not in (9, 12):
        return None
    if _AMOUNT_AFTER.match(shadow, end) or _AMOUNT_BEFORE.search(shadow, 0, start):
        return None
    if _ID_WORD.search(shadow, max(0, start - KEYWORD_REACH), start):
        return "id_number"
    bare = alone and len(window) == 1 and (len(digits) == 9 or digits[0] == "0")
    return "id_number" if bare else None


def numbers(shadow: str) -> list[Hit]:
    """Phones and ID numbers: in each run of digit groups, the longest windows that are one."""
    hits: list[Hit] = []
    for run in _RUN.finditer(shadow):
        groups = list(_GROUP.finditer(shadow, run.start(), run.end()))
        i = 0
        while i < len(groups):
            best: tuple[str, int] | None = None
            for j in range(i, len(groups)):
                if sum(len(group["d"]) for group in groups[i : j + 1]) > 12:
                    break
                alone = (i == 0 or shadow[groups[i].start() - 1] == " ") and (
                    j == len(groups) - 1 or shadow[groups[j].end()] == " "
                )
                kind = _kind(shadow, groups[i : j + 1], alone)
                best = (kind, j) if kind else best
            if best is None:
                i += 1
                continue
            first, last = groups[i], groups[best[1]]
            if first is last and first["open"] and first["close"]:  # "(272345678)": the digits
                hits.append((best[0], first.start("d"), first.end("d")))
            else:
                hits.append((best[0], first.start(), last.end()))
            i = best[1] + 1
    return hits
