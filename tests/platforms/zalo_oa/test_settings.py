"""A wrong Zalo OA setting stops the bot at start with one line naming the variable, and the
OA's secrets never reach the logs."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bot.platforms.registry import chat_names
from bot.settings import Settings, describe_error, secret_values
from handlers.engine.texts import render
from handlers.engine.types import Say

OA: dict[str, Any] = {"zalo_oa_app_id": "4318842231590000001", "zalo_oa_app_secret": "app-secret-x"}


def line_for(**values: Any) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, **values)
    name, key, value = describe_error(caught.value)
    return name, render(
        Say(
            "cli/config_error.j2", {"name": name, "key": key, "value": value, "chats": chat_names()}
        ),
        "plain",
    )


@pytest.mark.parametrize(
    ("values", "name", "says"),
    [
        ({"zalo_oa_app_id": "ab12"}, "ZALO_OA_APP_ID", "chỉ gồm chữ số"),
        ({"publish_targets": "zalo_oa:articles"}, "ZALO_OA_APP_ID", "cần đặt mã ứng dụng"),
        ({"admin_ids": "zalo_oa:u1"}, "ZALO_OA_APP_ID", "cần đặt mã ứng dụng"),
        ({"zalo_oa_app_id": "123"}, "ZALO_OA_APP_SECRET", "App Secret"),
        (OA, "ZALO_OA_SECRET_KEY", "OA Secret Key"),
        (OA | {"zalo_oa_secret_key": "k", "publish_targets": "zalo_oa:feed"}, "PUBLISH_TARGETS",
         "zalo_oa:articles"),
        (OA | {"zalo_oa_secret_key": "k", "publish_targets": "zalo_oa:articles"},
         "PUBLIC_BASE_URL", "ảnh bìa"),
    ],
)  # fmt: skip
def test_a_wrong_oa_setting_is_one_line_naming_it(
    values: dict[str, Any], name: str, says: str
) -> None:
    found, line = line_for(**values)
    assert found == name and says in line and line.count("\n") == 0
    assert name in line


def test_the_oa_is_on_with_its_three_settings_and_its_secrets_are_redacted() -> None:
    settings = Settings(
        _env_file=None,
        **OA,
        zalo_oa_secret_key="oa-key-y",
        zalo_oa_refresh_token="first-refresh-z",
        admin_ids="zalo_oa:oa-admin-1",
    )
    assert str(settings.admin_ids[0]) == "zalo_oa:oa-admin-1"
    assert str(settings.zalo_oa_api_base) == "https://openapi.zalo.me/"
    assert str(settings.zalo_oa_oauth_base) == "https://oauth.zaloapp.com/"
    assert settings.oa_paid_window is False
    assert {"app-secret-x", "oa-key-y", "first-refresh-z"} <= set(secret_values(settings))
