"""No secret of the settings ever reaches a log line or stderr: every SecretStr setting is set
to a distinctive value (the list comes from the Settings model itself), errors are provoked
through the real clients against the fake servers, and every captured line is searched."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from bot.serve.compose import build
from bot.serve.runner import serve
from bot.serve.supervision import ServeFailed
from bot.settings import Settings, secret_values
from tests.harness import ORG, free_port
from tests.logcapture import captured_logs, secret_settings
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.zalo.fake_zalo import FakeZalo
from tests.support.cli import own_environment

ROOT = Path(__file__).resolve().parents[1]


def leaks(text: str, secrets: list[str]) -> list[str]:
    """Each secret in every form a log could carry it: raw, percent-encoded, a token's key."""
    found = []
    for secret in secrets:
        forms = {secret, quote(secret, safe=""), secret.partition(":")[2] or secret}
        found += [form for form in forms if form in text]
    return found


def test_the_model_names_every_secret_setting() -> None:
    values = secret_settings()
    assert {"telegram_bot_token", "telegram_webhook_secret", "zalo_bot_token"} <= set(values)
    assert "zalo_webhook_secret" in values  # the one the hand-kept list had missed
    assert "facebook_page_tokens" in values  # a dict of tokens by page: "<page>:<token>"
    settings = Settings(_env_file=None, **values)
    found = secret_values(settings)  # a page's token without its page id
    assert len(found) == len(values)
    assert all(any(secret in str(v) for v in values.values()) for secret in found)


async def test_refused_calls_and_exceptions_log_no_secret(db_url: str) -> None:
    values = secret_settings()
    telegram = FakeTelegram(token=values["telegram_bot_token"])
    zalo = FakeZalo(token=values["zalo_bot_token"])
    await telegram.start()
    await zalo.start()
    port = free_port()
    settings = Settings(
        _env_file=None,
        **values,
        database_url=db_url,
        org_config=ORG,
        telegram_api_base=telegram.base_url,
        zalo_api_base=zalo.base_url,
        telegram_webhook_url=f"http://127.0.0.1:{port}/telegram",
        zalo_webhook_url=f"http://127.0.0.1:{port}/zalo",
        webhook_host="127.0.0.1",
        webhook_port=port,
    )
    secrets = secret_values(settings)
    # Both platforms refuse the webhook, quoting the secret back, as a real API may.
    hook, zhook = values["telegram_webhook_secret"], values["zalo_webhook_secret"]
    telegram.fail_next("setWebhook", status=400, description=f"Bad Request: secret {hook}")
    zalo.fail_next("setWebhook", error_code=400, description=f"secret_token {zhook} refused")
    app = await build(settings)
    try:
        with captured_logs(secrets) as stream:
            with pytest.raises(ServeFailed):
                await serve(app, handle_signals=False)
            log = logging.getLogger("tests.secrets")
            url = f"{telegram.base_url}/bot{quote(values['telegram_bot_token'])}/getMe"
            log.warning("calling %s with %s", url, secrets)
            try:
                raise RuntimeError(f"refused: {' '.join(secrets)}")
            except RuntimeError:
                log.exception("a call failed for %s", values["zalo_bot_token"])
            log.error("wrong arguments %s %s", secrets[0])  # logging would print them raw
        text = stream.getvalue()
    finally:
        await app.close()
        await telegram.stop()
        await zalo.stop()
    assert "TELEGRAM_WEBHOOK_URL" in text and "ZALO_WEBHOOK_URL" in text  # the failures logged
    assert "Traceback" in text and "<secret>" in text  # and what was said, redacted
    assert leaks(text, secrets) == []


async def test_a_run_that_fails_at_start_prints_no_secret(tmp_path: Path) -> None:
    values = secret_settings()
    telegram, zalo = FakeTelegram(), FakeZalo()  # their own tokens: ours get 401
    await telegram.start()
    await zalo.start()
    env: dict[str, Any] = own_environment()
    env |= {
        name.upper(): value if isinstance(value, str) else json.dumps(value)
        for name, value in values.items()
    }
    env |= {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db",
        "TELEGRAM_API_BASE": telegram.base_url,
        "ZALO_API_BASE": zalo.base_url,
        "LOG_LEVEL": "DEBUG",
        "WEB_PORT": "0",  # the web server (/healthz) starts first: any free port
    }
    try:
        process = await _run(env)
    finally:
        await telegram.stop()
        await zalo.stop()
    stderr = process.stderr
    assert process.returncode == 1, stderr
    assert "TELEGRAM_BOT_TOKEN" in stderr and "ZALO_BOT_TOKEN" in stderr
    assert "Traceback" not in stderr
    assert leaks(stderr, [s for v in values.values() for s in _strings(v)]) == []


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    return [s for item in value for s in _strings(item)]


async def _run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 120)
    code = process.returncode if process.returncode is not None else -1
    return subprocess.CompletedProcess([], code, out.decode(), err.decode())
