"""What counts among the posts read on a unit's own page (``handlers/pages/counting.py``
reads them): a post whose text carries one of the campaign's two hashtags (its kind by the
hashtag) and that the bot did not publish itself, matched by post id. Each reading is
written idempotently: seen again, a post is updated; no longer shown (deleted) or shown
without a hashtag (edited), it stops counting; its hashtag back, it counts again."""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.engine.context import Deps
from handlers.engine.page_reading import PagePost
from handlers.org import Hashtags
from storage import pages

HASHTAG = re.compile(r"#\w+")


def kind_of(text: str, hashtags: Hashtags) -> str | None:
    """The kind a post's hashtag says, or None without one of the campaign's two."""
    found = {tag.casefold() for tag in HASHTAG.findall(text)}
    if hashtags.tin_tot.casefold() in found:
        return "tin_tot"
    if hashtags.cau_chuyen_dep.casefold() in found:
        return "cau_chuyen_dep"
    return None


def targets(deps: Deps) -> dict[tuple[str, str], str]:
    """(platform, target) → the unit whose page it is: the first unit naming it."""
    found: dict[tuple[str, str], str] = {}
    for unit, platform, target in deps.pages:
        found.setdefault((platform, target), unit)
    return found


async def record(
    session: AsyncSession,
    *,
    deps: Deps,
    unit: str,
    platform: str,
    target: str,
    posts: list[PagePost],
    since: datetime,
    now: datetime,
) -> int:
    """One reading of a page written down; how many of its posts count."""
    own = await pages.own_post_ids(session, platform=platform, target=target)
    kept: list[str] = []
    for post in posts:
        kind = kind_of(post.text, deps.org.hashtags)
        if post.id in own or kind is None or post.at < since:
            continue
        kept.append(post.id)
        await pages.seen(
            session,
            unit=unit,
            platform=platform,
            target=target,
            post_id=post.id,
            link=post.link if (post.link or "").startswith(("https://", "http://")) else None,
            kind=kind,
            at=post.at,
            now=now,
        )
    await pages.gone(session, platform=platform, target=target, since=since, kept=kept, now=now)
    return len(kept)
