"""The Zalo Official Account's own settings: a mixin the one ``Settings`` (bot/settings.py)
inherits, so they are read, validated and redacted with every other variable.

- ``ZALO_OA_APP_ID``: the app on Zalo for Developers linked to the OA (digits). Set: the OA
  is served.
- ``ZALO_OA_APP_SECRET``: the app's secret, sent as the ``secret_key`` header of the OAuth v4
  token calls.
- ``ZALO_OA_SECRET_KEY``: the OA secret key of the app's webhook page; it signs every webhook
  call (``X-ZEvent-Signature``).
- ``ZALO_OA_REFRESH_TOKEN``: a first refresh token (API Explorer), used once when the
  database holds none.
- ``OA_PAID_WINDOW``: false (default) sends consultation messages only within 48 hours of a
  member's last interaction (free); true also from 48 hours to 7 days (charged)."""

from __future__ import annotations

from pydantic import AnyHttpUrl, BaseModel, SecretStr, field_validator

API_BASE = "https://openapi.zalo.me"
OAUTH_BASE = "https://oauth.zaloapp.com"


class ZaloOASettings(BaseModel):
    zalo_oa_app_id: str | None = None
    zalo_oa_app_secret: SecretStr | None = None
    zalo_oa_secret_key: SecretStr | None = None
    zalo_oa_refresh_token: SecretStr | None = None
    zalo_oa_api_base: AnyHttpUrl = AnyHttpUrl(API_BASE)
    zalo_oa_oauth_base: AnyHttpUrl = AnyHttpUrl(OAUTH_BASE)
    oa_paid_window: bool = False

    @field_validator(
        "zalo_oa_app_id",
        "zalo_oa_app_secret",
        "zalo_oa_secret_key",
        "zalo_oa_refresh_token",
        mode="before",
    )
    @classmethod
    def _blank_is_unset_oa(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("zalo_oa_app_id")
    @classmethod
    def _digits(cls, value: str | None) -> str | None:
        if value is not None and not value.strip().isdigit():
            raise ValueError(f"zalo_oa/app_id|{value}")
        return value.strip() if value is not None else None
