"""Reading a unit's WordPress site for the counting of its own posts
(``handlers.engine.page_reading.PageReader``): ``GET /wp-json/wp/v2/posts?after=…``, page
after page (``X-WP-TotalPages``), the text being the rendered title and content without
markup. A site has no followers figure. A refused password is told to the admins once a day
per site, as for publishing."""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from bot.platforms.wordpress.client import WordPressClient, WordPressError
from handlers.engine.page_reading import Audience, PagePost, ReadRefused

TAG = re.compile(r"<[^>]+>")
MOST_PAGES = 50
REFUSED = (401, 403)
Refused = Callable[[str, str], Awaitable[None]]


class WordPressReader:
    def __init__(self, clients: dict[str, WordPressClient], refused: Refused) -> None:
        self.clients, self.refused = clients, refused

    async def posts(self, target: str, since: datetime) -> list[PagePost]:
        client = self.clients.get(target)
        if client is None:
            raise ReadRefused(f"no site {target}")
        after = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        found: list[PagePost] = []
        page, pages = 1, 1
        while page <= min(pages, MOST_PAGES):
            try:
                items, pages = await client.posts_page(after=after, page=page)
            except WordPressError as error:
                if error.status in REFUSED:
                    await self.refused(target, f"{error.code}: {error.message}")
                    raise ReadRefused(str(error)) from None
                raise
            found += [post for item in items if (post := _post(item))]
            page += 1
        return found

    async def audience(self, target: str) -> Audience | None:
        return None


def _text(field: Any) -> str:
    rendered = field.get("rendered") if isinstance(field, dict) else field
    return html.unescape(TAG.sub(" ", str(rendered or "")))


def _post(item: dict[str, Any]) -> PagePost | None:
    try:
        at = datetime.fromisoformat(str(item["date_gmt"])).replace(tzinfo=UTC)
    except (KeyError, ValueError):
        return None
    text = f"{_text(item.get('title'))}\n{_text(item.get('content'))}"
    link = item.get("link")
    return PagePost(str(item.get("id")), text, str(link) if link else None, at)
