"""Several real ``python -m bot run`` workers in webhook mode on one PostgreSQL database,
behind a small load balancer, fed by the fake Telegram server (also used by bench/flow.py).
The tests' workers are forked from a parent that imported the bot once
(``tests/support/forked.py``); the bench's are ``python -m bot`` itself."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import Protocol

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from tests.harness import free_port
from tests.platforms.telegram.fake_telegram import TOKEN, FakeTelegram
from tests.support import forked
from tests.support.cli import own_environment

ROOT = Path(__file__).resolve().parents[1]
SECRET = "cluster-Secret_1"
EDITORS, CHANNEL = -100777, -100555
ED1, ED2 = 9001, 9002
# Real processes on a loaded two-core machine: four of them importing the bot and migrating one
# database at once can take minutes; waits end as soon as the workers are up or gone.
START_TIMEOUT = 240.0
STOP_TIMEOUT = 120.0


class Balancer:
    """Round robin over the workers' ports, as a reverse proxy would; the fake's copy and
    attempt headers move a duplicate, or a retry, to another worker. A worker that is down
    gets its request answered 502, which Telegram retries."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.port = free_port()
        self.routed: list[int] = [0] * len(ports)
        self._runner: web.AppRunner | None = None
        self._http: ClientSession | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/telegram", self._forward)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self._http = ClientSession(timeout=ClientTimeout(total=30))

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._http is not None
        body = await request.read()
        update_id = int(json.loads(body).get("update_id", 0))
        shift = int(request.headers.get("X-Fake-Copy", 0))
        shift += int(request.headers.get("X-Fake-Attempt", 1))
        index = (update_id + shift) % len(self.ports)
        self.routed[index] += 1
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-telegram")}
        headers["Content-Type"] = "application/json"
        url = f"http://127.0.0.1:{self.ports[index]}/telegram"
        try:
            async with self._http.post(url, data=body, headers=headers) as answer:
                return web.Response(status=answer.status)
        except (ClientError, TimeoutError):
            return web.Response(status=502)


class Worker(Protocol):
    """What the cluster needs of a worker process (``asyncio.subprocess.Process``, or
    ``tests.support.forked.Forked``)."""

    @property
    def pid(self) -> int: ...
    @property
    def returncode(self) -> int | None: ...
    def send_signal(self, sig: int) -> None: ...
    def kill(self) -> None: ...
    async def wait(self) -> int: ...


class Cluster:
    def __init__(
        self, db_url: str, fake: FakeTelegram, workers: int, *, fork: bool = True, **extra: str
    ) -> None:
        """``fork``: workers forked (``tests/support/forked.py``); else ``python -m bot``."""
        self.db_url, self.fake, self.extra, self.fork = db_url, fake, extra, fork
        self.ports = [free_port() for _ in range(workers)]
        self.balancer = Balancer(self.ports)
        self.processes: list[Worker | None] = [None] * workers
        self.kills = 0
        # Each worker's stderr, so that a worker that fails to come up says why.
        self.logs = Path(tempfile.mkdtemp(prefix="tintot-cluster-"))

    def env(self, port: int) -> dict[str, str]:
        env = own_environment()
        return (
            env
            | {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE": self.fake.base_url,
                "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{self.balancer.port}/telegram",
                "TELEGRAM_WEBHOOK_SECRET": SECRET,
                "WEBHOOK_HOST": "127.0.0.1",
                "WEBHOOK_PORT": str(port),
                "DATABASE_URL": self.db_url,
                "EDITOR_CHAT_ID": str(EDITORS),
                "EDITOR_IDS": f"telegram:{ED1},telegram:{ED2}",
                "PUBLISH_TARGETS": f"telegram:{CHANNEL}",
                "LOG_LEVEL": "WARNING",
            }
            | self.extra
        )

    async def start(self) -> None:
        await self.balancer.start()
        for index in range(len(self.ports)):
            await self.launch(index)
        await self.ready()

    def log(self, index: int) -> Path:
        return self.logs / f"worker-{index}.log"

    async def launch(self, index: int) -> None:
        if self.fork:
            env = self.env(self.ports[index])
            self.processes[index] = await forked.start(["run"], env, stderr=self.log(index))
            return
        with self.log(index).open("ab") as log:  # the child keeps its own copy of the file
            self.processes[index] = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                cwd=ROOT,
                env=self.env(self.ports[index]),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log,
            )

    def _failed(self, index: int, what: str) -> str:
        tail = self.log(index).read_text(errors="replace")[-2000:]
        return f"worker {index} (port {self.ports[index]}) {what}; its stderr ends:\n{tail}"

    def tails(self) -> str:
        """Each worker's stderr as it ends: what a story that failed shows (the logs are
        removed when every worker stops cleanly)."""
        return "\n".join(self._failed(i, "at the failure") for i in range(len(self.ports)))

    async def ready(self, timeout: float = START_TIMEOUT) -> None:  # noqa: ASYNC109
        """Every worker answers on its port (a GET is 405 once the webhook route is up)."""
        deadline = asyncio.get_running_loop().time() + timeout
        async with ClientSession(timeout=ClientTimeout(total=5)) as http:
            for index, port in enumerate(self.ports):
                while True:
                    with contextlib.suppress(ClientError, TimeoutError):
                        async with http.get(f"http://127.0.0.1:{port}/telegram") as answer:
                            if answer.status == 405:
                                break
                    process = self.processes[index]
                    if process is not None and process.returncode is not None:
                        raise RuntimeError(self._failed(index, f"exited {process.returncode}"))
                    if asyncio.get_running_loop().time() > deadline:
                        raise TimeoutError(self._failed(index, f"not up after {timeout:.0f}s"))
                    await asyncio.sleep(0.1)

    async def kill(self, index: int) -> None:
        """SIGKILL: no chance to finish or save anything."""
        process = self.processes[index]
        if process is not None and process.returncode is None:
            process.send_signal(signal.SIGKILL)
            await process.wait()
            self.kills += 1

    async def stop(self) -> list[int | None]:
        """SIGTERM to all; their exit codes."""
        for process in self.processes:
            if process is not None and process.returncode is None:
                process.send_signal(signal.SIGTERM)
        codes: list[int | None] = []
        for process in self.processes:
            if process is None:
                codes.append(None)
                continue
            try:
                codes.append(await asyncio.wait_for(process.wait(), STOP_TIMEOUT))
            except TimeoutError:
                process.kill()
                codes.append(await process.wait())
        await self.balancer.stop()
        if codes == [0] * len(codes):  # kept otherwise, to be read
            shutil.rmtree(self.logs, ignore_errors=True)
        return codes
