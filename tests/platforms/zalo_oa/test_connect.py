"""``python -m bot zalo-oa-connect``: an OA admin allows the app in the browser and pastes
the address Zalo sent them to; the bot's first tokens are in the database, and the code
cannot be used twice."""

from __future__ import annotations

import argparse

import aiohttp
import pytest

from bot.platforms.zalo_oa import connect
from bot.settings import Settings
from storage import tokens
from storage.db import make_engine, make_sessions
from tests.harness import ORG
from tests.platforms.zalo_oa.fake_oa import FakeOA
from tests.platforms.zalo_oa.fake_oauth import FIRST_REFRESH
from tests.platforms.zalo_oa.people import oa_settings

CALLBACK = "https://bot.example.vn/zalo-oa/ket-noi"


async def test_an_admin_connects_the_oa_from_the_command_line(
    db_url: str, oa: FakeOA, capsys: pytest.CaptureFixture[str]
) -> None:
    values = oa_settings(oa, 8080) | {"zalo_oa_refresh_token": None}
    settings = Settings(_env_file=None, database_url=db_url, org_config=ORG, **values)
    shown: list[str] = []
    landed: list[str] = []

    async def admin(line: str) -> str:
        """Opens the address shown, allows the app, pastes where the browser landed."""
        shown.append(line)
        url = next(word for word in line.split() if word.startswith("http"))
        async with aiohttp.ClientSession() as http, http.get(url, allow_redirects=False) as got:
            landed.append(got.headers["Location"])
            return landed[-1]

    args = argparse.Namespace(redirect_uri=CALLBACK)
    assert await connect.run(args, settings, admin) == 0
    assert "code_challenge=" in shown[0] and "redirect_uri=https%3A%2F%2Fbot.example.vn" in shown[0]
    engine = make_engine(db_url)
    try:
        async with make_sessions(engine)() as session:
            row = await tokens.get(session, platform="zalo_oa")
        assert row is not None and row.access_token in oa.access
        assert row.refresh_token in oa.refresh_tokens and row.refresh_token != FIRST_REFRESH
    finally:
        await engine.dispose()

    # The same address pasted into another run: its state belongs to the first run.
    capsys.readouterr()
    assert await connect.run(args, settings, lambda line: _same(landed[0])) == 2
    assert "không thuộc lần kết nối này" in capsys.readouterr().out


async def _same(address: str) -> str:
    return address
