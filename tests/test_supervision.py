"""A background task that dies takes the whole process down, loudly, so that a supervisor
restarts it: never a live process that answers nobody."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from bot.runtime.outbox import OutboxWorker
from bot.serve.supervision import ServeFailed
from tests.conftest import FROZEN
from tests.harness import Harness
from tests.logcapture import captured_logs
from tests.platforms.telegram.fake_telegram import TOKEN, FakeTelegram
from tests.support.cli import own_environment

ROOT = Path(__file__).resolve().parents[1]


async def test_an_outbox_worker_that_dies_ends_serve(
    db_url: str, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def dies(self: OutboxWorker, stop: asyncio.Event) -> None:
        raise RuntimeError("a bug past every guard")

    monkeypatch.setattr(OutboxWorker, "run", dies)
    bot = Harness(db_url=db_url, fake=fake, now=FROZEN)
    with captured_logs([TOKEN], level="INFO") as stream:
        await bot.start()
        try:
            assert bot.task is not None
            with pytest.raises(ServeFailed, match="telegram: outbox"):
                await asyncio.wait_for(bot.task, 120)
            bot.task = None  # ended: nothing left to cancel
        finally:
            await bot.stop()
    [line] = [line for line in stream.getvalue().splitlines() if "CRITICAL" in line]
    assert "telegram: outbox" in line and "RuntimeError: a bug past every guard" in line


# The real process, its scheduler made to die once it runs (the only way in from outside).
DYING_SCHEDULER = """
import sys
import bot.serve.runner as runner

async def dies(*args, **kwargs):
    raise RuntimeError("scheduler broke")

runner.run_scheduler = dies
from bot.__main__ import main
sys.exit(main(["run"]))
"""


async def test_the_real_process_exits_1_when_a_task_dies(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    env = own_environment()
    env |= {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": fake.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db",
        "WEB_PORT": "0",  # its web server (/healthz) on any free port: tests run side by side
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", DYING_SCHEDULER, cwd=ROOT, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        _, err = await asyncio.wait_for(process.communicate(), 120)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    stderr = err.decode()
    assert process.returncode == 1, stderr
    [line] = [line for line in stderr.splitlines() if "CRITICAL" in line]
    assert "“scheduler”" in line and "scheduler broke" in line
    assert TOKEN not in stderr and TOKEN.split(":")[1] not in stderr
