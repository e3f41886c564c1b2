"""The fake Telegram server answers the real aiogram client the way Telegram does."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    InputMediaVideo,
    Message,
)
from aiogram.types.media_union import MediaUnion
from aiohttp import web

from tests.platforms.telegram.fake_telegram import TOKEN, FakeTelegram

USER = 1001
PHOTO_URL = "https://example.org/a.jpg"


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(text=label, callback_data=label.lower()) for label in labels]
    return InlineKeyboardMarkup(inline_keyboard=[buttons])


def make_bot(fake: FakeTelegram, token: str = TOKEN) -> Bot:
    return Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url)))


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    server.push_text(USER, "/start")  # so the user's private chat exists
    yield server
    await server.stop()


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    client = make_bot(fake)
    yield client
    await client.session.close()


async def test_html_is_parsed_into_plain_text_and_entities(fake: FakeTelegram, bot: Bot) -> None:
    source = '<b>Xin chào</b> &amp; <a href="https://x.org/?a=1&b=2">link</a> &#127775;'
    msg = await bot.send_message(USER, source, parse_mode="HTML")

    assert msg.text == "Xin chào & link 🌟"
    assert [(e.type, e.offset, e.length) for e in msg.entities or []] == [
        ("bold", 0, 8),
        ("text_link", 11, 4),
    ]
    assert msg.entities and msg.entities[1].url == "https://x.org/?a=1&b=2"
    sent = fake.sent[-1]
    assert (sent.text, sent.plain, sent.parse_mode) == (source, msg.text, "HTML")


async def test_escaped_tags_are_text(fake: FakeTelegram, bot: Bot) -> None:
    msg = await bot.send_message(USER, "&lt;b&gt; &#60;i&#x3E; &quot;", parse_mode="HTML")
    assert msg.text == fake.sent[-1].plain == '<b> <i> "'


async def test_without_parse_mode_text_is_literal(fake: FakeTelegram, bot: Bot) -> None:
    msg = await bot.send_message(USER, "<b>&nbsp;</b>")
    assert msg.text == fake.sent[-1].plain == "<b>&nbsp;</b>"


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("Hi <script>x</script>", 'Unsupported start tag "script" at byte offset 3'),
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("a&nbsp;b", 'Unsupported HTML entity "&nbsp;" at byte offset 1'),
        ("&copy 2024", 'Unsupported HTML entity "&copy"'),
        ("Tom & Jerry", "Character '&' is reserved"),
        ("1 < 2", 'Unsupported start tag ""'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ('<span class="big">x</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("<a>x</a>", 'Tag "a" must have attribute "href"'),
    ],
)
async def test_invalid_html_is_rejected(
    fake: FakeTelegram, bot: Bot, html: str, error: str
) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities") as caught:
        await bot.send_message(USER, html, parse_mode="HTML")

    assert error in caught.value.message
    assert fake.errors[-1][:2] == ("sendMessage", 400)
    assert fake.sent == []


async def test_supported_tags_are_accepted(bot: Bot) -> None:
    html = (
        "<strong>a</strong><em>b</em><ins>c</ins><del>d</del><tg-spoiler>e</tg-spoiler>"
        '<span class="tg-spoiler">f</span><code>g</code><pre>h</pre>'
        "<blockquote expandable>i</blockquote>"
    )
    msg = await bot.send_message(USER, html, parse_mode="html")
    assert msg.text == "abcdefghi"
    assert msg.entities and msg.entities[-1].type == "expandable_blockquote"


async def test_text_length_counts_parsed_utf16_units(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(USER, "a" * 4096)
    await bot.send_message(USER, "&amp;" * 4096, parse_mode="HTML")
    await bot.send_message(USER, "🌟" * 2048)  # two UTF-16 units each
    for too_long in ("a" * 4097, "🌟" * 2049):
        with pytest.raises(TelegramBadRequest, match="message is too long"):
            await bot.send_message(USER, too_long)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(USER, "<b> </b>\n", parse_mode="HTML")
    assert len(fake.sent) == 3


async def test_caption_length_is_limited(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_photo(USER, PHOTO_URL, caption="c" * 1024)
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(USER, PHOTO_URL, caption="c" * 1025)
    assert fake.sent[-1].media == [("photo", PHOTO_URL)]


async def test_unknown_private_chat_is_not_found(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(USER + 1, "hi")
    assert (await bot.send_message(-1001234, "hi")).chat.type == "supergroup"


async def test_callback_data_is_limited_to_64_bytes(fake: FakeTelegram, bot: Bot) -> None:
    def markup(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="OK", callback_data=data)]]
        )

    await bot.send_message(USER, "ok", reply_markup=markup("é" * 32))
    for data in ("a" * 65, "é" * 33):
        with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
            await bot.send_message(USER, "too long", reply_markup=markup(data))
    bare = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="plain")]])
    with pytest.raises(TelegramBadRequest, match="text buttons are unallowed"):
        await bot.send_message(USER, "no action", reply_markup=bare)
    assert fake.sent[0].buttons == [[("OK", "é" * 32)]]


async def test_get_updates_offsets(fake: FakeTelegram, bot: Bot) -> None:
    second = fake.push_text(USER, "hai", username="an")

    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["/start", "hai"]
    start = updates[0].message
    assert start and start.entities and start.entities[0].type == "bot_command"
    assert start.from_user and start.from_user.language_code == "vi"

    confirmed = await bot.get_updates(offset=second["update_id"])
    assert [u.update_id for u in confirmed] == [second["update_id"]]
    assert await bot.get_updates(offset=second["update_id"] + 1) == []

    for text in ("a", "b", "c"):
        fake.push_text(USER, text)
    last = await bot.get_updates(offset=-1)
    assert [u.message.text for u in last if u.message] == ["c"]


async def test_long_poll_returns_as_soon_as_an_update_arrives(fake: FakeTelegram, bot: Bot) -> None:
    first = (await bot.get_updates())[-1].update_id
    poll = asyncio.create_task(bot.get_updates(offset=first + 1, timeout=10))
    await asyncio.sleep(0.3)
    assert not poll.done()

    started = time.monotonic()
    fake.push_photo(USER, caption="ảnh")
    updates = await asyncio.wait_for(poll, 2)

    assert time.monotonic() - started < 1
    photo = updates[0].message
    assert photo and photo.photo and len(photo.photo) == 3 and photo.caption == "ảnh"


async def test_a_second_poller_conflicts(fake: FakeTelegram, bot: Bot) -> None:
    await bot.get_updates()  # drain /start
    older = asyncio.create_task(bot.get_updates(offset=10**10, timeout=10))
    await asyncio.sleep(0.2)
    assert await bot.get_updates(offset=10**10) == []
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await older


async def test_replayed_update_is_delivered_again(fake: FakeTelegram, bot: Bot) -> None:
    original = fake.push_text(USER, "once")
    update_id = (await bot.get_updates())[-1].update_id
    assert update_id == original["update_id"]
    assert await bot.get_updates(offset=update_id + 1) == []

    fake.push_update(original)  # e.g. Telegram re-sending after a lost confirmation
    replayed = await bot.get_updates(offset=update_id + 1)
    assert [u.update_id for u in replayed] == [update_id]
    assert await bot.get_updates(offset=update_id + 1) == []


async def test_press_finds_the_newest_button(fake: FakeTelegram, bot: Bot) -> None:
    fake.push_text(USER, "hi", first_name="Lan", username="lan_dv")
    await bot.get_updates()
    old = await bot.send_message(USER, "Old?", reply_markup=keyboard("Yes please"))
    new = await bot.send_message(USER, "New?", reply_markup=keyboard("Yes please", "No"))

    pushed = fake.press(USER, "Yes")
    update = (await bot.get_updates(offset=pushed["update_id"]))[0]

    query = update.callback_query
    assert query and query.data == "yes please" and query.message
    assert query.message.message_id == new.message_id != old.message_id
    assert (query.from_user.first_name, query.from_user.username) == ("Lan", "lan_dv")
    assert await bot.answer_callback_query(query.id, text="Đã nhận")
    assert fake.callback_answers[-1]["text"] == "Đã nhận"
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)
    with pytest.raises(AssertionError, match="'Yes please', 'No'"):
        fake.press(USER, "Maybe")


async def test_429_raises_retry_after(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER, "hi")
    assert caught.value.retry_after == 7
    assert "retry after 7" in caught.value.message
    await bot.send_message(USER, "again")  # only the next call fails
    assert [s.plain for s in fake.sent] == ["again"]


async def test_fault_can_target_one_chat(fake: FakeTelegram, bot: Bot) -> None:
    blocked = "Forbidden: bot was blocked by the user"
    fake.fail_next("sendMessage", status=403, description=blocked, chat_id=-100)
    await bot.send_message(USER, "fine")
    with pytest.raises(TelegramForbiddenError, match="bot was blocked"):
        await bot.send_message(-100, "blocked")


async def test_500_raises_server_error(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("getMe", count=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError, match="Internal Server Error"):
            await bot.get_me()
    assert (await bot.get_me()).username == fake.bot_username


async def test_hang_makes_the_client_time_out(fake: FakeTelegram, bot: Bot) -> None:
    fake.hang_next("sendMessage", 1.5)
    with pytest.raises(TelegramNetworkError, match="timeout"):
        await bot.send_message(USER, "slow", request_timeout=1)
    assert (await fake.wait_for(USER)).plain == "slow"  # Telegram still delivers it


async def test_media_group_shares_an_id(fake: FakeTelegram, bot: Bot) -> None:
    video = fake.push_video(USER)["message"]["video"]["file_id"]
    upload = BufferedInputFile(b"\xff\xd8jpeg", filename="p.jpg")
    media: list[MediaUnion] = [
        InputMediaPhoto(media=PHOTO_URL, caption="<b>Album</b>", parse_mode="HTML"),
        InputMediaVideo(media=video),
        InputMediaPhoto(media=upload),
    ]
    messages = await bot.send_media_group(USER, media)

    assert len({m.media_group_id for m in messages}) == 1 and messages[0].media_group_id
    assert messages[0].caption == "Album" and messages[1].video
    album = fake.sent[-3:]
    assert [s.message_id for s in album] == [m.message_id for m in messages]
    assert album[0].media[:2] == [("photo", PHOTO_URL), ("video", video)]
    with pytest.raises(TelegramBadRequest, match="can't use file of type Video as Photo"):
        await bot.send_photo(USER, video)


async def test_edit_text_and_not_modified(fake: FakeTelegram, bot: Bot) -> None:
    msg = await bot.send_message(USER, "<b>Hi</b>", parse_mode="HTML", reply_markup=keyboard("A"))

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "<strong>Hi</strong>",
            chat_id=USER,
            message_id=msg.message_id,
            parse_mode="HTML",
            reply_markup=keyboard("A"),
        )
    await bot.edit_message_text("<b>Hi</b>", chat_id=USER, message_id=msg.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)

    [current] = fake.messages(USER)
    assert (current.method, current.plain, current.buttons) == ("editMessageText", "<b>Hi</b>", [])


async def test_edit_reply_markup_and_delete(fake: FakeTelegram, bot: Bot) -> None:
    msg = await bot.send_photo(USER, PHOTO_URL, caption="c", reply_markup=keyboard("A"))
    await bot.edit_message_reply_markup(
        chat_id=USER, message_id=msg.message_id, reply_markup=keyboard("B")
    )
    assert fake.messages(USER)[0].buttons == [[("B", "b")]]
    assert fake.messages(USER)[0].plain == "c"
    edited = await bot.edit_message_caption(chat_id=USER, message_id=msg.message_id)
    assert isinstance(edited, Message) and edited.caption is None and edited.photo
    assert await bot.delete_message(USER, msg.message_id)
    assert fake.messages(USER) == []


async def test_wait_for_and_mark(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(USER, "first")
    mark = fake.mark()
    task = asyncio.create_task(bot.send_message(USER, "second <i>one</i>", parse_mode="HTML"))

    found = await fake.wait_for(USER, "one", after=mark)
    assert (found.text, found.plain) == ("second <i>one</i>", "second one")
    await task
    with pytest.raises(TimeoutError, match="first"):
        await fake.wait_for(USER, "first", after=fake.mark(), timeout=0.1)


async def test_webhook_delivery_with_secret_and_retry(fake: FakeTelegram, bot: Bot) -> None:
    received: list[tuple[str | None, int]] = []

    async def hook(request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        received.append((secret, (await request.json())["update_id"]))
        if secret != "s3cret":
            return web.Response(status=401)
        return web.Response(status=500 if len(received) == 1 else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
        await bot.set_webhook(url, secret_token="s3cret")  # delivers the pending /start
        update = fake.push_text(USER, "qua webhook")
        await fake.idle()

        start_id = update["update_id"] - 1
        assert received == [("s3cret", start_id), ("s3cret", start_id), ("s3cret", start_id + 1)]
        assert (await bot.get_webhook_info()).pending_update_count == 0
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates()
        assert await fake.post_webhook(update, secret="wrong") == 401
        assert await fake.post_webhook(update) == 200
        await bot.delete_webhook()
        assert fake.webhook is None
        assert fake.drop_pending_calls == [("setWebhook", False), ("deleteWebhook", False)]
    finally:
        await runner.cleanup()


async def test_wrong_token_and_unknown_method(fake: FakeTelegram) -> None:
    stranger = make_bot(fake, "42:wrong")
    with pytest.raises(TelegramUnauthorizedError, match="Unauthorized"):
        await stranger.get_me()
    await stranger.session.close()

    async with aiohttp.ClientSession() as http:
        async with http.post(f"{fake.base_url}/bot{TOKEN}/noSuchMethod") as response:
            assert response.status == 404
            expected = {"ok": False, "error_code": 404, "description": "Not Found"}
            assert await response.json() == expected
        # JSON bodies and query strings work too, and method names ignore case.
        body = {"chat_id": USER, "text": "json", "reply_markup": {"inline_keyboard": []}}
        async with http.post(f"{fake.base_url}/bot{TOKEN}/SENDMESSAGE", json=body) as response:
            assert (await response.json())["result"]["text"] == "json"
        params = {"chat_id": str(USER), "text": "123"}
        async with http.get(f"{fake.base_url}/bot{TOKEN}/sendMessage", params=params) as response:
            assert (await response.json())["result"]["text"] == "123"


async def test_commands_files_and_actions(fake: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(command="start", description="Bắt đầu")])
    assert fake.commands[0]["commands"] == [{"command": "start", "description": "Bắt đầu"}]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start!", description="x")])

    photo = fake.push_photo(USER, file_id="AgAC-test", file_size=400_000)["message"]["photo"]
    file = await bot.get_file(photo[-1]["file_id"])
    assert file.file_path and TOKEN not in file.file_path and file.file_size == 400_000
    assert await bot.send_chat_action(USER, "typing")
    await bot.send_photo(USER, "AgAC-test")
    assert fake.sent[-1].media == [("photo", "AgAC-test")]
