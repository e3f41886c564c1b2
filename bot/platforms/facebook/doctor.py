"""What ``python -m bot doctor`` asks the Graph API: each page of PUBLISH_TARGETS with its own
token (``GET /{page-id}?fields=id,name``, the daily check's call)."""

from __future__ import annotations

from bot.platforms.facebook.client import GraphClient, GraphError, GraphNetworkError
from bot.platforms.protocol import Finding
from bot.settings import Settings

NAME = "facebook"


async def check(settings: Settings) -> list[Finding]:
    client = GraphClient(str(settings.facebook_graph_base))
    found: list[Finding] = []
    try:
        for target in settings.publish_targets:
            if target.platform != NAME:
                continue
            token = settings.facebook_page_tokens[target.id].get_secret_value()
            context: dict[str, object] = {"page": target.id}
            try:
                page = await client.page(target.id, token)
            except GraphError as error:
                found.append(
                    Finding(
                        False,
                        "facebook/page_refused",
                        context | {"code": error.code or error.status},
                    )
                )
            except GraphNetworkError as error:
                away = {"platform": NAME, "variable": "FACEBOOK_GRAPH_BASE", "detail": str(error)}
                found.append(Finding(False, "unreachable", context | away))
            else:
                found.append(
                    Finding(True, "facebook/page_ok", context | {"name": page.get("name", "")})
                )
    finally:
        await client.close()
    return found
