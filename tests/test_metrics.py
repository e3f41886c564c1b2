"""``GET /metrics``: Prometheus' text, only for the bearer of METRICS_TOKEN; counts and ages,
nothing about a member."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from storage import inbox, usage
from tests.conftest import FROZEN, running
from tests.harness import ADMIN, CHANNEL, ED1, EDITORS, Harness, free_port
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.support.flows import card, press, submit_raw
from tests.support.monitor import until_health

SCRAPER = "a-long-random-scrape-token-0123"


async def scrape(base: str, token: str | None) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{base}/metrics", headers=headers) as response,
    ):
        return response.status, await response.text()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_are_off_without_a_token(db_url: str, fake: FakeTelegram) -> None:
    port = free_port()
    async with running(Harness(db_url=db_url, fake=fake, now=FROZEN, web_port=port)):
        await until_health(f"http://127.0.0.1:{port}", 200)
        assert (await scrape(f"http://127.0.0.1:{port}", SCRAPER))[0] == 404


async def test_metrics_count_the_work_and_name_no_member(db_url: str, fake: FakeTelegram) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    bot = Harness(
        db_url=db_url,
        fake=fake,
        now=FROZEN,
        web_port=port,
        metrics_token=SCRAPER,
        editor_chat_id=EDITORS,
        admin_ids=f"telegram:{ADMIN}",
        editor_ids=f"telegram:{ED1}",
        publish_targets=f"telegram:{CHANNEL}",
    )
    fake.fail_next("sendMessage", chat_id=CHANNEL, status=403, count=50,
                   description="Forbidden: bot is not a member of the channel chat")  # fmt: skip
    async with running(bot):
        await until_health(base, 200)
        member = bot.member(4301, "Lan")
        await submit_raw(member, fake)
        await card(fake)
        press(fake, ED1, "Duyệt")
        assert bot.app is not None
        async with bot.app.sessions() as session, session.begin():  # a webhook update, stored
            await inbox.store(session, key="telegram:77", platform="telegram", payload={},
                              sender="telegram:4302", seq=77)  # fmt: skip
            # What the Zalo sender counts against its monthly quota (bot/platforms/zalo/usage.py)
            month = usage.month_of(bot.now, bot.settings.tz)
            await usage.add_sent(session, platform="zalo", month=month, count=3)
        bot.now += timedelta(seconds=90)  # and not handled for a minute and a half
        for _ in range(200):
            status, text = await scrape(base, SCRAPER)
            found = samples(text)
            if found.get(("tintot_publish_failures", (("target", f"telegram:{CHANNEL}"),))):
                break
            await fake.idle()
        refused = [await scrape(base, token) for token in (None, "wrong", SCRAPER[:-1])]
    assert status == 200
    assert [status for status, _ in refused] == [401, 401, 401]
    handled = found[("tintot_updates_handled_total", (("platform", "telegram"),))]
    assert handled >= 10  # every step of the member's flow and the editor's press
    assert found[("tintot_platform_up", (("platform", "telegram"),))] == 1.0
    assert found[("tintot_publish_failures", (("target", f"telegram:{CHANNEL}"),))] == 1.0
    failed = (("kind", "post"), ("platform", "telegram"), ("status", "failed"),
              ("target", f"telegram:{CHANNEL}"))  # fmt: skip
    assert found[("tintot_outbox_depth", failed)] == 1.0
    assert found[("tintot_inbox_waiting", (("platform", "telegram"),))] == 1.0
    assert found[("tintot_inbox_lag_seconds", (("platform", "telegram"),))] >= 90
    assert found[("tintot_messages_sent_month", (("platform", "zalo"),))] == 3.0
    # Names, labels and help, without the samples' values: a value may hold any digits (an
    # inbox lag of 90.243025 s once held "4302").
    named = "\n".join(
        line if line.startswith("#") else line.rsplit(" ", 1)[0] for line in text.splitlines()
    )
    assert "4301" not in named and "4302" not in named and "Lan" not in named
    assert str(ED1) not in named and str(EDITORS) not in named
