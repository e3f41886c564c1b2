"""The Zalo Official Account (``bot/platforms/zalo_oa/``): the registry's row. Members and
editors write to the union's OA (webhook ``/zalo-oa/webhook``, people ``zalo_oa:<user_id>``);
``zalo_oa:articles`` in ``PUBLISH_TARGETS`` publishes OA articles. Everything of the OA lives
in this folder, its texts in ``templates/platforms/zalo_oa/``, its tests and fake server in
``tests/platforms/zalo_oa/``.

Rules (Zalo's SDKs and OA docs, see ``client``): consultation texts up to 2,000 characters
(counted in UTF-16 units, the safe side), no documented buttons (a numbered list; ``buttons``
is the one switch if a real OA shows they work), answers only inside the interaction window
(``window``), tokens refreshed under a lease across workers (``tokens``, ``lease``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pydantic import BaseModel

from bot.platforms.protocol import (
    Finding,
    Receives,
    Row,
    Sends,
    Service,
    StartProblem,
    TextUnit,
    problem,
)
from bot.platforms.zalo_oa.settings import ZaloOASettings
from bot.platforms.zalo_oa.webhook import OAReceiver

if TYPE_CHECKING:
    from bot.runtime.app import App
    from bot.runtime.media import FetchMedia
    from bot.runtime.safe_fetch import Allowed
    from bot.settings import Settings
    from bot.web.hooks import Receiver

NAME = "zalo_oa"
ARTICLES = "articles"


async def fetch_url(url: str, *, allowed: Allowed, limit: int) -> bytes:
    """A photo arrives as a URL on Zalo's servers: fetched through the one guarded fetcher
    (imported when first needed: the row loads with the settings, before the runtime)."""
    from bot.runtime.media import fetch_url as guarded

    return await guarded(url, allowed=allowed, limit=limit)


class ZaloOA(Row):
    name: str = NAME
    chats: bool = True  # members and editors write to the OA
    buttons: bool = False
    settings_model: type[BaseModel] | None = ZaloOASettings
    receiver: type[Receiver] | None = OAReceiver  # verify: Zalo's signature over the raw body
    fetch_media: FetchMedia | None
    text_limit: int = 2000
    text_unit: TextUnit = TextUnit.UTF16
    secrets: tuple[str, ...] = ("zalo_oa_app_secret", "zalo_oa_secret_key", "zalo_oa_refresh_token")
    sends: frozenset[Sends] = frozenset({Sends.REPLIES, Sends.POSTS})

    commands: tuple[str, ...] = ("zalo-oa-connect",)  # connect.COMMAND: the first tokens

    def __init__(self) -> None:
        self.fetch_media = fetch_url  # on the instance: a function, not a bound method

    def add_commands(self, commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        from bot.platforms.zalo_oa import connect

        connect.add_arguments(commands)

    async def run_command(self, args: argparse.Namespace, settings: Settings) -> int:
        from bot.platforms.zalo_oa import connect

        return await connect.run(args, settings)

    def enabled(self, settings: Settings) -> bool:
        return settings.zalo_oa_app_id is not None

    def receives(self, settings: Settings) -> Receives:
        return Receives.WEBHOOK

    def check(self, settings: Settings) -> None:
        named = [t for t in settings.publish_targets if t.platform == NAME]
        people = [p for p in (*settings.admin_ids, *settings.editor_ids) if p.platform == NAME]
        if settings.zalo_oa_app_id is None:
            if named or people:  # secrets alone are merely unused
                raise problem("ZALO_OA_APP_ID", "zalo_oa/app_id_needed")
            return
        if settings.zalo_oa_app_secret is None:
            raise problem("ZALO_OA_APP_SECRET", "zalo_oa/app_secret_needed")
        if settings.zalo_oa_secret_key is None:
            raise problem("ZALO_OA_SECRET_KEY", "zalo_oa/secret_key_needed")
        for target in named:
            if target.id != ARTICLES:
                raise problem("PUBLISH_TARGETS", "zalo_oa/target", str(target))
        if named and settings.public_base_url is None:
            raise problem("PUBLIC_BASE_URL", "zalo_oa/cover_needs_base")

    async def open(self, app: App) -> Service:
        from bot.platforms.zalo_oa.service import ZaloOAService

        service = ZaloOAService(app)
        try:
            await service.proven()
        except BaseException:
            await service.close()
            raise
        return service

    async def doctor(self, settings: Settings) -> list[Finding]:
        from bot.platforms.zalo_oa.doctor import check

        return await check(settings)

    def explain(self, error: BaseException, *, stage: str) -> StartProblem:
        from bot.platforms.zalo_oa.answers import ZaloOAError, ZaloOANetworkError
        from bot.platforms.zalo_oa.tokens import TokenRefused

        if isinstance(error, ZaloOANetworkError | OSError | TimeoutError):
            return StartProblem("ZALO_OA_API_BASE", "unreachable", str(error))
        if isinstance(error, TokenRefused):
            detail = error.message
            return StartProblem("ZALO_OA_REFRESH_TOKEN", "token_refused", detail, lasting=True)
        if isinstance(error, ZaloOAError):
            if error.status >= 500:
                return StartProblem("ZALO_OA_API_BASE", "server_error", error.message)
            return StartProblem("ZALO_OA_APP_ID", "refused", str(error), lasting=True)
        return StartProblem("ZALO_OA_API_BASE", "other", f"{type(error).__name__}: {error}")


ZALO_OA = ZaloOA()
