"""Telegram's variables (``TELEGRAM_*``, ``BENCH_NO_LIMITS``), composed into the one
``bot.settings.Settings``. A leaf module: it imports nothing of the bot, so the settings can
be built before any platform loads. Checks spanning several variables are the row's
``check`` (``bot/platforms/telegram/__init__.py``)."""

from __future__ import annotations

from pydantic import AnyHttpUrl, BaseModel, Field, SecretStr, field_validator


class TelegramSettings(BaseModel):
    telegram_bot_token: SecretStr | None = None
    telegram_api_base: AnyHttpUrl = AnyHttpUrl("https://api.telegram.org")
    telegram_webhook_url: AnyHttpUrl | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_max_connections: int = Field(default=40, ge=1, le=100)
    # Seconds between two messages into one private chat: Telegram asks for at most one a
    # second. Only tests that do not look at pacing set less.
    telegram_chat_pace: float = Field(default=1.0, ge=0.0, le=60.0)
    # BENCH ONLY (bench/flow.py's engine throughput): every send limiter off. Refused unless
    # the Bot API is on this machine (the fake server), so it can never reach Telegram.
    bench_no_limits: bool = False

    @field_validator(
        "telegram_bot_token", "telegram_webhook_url", "telegram_webhook_secret", mode="before"
    )
    @classmethod
    def _telegram_blank_is_unset(cls, value: object) -> object:
        # A blank line in the env file means "not set", never an empty token or secret.
        return None if isinstance(value, str) and not value.strip() else value
