"""Reading a unit's Facebook page for the counting of its own posts and its audience
(``handlers.engine.page_reading.PageReader``):

- graph-api/reference/page/feed (reading): ``GET /{page-id}/posts?fields=id,message,
  created_time,permalink_url&since=<unix time>``, newest first, ``paging.next`` while more;
- graph-api/reference/page: ``GET /{page-id}?fields=followers_count,fan_count``.

Both need the page token (and the pages_read_engagement permission): a refusal is told to
the admins once per token and problem, as for publishing."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.platforms.facebook.client import GraphClient, GraphError
from handlers.engine.page_reading import Audience, PagePost, ReadRefused

log = logging.getLogger(__name__)
FIELDS = "id,message,created_time,permalink_url"
MOST_PAGES = 50  # of 100 posts each: a page posting more in the window is not a fanpage
TokenProblem = Callable[[str, GraphError], Awaitable[None]]


class FacebookReader:
    def __init__(self, client: GraphClient, tokens: dict[str, str], problem: TokenProblem):
        self.client, self.tokens, self.problem = client, tokens, problem

    async def posts(self, target: str, since: datetime) -> list[PagePost]:
        path: str | None = (
            f"{target}/posts?fields={FIELDS}&since={int(since.timestamp())}&limit=100"
        )
        found: list[PagePost] = []
        for _ in range(MOST_PAGES):
            if path is None:
                break
            answer = await self._get(target, path)
            found += [post for item in answer.get("data") or [] if (post := _post(item))]
            following = (answer.get("paging") or {}).get("next")
            path = self.client.relative(str(following)) if following else None
        return found

    async def audience(self, target: str) -> Audience | None:
        answer = await self._get(target, f"{target}?fields=followers_count,fan_count")
        followers, fans = answer.get("followers_count"), answer.get("fan_count")
        return Audience(
            followers if isinstance(followers, int) else None,
            fans if isinstance(fans, int) else None,
        )

    async def _get(self, target: str, path: str) -> dict[str, Any]:
        token = self.tokens.get(target)
        if token is None:
            raise ReadRefused(f"no token for page {target}")
        try:
            return await self.client.call("GET", path, token)
        except GraphError as error:
            await self.problem(target, error)
            raise ReadRefused(str(error)) from None


def _post(item: Any) -> PagePost | None:
    if not isinstance(item, dict) or not item.get("id") or not item.get("created_time"):
        return None
    try:
        at = datetime.strptime(str(item["created_time"]), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        log.warning("Facebook post %s: unreadable created_time", item.get("id"))
        return None
    link = item.get("permalink_url")
    return PagePost(
        str(item["id"]), str(item.get("message") or ""), str(link) if link else None, at
    )
