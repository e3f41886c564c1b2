"""The Zalo client against the fake Zalo Bot API, and parse_update on every shape Zalo sends."""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientSession, web

from bot.platforms.zalo.client import (
    ZaloClient,
    ZaloError,
    ZaloNetworkError,
    ZaloUpdate,
    parse_update,
)
from tests.harness import free_port
from tests.platforms.zalo.fake_zalo import SECRET_HEADER, ZALO_TOKEN, FakeZalo

USER = "7a1f0c9e3b2d4e5f"
PHOTO = "https://example.org/a.jpg"
SECRET = "hook-secret-123"


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    server = FakeZalo()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def client(fake: FakeZalo) -> AsyncIterator[ZaloClient]:
    zalo = ZaloClient(ZALO_TOKEN, api_base=fake.base_url, timeout=5)
    yield zalo
    await zalo.close()


class Receiver:
    """A webhook endpoint: records (secret header, body) and answers the queued statuses."""

    def __init__(self) -> None:
        self.received: list[tuple[str | None, Any]] = []
        self.statuses: list[int] = []
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/zalo", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}/zalo"

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append((request.headers.get(SECRET_HEADER), await request.json()))
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)

    async def wait(self, count: int, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"got {len(self.received)} of {count} posts"
            await asyncio.sleep(0.01)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    app = Receiver()
    await app.start()
    yield app
    assert app.runner is not None
    await app.runner.cleanup()


def assert_no_token(error: BaseException, token: str = ZALO_TOKEN) -> None:
    assert error.__cause__ is None and error.__context__ is None  # nothing chained quotes a URL
    for text in (str(error), repr(error), *map(str, error.args)):
        assert token not in text
    assert token not in "".join(traceback.format_exception(error))


# --- calls -------------------------------------------------------------------------------------


async def test_get_me(client: ZaloClient) -> None:
    me = await client.get_me()
    assert me["account_name"] == "bot.tintot"
    assert ZALO_TOKEN not in repr(client)


async def test_get_updates_returns_one_update_per_call(client: ZaloClient, fake: FakeZalo) -> None:
    first = fake.push_text(USER, "một")
    second = fake.push_text(USER, "hai")
    assert await client.get_updates(timeout=1) == first
    assert await client.get_updates(timeout=1) == second


async def test_get_updates_nothing_arrived_is_none_after_the_poll(
    client: ZaloClient, fake: FakeZalo
) -> None:
    started = time.monotonic()
    assert await client.get_updates(timeout=1) is None
    assert time.monotonic() - started >= 0.9  # it waited out the poll
    # One poll, its timeout a string as Zalo reads it: nothing was asked again meanwhile.
    assert fake.calls == [("getUpdates", {"timeout": "1"})]
    assert fake.errors == []


async def test_get_updates_answers_as_soon_as_one_is_pushed(
    client: ZaloClient, fake: FakeZalo
) -> None:
    poll = asyncio.create_task(client.get_updates(timeout=30))
    await fake.until(lambda: bool(fake.calls))  # the poll is at the fake, waiting
    started = time.monotonic()
    update = fake.push_text(USER, "chào")
    assert await poll == update
    # Woken by the push: the same poll answers, long before its 30 seconds are up.
    assert fake.calls == [("getUpdates", {"timeout": "30"})]
    assert time.monotonic() - started < 15


async def test_send_message_keeps_text_verbatim(client: ZaloClient, fake: FakeZalo) -> None:
    fake.push_text(USER, "hi")
    text = "<b>Tin tốt</b> & <script>" + "x" * 1975
    assert len(text) == 2000
    result = await client.send_message(USER, text)
    assert result["message_id"] == fake.sent[-1].message_id
    assert fake.sent[-1].text == text


@pytest.mark.parametrize("text", ["", "x" * 2001])
async def test_send_message_out_of_bounds_is_refused_before_sending(
    client: ZaloClient, fake: FakeZalo, text: str
) -> None:
    with pytest.raises(ValueError, match="1-2000"):
        await client.send_message(USER, text)
    assert fake.calls == []


async def test_refused_chat_keeps_code_and_description(client: ZaloClient) -> None:
    with pytest.raises(ZaloError) as caught:
        await client.send_message("no-such-chat", "chào")
    assert (caught.value.error_code, caught.value.status) == (400, 200)
    assert caught.value.description == "Bad Request: chat not found"
    assert not isinstance(caught.value, ZaloNetworkError)


async def test_photo_sticker_and_chat_action(client: ZaloClient, fake: FakeZalo) -> None:
    fake.push_text(USER, "hi")
    url = fake.photo_url()  # Zalo fetches it before it answers: one the fake serves
    await client.send_photo(USER, url, caption="Ảnh")
    await client.send_photo(USER, url)
    await client.send_sticker(USER, "abc123")
    assert await client.send_chat_action(USER) == {}  # Zalo answers a bare true
    photo, bare, sticker = fake.sent
    assert (photo.photo, photo.caption) == (url, "Ảnh")
    assert "caption" not in bare.raw
    assert sticker.sticker == "abc123"
    assert fake.calls[-1] == ("sendChatAction", {"chat_id": USER, "action": "typing"})


async def test_http_error_status_is_a_zalo_error(client: ZaloClient, fake: FakeZalo) -> None:
    fake.fail_next("getMe", error_code=502, http_status=502)
    with pytest.raises(ZaloError) as caught:
        await client.get_me()
    assert (caught.value.error_code, caught.value.status) == (502, 502)
    assert caught.value.description == "Bad Gateway"


async def test_an_answer_that_is_not_the_bot_api_is_a_zalo_error() -> None:
    async def html(request: web.Request) -> web.Response:
        return web.Response(status=502, text="<html>Bad Gateway</html>", content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", html)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    zalo = ZaloClient(ZALO_TOKEN, api_base=f"http://127.0.0.1:{runner.addresses[0][1]}")
    try:
        with pytest.raises(ZaloError) as caught:
            await zalo.get_me()
    finally:
        await zalo.close()
        await runner.cleanup()
    assert (caught.value.error_code, caught.value.status) == (None, 502)
    assert_no_token(caught.value)


async def test_wrong_token_never_shows_the_token(fake: FakeZalo) -> None:
    token = "wrong-token-abcdefghijklmnop"
    zalo = ZaloClient(token, api_base=fake.base_url)
    try:
        with pytest.raises(ZaloError) as caught:
            await zalo.get_me()
    finally:
        await zalo.close()
    assert (caught.value.error_code, caught.value.description) == (401, "Unauthorized")
    assert_no_token(caught.value, token)


async def test_timeout_after_sending_may_have_delivered(fake: FakeZalo) -> None:
    fake.push_text(USER, "hi")
    fake.hang_next("sendMessage", 1.0)
    zalo = ZaloClient(ZALO_TOKEN, api_base=fake.base_url, timeout=0.3)
    try:
        with pytest.raises(ZaloNetworkError) as caught:
            await zalo.send_message(USER, "chào")
    finally:
        await zalo.close()
    assert caught.value.maybe_delivered
    assert caught.value.method == "sendMessage"
    assert_no_token(caught.value)
    await fake.wait_for(USER, "chào")  # it did arrive: sending again would repeat it


async def test_connection_refused_was_not_delivered() -> None:
    zalo = ZaloClient(ZALO_TOKEN, api_base=f"http://127.0.0.1:{free_port()}")
    try:
        with pytest.raises(ZaloNetworkError) as caught:
            await zalo.send_message(USER, "chào")
    finally:
        await zalo.close()
    assert not caught.value.maybe_delivered
    assert_no_token(caught.value)


async def test_closing_leaves_a_given_session_open(fake: FakeZalo) -> None:
    async with ClientSession() as session:
        zalo = ZaloClient(ZALO_TOKEN, api_base=fake.base_url, session=session)
        await zalo.get_me()
        await zalo.close()
        assert not session.closed


# --- webhook -----------------------------------------------------------------------------------


async def test_webhook_delivers_flat_and_wrapped_with_the_secret(
    client: ZaloClient, fake: FakeZalo, receiver: Receiver
) -> None:
    await client.set_webhook(receiver.url, SECRET)
    assert (await client.get_webhook_info())["url"] == receiver.url
    flat = fake.push_text(USER, "một")
    wrapped = fake.push_photo(USER, PHOTO, wrapped=True)
    await receiver.wait(2)
    assert receiver.received == [(SECRET, flat), (SECRET, {"ok": True, "result": wrapped})]
    assert [parse_update(body) for _, body in receiver.received] == [
        parse_update(flat),
        parse_update(wrapped),
    ]
    fake.webhook_wrapped = True
    third = fake.push_sticker(USER)
    await receiver.wait(3)
    assert receiver.received[2] == (SECRET, {"ok": True, "result": third})
    await fake.idle()


async def test_webhook_retries_until_2xx(
    client: ZaloClient, fake: FakeZalo, receiver: Receiver
) -> None:
    await client.set_webhook(receiver.url, SECRET)
    receiver.statuses = [500]
    update = fake.push_text(USER, "một")
    await receiver.wait(2)
    assert [body for _, body in receiver.received] == [update, update]
    await fake.idle()


async def test_post_webhook_directly(
    client: ZaloClient, fake: FakeZalo, receiver: Receiver
) -> None:
    await client.set_webhook(receiver.url, SECRET)
    update = {"event_name": "message.text.received", "message": {}}
    receiver.statuses = [403]
    assert await fake.post_webhook(update, secret="wrong", wrapped=True) == 403
    assert await fake.post_webhook(update) == 200
    assert receiver.received == [("wrong", {"ok": True, "result": update}), (SECRET, update)]


async def test_polling_is_off_while_a_webhook_is_set(
    client: ZaloClient, fake: FakeZalo, receiver: Receiver
) -> None:
    await client.set_webhook(receiver.url, SECRET)
    with pytest.raises(ZaloError) as caught:
        await client.get_updates(timeout=1)
    assert caught.value.error_code == 409
    await client.delete_webhook()
    assert (await client.get_webhook_info())["url"] == ""
    update = fake.push_text(USER, "một")
    assert await client.get_updates(timeout=1) == update


# --- parse_update ------------------------------------------------------------------------------


def message(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "message_id": "9f8e7d6c",
        "date": 1_750_000_000_123,
        "chat": {"id": USER, "chat_type": "PRIVATE"},
        "from": {"id": USER, "display_name": "Hà", "is_bot": False},
    }
    return base | fields


def text_update(**fields: Any) -> dict[str, Any]:
    return {"event_name": "message.text.received", "message": message(text="chào") | fields}


def test_parse_flat_text() -> None:
    assert parse_update(text_update()) == ZaloUpdate(
        event_name="message.text.received",
        message_id="9f8e7d6c",
        date_ms=1_750_000_000_123,
        chat_id=USER,
        chat_type="PRIVATE",
        user_id=USER,
        display_name="Hà",
        is_bot=False,
        text="chào",
        caption=None,
        photo_url=None,
        sticker=None,
    )


def test_parse_wrapped_is_the_same() -> None:
    assert parse_update({"ok": True, "result": text_update()}) == parse_update(text_update())


@pytest.mark.parametrize("field", ["photo_url", "photo"])
def test_parse_photo_from_either_field(field: str) -> None:
    raw = {
        "event_name": "message.image.received",
        "message": message(caption="Ảnh", **{field: PHOTO}),
    }
    update = parse_update(raw)
    assert update is not None
    assert (update.photo_url, update.caption, update.text) == (PHOTO, "Ảnh", None)


@pytest.mark.parametrize(
    ("sender", "name"),
    [
        ({"display_name": "Hà", "name": "x"}, "Hà"),
        ({"display_name": " ", "name": "Minh"}, "Minh"),
        ({"first_name": "Lan", "last_name": "Phạm"}, "Lan Phạm"),
        ({"first_name": "Lan"}, "Lan"),
        ({"username": "lan99"}, "lan99"),
        ({}, ""),
    ],
)
def test_parse_display_name_fallbacks(sender: dict[str, Any], name: str) -> None:
    update = parse_update(text_update(**{"from": {"id": 42, "is_bot": True} | sender}))
    assert update is not None
    assert (update.display_name, update.user_id, update.is_bot) == (name, "42", True)


def test_parse_sticker_and_unsupported() -> None:
    sticker = parse_update(
        {"event_name": "message.sticker.received", "message": message(sticker="s1")}
    )
    assert sticker is not None and sticker.sticker == "s1" and sticker.text is None
    other = parse_update({"event_name": "message.unsupported.received", "message": message()})
    assert other is not None and other.event_name == "message.unsupported.received"
    assert (other.text, other.photo_url, other.sticker) == (None, None, None)


async def test_parse_what_the_fake_pushes(client: ZaloClient, fake: FakeZalo) -> None:
    fake.push_photo(USER, PHOTO, use_field="photo", chat_id="g1", chat_type="GROUP")
    update = parse_update(await client.get_updates(timeout=1))
    assert update is not None
    assert (update.chat_id, update.chat_type, update.user_id) == ("g1", "GROUP", USER)
    assert update.photo_url == PHOTO and len(update.message_id) == 32 and update.date_ms > 1e12


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "message.text.received",
        [text_update()],
        {},
        {"ok": True, "result": None},
        {"ok": False, "result": text_update()},
        {"ok": False, "error_code": 408, "description": "Request timeout"},
        {"event_name": 1, "message": message()},
        {"event_name": "message.text.received", "message": "hi"},
        text_update(**{"from": None}),
        text_update(chat={"chat_type": "PRIVATE"}),
        text_update(message_id=True),
        text_update(message_id=""),
        text_update(chat={"id": {"x": 1}}),
    ],
)
def test_parse_garbage_is_none(raw: Any) -> None:
    assert parse_update(raw) is None
