"""Personal data in a member's text: phone numbers, ID numbers (CMND/CCCD), e-mail addresses,
house numbers. Marked on the editors' card (and the member's preview), masked in the published
post unless an editor chose to keep it (``handlers.privacy.personal_review``).

Looked for in each text field the card shows and in the editors' own post text; never in the
link field nor inside a URL ("http(s)://…", "www.…", "domain.tld/…"). Keywords match with or
without diacritics ("số nhà", "so nha"). Phones and ID numbers: the rules and thresholds are
in ``handlers.privacy.personal_numbers``. Here:

- email: "name@domain.tld" (an organisation's too: the editors keep it with one press).
- address: a house number ("12", "12A", "45/7/2") tied to a keyword; only the number is
  masked, the street stays (the place is part of the story, one home is not):
  - after "số nhà", "nhà số", "địa chỉ", "đ/c": "số nhà 45", "nhà số 5", "Địa chỉ: số 12"
    (but not "địa chỉ số 1", "the first place to go");
  - before a street word (ngõ, ngách, hẻm, kiệt, đường, phố) and the street's name, a
    capitalised word or a number: "số 12 ngõ 34 phố Huế", "12/3 hẻm 45", "8 phố Hàng Bông";
    not when the number follows a street word (the 34 of "ngõ 34" is the lane's), a time word
    (ngày, sáng, chiều, tối, lúc, năm, tháng…: "Sáng 20/11 đường Lê Lợi") or a numbered place
    (lớp, tổ, khu, phòng, km, ấp, xóm, thôn, đội, cụm, quận, phường, huyện: "Quận 7 đường
    Nguyễn Thị Thập"); nor a count ("3 đường phố", "15 ngõ," have no name after the street);
  - "số N" before a capitalised word when "số" opens the text or a clause (after , : ; . ( -)
    or follows tại, ở, đến, về, từ: "tại số 12 Nguyễn Trãi".
  Not found, by choice: a bare number before a capitalised word ("123 Nguyễn Trãi" reads like
  "50 Đoàn viên"), "số 2" inside a name ("Trường THCS số 2 Nguyễn Du", "tổ số 5"), and "SN",
  which says "sinh năm" (born in) more often than "số nhà".

Dates (20/11/2026, 20-11-2026, 20.11.2026), times (7h30), amounts (5.000.000 đồng, 1,5 tỷ),
years, counts (120 đoàn viên), percentages and other numbers are none of these.

Masking turns characters into "•" and keeps separators, so the text keeps its length (a
caption stays within its limit): a phone keeps its first two digits, an e-mail the first
character of its name and its domain; ID and house numbers lose every digit and letter. The
text is masked before it is rendered, so the Telegram markup around it stays valid.

Masking needs no second pass: the patterns read a "•" as the letter or digit it hid, a word
character ("_": an e-mail's name may hold it, no number or keyword does). Read as a separator,
it cut what the first pass found into new pieces: "số nhà 0912345678" gave
"số nhà 09••••••••", where "09" then stood alone after "số nhà", a house number; the e-mail
"00@0.aa" after "số nhà" kept "0", which the house-number rule took next time. A "•" followed
by a letter or digit is the member's own (a mask never is): it stays a separator, so
"•0912345678" is still a phone; "0912345678•" reads as digits glued to a word, not found.
A span the patterns cut differently once part of it is masked ("số nhà 20/11/2026@gmail.com":
the e-mail "2026@gmail.com" wins over the house number "20/11/2026"; masked, "20/11" is one)
is masked in a further round, so ``masked`` of its own result changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from handlers import fields
from handlers.engine.card_actions import CardAction, button
from handlers.engine.texts import label
from handlers.engine.types import Choice
from handlers.privacy.personal_numbers import Hit, numbers
from storage.models import Submission

MASK = "•"
TEXT_FIELDS = fields.personal()

# Every pattern runs on the "shadow" of the text: lower case, no diacritics, same length.
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/[^\s<>\"']*"
)
_EMAIL = re.compile(
    r"(?<![\w.%+@-])[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?![\w@-])"
)
_HOUSE = r"\d{1,4}[a-z]?(?:/\d{1,4}[a-z]?)*"
_STREET = r"ngo|ngach|hem|kiet|duong|pho"
_KEYED = re.compile(
    rf"\b(?:so nha|nha so|dia chi\s*:\s*(?:so\s+)?|dia chi|d/c)\s*[:.,]?\s*(?P<n>{_HOUSE})\b"
)
_BEFORE_STREET = re.compile(
    rf"(?<![\w/.,])(?P<n>{_HOUSE})\s+(?:{_STREET})\s+(?P<name>so\s+\d|\w)", re.M
)
_TIMES = r"ngay|hom|sang|trua|chieu|toi|dem|luc|nam|thang"
_PLACES = r"lop|to|khu|phong|km|ap|xom|thon|doi|cum|quan|phuong|huyen"  # numbered, not homes
_NOT_A_HOME = re.compile(rf"\b(?:{_STREET}|{_TIMES}|{_PLACES})(?:\s+so)?\s*$")
_SO_NAME = re.compile(
    rf"(?:^\s*|[,:;.(\-–]\s*|\b(?:tai|o|den|ve|tu)\s+)so\s+(?P<n>{_HOUSE})\s+(?P<name>\w)",
    re.M,
)


@dataclass(frozen=True)
class Finding:
    kind: str  # phone | id_number | email | address
    field: str  # the submission's field it is in
    text: str  # as written


@cache
def _base(char: str) -> str:
    base = "d" if char in "đĐ" else unicodedata.normalize("NFD", char)[0].lower()
    return base if len(base) == 1 else char


def _addresses(text: str, shadow: str) -> list[Hit]:
    hits: list[Hit] = [("address", m.start("n"), m.end("n")) for m in _KEYED.finditer(shadow)]
    for m in _BEFORE_STREET.finditer(shadow):
        named = len(m["name"]) > 1 or m["name"].isdigit() or text[m.start("name")].isupper()
        if named and not _NOT_A_HOME.search(shadow, 0, m.start("n")):
            hits.append(("address", m.start("n"), m.end("n")))
    for m in _SO_NAME.finditer(shadow):
        if text[m.start("name")].isupper():
            hits.append(("address", m.start("n"), m.end("n")))
    return hits


def _hits(text: str) -> list[Hit]:
    """What ``text`` (NFC) holds, in order, none overlapping another nor a URL."""
    shadow = "".join(
        "_" if char == MASK and not text[i + 1 : i + 2].isalnum() else _base(char)
        for i, char in enumerate(text)
    )
    taken = [(m.start(), m.end()) for m in _URL.finditer(shadow)]
    found: list[Hit] = []
    emails = [("email", m.start(), m.end()) for m in _EMAIL.finditer(shadow)]
    for hit in [*emails, *numbers(shadow), *_addresses(text, shadow)]:
        if all(hit[2] <= start or hit[1] >= end for start, end in taken):
            found.append(hit)
            taken.append((hit[1], hit[2]))
    return sorted(found, key=lambda hit: hit[1])


def scan(text: str) -> list[tuple[str, str]]:
    """(kind, as written) of each piece of personal data in ``text``."""
    nfc = unicodedata.normalize("NFC", text)
    return [(kind, nfc[start:end]) for kind, start, end in _hits(nfc)]


def _mask(kind: str, value: str) -> str:
    if kind == "email":
        name, at, domain = value.partition("@")
        return name[:1] + MASK * (len(name) - 1) + at + domain
    kept = 2 if kind == "phone" else 0  # "09", "02": a mobile or a landline, no more
    out, seen = [], 0
    for char in value:
        seen += char.isdigit()
        out.append(MASK if char.isalnum() and not (char.isdigit() and seen <= kept) else char)
    return "".join(out)


def masked(text: str) -> str:
    """``text`` with every finding masked; the very same string when there is none. Masked
    again until nothing changes (see "Masking needs no second pass"): each round only turns
    letters and digits into "•", so it ends."""
    nfc = unicodedata.normalize("NFC", text)
    hits = _hits(nfc)
    if not hits:
        return text
    while hits:
        for kind, start, end in reversed(hits):
            nfc = nfc[:start] + _mask(kind, nfc[start:end]) + nfc[end:]
        hits = [(k, a, b) for k, a, b in _hits(nfc) if _mask(k, nfc[a:b]) != nfc[a:b]]
    return nfc


def found_in(sub: Submission) -> list[Finding]:
    """Findings in the fields the card and the post show, in their order."""
    return [
        Finding(kind, name, value)
        for name in fields.personal_on(sub.path or fields.RAW)
        for kind, value in scan(getattr(sub, name) or "")
    ]


def masked_copy(sub: Submission) -> Submission:
    """A detached copy of ``sub`` with its text fields masked, for rendering the post."""
    values = {name: masked(getattr(sub, name)) for name in TEXT_FIELDS if getattr(sub, name)}
    return Submission(**{**sub.model_dump(), **values})  # a table model: not validated again


def card_row(sub: Submission) -> tuple[tuple[Choice, ...], ...]:
    """Under a waiting card with personal data: publish it as written, or masked again."""
    if not found_in(sub):
        return ()
    keep = not sub.keep_personal
    name = "personal_keep" if keep else "personal_mask"
    return ((button(label(name), CardAction.PERSONAL, sub.id, int(keep)),),)
