"""Polling outlives a bad day at the API: a proxy's HTML "502 Bad Gateway" page where
getUpdates' JSON should be, and an update the client cannot read. Each leaves one line in the
log, is skipped past, and the member's next message is answered as usual."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import pytest

from tests.harness import Harness
from tests.platforms.telegram.fake_telegram import TOKEN, FakeTelegram

LAN = 5301


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def lines(caplog: pytest.LogCaptureFixture, *words: str) -> list[str]:
    found = [record.getMessage() for record in caplog.records]
    return [line for line in found if all(word in line for word in words)]


async def test_a_bad_gateway_page_from_a_proxy_does_not_end_polling(
    bot: Harness, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    lan = bot.member(LAN)
    fake.bad_gateway_next("getUpdates")  # the fetch after Lan's /start meets the page
    await lan.send("/start", "Chọn đơn vị")
    await until(lambda: ("getUpdates", 502, "HTML page") in fake.errors)

    answer = await lan.send("/huongdan")  # answered once polling has backed off and retried
    assert answer.chat_id == LAN

    [line] = lines(caplog, "getUpdates")
    assert "ClientDecodeError" in line and "nothing skipped" in line
    assert "<html" not in line and TOKEN not in line  # one line, without the page or token


async def test_an_unreadable_update_is_skipped_once_and_the_next_is_answered(
    bot: Harness, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    lan = bot.member(LAN)
    await lan.send("/start", "Chọn đơn vị")
    broken = fake.push_unreadable(LAN)

    answer = await lan.send("/huongdan")
    assert answer.chat_id == LAN
    await fake.idle()  # every update confirmed: the broken one is never fetched again

    [line] = lines(caplog, f"update {broken['update_id']}")
    assert "skipped" in line and "unreadable" in line
    assert "tin nhắn hỏng" not in line  # its content (a member's text) stays out of the log
    assert not lines(caplog, "getUpdates failed")
