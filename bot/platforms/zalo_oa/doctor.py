"""What ``python -m bot doctor`` says of the OA, without spending the single-use refresh
token (a refresh is the bot's, under its lease): whether tokens are in the database (or only
``ZALO_OA_REFRESH_TOKEN`` waits to go in), when the access token ends, how many days the
refresh token has left (✗ under ``AGING``), and, while the stored access token is valid, one
call to the OA's info (``GET /v2.0/oa/getoa``) through the bot's own client."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from bot.platforms.protocol import Finding
from bot.platforms.zalo_oa.answers import ZaloOAError, ZaloOANetworkError
from bot.platforms.zalo_oa.client import ZaloOAClient
from bot.platforms.zalo_oa.tokens import AGING, PLATFORM
from bot.settings import Settings
from storage import clock, tokens
from storage.db import make_engine, make_sessions
from storage.models import PlatformToken

TIMEOUT = 15.0  # seconds, the one call to the OA
LABEL = "Zalo OA"


async def check(settings: Settings) -> list[Finding]:
    engine = make_engine(settings.database_url)
    try:
        async with make_sessions(engine)() as session:
            row = await tokens.get(session, platform=PLATFORM)
            now = clock.now(session)
    except (SQLAlchemyError, OSError) as error:  # the database's own lines say why
        return [Finding(False, "zalo_oa/tokens_unread", {"detail": type(error).__name__})]
    finally:
        await engine.dispose()
    if row is None:
        first = settings.zalo_oa_refresh_token is not None
        return [Finding(first, "zalo_oa/first_token" if first else "zalo_oa/no_token", {})]
    found = _tokens(row, now, settings)
    if row.access_token and row.access_expires_at > now:
        found.append(await _oa(settings, row.access_token))
    return found


def _tokens(row: PlatformToken, now: datetime, settings: Settings) -> list[Finding]:
    def at(moment: datetime) -> str:
        return f"{moment.astimezone(settings.tz):%H:%M %d/%m/%Y}"

    found = [Finding(True, "zalo_oa/tokens_stored", {"refreshed": at(row.refreshed_at)})]
    if row.refused:
        found.append(Finding(False, "zalo_oa/refused", {"reason": row.refused}))
    if not row.access_token:
        found.append(Finding(True, "zalo_oa/access_none", {}))
    elif row.access_expires_at > now:
        found.append(Finding(True, "zalo_oa/access_valid", {"until": at(row.access_expires_at)}))
    else:
        found.append(Finding(True, "zalo_oa/access_ended", {"at": at(row.access_expires_at)}))
    left = row.refresh_expires_at - now
    days = max(0, round(left / timedelta(days=1)))
    context = {"days": days, "until": at(row.refresh_expires_at)}
    if left <= timedelta(0):
        found.append(Finding(False, "zalo_oa/refresh_ended", context))
    else:
        key = "zalo_oa/refresh_ok" if left > AGING else "zalo_oa/refresh_aging"
        found.append(Finding(left > AGING, key, context))
    return found


async def _oa(settings: Settings, token: str) -> Finding:
    secret = settings.zalo_oa_app_secret
    client = ZaloOAClient(
        app_id=settings.zalo_oa_app_id or "",
        app_secret=secret.get_secret_value() if secret else "",
        api_base=str(settings.zalo_oa_api_base),
        oauth_base=str(settings.zalo_oa_oauth_base),
        timeout=TIMEOUT,
    )
    try:
        oa = await client.get_oa(token)
    except ZaloOANetworkError as error:
        detail = {"variable": "ZALO_OA_API_BASE", "detail": error.message[:200]}
        return Finding(False, "unreachable", {"platform": LABEL, **detail})
    except ZaloOAError as error:
        return Finding(False, "zalo_oa/oa_refused", {"code": error.code, "detail": error.message})
    finally:
        await client.close()
    return Finding(
        True, "zalo_oa/oa_ok", {"name": str(oa.get("name", "")), "oa_id": oa.get("oa_id", "")}
    )
