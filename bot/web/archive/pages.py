"""What the archive's pages show of an item: the post exactly as published (personal data
masked, through ``handlers.desk.cards.post_say``), its photos, the posts' links; and the
visitor's filters read from the query string, bad values dropped with a note."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from multidict import MultiMapping
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import branches
from handlers.desk import cards
from handlers.engine.context import Deps
from handlers.engine.textnorm import fold
from handlers.engine.texts import render
from storage import archive, archive_rows, units
from storage.media_store import EXTENSIONS
from storage.models import Media, OutboxStatus, Submission

KINDS = ("tin_tot", "cau_chuyen_dep")
MAX_QUERY = 200


@dataclass
class Wanted:
    """The visitor's query: the raw values (to show back and page with) and the filters."""

    params: dict[str, str]
    filters: archive.Filters
    words: str = ""
    page: int = 1
    problems: list[str] = field(default_factory=list)
    bad_page: bool = False  # ``trang`` is not a page number: the address itself is wrong


def number(text: str) -> int | None:
    """A page's or an item's number: ASCII digits only ("²" and "٣" are not numbers here)."""
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) else None


def _month(value: str, tz: ZoneInfo) -> tuple[datetime, datetime] | None:
    """``2026-11`` as [its first instant, the next month's); a year outside the archive's
    (before 1970, after 2999: "0001-01" would overflow UTC) is no month."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}", value):
        return None
    year, month = int(value[:4]), int(value[5:])
    if not (1970 <= year <= 2999 and 1 <= month <= 12):
        return None
    first = date(year, month, 1)
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    start, end = (datetime(d.year, d.month, 1, tzinfo=tz) for d in (first, after))
    return start, end


async def wanted(session: AsyncSession, query: MultiMapping[str], deps: Deps) -> Wanted:
    params = {
        k: query.get(k, "").strip()[:MAX_QUERY] for k in ("q", "donvi", "loai", "chude", "thang")
    }
    params = {k: v for k, v in params.items() if v}
    problems: list[str] = []
    every = {u.code: u for u in await units.every(session)}
    chosen: frozenset[str] = frozenset()
    if code := params.get("donvi"):
        if code in every:
            chosen = frozenset(_below(code, every))
        else:
            problems.append("donvi")
    if params.get("loai") not in (None, *KINDS):
        problems.append("loai")
    if (theme := params.get("chude")) and theme not in {t.key for t in deps.org.themes}:
        problems.append("chude")
    month = _month(params["thang"], deps.tz) if "thang" in params else None
    if "thang" in params and month is None:
        problems.append("thang")
    for bad in problems:
        params.pop(bad, None)
    filters = archive.Filters(
        units=chosen,
        kind=params.get("loai"),
        theme=params.get("chude"),
        since=month[0] if month else None,
        until=month[1] if month else None,
    )
    page = number(query.get("trang", "1"))
    return Wanted(params, filters, fold(params.get("q", "")), page or 1, problems, page is None)


def _below(code: str, every: dict[str, Any]) -> set[str]:
    found, todo = {code}, [code]
    while todo:
        parent = todo.pop()
        for child in (c for c, u in every.items() if u.parent_code == parent and c not in found):
            found.add(child)
            todo.append(child)
    return found


def photo_url(media: Media) -> str | None:
    """The media store's address of a photo, once the store keeps its bytes (``sha256``),
    with the extension of its stored type (a PNG is ``.png``: the route checks it)."""
    ext = EXTENSIONS.get(media.mime or "")
    if media.kind != "photo" or not media.sha256 or ext is None:
        return None
    return f"/media/{media.sha256}.{ext}"


def thumb_url(media: Media) -> str | None:
    """Its small copy for the listing (a JPEG, ``bot.runtime.archive_media``), once made;
    the photo itself when it is small enough to be its own."""
    if media.thumb_sha256 and media.thumb_sha256 != media.sha256:
        return f"/media/{media.thumb_sha256}.jpg"
    return photo_url(media)


async def shown(session: AsyncSession, sub: Submission, deps: Deps) -> dict[str, Any]:
    """One item as the pages and the feed show it."""
    return (await shown_many(session, [sub], deps))[0]


async def shown_many(
    session: AsyncSession, subs: Sequence[Submission], deps: Deps
) -> list[dict[str, Any]]:
    """Items as the pages and the feed show them: units, photos and links read for all of
    them at once (three queries, whatever their number)."""
    ids = [sub.id or 0 for sub in subs]
    named = await archive_rows.units_named(session, [sub.unit_code for sub in subs])
    media = await archive_rows.media_of(session, ids)
    posts = await archive_rows.posts_of(session, ids)
    tree = await branches.parents(session)  # one query, whatever the page's length
    found = []
    for sub in subs:
        # Frozen at publication (or the last correction); an item published before that was
        # kept is rendered as it stands.
        text = sub.published_text or render(await cards.post_say(session, sub, deps), "plain")
        sent = posts.get(sub.id or 0, [])
        shows = media.get(sub.id or 0, [])
        found.append(
            {
                "number": sub.id,
                "kind": sub.kind,
                "unit": named.get(sub.unit_code or ""),
                "theme": deps.org.theme(sub.theme_key) if sub.theme_key else None,
                "at": (sub.published_at or sub.created_at).astimezone(deps.tz),
                "text": text,
                "summary": " ".join(text.split())[:200],
                "photos": [url for m in shows if (url := photo_url(m))],  # the page, og:image
                "thumbs": [thumb_url(m) or url for m in shows if (url := photo_url(m))],
                # The branch's and the events' hashtags, as on the post (handlers/branches.py).
                "hashtags": branches.parts_in(deps.org, sub, tree, deps.tz)["hashtags"],
                "links": [
                    (p.platform, p.link) for p in sent if p.link and p.status == OutboxStatus.SENT
                ],
            }
        )
    return found
