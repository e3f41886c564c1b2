"""The OA's tokens live in the database: two workers refreshing at once spend the single-use
refresh token once, a restart goes on with the newest pair (never the first one from the
settings again), -216 means refresh now, and the admins hear when Zalo refuses a refresh."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import col, select

from bot.platforms.zalo_oa.client import ZaloOAClient
from bot.platforms.zalo_oa.tokens import TokenKeeper
from bot.runtime.app import make_deps
from bot.serve.compose import platforms
from bot.settings import Settings
from handlers.org import load_org
from storage import reach, tokens
from storage.db import make_engine, make_sessions, writing
from storage.models import Outbox
from tests.conftest import FROZEN
from tests.harness import ADMIN, ORG, Harness, MovingClock
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.zalo_oa.fake_oa import FakeOA
from tests.platforms.zalo_oa.fake_oauth import APP_ID, APP_SECRET, FIRST_REFRESH
from tests.platforms.zalo_oa.people import OAChat


async def test_two_workers_refreshing_at_once_spend_the_refresh_token_once(
    db_url: str, oa: FakeOA
) -> None:
    settings = Settings(_env_file=None, database_url=db_url, org_config=ORG)
    clock = MovingClock(FROZEN)
    oa.clock = clock
    deps = make_deps(settings, load_org(ORG), clock, platforms())
    engines = [make_engine(db_url) for _ in range(2)]  # two workers, two connection pools
    clients = [
        ZaloOAClient(
            app_id=APP_ID, app_secret=APP_SECRET, api_base=oa.base_url, oauth_base=oa.base_url
        )
        for _ in engines
    ]
    keepers = [
        TokenKeeper(make_sessions(e, clock), c, deps, first_refresh_token=FIRST_REFRESH)
        for e, c in zip(engines, clients, strict=True)
    ]
    try:
        await asyncio.gather(*(k.seed() for k in keepers))
        first = await asyncio.gather(*(k.access() for k in keepers))
        assert first[0] == first[1] and oa.spent == [FIRST_REFRESH] and oa.refusals == []

        oa.expire_access_tokens()  # Zalo calls the token invalid (-216) before its time
        oas = await asyncio.gather(
            *(k.call(c.get_oa) for k, c in zip(keepers, clients, strict=True))
        )
        assert oas[0]["oa_id"] == oas[1]["oa_id"] == "oa-1"
        assert len(oa.spent) == 2 and oa.refusals == []  # one refresh for both workers

        clock.set(FROZEN + timedelta(hours=25))  # the access token nears its 90,000 seconds
        await asyncio.gather(*(k.keep_fresh() for k in keepers))
        assert len(oa.spent) == 3 and oa.refusals == []
    finally:
        for client, engine in zip(clients, engines, strict=True):
            await client.close()
            await engine.dispose()


async def test_a_restart_goes_on_with_the_newest_tokens_and_a_refusal_is_told(
    oa_bot: Harness, fake: FakeTelegram, oa: FakeOA
) -> None:
    await oa_bot.member(ADMIN, "Quản trị").send("/start")  # Telegram: the admin's chat exists
    member = OAChat(oa, "oa-user-4001")
    member.follow()
    await member.send("/start", "Chọn đơn vị")
    assert oa.spent == [FIRST_REFRESH]

    await oa_bot.stop()
    oa_bot.now = oa_bot.now + timedelta(hours=26)  # the access token ran out meanwhile
    await oa_bot.start()
    await member.send("2", "Đã lưu đơn vị")
    assert len(oa.spent) == 2 and oa.spent[1] != FIRST_REFRESH and oa.refusals == []

    oa.refresh_tokens.clear()  # revoked on Zalo's side
    oa.expire_access_tokens()
    mark = fake.mark()
    oa.push_text(member.id, "/gui")
    told = await fake.wait_for(ADMIN, "Zalo OA đã ngừng nhận lời của bot", after=mark)
    assert "python -m bot zalo-oa-connect" in (told.plain or "") and len(oa.refusals) == 1


async def test_admins_hear_of_a_refused_refresh_and_of_a_refresh_token_nearing_its_end(
    db_url: str, oa: FakeOA
) -> None:
    admins = f"telegram:{ADMIN}"
    settings = Settings(_env_file=None, database_url=db_url, org_config=ORG, admin_ids=admins)
    clock = MovingClock(FROZEN)
    oa.clock = clock
    engine = make_engine(db_url)
    sessions = make_sessions(engine, clock)
    client = ZaloOAClient(
        app_id=APP_ID, app_secret=APP_SECRET, api_base=oa.base_url, oauth_base=oa.base_url
    )
    deps = make_deps(settings, load_org(ORG), clock, platforms())
    keeper = TokenKeeper(sessions, client, deps, first_refresh_token=FIRST_REFRESH)
    try:
        await keeper.seed()
        oa.refresh_tokens.clear()  # revoked before the bot ever used it
        await keeper.keep_fresh()
        await keeper.keep_fresh()  # a refused token is not offered to Zalo again and again
        assert oa.refusals == [FIRST_REFRESH]
        clock.set(FROZEN + timedelta(days=80))  # ten days left of its three months
        await keeper.keep_fresh()
        await keeper.keep_fresh()  # told once a day at most
        async with sessions() as session:
            rows = (await session.exec(select(Outbox).order_by(col(Outbox.id)))).all()
        assert [(r.template, r.chat_id) for r in rows] == [
            ("platforms/zalo_oa/token_refused.j2", str(ADMIN)),
            ("platforms/zalo_oa/token_aging.j2", str(ADMIN)),
        ]
        assert rows[0].context["code"] == -14014
        assert str(rows[1].context["expires_at"]).startswith("2027-02-15")
    finally:
        await client.close()
        await engine.dispose()


async def test_a_members_answer_is_not_kept_waiting_while_a_refresh_is_in_flight(
    db_url: str, oa: FakeOA
) -> None:
    settings = Settings(_env_file=None, database_url=db_url, org_config=ORG)
    clock = MovingClock(FROZEN)
    oa.clock = clock
    engine = make_engine(db_url)
    sessions = make_sessions(engine, clock)
    client = ZaloOAClient(
        app_id=APP_ID, app_secret=APP_SECRET, api_base=oa.base_url, oauth_base=oa.base_url
    )
    keeper = TokenKeeper(
        sessions, client, make_deps(settings, load_org(ORG), clock, platforms()),
        first_refresh_token=FIRST_REFRESH,
    )  # fmt: skip
    happened: list[str] = []

    async def refreshing() -> str:
        token = await keeper.access()  # the OAuth server is slow to answer this one
        happened.append("refreshed")
        return token

    async def a_member_answered() -> None:
        await oa.refresh_asked.wait()  # the refresh is in flight now
        async with writing(sessions, "a member's answer"), sessions.begin() as session:
            await reach.touch(session, platform="zalo_oa", user_id="oa-user-1", at=FROZEN)
        happened.append("answered")
        oa.answer_refreshes()

    try:
        await keeper.seed()
        oa.hold_refreshes()
        token, _ = await asyncio.gather(refreshing(), a_member_answered())
        assert happened == ["answered", "refreshed"]  # no lock held across the OAuth call
        assert oa.spent == [FIRST_REFRESH] and await keeper.access() == token
        async with sessions() as session:
            assert await reach.last(session, platform="zalo_oa", user_id="oa-user-1") == FROZEN
    finally:
        await client.close()
        await engine.dispose()


async def test_a_refresh_left_by_a_worker_that_died_is_taken_over_once_its_lease_lapses(
    db_url: str, oa: FakeOA
) -> None:
    settings = Settings(_env_file=None, database_url=db_url, org_config=ORG)
    clock = MovingClock(FROZEN)
    oa.clock = clock
    engine = make_engine(db_url)
    sessions = make_sessions(engine, clock)
    client = ZaloOAClient(
        app_id=APP_ID, app_secret=APP_SECRET, api_base=oa.base_url, oauth_base=oa.base_url
    )
    keeper = TokenKeeper(
        sessions, client, make_deps(settings, load_org(ORG), clock, platforms()),
        first_refresh_token=FIRST_REFRESH,
    )  # fmt: skip
    try:
        await keeper.seed()
        async with sessions.begin() as session:  # a worker claimed the refresh, then died
            dead = await tokens.lease(
                session, platform="zalo_oa", owner="died", until=FROZEN + timedelta(minutes=1)
            )
        assert dead is not None and dead.refresh_token == FIRST_REFRESH
        waiting = asyncio.create_task(keeper.access())
        while not oa.spent:  # the lease lapses; only then is the refresh token spent
            assert not waiting.done()
            clock.set(clock() + timedelta(seconds=20))
            await asyncio.sleep(0.05)
        token = await waiting
        assert oa.spent == [FIRST_REFRESH] and clock() > FROZEN + timedelta(minutes=1)
        async with sessions.begin() as session:  # the dead worker's late answer is not kept
            late = await tokens.store(
                session, platform="zalo_oa", owner="died", spent=FIRST_REFRESH,
                access_token="late", access_expires_at=clock(), refresh_token="late",
                refresh_expires_at=clock(),
            )  # fmt: skip
            row = await tokens.get(session, platform="zalo_oa")
        assert not late and row is not None and row.access_token == token
        assert (row.refreshing_by, row.refreshing_until) == (None, None)
    finally:
        await client.close()
        await engine.dispose()
