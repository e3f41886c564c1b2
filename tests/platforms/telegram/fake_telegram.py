"""A fake Telegram Bot API server for driving the real aiogram client end to end.

Connect with ``AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))``. Requests are
validated the way Telegram validates them (HTML entities, lengths in UTF-16 units, inline
keyboards, unknown chats, edits), so a bug that real Telegram would reject fails the test too.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import math
import mimetypes
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal, TypedDict, Unpack

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from tests.fake_base import FakeServer
from tests.fake_base import Unset as _Unset
from tests.support.images import jpeg, mp4

TOKEN = "123456:TEST-fake-token"
PRIVATE_BURST = 3  # messages into a private chat tolerated at once (then one a second)
WEBHOOK_RETRY_DELAY = 0.2  # Telegram re-sends failed deliveries too, only more slowly
BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)

Json = dict[str, Any]


@dataclass
class Sent:
    """One message the bot sent, or its new version after an edit."""

    method: str
    chat_id: int
    message_id: int
    text: str | None  # text or caption exactly as sent (HTML source)
    plain: str | None  # what the user sees: tags removed, entities decoded
    parse_mode: str | None
    buttons: list[list[tuple[str, str]]]  # (label, callback_data or url)
    media: list[tuple[str, str]]  # (type, file_id or URL); the whole album for media groups
    media_group_id: str | None
    raw: Json  # the request params
    at: float = 0.0  # time.monotonic() when it arrived


class Push(TypedDict, total=False):
    """Options of the push_* helpers; the file ones apply to the matching media kinds."""

    chat_id: int | None  # defaults to the user's private chat
    chat_type: str  # "private" for positive chat ids, else "supergroup"
    first_name: str  # defaults to the user's earlier one, else "Test"
    username: str | None
    file_id: str | None
    file_size: int
    file_name: str  # documents
    duration: int  # videos and voices
    emoji: str  # stickers
    caption: str | None
    media_group_id: str | None
    reply_to: Json | None  # the message (as the bot got it in an update) this one replies to


_FILE_DEFAULTS: dict[str, Json] = {
    "photo": {"file_size": 150_000},
    "video": {"file_size": 3_000_000, "width": 1280, "height": 720, "duration": 10,
              "mime_type": "video/mp4"},
    "sticker": {"file_size": 30_000, "type": "regular", "width": 512, "height": 512,
                "is_animated": False, "is_video": False, "emoji": "🙂"},
    "voice": {"file_size": 20_000, "duration": 3, "mime_type": "audio/ogg"},
    "document": {"file_size": 200_000, "file_name": "a.pdf"},
}  # fmt: skip


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: Json | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


def _bad(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def _u16(text: str) -> int:
    """Telegram measures lengths and offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


# --- HTML parse mode, modelled on tdlib's parse_html --------------------------------------------

_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "span": "spoiler", "tg-spoiler": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}  # fmt: skip
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:#x([0-9a-fA-F]{1,8})|#([0-9]{1,8})|([a-zA-Z]+));?")
_PLAIN = re.compile(r"[^<&]+")
_START = re.compile(r"<([^\s>]*)")
_END = re.compile(r"</([^\s>]*)\s*(>?)")
_ATTR = re.compile(r"""\s+([^\s=>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[A-Za-z0-9.-]+))?""")


@dataclass
class _Text:
    source: str
    plain: str
    entities: list[Json]
    parse_mode: str | None


def _decode(match: re.Match[str]) -> str | None:
    if match[3] is not None:
        return _NAMED.get(match[3])
    code = int(match[1], 16) if match[1] else int(match[2])
    return chr(code) if 0 < code < 0x10FFFF and not 0xD800 <= code < 0xE000 else None


def _unescape_attribute(value: str) -> str:
    # Like Telegram, an undecodable "&" stays literal inside attributes: aiogram's hlink()
    # puts URLs with a raw "&" there.
    return _ENTITY.sub(lambda m: _decode(m) or m[0], value)


