"""CPU per member update of the core alone (handlers and storage, SQLite), in this process: no
platform, no HTTP, the replies rendered as Telegram's HTML. A quick check of a hot-path change
before ``bench/flow.py --only cpu`` measures the whole bot (that figure, A, is the aim).

    python bench/core_cpu.py --members 100 [--profile OUT]

Each member types the raw-information flow of bench/flow.py, one after another; an editor
approves each item with /duyet. Prints the process's CPU (both threads: the event loop and
aiosqlite's) per update.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.runtime.app import App  # noqa: E402
from bot.serve.compose import build  # noqa: E402
from bot.settings import Settings  # noqa: E402
from handlers.engine.texts import render  # noqa: E402
from handlers.engine.types import Inbound  # noqa: E402
from tests.cluster import ED1  # noqa: E402
from tests.harness import ORG  # noqa: E402
from tests.platforms.telegram.fake_telegram import TOKEN  # noqa: E402

STEPS = ["/start", "Đoàn phường An Lạc", "/gui", "Tin tốt", "Thông tin thô", "Sáng 15/11",
         "Nhà văn hóa khu phố 3", "Cô Hoa và 15 đoàn viên", "Dạy học miễn phí cho các em",
         "Lan tỏa tinh thần tương thân", "Bỏ qua", "Gửi"]  # fmt: skip
keys = itertools.count()


async def say(app: App, user: int, text: str) -> str:
    command, _, args = text[1:].partition(" ") if text.startswith("/") else (None, "", "")
    event = Inbound(
        platform="telegram", update_key=f"telegram:{next(keys)}", user_id=str(user),
        chat_id=str(user), display_name="Hà", text=None if command else text,
        command=command, args=args, numbered_choices=True,
    )  # fmt: skip
    return "\n".join(render(reply.say, "html") for reply in await app.core.handle(event))


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--profile", help="cProfile stats (main thread's CPU clock) to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            _env_file=None, database_url=f"sqlite+aiosqlite:///{folder}/core.db",
            telegram_bot_token=TOKEN, telegram_api_base="http://127.0.0.1:9",
            org_config=ORG, web_port=0, editor_ids=f"telegram:{ED1}",
        )  # fmt: skip
        app = await build(settings)
        await say(app, 1, "/start")  # templates compiled, caches warm
        profile = cProfile.Profile(time.thread_time) if args.profile else None
        updates = 0
        cpu, wall, times = time.process_time(), time.perf_counter(), os.times()
        if profile:
            profile.enable()
        for member in range(10_000, 10_000 + args.members):
            answer = ""
            for text in STEPS:
                answer = await say(app, member, text)
            assert "Đã gửi" in answer, answer
            number = answer.split("#", 1)[1].split("<")[0]
            assert "Người gửi đã được báo" in await say(app, ED1, f"/duyet {number}")
            updates += len(STEPS) + 1
        if profile:
            profile.disable()
            profile.dump_stats(args.profile)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        user, system = (os.times().user - times.user), (os.times().system - times.system)
        await app.close()
    print(f"{updates} updates: {cpu / updates * 1000:.2f} ms CPU/update "
          f"({user / updates * 1000:.2f} user + {system / updates * 1000:.2f} system; "
          f"{wall / updates * 1000:.2f} ms wall)")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
