"""The story's fields, in one table: every list of them elsewhere is derived from ``FIELDS``.

A row says which path asks for a field (and in what order), how long an answer may be, whether
it may hold personal data (scanned on the card,
masked in the post: ``handlers.privacy.personal_data``), whether ``/xoadulieu`` blanks it
(``storage.rights.erase``, given the column names), how likely duplicates are compared on it
(``handlers.merging.duplicates``) and whether the archive export has a column for it
(``bot.cli.export``; its heading is ``templates/export/headings.j2``'s variable of that name).
The columns themselves are in ``storage.models.SubmissionBase``.

Adding a field: one row here, its column in ``storage/models.py`` and a migration, its
``Step`` in ``handlers/engine/states.py`` (``tests/test_fields.py`` names what is missing), and
its texts in ``templates/`` (the question, the label, the heading).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Compare(StrEnum):
    """What the duplicate rules read a field as."""

    LINK = "link"  # the article it names
    TIME = "time"  # dates and time words
    PLACE = "place"  # telling words of a place
    PERSON = "person"  # telling words of the people
    TEXT = "text"  # part of the whole text compared word pair by word pair


@dataclass(frozen=True)
class Field:
    name: str  # the column of ``Submission`` and the step that asks for it
    paths: tuple[str, ...] = ()  # the paths that ask the member for it; () for none
    limit: int | None = None  # the longest answer, in characters
    personal: bool = False  # may hold personal data: scanned, marked, masked
    erased: bool = True  # blanked when its member asks to be forgotten
    compare: frozenset[Compare] = frozenset()
    export: bool = True  # a column of the archive export


RAW, ARTICLE = "raw", "article"
_TEXT = frozenset({Compare.TEXT})

# Limits: room for a real story while the preview of a whole submission still fits the
# editors' card. Order: the order each path asks in, and the export's columns.
THOI_GIAN = Field("thoi_gian", (RAW,), 200, personal=True, compare=_TEXT | {Compare.TIME})
DIA_DIEM = Field("dia_diem", (RAW,), 300, personal=True, compare=_TEXT | {Compare.PLACE})
NHAN_VAT = Field("nhan_vat", (RAW,), 500, personal=True, compare=_TEXT | {Compare.PERSON})
MUC_DICH = Field("muc_dich", (RAW,), 800, personal=True, compare=_TEXT)
Y_NGHIA = Field("y_nghia", (RAW,), 1200, personal=True, compare=_TEXT)
# A link is never scanned for personal data: its digits and "@" are the address's.
LINK = Field("link", (ARTICLE,), 1000, compare=frozenset({Compare.LINK}))
CAM_NHAN = Field("cam_nhan", (ARTICLE,), 1500, personal=True, compare=_TEXT)
# The editors' own text for the post, built from the member's words.
POST_TEXT = Field("post_text", personal=True)
# Whether the link's site is a trusted source: says which article, so it goes with the link.
LINK_TRUSTED = Field("link_trusted", export=False)

FIELDS: tuple[Field, ...] = (
    THOI_GIAN,
    DIA_DIEM,
    NHAN_VAT,
    MUC_DICH,
    Y_NGHIA,
    LINK,
    CAM_NHAN,
    POST_TEXT,
    LINK_TRUSTED,
)
BY_NAME = {field.name: field for field in FIELDS}
PATH_NAMES = tuple(dict.fromkeys(path for field in FIELDS for path in field.paths))


def asked_on(path: str) -> tuple[Field, ...]:
    """The fields a path asks for, in order."""
    return tuple(field for field in FIELDS if path in field.paths)


def answers() -> tuple[Field, ...]:
    """The fields some path asks the member for."""
    return tuple(field for field in FIELDS if field.paths)


def personal_on(path: str) -> tuple[str, ...]:
    """The fields of a submission on ``path`` scanned for personal data: its answers, then the
    editors' own text."""
    return tuple(f.name for f in FIELDS if f.personal and (path in f.paths or not f.paths))


def personal() -> tuple[str, ...]:
    return tuple(field.name for field in FIELDS if field.personal)


def erased() -> tuple[str, ...]:
    """The columns ``/xoadulieu`` blanks on a submission never published."""
    return tuple(field.name for field in FIELDS if field.erased)


def exported() -> tuple[str, ...]:
    return tuple(field.name for field in FIELDS if field.export)


def compared(path: str, role: Compare) -> tuple[str, ...]:
    """The fields of ``path`` the duplicate rules read as ``role``."""
    return tuple(field.name for field in asked_on(path) if role in field.compare)
