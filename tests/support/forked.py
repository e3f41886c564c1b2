"""Bot processes for the stories that kill them: forked from a parent that has imported the
bot once, as a pre-forking server does (``multiprocessing``'s forkserver, its modules
preloaded), instead of an interpreter that imports it anew each time.

Such a story starts a worker a dozen times or more (SIGKILL, then a start again), and each
``python -m bot run`` spends seconds of CPU on its imports alone (aiogram's types most of
all): on the suite's two cores, about a tenth of the whole run. A forked child is a process
of its own all the same (its pid, its signals, its connections and file locks, its exit
code) running ``bot.__main__.main`` as ``python -m bot`` does, with its own environment, so
what the stories check (a SIGKILL loses nothing, a SIGTERM stops cleanly) is the real
process's behaviour. The interpreter's own start and the ``-m`` entry are shown by the stories
that still run ``python -m bot`` itself (``tests/support/cli.py``: the supervision, secrets,
settings, database and command-line stories).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import sys
from functools import cache
from multiprocessing.context import ForkServerContext
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# What ``python -m bot run`` imports on its way to serving Telegram by polling or webhook.
PRELOAD = [
    "bot.__main__",
    "bot.serve.runner",
    "bot.serve.compose",
    "bot.platforms.telegram.service",
    "bot.platforms.telegram.receiver",
]


@cache
def _context() -> ForkServerContext:
    """One forkserver per test process (an xdist worker), started at its first fork."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def _child(argv: list[str], env: dict[str, str], stderr: str | None) -> None:
    """In the forked process: ``python -m bot <argv>``'s environment, folder and streams,
    then its ``main``."""
    os.chdir(ROOT)
    os.environ.clear()
    os.environ.update(env)
    for fd, path in ((1, os.devnull), (2, stderr or os.devnull)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(target, fd)
        os.close(target)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", closefd=False)  # noqa: SIM115
    from bot.__main__ import main

    sys.exit(main(argv))


class Forked:
    """A forked ``python -m bot`` as ``asyncio.subprocess.Process`` offers one: its pid, its
    return code (negative: the signal that ended it), signals, an awaitable end."""

    def __init__(self, process: Any) -> None:
        self._process = process

    @property
    def pid(self) -> int:
        return int(self._process.pid)

    @property
    def returncode(self) -> int | None:
        code = self._process.exitcode
        return None if code is None else int(code)

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    async def wait(self) -> int:
        """Its end, without blocking the loop: the forkserver writes its status to the
        process's sentinel."""
        loop = asyncio.get_running_loop()
        while self.returncode is None:
            ended: asyncio.Future[None] = loop.create_future()
            sentinel = self._process.sentinel
            loop.add_reader(sentinel, _settle, ended)
            try:
                await ended
            finally:
                loop.remove_reader(sentinel)
        code = self.returncode
        assert code is not None
        return code


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def start(argv: list[str], env: dict[str, str], *, stderr: Path | None = None) -> Forked:
    """``python -m bot <argv>`` forked with ``env`` as its whole environment; its stderr
    appended to ``stderr`` (else discarded), its stdout discarded. The first start in a test
    process waits for the forkserver's imports, in a thread, so the test's fakes keep
    answering meanwhile."""
    path = str(stderr) if stderr is not None else None
    process = _context().Process(target=_child, args=(argv, env, path), daemon=True)
    await asyncio.to_thread(process.start)
    return Forked(process)
