"""Polling reads an update's sender off the parsed object, webhooks off the JSON: the same.
Direct replies queue per chat: one chat told to wait (a 429) holds up no other chat."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiogram.types import Update

from bot.platforms.telegram.replies import ChatQueues
from bot.platforms.telegram.service import sender_of, update_sender
from bot.runtime.sending import RetryLater

USER = {"id": 42, "is_bot": False, "first_name": "Lan"}
CHAT = {"id": -100, "type": "supergroup", "title": "Ban biên tập"}
UPDATES: list[dict[str, Any]] = [
    {"update_id": 1, "message": {"message_id": 5, "date": 0, "chat": CHAT, "from": USER}},
    {
        "update_id": 2,
        "callback_query": {"id": "c", "from": USER, "chat_instance": "i", "data": "card:approve:1"},
    },
    {"update_id": 3, "channel_post": {"message_id": 6, "date": 0, "chat": CHAT}},
    {"update_id": 4, "message": {"message_id": 7, "date": 0, "chat": CHAT}},  # no sender
    {
        "update_id": 5,
        "edited_message": {
            "message_id": 8,
            "date": 0,
            "edit_date": 1,
            "chat": CHAT,
            "from": USER,
            "text": "x",
        },
    },
]


@pytest.mark.parametrize("raw", UPDATES, ids=lambda raw: str(raw["update_id"]))
def test_both_ways_name_the_same_sender(raw: dict[str, Any]) -> None:
    expected = "42" if raw["update_id"] in (1, 2, 5) else ""
    assert sender_of(raw) == expected
    assert update_sender(Update.model_validate(raw)) == expected


async def test_a_chat_told_to_wait_holds_up_no_other_chat() -> None:
    released = asyncio.Event()
    sent: list[str] = []

    async def wait_as_told(seconds: float) -> None:
        await released.wait()  # Telegram's retry_after, for as long as the test likes

    queues = ChatQueues(sleep=wait_as_told)
    tries = iter([RetryLater(30), None])

    async def to_spam() -> None:
        if (outcome := next(tries)) is not None:
            raise outcome
        sent.append("spam")

    async def to_minh() -> None:
        sent.append("minh")

    queues.post("5401", to_spam)  # answered 429: this chat waits
    queues.post("5402", to_minh)
    for _ in range(100):
        if sent:
            break
        await asyncio.sleep(0.01)
    assert sent == ["minh"] and queues.waiting() == 1
    released.set()
    await queues.wait(5)
    assert sent == ["minh", "spam"] and queues.waiting() == 0  # then sent, once
