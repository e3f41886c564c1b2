"""aiogram's HTTP session for the Bot API, with each call's parameters sent as one JSON body.

aiogram sends every call as a form: each value (the text, the inline keyboard as a JSON
string) url-encoded by ``urllib`` byte by byte in Python, where Vietnamese text is mostly
escapes: its quoting had the most own time of any function in a profile of the bot under
bench/flow.py. The Bot API takes ``application/json`` for every call that uploads no
file (https://core.telegram.org/bots/api#making-requests); a call with a file (a photo from
the store) keeps aiogram's multipart form. The answer is read and checked by aiogram as
before, so its errors (``TelegramRetryAfter``, ``TelegramBadRequest``, ...) are unchanged.
"""

from __future__ import annotations

from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp import ClientError, ClientTimeout

JSON = {"Content-Type": "application/json"}


class Session(AiohttpSession):
    def json_body(self, bot: Bot, method: TelegramMethod[Any]) -> str | None:
        """The call's parameters as aiogram prepares them for its form (bot defaults applied,
        dates as timestamps, nested objects as objects), as JSON; None when one is a file.
        A form leaves out a parameter that is None or empty text: so does this."""
        files: dict[str, Any] = {}
        body = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is not None and prepared != "":
                body[key] = prepared
        return None if files else self.json_dumps(body)

    async def make_request(  # aiogram's signature, its timeout in seconds
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> TelegramType:
        body = self.json_body(bot, method)
        if body is None:  # a file to upload: aiogram's multipart form
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        seconds = ClientTimeout(total=self.timeout if timeout is None else timeout)
        try:
            async with session.post(url, data=body, headers=JSON, timeout=seconds) as response:
                raw = await response.text()
        except TimeoutError as error:
            raise TelegramNetworkError(method=method, message="Request timeout error") from error
        except ClientError as error:
            message = f"{type(error).__name__}: {error}"
            raise TelegramNetworkError(method=method, message=message) from error
        checked = self.check_response(
            bot=bot, method=method, status_code=response.status, content=raw
        )
        return cast(TelegramType, checked.result)

    async def close(self) -> None:
        """Closed at once when the API is plain http:// (a local Bot API server beside the
        bot, or the tests' fake): aiogram then waits 250 ms for SSL connections to shut down
        (aiohttp's graceful-shutdown advice), and there are none."""
        if self.api.base.startswith("http://") and self._session is not None:
            await self._session.close()
            return
        await super().close()
