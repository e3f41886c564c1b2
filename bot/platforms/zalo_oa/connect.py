"""``python -m bot zalo-oa-connect``: an admin of the OA gives the bot its first tokens, with
OAuth v4's authorization code and PKCE on the command line (zalo-php-sdk's
``src/Util/PKCEUtil.php``: a random verifier, the challenge the base64url of its SHA-256
without padding). The admin opens ``{oauth}/v4/oa/permission?app_id&redirect_uri&
code_challenge&state``, allows the app for the OA, and pastes back the address Zalo sent the
browser to (its ``code`` lives 10 minutes and works once); the code and the verifier become
the two tokens, stored in the database, where every worker finds them."""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

from bot.platforms.zalo_oa.answers import ZaloOAError
from bot.platforms.zalo_oa.client import ZaloOAClient
from bot.platforms.zalo_oa.tokens import PLATFORM, REFRESH_LIFE
from bot.runtime.app import Platforms, build
from bot.settings import Settings
from handlers.engine.texts import render
from handlers.engine.types import Say
from storage import clock, tokens

COMMAND = "zalo-oa-connect"
Ask = Callable[[str], Awaitable[str]]  # shows a line, returns what the admin pasted


def add_arguments(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    connect = commands.add_parser(COMMAND, help="give the bot the Zalo OA's first tokens")
    connect.add_argument(
        "--redirect-uri", required=True, help="the app's callback URL on Zalo for Developers"
    )


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(32)  # 43 characters of the URL-safe alphabet
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


def say(step: str, **ctx: object) -> str:
    return render(Say("platforms/zalo_oa/connect.j2", {"step": step, **ctx}), "plain")


async def _typed(line: str) -> str:
    return await asyncio.to_thread(input, line + "\n> ")


async def run(args: argparse.Namespace, settings: Settings, ask: Ask = _typed) -> int:
    app_id, secret = settings.zalo_oa_app_id, settings.zalo_oa_app_secret
    if app_id is None or secret is None:
        print(say("not_configured"))
        return 2
    verifier, challenge = pkce()
    state = secrets.token_urlsafe(12)
    query = {
        "app_id": app_id,
        "redirect_uri": args.redirect_uri,
        "code_challenge": challenge,
        "state": state,
    }
    oauth = str(settings.zalo_oa_oauth_base).rstrip("/")
    pasted = await ask(say("open", url=f"{oauth}/v4/oa/permission?{urlencode(query)}"))
    found = parse_qs(urlsplit(pasted.strip()).query)
    if found.get("state", [""])[0] != state:
        print(say("state_mismatch"))
        return 2
    code = found.get("code", [""])[0]
    if not code:
        print(say("no_code"))
        return 2
    client = ZaloOAClient(
        app_id=app_id,
        app_secret=secret.get_secret_value(),
        api_base=str(settings.zalo_oa_api_base),
        oauth_base=oauth,
    )
    try:
        got = await client.exchange_code(code, verifier)
    except ZaloOAError as error:
        print(say("refused", reason=error.message, code=error.code))
        return 1
    finally:
        await client.close()
    app = await build(settings, Platforms(), task=True)  # its store only: no platform serves
    try:
        async with app.sessions() as session, session.begin():
            now = clock.now(session)
            await tokens.seed(
                session,
                platform=PLATFORM,
                refresh_token=got.refresh_token,
                refresh_expires_at=now + REFRESH_LIFE,
            )
            row = await tokens.claimed(session, platform=PLATFORM)
            assert row is not None
            tokens.save(
                row,
                access_token=got.access_token,
                access_expires_at=now + timedelta(seconds=got.expires_in),
                refresh_token=got.refresh_token,
                refresh_expires_at=now + REFRESH_LIFE,
                now=now,
            )
            session.add(row)
    finally:
        await app.close()
    print(say("done", hours=got.expires_in // 3600))
    return 0
