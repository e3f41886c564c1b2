"""Telegram media into the media store: getFile, then the file's bytes through aiogram
(https://core.telegram.org/bots/api#getfile: files up to 20 MB, at
``{base}/file/bot<token>/<file_path>``). That URL holds the token: it is built inside aiogram
and never leaves this function, not even in an exception's message."""

from __future__ import annotations

from io import BytesIO

import aiohttp
from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.runtime.media import FETCH_SECONDS, Fetch, MediaUnavailable
from storage.media_store import LIMITS


def fetcher(bot: Bot) -> Fetch:
    async def fetch(file_id: str) -> bytes:
        failure: MediaUnavailable
        try:
            file = await bot.get_file(file_id)
            if (file.file_size or 0) > max(LIMITS.values()) or not file.file_path:
                raise MediaUnavailable("too_big")
            out = BytesIO()
            await bot.download_file(file.file_path, out, timeout=int(FETCH_SECONDS))
            return out.getvalue()
        except TelegramAPIError as error:
            failure = MediaUnavailable(f"unreachable: {error.message}")
        except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as error:
            # aiohttp's errors quote the URL: only the error's kind is kept.
            failure = MediaUnavailable(f"unreachable: {type(error).__name__}")
        raise failure

    return fetch
