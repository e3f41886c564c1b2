"""Likely duplicate stories: a submission just sent is compared with those sent before it, and
the editors' card says "có thể trùng với #12" with the rule that found it.

Candidates: submissions sent at most ``WINDOW_DAYS`` (30) days before it and earlier than it
(a story repeats an earlier telling), still alive for the editors (pending, needs info,
approved, published) and not merged into another: one range query on the indexed
``submitted_at`` (``storage.duplicates.candidates``), the ``MAX_CANDIDATES`` (400) most recent.

Text is compared folded (``handlers.engine.textnorm.fold``: no diacritics, lower case, words
only), so "Trường THCS Lê Lợi" and "truong thcs le loi" are the same words. The rules, in order:

1. **link**: both link to the same article once normalised: scheme, port and fragment dropped,
   host in lower case without "www." or "m.", no trailing slash, tracking parameters dropped
   (utm_*, fbclid, gclid, zarsrc, igshid), the others sorted. Score 1.
2. **details**: both are raw information from the same unit, and
   - their times are close: the dates read from "thời gian" (15/11, 15-11-2026, 15.11,
     2026-11-15, "ngày 15 tháng 11") are at most ``DATE_DAYS`` (3) days apart; when either has
     no date, the overlap of their time words is at least ``TIME_OVERLAP`` (0.5);
   - their places overlap by at least ``PLACE_OVERLAP`` (0.5), and their people by at least
     ``PERSON_OVERLAP`` (0.5) with at least one shared word that is a name, not a number
     (pupils of one class, "lớp 9A", are different people).
   Overlap is |A ∩ B| / min(|A|, |B|) over a field's telling words: its folded words minus
   ``story_facts.IGNORED``, those that tell no story apart (honorifics, function words, the
   commonest family and middle names, generic words for schools, roles and places). A field without
   telling words matches nothing. The min lets "cô Hoa" match "Cô Nguyễn Thị Hoa, giáo viên
   trường THCS Lê Lợi"; ignoring those keeps "Nguyễn Văn An" from matching "Nguyễn Văn Bình" and
   "Trường THCS Lê Lợi" from "Trường THCS Nguyễn Du". Place alone never decides: two stories at
   one school on one day differ by their people. Score: the mean of the two overlaps.
3. **text**: the whole texts (every field the member wrote, folded) have a Jaccard similarity
   of word pairs (bigrams) of at least ``TEXT_JACCARD`` (0.5), each text having at least
   ``MIN_WORDS`` (15) words: the same message pasted again, lightly edited or typed without
   diacritics. Any unit. Short texts are left out: they share word pairs by chance. Between
   two raw informations their people must also overlap (``PERSON_OVERLAP``): the campaign's
   own sentences, pasted by many members into "ý nghĩa", can fill half of a short story.

The first rule that holds names a candidate's match; the best match wins (the earlier rule,
then the higher score, then the earlier submission). Cost: one indexed query, then per
candidate a fold of its text and a few set operations: about 0.04 ms for a typical answer,
0.35 ms with every field at its length limit, so 15-150 ms for 400 candidates, once per
submission sent.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import fields
from handlers.engine.card_actions import CardAction, button
from handlers.engine.textnorm import fold
from handlers.engine.texts import label
from handlers.engine.types import Choice
from handlers.fields import Compare
from handlers.merging.story_facts import dates_in, link_key, overlap, telling
from storage import duplicates
from storage.models import Status, Submission

WINDOW_DAYS, MAX_CANDIDATES = 30, 400
DATE_DAYS, TIME_OVERLAP, PLACE_OVERLAP, PERSON_OVERLAP = 3, 0.5, 0.5, 0.5
TEXT_JACCARD, MIN_WORDS = 0.5, 15
RULES = ("link", "details", "text")


@dataclass(frozen=True)
class Story:
    """What the rules compare, read once from a submission."""

    id: int
    unit: str | None
    raw: bool
    link: str | None
    dates: frozenset[date]
    time_words: frozenset[str]
    place: frozenset[str]
    person: frozenset[str]
    pairs: frozenset[tuple[str, str]]
    words: int


@dataclass(frozen=True)
class Match:
    sub_id: int
    rule: str  # link | details | text
    score: float


def story(sub: Any) -> Story:
    """``sub``: a submission, or a row of the columns in ``READ``."""
    raw = sub.path != fields.ARTICLE
    path = fields.RAW if raw else fields.ARTICLE

    def read(role: Compare) -> str:
        """The answers the rules read as ``role``, one text (a path has one of each, or none)."""
        return " ".join(getattr(sub, name) or "" for name in fields.compared(path, role))

    words = fold(read(Compare.TEXT)).split()
    when = read(Compare.TIME)
    around = (sub.submitted_at or sub.created_at).date()
    return Story(
        id=sub.id or 0,
        unit=sub.unit_code,
        raw=raw,
        link=link_key(read(Compare.LINK)),
        dates=dates_in(when, around),
        time_words=frozenset(fold(when).split()),
        place=telling(read(Compare.PLACE)),
        person=telling(read(Compare.PERSON)),
        pairs=frozenset(pairwise(words)),
        words=len(words),
    )


def _close_in_time(a: Story, b: Story) -> bool:
    if a.dates and b.dates:
        gap = min(abs((x - y).days) for x in a.dates for y in b.dates)
        return gap <= DATE_DAYS
    return overlap(a.time_words, b.time_words) >= TIME_OVERLAP


def _details(a: Story, b: Story) -> float | None:
    if not (a.raw and b.raw and a.unit is not None and a.unit == b.unit):
        return None
    place, person = overlap(a.place, b.place), overlap(a.person, b.person)
    named = any(not any(ch.isdigit() for ch in word) for word in a.person & b.person)
    if place >= PLACE_OVERLAP and person >= PERSON_OVERLAP and named and _close_in_time(a, b):
        return (place + person) / 2
    return None


def _text(a: Story, b: Story) -> float | None:
    if min(a.words, b.words) < MIN_WORDS or not a.pairs or not b.pairs:
        return None
    if a.raw and b.raw and overlap(a.person, b.person) < PERSON_OVERLAP:
        return None  # the campaign's own sentences in "ý nghĩa" do not make two stories one
    jaccard = len(a.pairs & b.pairs) / len(a.pairs | b.pairs)
    return jaccard if jaccard >= TEXT_JACCARD else None


def compare(new: Story, old: Story) -> Match | None:
    """The first rule by which ``new`` retells ``old``, or None."""
    if new.link is not None and new.link == old.link:
        return Match(old.id, "link", 1.0)
    for rule, test in (("details", _details), ("text", _text)):
        score = test(new, old)
        if score is not None:
            return Match(old.id, rule, score)
    return None


def best_match(new: Story, olds: Iterable[Story]) -> Match | None:
    found = [m for m in (compare(new, old) for old in olds if old.id != new.id) if m]
    return min(found, key=lambda m: (RULES.index(m.rule), -m.score, m.sub_id), default=None)


# What ``story`` reads of a candidate: the columns loaded for it, never the whole row.
_ANSWERS = {
    name
    for path in (fields.RAW, fields.ARTICLE)
    for role in Compare
    for name in fields.compared(path, role)
}
READ = ("id", "path", "unit_code", "submitted_at", "created_at", *sorted(_ANSWERS))


_Row = namedtuple("_Row", READ)  # type: ignore[misc]  # hashable, read like a submission


@lru_cache(maxsize=2 * MAX_CANDIDATES)
def _story_of(row: Any) -> Story:
    """A candidate's story, computed once for the same values: the same few hundred recent
    submissions are the candidates of every new one. Keyed by the row's values, so an edited
    submission is read anew (a pure function's cache, not state)."""
    return story(row)


async def mark(session: AsyncSession, sub: Submission) -> Match | None:
    """Look for an earlier telling of a submission just sent; record it (or clear an old one)."""
    found = None
    if sub.id is not None and sub.submitted_at is not None:
        rows = await duplicates.candidates(
            session,
            before_id=sub.id,
            since=sub.submitted_at - timedelta(days=WINDOW_DAYS),
            limit=MAX_CANDIDATES,
            read=READ,
        )
        found = best_match(story(sub), (_story_of(_Row._make(row)) for row in rows))
    sub.duplicate_of = found.sub_id if found else None
    sub.duplicate_rule = found.rule if found else None
    session.add(sub)
    return found


def card_row(sub: Submission) -> tuple[tuple[Choice, ...], ...]:
    """Under a waiting card with a likely duplicate: open the other one, or merge into it."""
    other = sub.duplicate_of
    if other is None or sub.status != Status.PENDING or sub.merged_into is not None:
        return ()
    return (
        (
            button(label("dup_open").replace("#", f"#{other}"), CardAction.RESEND, other),
            button(label("dup_merge").replace("#", f"#{other}"), CardAction.MERGE, sub.id),
        ),
    )
