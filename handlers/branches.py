"""Branches in one deployment (a Red Cross chapter beside the Youth Union): the hashtags and the
closing line of an item's post come from the nearest unit up its tree that sets them in the
organisation file (``extra_hashtags``, ``signature``), and its events' hashtags are added."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.org import OrgConfig
from handlers.org_dates import Event
from storage import units
from storage.models import Submission

DEPTH = 20  # a loop of parents in a hand-edited tree must not hang the bot


async def chain(session: AsyncSession, code: str | None) -> list[str]:
    """The unit's code and its ancestors', nearest first (the tree as the admins keep it)."""
    found: list[str] = []
    while code and code not in found and len(found) < DEPTH:
        found.append(code)
        unit = await units.get(session, code=code)
        code = unit.parent_code if unit else None
    return found


async def parents(session: AsyncSession) -> dict[str, str | None]:
    """Every unit's parent, read once: for pages listing many items (one query for all)."""
    return {u.code: u.parent_code for u in await units.every(session)}


def chain_in(tree: dict[str, str | None], code: str | None) -> list[str]:
    """``chain`` from the parents read by ``parents``."""
    found: list[str] = []
    while code and code not in found and len(found) < DEPTH:
        found.append(code)
        code = tree.get(code)
    return found


def events_set(value: str | None) -> list[str] | None:
    """An item's stored events (",a,b," or ","); None: nobody set them."""
    return None if value is None else [key for key in value.split(",") if key]


def events_value(keys: list[str]) -> str:
    return "," + "".join(f"{key}," for key in keys)


def events_of(org: OrgConfig, sub: Submission, codes: list[str], tz: ZoneInfo) -> list[Event]:
    """The events an item belongs to: as an editor set them, else by its day and its unit."""
    chosen = events_set(sub.events)
    if chosen is not None:
        return [e for e in org.events if e.key in chosen]
    moment: datetime | None = sub.submitted_at or sub.created_at
    if moment is None:
        return []
    day = (moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(tz).date()
    return [e for e in org.events if e.contains(day) and (not e.units or set(e.units) & set(codes))]


def hashtags(org: OrgConfig, kind: str, codes: list[str], events: list[Event]) -> list[str]:
    extra = org.hashtags.extra
    for code in codes:
        unit = org.unit(code)
        if unit is not None and unit.extra_hashtags is not None:
            extra = unit.extra_hashtags
            break
    kind_tag = org.hashtags.tin_tot if kind == "tin_tot" else org.hashtags.cau_chuyen_dep
    tags = [kind_tag, *extra]
    tags += [e.hashtag for e in events if e.hashtag and e.hashtag not in tags]
    return tags


def signature(org: OrgConfig, codes: list[str]) -> str | None:
    return next((u.signature for c in codes if (u := org.unit(c)) and u.signature), None)


def parts_in(
    org: OrgConfig, sub: Submission, tree: dict[str, str | None], tz: ZoneInfo
) -> dict[str, Any]:
    """``post_parts`` from the parents read by ``parents``."""
    return _parts(org, sub, chain_in(tree, sub.unit_code), tz)


async def post_parts(
    session: AsyncSession, org: OrgConfig, sub: Submission, unit_code: str | None, tz: ZoneInfo
) -> dict[str, Any]:
    """The card's and the post's hashtags, signature and events."""
    return _parts(org, sub, await chain(session, unit_code), tz)


def _parts(org: OrgConfig, sub: Submission, codes: list[str], tz: ZoneInfo) -> dict[str, Any]:
    events = events_of(org, sub, codes, tz)
    return {
        "hashtags": hashtags(org, sub.kind, codes, events),
        "signature": signature(org, codes),
        "events": events,
    }
