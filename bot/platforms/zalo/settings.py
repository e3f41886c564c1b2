"""The Zalo bot's variables (``ZALO_*``), composed into the one ``bot.settings.Settings``. A
leaf module: it imports nothing of the bot. Checks spanning several variables are the row's
``check`` (``bot/platforms/zalo/__init__.py``)."""

from __future__ import annotations

from pydantic import AnyHttpUrl, BaseModel, Field, SecretStr, field_validator


class ZaloSettings(BaseModel):
    zalo_bot_token: SecretStr | None = None
    zalo_api_base: AnyHttpUrl = AnyHttpUrl("https://bot-api.zaloplatforms.com")
    zalo_webhook_url: AnyHttpUrl | None = None
    zalo_webhook_secret: SecretStr | None = None
    zalo_monthly_message_budget: int | None = Field(default=None, ge=1)  # warn admins at 80%

    @field_validator("zalo_bot_token", "zalo_webhook_url", "zalo_webhook_secret", mode="before")
    @classmethod
    def _zalo_blank_is_unset(cls, value: object) -> object:
        # ``ZALO_WEBHOOK_SECRET=`` in a deployment's env file means "not set": a webhook URL
        # then needs a real secret (the row's check says so), never an empty one.
        return None if isinstance(value, str) and not value.strip() else value