def parse_html(src: str) -> tuple[str, list[Json]]:
    """Return (plain text, entities) or raise Telegram's "can't parse entities" errors."""

    def fail(message: str, pos: int, detail: str = "") -> ApiError:
        where = f" at byte offset {len(src[:pos].encode())}" if pos >= 0 else ""
        return _bad(f"can't parse entities: {message}{where}{detail}")

    out: list[str] = []
    length, i, n = 0, 0, len(src)
    stack: list[tuple[str, str, int]] = []  # open tags: (tag, argument, utf16 offset)
    entities: list[Json] = []
    while i < n:
        if src[i] == "&":
            # Stricter than Telegram, which shows unknown entities and a stray "&" literally:
            # both almost always mean unescaped user input or HTML-only entities like &nbsp;.
            m = _ENTITY.match(src, i)
            if m is None:
                raise fail("Character '&' is reserved and must be escaped as &amp;", i)
            if (char := _decode(m)) is None:
                raise fail(f'Unsupported HTML entity "{m[0]}"', i)
            out.append(char)
            length, i = length + _u16(char), m.end()
        elif src[i] != "<":
            m = _PLAIN.match(src, i)
            assert m is not None
            out.append(m[0])
            length, i = length + _u16(m[0]), m.end()
        elif src.startswith("</", i):
            end = _END.match(src, i)
            assert end is not None
            if not stack:
                raise fail("Unexpected end tag", i)
            if not end[2]:
                raise fail("Unclosed end tag", i)
            tag, arg, begin = stack.pop()
            if end[1] and end[1] != tag:
                raise fail("Unmatched end tag", i, f', expected "</{tag}>", found "</{end[1]}>"')
            if length > begin:  # Telegram drops empty entities
                entities.append(_html_entity(tag, arg, begin, length - begin))
            i = end.end()
        else:
            start = _START.match(src, i)
            assert start is not None
            tag, j = start[1].lower(), start.end()
            if j >= n:
                raise fail("Unclosed start tag", i)
            if tag not in _TAGS:
                raise fail(f'Unsupported start tag "{tag}"', i)
            attrs: dict[str, str] = {}
            while attr := _ATTR.match(src, j):
                name, value = attr[1], attr[2]
                if value is None and (tag, name) != ("blockquote", "expandable"):
                    raise fail(f'Expected equal sign in declaration of an attribute of "{tag}"', i)
                quoted = value is not None and value[0] in "\"'"
                attrs[name] = _unescape_attribute(value[1:-1]) if quoted else (value or "").lower()
                j = attr.end()
            j = len(src) - len(src[j:].lstrip())
            if j >= n or src[j] != ">":
                raise fail(f'Unclosed start tag "{tag}"', i)
            if tag == "a" and "href" not in attrs:
                raise fail('Tag "a" must have attribute "href"', i)
            if tag == "span" and attrs.get("class") != "tg-spoiler":
                raise fail('Tag "span" must have class "tg-spoiler"', i)
            arg = attrs.get({"a": "href", "tg-emoji": "emoji-id"}.get(tag, ""), "")
            stack.append((tag, "expandable" if "expandable" in attrs else arg, length))
            i = j + 1
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"', -1)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _html_entity(tag: str, arg: str, offset: int, length: int) -> Json:
    entity: Json = {"type": _TAGS[tag], "offset": offset, "length": length}
    if tag == "a":
        entity["url"] = arg
    elif tag == "tg-emoji":
        entity["custom_emoji_id"] = arg
    elif tag == "blockquote" and arg:
        entity["type"] = "expandable_blockquote"
    return entity


def _format(params: Json, key: Literal["text", "caption"]) -> _Text | None:
    """Validate a text or caption (parse_mode, entities, length) the way Telegram does."""
    if params.get(key) is None:
        return None
    source, mode = str(params[key]), params.get("parse_mode") or None
    if mode is None:
        plain = source
        entities = list(params.get("entities" if key == "text" else "caption_entities") or [])
    elif str(mode).lower() == "html":
        plain, entities = parse_html(source)
    else:
        raise _bad(f"unsupported parse_mode {mode!r} (the fake implements HTML only)")
    if key == "text" and not plain.strip():
        raise _bad("message text is empty")
    if _u16(plain) > (4096 if key == "text" else 1024):
        raise _bad("message is too long" if key == "text" else "message caption is too long")
    return _Text(source, plain, entities, mode)


# --- requests -----------------------------------------------------------------------------------

