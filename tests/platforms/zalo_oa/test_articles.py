"""``zalo_oa:articles``: an approved item becomes an OA article, its first photo the cover by
the bot's public media URL; the item counts as published once Zalo's article/verify gives the
article's id, and the member hears it."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Outbox
from tests.conftest import FROZEN, running
from tests.harness import CHANNEL, ED1, Harness, free_port
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.zalo_oa.fake_oa import FakeOA
from tests.platforms.zalo_oa.people import OAChat, oa_settings, submit_on_oa
from tests.support.flows import card, press


async def test_an_article_is_published_once_zalo_verifies_it(
    db_url: str, fake: FakeTelegram, oa: FakeOA
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = oa_settings(
        oa, port, publish_targets=f"telegram:{CHANNEL},zalo_oa:articles", public_base_url=base
    )
    bot = Harness(db_url=db_url, fake=fake, now=FROZEN, **settings)
    oa.clock, oa.webhook_url, oa.article_polls = bot.clock, f"{base}/zalo-oa/webhook", 2
    async with running(bot):
        member = OAChat(oa, "oa-user-6001")
        await submit_on_oa(member)
        await card(fake)
        press(fake, ED1, "Duyệt")
        await oa.wait_for(member.id, "đã được đăng")
        [article] = oa.published()
        body = article.body
        assert (body["type"], body["status"]) == ("normal", "show")
        assert body["title"].startswith("Tin tốt") and len(body["description"]) <= 300
        assert any("Cô Hoa" in item.get("content", "") for item in body["body"])
        cover = body["cover"]["photo_url"]
        assert cover.startswith(f"{base}/media/") and oa.fetched == [cover]
        assert "broadcast" not in str(body).lower()
        assert bot.app is not None
        async with bot.app.sessions() as session:
            query = select(Outbox).where(Outbox.platform == "zalo_oa", Outbox.kind == "post")
            [post] = (await session.exec(query)).all()
        assert (post.status, post.message_ids) == ("sent", [article.id])
        [sub] = await bot.submissions()
        assert sub.status == "published"
