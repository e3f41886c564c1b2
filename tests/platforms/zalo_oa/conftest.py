"""The fake OA, and the bot serving it beside the Telegram desk (on every backend)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import FROZEN, running
from tests.harness import Harness, free_port
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.zalo_oa.fake_oa import FakeOA
from tests.platforms.zalo_oa.people import oa_settings


@pytest.fixture
async def oa() -> AsyncIterator[FakeOA]:
    async with running(FakeOA()) as server:
        yield server


@pytest.fixture
async def oa_bot(db_url: str, fake: FakeTelegram, oa: FakeOA) -> AsyncIterator[Harness]:
    port = free_port()
    harness = Harness(db_url=db_url, fake=fake, now=FROZEN, **oa_settings(oa, port))
    oa.clock, oa.webhook_url = harness.clock, f"http://127.0.0.1:{port}/zalo-oa/webhook"
    async with running(harness):
        yield harness