_BUTTON_ACTIONS = (
    "callback_data", "url", "login_url", "web_app", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip
# Form values are strings; Telegram reads numbers, booleans and objects (reply_markup, media,
# allowed_updates, ...) from them as JSON, except for these free-text parameters.
_LITERAL_PARAMS = {
    "text", "caption", "url", "secret_token", "callback_query_id", "inline_message_id", "photo",
    "video", "document", "sticker", "voice", "audio", "animation", "file_id", "parse_mode",
    "action", "language_code", "title", "description", "ip_address", "emoji",
}  # fmt: skip
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


@dataclass
class _Upload:
    filename: str
    size: int


async def _read_params(request: web.Request) -> Json:
    """Merge the query string with a JSON, url-encoded or multipart body."""
    params: Json = dict(request.query)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise _bad("can't parse JSON body") from None
        params.update(body if isinstance(body, dict) else {})
    elif request.can_read_body:
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                params[key] = _Upload(value.filename, len(value.file.read()))
            else:
                params[key] = value if isinstance(value, str) else bytes(value).decode()
    for key, value in params.items():
        if isinstance(value, str) and key not in _LITERAL_PARAMS:
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params


def _keyboard(markup: Any) -> Json | None:
    """Validate an inline keyboard; other reply markups are accepted but not kept on messages."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad('can\'t parse inline keyboard: field "inline_keyboard" must be an Array')
    for button in itertools.chain.from_iterable(rows):
        actions = [k for k in _BUTTON_ACTIONS if isinstance(button, dict) and k in button]
        if not actions or not str(button.get("text") or ""):
            raise _bad("text buttons are unallowed in the inline keyboard")
        if len(actions) > 1:
            raise _bad("can't parse inline keyboard button: exactly one action field is allowed")
        if "callback_data" in button and not 1 <= len(str(button["callback_data"]).encode()) <= 64:
            raise _bad("BUTTON_DATA_INVALID")
        if "url" in button and not re.match(r"(https?|tg)://\S", str(button["url"])):
            raise _bad("BUTTON_URL_INVALID")
    return {"inline_keyboard": rows} if rows else None


_SENDS = {"sendMessage", "sendPhoto", "sendVideo", "sendDocument", "sendMediaGroup",
          "editMessageText", "editMessageCaption", "editMessageReplyMarkup"}  # fmt: skip


@dataclass
class _Fault:
    method: str  # lower-cased
    chat_id: int | None
    remaining: int
    status: int = 0
    description: str = ""
    retry_after: int | None = None
    seconds: float = 0.0
    page: str | None = None  # answered as text/html instead of the Bot API's JSON


def _take(faults: list[_Fault], method: str, params: Json) -> _Fault | None:
    for fault in faults:
        if fault.method == method.lower() and fault.chat_id in (None, params.get("chat_id")):
            fault.remaining -= 1
            if fault.remaining <= 0:
                faults.remove(fault)
            return fault
    return None


@dataclass
class _Pending:
    update: Json
    attempts: int = 0  # webhook deliveries tried
    replay: bool = False  # from push_update: survives the offset until fetched once
    fetched: bool = False

    def confirmed_by(self, offset: int) -> bool:
        return self.update["update_id"] < offset and (self.fetched or not self.replay)


def _chat_of(update: Json) -> int:
    """The chat an update belongs to, which Telegram delivers in sequence."""
    body = next(v for k, v in update.items() if k != "update_id")
    message = body.get("message") if "data" in body else body
    chat = (message or {}).get("chat") or {}
    return int(chat.get("id") or body.get("from", {}).get("id") or 0)


_ADMIN_RIGHTS = (
    "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
    "can_manage_video_chats", "can_restrict_members", "can_promote_members", "can_change_info",
    "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories",
    "can_send_welcome_messages",
)  # fmt: skip


class FakeTelegram(FakeServer[Sent, int]):
    client_max_size = 50 * 2**20  # Telegram's upload limit
    queue_word = "unconfirmed"

    def __init__(self, token: str = TOKEN) -> None:
        super().__init__()
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = "fake_test_bot"
        self.errors: list[tuple[str, int, str]] = []
        self.calls: list[tuple[str, Json]] = []
        self.bodies: list[tuple[str, str]] = []  # each call's method and how its body came
        self.callback_answers: list[Json] = []
        self.commands: list[Json] = []
        self.webhook: Json | None = None
        self.drop_pending_calls: list[tuple[str, bool]] = []
        self._me = {"id": self.bot_id, "is_bot": True, "first_name": "Test Bot",
                    "username": self.bot_username}  # fmt: skip
        self._api: dict[str, tuple[str, Callable[[Json], Awaitable[Any]]]] = {
            name[4:].lower(): (name[4:], getattr(self, name))
            for name in dir(self)
            if name.startswith("api_")
        }
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(100_000_001)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._chats: dict[int, Json] = {}
        self._unknown: set[int] = set()  # groups and channels the bot was never in
        self._users: dict[int, Json] = {}
        self._messages: dict[tuple[int, int], Json] = {}  # users' and the bot's, latest version
        self._state: dict[tuple[int, int], Sent] = {}  # the bot's messages only
        self._files: dict[str, Json] = {}  # file_id -> {"kind", "file", "media"}
        # Bytes served at /file/bot<token>/<file_path>, as the real one does after getFile:
        # set by file_id (``file_bytes``); a photo or video without its own gets small real ones.
        self.file_bytes: dict[str, bytes] = {}
        self._paths: dict[str, str] = {}  # file_path -> file_id
        self.downloads: list[str] = []  # file_paths downloaded
        self._open_queries: set[str] = set()
        self._queue: list[_Pending] = []
        self._allowed: list[str] = []
        self._poll_generation = 0
        self._faults: list[_Fault] = []
        self._hangs: list[_Fault] = []
        self.chaos_hits: list[tuple[str, str, Any]] = []  # (429|500|hang, method, chat_id)
        self._chaos_rate, self._chaos_hang = 0.0, 0.0
        self._chaos_random: random.Random | None = None
        self.flood_429s = 0  # answered because a flood limit was passed
        self._flood_period: float | None = None
        self._flood_all: list[float] = []
        self._flood_chats: dict[int, list[float]] = {}
        self._flood_private = False
        self._flood_buckets: dict[int, tuple[float, float]] = {}  # private chat: level, at
        self.duplicate_deliveries = False  # every webhook update posted twice
        # Hooks for a benchmark: an update handed to the bot (polled or posted), a message sent.
        self.on_delivered: Callable[[Json], None] | None = None
        self.on_sent: Callable[[Sent], None] | None = None
        self.deliveries = 0  # webhook POSTs made
        # The bot's place in a group or channel (getChatMember): chat id → ChatMember fields;
        # a chat not set here has the bot as a plain member.
        self.bot_rights: dict[int, Json] = {}

    # --- feeding updates ------------------------------------------------------------------------

    def push_text(self, user_id: int, text: str, **kw: Unpack[Push]) -> Json:
        command = re.match(r"/\w+(@\w+)?", text)
        entity = {"type": "bot_command", "offset": 0, "length": _u16(command[0] if command else "")}
        return self._push(user_id, {"text": text, "entities": [entity] if command else None}, kw)

    def push_photo(self, user_id: int, **kw: Unpack[Push]) -> Json:
        return self._push_file("photo", user_id, kw)

    def push_video(self, user_id: int, **kw: Unpack[Push]) -> Json:
        return self._push_file("video", user_id, kw)

    def push_sticker(self, user_id: int, **kw: Unpack[Push]) -> Json:
        return self._push_file("sticker", user_id, kw)

    def push_voice(self, user_id: int, **kw: Unpack[Push]) -> Json:
        return self._push_file("voice", user_id, kw)

    def push_document(self, user_id: int, **kw: Unpack[Push]) -> Json:
        return self._push_file("document", user_id, kw)

    def push_callback(
        self,
        user_id: int,
        message_id: int,
        data: str,
        *,
        chat_id: int | None = None,
        first_name: str | None = None,
        username: str | None = None,
    ) -> Json:
        key = (chat_id or user_id, message_id)
        if key not in self._state:
            raise AssertionError(f"no bot message {message_id} in chat {key[0]}")
        query_id = str(4_000_000_000_000_000 + next(self._ids))
        self._open_queries.add(query_id)
        query = {"id": query_id, "from": self._user(user_id, first_name, username),
                 "chat_instance": str(abs(key[0]) * 7919), "data": data,
                 "message": copy.deepcopy(self._messages[key])}  # fmt: skip
        return self._enqueue({"callback_query": query})

    def press(self, user_id: int, label_contains: str, *, chat_id: int | None = None) -> Json:
        chat = chat_id or user_id
        labels = []
        for sent in reversed(self.messages(chat)):
            markup = self._messages[(chat, sent.message_id)].get("reply_markup") or {}
            for button in itertools.chain.from_iterable(markup.get("inline_keyboard", [])):
                labels.append(button["text"])
                if label_contains in button["text"] and "callback_data" in button:
                    data = str(button["callback_data"])
                    return self.push_callback(user_id, sent.message_id, data, chat_id=chat)
        raise AssertionError(f"no callback button containing {label_contains!r}; have {labels}")

    def push_update(self, update: Json) -> None:
        self._queue.append(_Pending(update, replay=True))
        self._notify()

    # --- observing ------------------------------------------------------------------------------

    def _shown(self, sent: Sent) -> str:
        return sent.plain or ""

    def messages(self, chat_id: int) -> list[Sent]:
        return [sent for (chat, _), sent in sorted(self._state.items()) if chat == chat_id]

    # --- faults ---------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        retry_after: int | None = None,
        description: str | None = None,
        chat_id: int | None = None,
        count: int = 1,
    ) -> None:
        if status == 429:
            retry_after = retry_after or 1
            description = description or f"Too Many Requests: retry after {retry_after}"
        description = description or HTTPStatus(status).phrase
        fault = _Fault(method.lower(), chat_id, count, status, description, retry_after)
        self._faults.append(fault)

    def heal(self) -> None:
        """Every fault still waiting is forgotten: the API is back."""
        self._faults.clear()

    def bad_gateway_next(self, method: str = "getUpdates", *, count: int = 1) -> None:
        """The next call is answered by a proxy in front of the API: HTTP 502 with an HTML
        page, not JSON (what nginx says when the upstream is away)."""
        self._faults.append(_Fault(method.lower(), None, count, 502, page=BAD_GATEWAY_PAGE))

    def push_edit(self, update: Json, text: str) -> Json:
        """The member edits the text of a message they sent (``update`` pushed it): Telegram
        sends the whole message again as ``edited_message``, with ``edit_date``."""
        message = copy.deepcopy(update["message"]) | {"text": text, "edit_date": int(time.time())}
        self._messages[(message["chat"]["id"], message["message_id"])] = message
        return self._enqueue({"edited_message": message})

    def push_unreadable(self, user_id: int) -> Json:
        """An update the client cannot read: a message whose entity lacks offset and length,
        as a newer API version or a broken relay may send. It still names its sender."""
        update = self.push_text(user_id, "tin nhắn hỏng")
        update["message"]["entities"] = [{"type": "bold"}]
        return update

    def hang_next(self, method: str, seconds: float, *, count: int = 1) -> None:
        """The call is still carried out afterwards, as on Telegram when a client gives up."""
        self._hangs.append(_Fault(method.lower(), None, count, seconds=seconds))

    def chaos(self, rate: float, *, seed: int, hang_seconds: float) -> None:
        """From now on, each sending call meets, with probability ``rate``, one of: a 429 with
        retry_after 1, a 500, or a hang of ``hang_seconds`` after which it is carried out."""
        self._chaos_rate, self._chaos_random = rate, random.Random(seed)
        self._chaos_hang = hang_seconds

    def enforce_flood_limits(self, *, period: float = 60.0, private_chats: bool = False) -> None:
        """Answer 429 past Telegram's limits: 20 messages a minute into a group or channel, 30
        a second in all, and with ``private_chats`` one a second into a private chat after a
        short burst of ``PRIVATE_BURST`` (Telegram tolerates short bursts). A shorter
        ``period`` than 60 s speeds up the clock of all."""
        self._flood_period, self._flood_private = period, private_chats

    async def _chaos(self, method: str, params: Json) -> None:
        if self._chaos_random is None or self._chaos_random.random() >= self._chaos_rate:
            return
        kind = self._chaos_random.choice(["429", "500", "hang"])
        self.chaos_hits.append((kind, method, params.get("chat_id")))
        if kind == "429":
            raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        if kind == "500":
            raise ApiError(500, "Internal Server Error")
        await asyncio.sleep(self._chaos_hang)

    def _flood_check(self, method: str, params: Json) -> None:
        if self._flood_period is None or method.startswith("edit"):
            return
        now = time.monotonic()
        count = len(params.get("media") or []) if method == "sendMediaGroup" else 1
        chat = int(params.get("chat_id") or 0)
        windows = [(self._flood_all, 30, self._flood_period / 60)]
        if chat < 0:
            windows.append((self._flood_chats.setdefault(chat, []), 20, self._flood_period))
        bucket: tuple[float, float] | None = None
        if chat > 0 and self._flood_private:  # a token bucket; an album needs it full
            second = self._flood_period / 60
            level, at = self._flood_buckets.get(chat, (PRIVATE_BURST, now))
            level = min(PRIVATE_BURST, level + (now - at) / second)
            missing = min(count, PRIVATE_BURST) - level
            if missing > 1e-3:
                self._too_many(missing * second)
            bucket = (level - count, now)
        for stamps, limit, period in windows:
            stamps[:] = [t for t in stamps if t > now - period]
            if len(stamps) + min(count, limit) > limit:
                self._too_many(stamps[len(stamps) + min(count, limit) - limit - 1] + period - now)
        for stamps, _, _ in windows:
            stamps.extend([now] * count)
        if bucket is not None:
            self._flood_buckets[chat] = bucket

    def _too_many(self, wait: float) -> None:
        self.flood_429s += 1
        retry = max(1, math.ceil(wait))
        description = f"Too Many Requests: retry after {retry}"
        raise ApiError(429, description, {"retry_after": retry})

    async def post_webhook(
        self, update: Json, *, secret: str | Literal[_Unset.SECRET] | None = _Unset.SECRET
    ) -> int:
        assert self.webhook is not None, "no webhook is set"
        if secret is _Unset.SECRET:
            secret = self.webhook.get("secret_token")
        async with ClientSession() as http:
            return await self._post(http, update, secret)

    # --- HTTP plumbing --------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        api = self._api.get(name.lower())
        method = api[0] if api else name
        counted = method != "getUpdates"  # a waiting long poll is not work in progress
        self._inflight += counted
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            params = await _read_params(request)
            self.calls.append((method, params))
            self.bodies.append((method, request.content_type))
            self._touched()  # a call seen (a long poll that will wait too) wakes until()
            if api is None:
                raise ApiError(404, "Not Found")
            if hang := _take(self._hangs, method, params):
                await asyncio.sleep(hang.seconds)
            if (fault := _take(self._faults, method, params)) and fault.page is not None:
                self.errors.append((method, fault.status, "HTML page"))
                return web.Response(text=fault.page, status=fault.status, content_type="text/html")
            if fault:
                retry = {"retry_after": fault.retry_after} if fault.retry_after else None
                raise ApiError(fault.status, fault.description, retry)
            if method in _SENDS:
                await self._chaos(method, params)
                self._flood_check(method, params)
            result = await api[1](params)
        except ApiError as error:
            self.errors.append((method, error.code, error.description))
            body: Json = {"ok": False, "error_code": error.code, "description": error.description}
            if error.parameters:
                body["parameters"] = error.parameters
            return web.json_response(body, status=error.code)
        finally:
            self._inflight -= counted
            self._touched()
        return web.json_response({"ok": True, "result": result})

    def _ready(self) -> list[_Pending]:
        """Drop pending updates of types allowed_updates excludes: Telegram never sends them."""
        default_off = {"chat_member", "message_reaction", "message_reaction_count"}

        def wanted(pending: _Pending) -> bool:
            kind = next(k for k in pending.update if k != "update_id")
            return kind in self._allowed if self._allowed else kind not in default_off

        self._queue = [pending for pending in self._queue if wanted(pending)]
        return self._queue

    async def _webhook_loop(self) -> None:
        """Deliver as Telegram does: one chat's updates in sequence (the next only after the
        last was answered 2xx), different chats at once, up to max_connections; a failed
        delivery is tried again later. With ``duplicate_deliveries`` every update is posted
        twice at once, as after a lost answer."""
        busy: set[int] = set()
        tasks: set[asyncio.Task[None]] = set()
        async with ClientSession() as http:
            while self.webhook is not None:
                wake = self._pushed
                limit = int(self.webhook.get("max_connections") or 40)
                for pending in self._ready():
                    chat = _chat_of(pending.update)
                    if len(tasks) >= limit:
                        break
                    if chat in busy:
                        continue  # later updates of a chat wait behind its first
                    busy.add(chat)
                    task = asyncio.create_task(self._deliver(http, pending, chat, busy))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                await wake.wait()
            for task in tasks:
                task.cancel()

    async def _deliver(
        self, http: ClientSession, pending: _Pending, chat: int, busy: set[int]
    ) -> None:
        assert self.webhook is not None
        secret = self.webhook.get("secret_token")
        copies = 2 if self.duplicate_deliveries else 1
        if not pending.attempts and self.on_delivered is not None:
            self.on_delivered(pending.update)
        pending.attempts += 1
        statuses = await asyncio.gather(
            *(self._post(http, pending.update, secret, copy=n, attempt=pending.attempts)
              for n in range(copies))
        )  # fmt: skip
        self.deliveries += copies
        if any(200 <= status < 300 for status in statuses):
            if pending in self._queue:
                self._queue.remove(pending)
        else:
            await asyncio.sleep(WEBHOOK_RETRY_DELAY)
        busy.discard(chat)
        self._notify()

    async def _post(
        self,
        http: ClientSession,
        update: Json,
        secret: str | None,
        *,
        copy: int = 0,
        attempt: int = 1,
    ) -> int:
        """POST one update to the webhook; 0 stands for a connection error. The copy and
        attempt headers let a test's load balancer send copies to different workers."""
        assert self.webhook is not None
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        headers |= {"X-Fake-Copy": str(copy), "X-Fake-Attempt": str(attempt)}
        timeout = ClientTimeout(total=30)
        try:
            async with http.post(
                self.webhook["url"], json=update, headers=headers, timeout=timeout
            ) as response:
                return response.status
        except (ClientError, TimeoutError):
            return 0

    # --- model ----------------------------------------------------------------------------------

    def _user(self, user_id: int, first_name: str | None, username: str | None) -> Json:
        """A user keeps the profile of earlier updates, as on Telegram, unless it is given."""
        new = {"id": user_id, "is_bot": False, "first_name": "Test", "language_code": "vi"}
        user = self._users.get(user_id, new) | ({"first_name": first_name} if first_name else {})
        self._users[user_id] = user | ({"username": username} if username else {})
        return self._users[user_id]

    def _chat(self, params: Json) -> Json:
        """The chat a request targets; Telegram knows only private chats that wrote to the bot."""
        try:
            chat_id = int(params["chat_id"])
        except (KeyError, TypeError, ValueError):
            raise _bad("chat not found") from None
        if chat_id < 0 and chat_id not in self._chats:
            kind = "supergroup" if str(chat_id).startswith("-100") else "group"
            self._chats[chat_id] = {"id": chat_id, "type": kind, "title": "Test group"}
        if chat_id not in self._chats:
            raise _bad("chat not found")
        return self._chats[chat_id]

    def _key(self, params: Json) -> tuple[int, int]:
        message_id = params.get("message_id")
        return self._chat(params)["id"], message_id if isinstance(message_id, int) else 0

    def _new_message(self, chat: Json, sender: Json, content: Json) -> Json:
        counter = self._message_ids.setdefault(chat["id"], itertools.count(1))
        msg: Json = {"message_id": next(counter), "date": int(time.time()), "chat": chat}
        msg |= {"from": sender} | {key: value for key, value in content.items() if value}
        self._messages[(chat["id"], msg["message_id"])] = msg
        return msg

    def _push(self, user_id: int, content: Json, kw: Push) -> Json:
        chat_id = kw.get("chat_id") or user_id
        user = self._user(user_id, kw.get("first_name"), kw.get("username"))
        kind = kw.get("chat_type") or ("private" if chat_id > 0 else "supergroup")
        if kind == "private":
            chat = {k: v for k, v in user.items() if k in ("first_name", "username")}
        else:
            chat = {"title": "Test group"}
        self._chats[chat_id] = {"id": chat_id, "type": kind, **chat}
        if kw.get("reply_to"):
            content = content | {"reply_to_message": kw["reply_to"]}
        return self._enqueue({"message": self._new_message(self._chats[chat_id], user, content)})

    def _push_file(self, kind: str, user_id: int, kw: Push) -> Json:
        meta = _FILE_DEFAULTS[kind] | {
            k: v for k, v in kw.items() if k in ("file_size", "file_name", "duration", "emoji")
        }
        if kind == "document":
            mime = mimetypes.guess_type(meta["file_name"])[0]
            meta["mime_type"] = mime or "application/octet-stream"
        media = self._new_file(kind, meta.pop("file_size"), kw.get("file_id"), meta)
        content = {kind: media, "caption": kw.get("caption")}
        return self._push(user_id, content | {"media_group_id": kw.get("media_group_id")}, kw)

    def _enqueue(self, body: Json) -> Json:
        update = {"update_id": next(self._update_ids), **body}
        self._queue.append(_Pending(update))
        self._notify()
        return update

    def _new_file(self, kind: str, size: int, file_id: str | None, meta: Json) -> Any:
        """Register a file as Telegram stores it; returns its PhotoSize list or object."""
        n = next(self._ids)
        base = file_id or f"fake-{kind}-{n}"
        if kind == "photo":
            media: Any = [
                {"file_id": base if w == 1280 else f"{base}-{w}", "file_unique_id": f"AQAD{n}-{w}",
                 "width": w, "height": w * 3 // 4, "file_size": max(1, size * w * w // 1280**2)}
                for w in (90, 320, 1280)
            ]  # fmt: skip
            files = media
        else:
            media = {"file_id": base, "file_unique_id": f"AQAD{n}", "file_size": size, **meta}
            files = [media]
        for file in files:
            self._files[file["file_id"]] = {"kind": kind, "file": file, "media": media}
        return media

    def _media(self, kind: str, ref: Any, params: Json) -> tuple[Any, str]:
        """Resolve a file_id, URL or upload (also via attach://) to (message content, label)."""
        if isinstance(ref, str) and ref.startswith("attach://"):
            ref = params.get(ref.removeprefix("attach://"))
        meta = {k: v for k, v in _FILE_DEFAULTS[kind].items() if k != "file_size"}
        if isinstance(ref, _Upload):
            if kind == "document":
                meta = meta | {"file_name": ref.filename}
            media = self._new_file(kind, ref.size, None, meta)
            return media, (media[-1] if kind == "photo" else media)["file_id"]
        if isinstance(ref, str) and re.match(r"https?://\S", ref):
            return self._new_file(kind, _FILE_DEFAULTS[kind]["file_size"], None, meta), ref
        known = self._files.get(ref) if isinstance(ref, str) else None
        if known is None:
            raise _bad("wrong file identifier/HTTP URL specified")
        if known["kind"] != kind:
            raise _bad(f"can't use file of type {known['kind'].title()} as {kind.title()}")
        return known["media"], str(ref)

    def _record(
        self, method: str, msg: Json, text: _Text | None, media: list[tuple[str, str]], raw: Json
    ) -> Json:
        rows = (msg.get("reply_markup") or {}).get("inline_keyboard", [])
        buttons = [
            [(b["text"], str(next(b[k] for k in _BUTTON_ACTIONS if k in b))) for b in row]
            for row in rows
        ]
        source, parse_mode = (text.source, text.parse_mode) if text else (None, None)
        plain = msg.get("text", msg.get("caption"))
        chat_id, message_id, group = msg["chat"]["id"], msg["message_id"], msg.get("media_group_id")
        sent = Sent(
            method, chat_id, message_id, source, plain, parse_mode, buttons, media, group, raw,
            time.monotonic(),
        )  # fmt: skip
        self.sent.append(sent)
        if self.on_sent is not None:
            self.on_sent(sent)
        self._state[(sent.chat_id, sent.message_id)] = sent
        self._messages[(sent.chat_id, sent.message_id)] = msg
        return msg

    def _send(
        self,
        method: str,
        params: Json,
        text: _Text | None,
        content: Json,
        media: list[tuple[str, str]],
        group: str | None = None,
    ) -> Json:
        chat = self._chat(params)
        content |= {"media_group_id": group, "reply_markup": _keyboard(params.get("reply_markup"))}
        if text and method == "sendMessage":
            content |= {"text": text.plain, "entities": text.entities}
        elif text:
            content |= {"caption": text.plain, "caption_entities": text.entities}
        return self._record(method, self._new_message(chat, self._me, content), text, media, params)

    def _edit(self, method: str, params: Json, key: str | None) -> Json:
        """Apply an edit of the text/caption (`key`) and keyboard, with Telegram's checks."""
        msg_key = self._key(params)
        if msg_key not in self._messages:
            raise _bad("message to edit not found")
        if msg_key not in self._state:
            raise _bad("message can't be edited")
        msg, current = self._messages[msg_key], self._state[msg_key]
        new = dict(msg)
        if key is None:
            text = _Text(current.text, "", [], current.parse_mode) if current.text else None
        elif ("text" in msg) != (key == "text"):
            raise _bad(f"there is no {key} in the message to edit")
        elif (text := _format(params, "text" if key == "text" else "caption")) or key == "caption":
            entity_key = "entities" if key == "text" else "caption_entities"
            new |= {key: text.plain if text else None, entity_key: text and text.entities}
        else:
            raise _bad("message text is empty")
        new.pop("reply_markup", None)  # an edit without reply_markup removes the keyboard
        new |= {"reply_markup": _keyboard(params.get("reply_markup"))}
        new = {k: v for k, v in new.items() if v}  # Telegram omits empty fields
        if new == msg:
            raise _bad(_NOT_MODIFIED)
        new["edit_date"] = int(time.time())
        return self._record(method, new, text, current.media, params)

    # --- Bot API methods: api_<name>, matched case-insensitively --------------------------------

    async def api_getMe(self, p: Json) -> Json:
        return self._me | {"can_join_groups": True, "can_read_all_group_messages": False}

    async def api_getUpdates(self, p: Json) -> list[Json]:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")  # fmt: skip
        self._poll_generation += 1  # as on Telegram, a newer poll terminates a waiting one
        generation = self._poll_generation
        self._notify()
        if "allowed_updates" in p:  # remembered for later calls, as on Telegram
            self._allowed = list(p["allowed_updates"] or [])
        offset = int(p.get("offset") or 0)
        if offset < 0:
            self._queue = self._queue[offset:]
        elif offset:
            self._queue = [q for q in self._queue if not q.confirmed_by(offset)]
        limit = min(max(int(p.get("limit") or 100), 1), 100)
        deadline = time.monotonic() + max(float(p.get("timeout") or 0), 0)
        while True:
            wake = self._pushed
            if generation != self._poll_generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure "
                                    "that only one bot instance is running")  # fmt: skip
            batch = self._ready()[:limit]
            left = deadline - time.monotonic()
            if batch or left <= 0 or self._closing:
                for pending in batch:
                    if not pending.fetched and self.on_delivered is not None:
                        self.on_delivered(pending.update)
                    pending.fetched = True
                return [pending.update for pending in batch]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), left)

    async def api_setWebhook(self, p: Json) -> bool:
        url, secret = str(p.get("url") or ""), p.get("secret_token")
        self.drop_pending_calls.append(("setWebhook", bool(p.get("drop_pending_updates"))))
        if url and not re.match(r"https?://\S", url):  # unlike Telegram, plain http is allowed
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise _bad("secret token contains unallowed characters")
        if p.get("drop_pending_updates"):
            self._queue.clear()
        if "allowed_updates" in p:
            self._allowed = list(p["allowed_updates"] or [])
        self.webhook = {k: v for k, v in p.items() if k != "certificate"} if url else None
        if url and (self._webhook_task is None or self._webhook_task.done()):
            self._webhook_task = asyncio.create_task(self._webhook_loop())
        self._notify()
        return True

    async def api_deleteWebhook(self, p: Json) -> bool:
        self.drop_pending_calls.append(("deleteWebhook", bool(p.get("drop_pending_updates"))))
        if p.get("drop_pending_updates"):
            self._queue.clear()
        self.webhook = None
        self._notify()
        return True

    async def api_getWebhookInfo(self, p: Json) -> Json:
        hook = self.webhook or {}
        info = {k: hook[k] for k in ("max_connections", "allowed_updates") if k in hook}
        return info | {"url": hook.get("url", ""), "has_custom_certificate": False,
                       "pending_update_count": len(self._queue)}  # fmt: skip

    def add_channel(self, chat_id: int, title: str = "Kênh thử", **rights: Any) -> None:
        """A channel the bot was added to, with ``rights`` (e.g. status="administrator",
        can_post_messages=True): getChat and getChatMember answer from them."""
        self._chats[chat_id] = {"id": chat_id, "type": "channel", "title": title}
        self.bot_rights[chat_id] = {"status": "member"} | rights

    def forget_chat(self, chat_id: int) -> None:
        """The bot was never in this group or channel: "chat not found"."""
        self._chats.pop(chat_id, None)
        self._unknown.add(chat_id)

    async def api_getChat(self, p: Json) -> Json:
        if int(p.get("chat_id") or 0) in self._unknown:
            raise _bad("chat not found")
        full = {"accent_color_id": 0, "max_reaction_count": 11}  # as Telegram's ChatFullInfo
        gifts = dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts",
                               "premium_subscription", "gifts_from_channels"), False)  # fmt: skip
        return dict(self._chat(p)) | full | {"accepted_gift_types": gifts}

    async def api_getChatMember(self, p: Json) -> Json:
        chat = await self.api_getChat(p)
        user_id = int(p.get("user_id") or 0)
        if user_id != self.bot_id:
            raise _bad("the fake knows only the bot's own membership")
        rights: Json = {"status": "member"} | self.bot_rights.get(chat["id"], {})
        if rights["status"] == "administrator":  # Telegram sends every right, true or false
            rights = dict.fromkeys(_ADMIN_RIGHTS, False) | rights
        return {"user": self._me} | rights

    async def api_close(self, p: Json) -> bool:
        self.drop_pending_calls.append(("close", False))
        return True

    async def _ok(self, p: Json) -> bool:
        return True

    api_logOut = api_deleteMyCommands = api_setChatMenuButton = _ok

    async def api_sendMessage(self, p: Json) -> Json:
        self._chat(p)
        if (text := _format(p, "text")) is None:
            raise _bad("message text is empty")
        return self._send("sendMessage", p, text, {}, [])

    async def api_sendPhoto(self, p: Json) -> Json:
        return self._send_file("sendPhoto", "photo", p)

    async def api_sendVideo(self, p: Json) -> Json:
        return self._send_file("sendVideo", "video", p)

    async def api_sendDocument(self, p: Json) -> Json:
        return self._send_file("sendDocument", "document", p)

    def _send_file(self, method: str, kind: str, p: Json) -> Json:
        self._chat(p)  # Telegram checks the chat before the file
        if p.get(kind) is None:
            raise _bad(f"there is no {kind} in the request")
        content, label = self._media(kind, p[kind], p)
        return self._send(method, p, _format(p, "caption"), {kind: content}, [(kind, label)])

    async def api_sendMediaGroup(self, p: Json) -> list[Json]:
        self._chat(p)
        items = p.get("media")
        if not isinstance(items, list) or not 2 <= len(items) <= 10:
            raise _bad("wrong number of media in the album: must be 2-10")
        prepared = []
        for item in items:  # all items are validated before anything is sent
            kind = item.get("type") if isinstance(item, dict) else None
            if kind not in ("photo", "video"):
                raise _bad(f"unsupported album media type {kind!r} (the fake has photo, video)")
            content, label = self._media(kind, item.get("media"), p)
            prepared.append(({kind: content}, (kind, label), _format(item, "caption")))
        album = [label for _, label, _ in prepared]
        group = str(13_000_000_000_000_000 + next(self._ids))
        params = {k: v for k, v in p.items() if k != "reply_markup"}  # albums have no keyboard
        return [
            self._send("sendMediaGroup", params, text, content, album, group)
            for content, _, text in prepared
        ]

    async def api_editMessageText(self, p: Json) -> Json:
        return self._edit("editMessageText", p, "text")

    async def api_editMessageCaption(self, p: Json) -> Json:
        return self._edit("editMessageCaption", p, "caption")

    async def api_editMessageReplyMarkup(self, p: Json) -> Json:
        return self._edit("editMessageReplyMarkup", p, None)

    async def api_deleteMessage(self, p: Json) -> bool:
        key = self._key(p)
        if self._messages.pop(key, None) is None:
            raise _bad("message to delete not found")
        self._state.pop(key, None)
        return True

    async def api_answerCallbackQuery(self, p: Json) -> bool:
        query_id = str(p.get("callback_query_id"))
        if query_id not in self._open_queries:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        if _u16(str(p.get("text") or "")) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        self._open_queries.discard(query_id)  # a query can be answered once
        self.callback_answers.append(p)
        return True

    async def api_setMyCommands(self, p: Json) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("can't parse commands JSON object")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command"))):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description") or "").strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands.append(p)
        return True

    async def api_sendChatAction(self, p: Json) -> bool:
        self._chat(p)
        actions = r"typing|upload_\w+|record_\w+|choose_sticker|find_location"
        if not re.fullmatch(actions, str(p.get("action"))):
            raise _bad("wrong parameter action in request")
        return True

    async def api_getFile(self, p: Json) -> Json:
        known = self._files.get(str(p.get("file_id")))
        if known is None:
            raise _bad("invalid file_id")
        file = {k: known["file"][k] for k in ("file_id", "file_unique_id", "file_size")}
        if file["file_size"] > 20 * 2**20:  # the Bot API serves files up to 20 MB
            raise _bad("file is too big")
        ext = {"photo": "jpg", "video": "mp4", "voice": "oga", "sticker": "webp"}
        suffix = ext.get(known["kind"]) or known["file"].get("file_name", "").rpartition(".")[2]
        # A relative path only: the download URL with the token is built by the client.
        path = f"{known['kind']}s/file_{next(self._ids)}.{suffix or 'bin'}"
        self._paths[path] = file["file_id"]
        return file | {"file_path": path}

    async def _not_found(self, request: web.Request) -> web.Response:
        """Downloads: ``/file/bot<token>/<file_path>``, a path getFile gave, with the token."""
        prefix = f"/file/bot{self.token}/"
        if request.method == "GET" and request.path.startswith(prefix):
            file_id = self._paths.get(request.path.removeprefix(prefix))
            if file_id is not None:
                self.downloads.append(request.path.removeprefix(prefix))
                kind = self._files[file_id]["kind"]
                data = self.file_bytes.get(file_id) or (mp4() if kind == "video" else jpeg())
                return web.Response(body=data, content_type="application/octet-stream")
        return await super()._not_found(request)
