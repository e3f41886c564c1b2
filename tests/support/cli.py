"""The real ``python -m bot`` as an operator or cron runs it: as a subprocess, or in-process."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A platform's settings: a bot a test starts gets only those the test gives it.
PLATFORM_VARIABLES = ("TELEGRAM_", "ZALO_")
# A real process on a loaded two-core CI machine: its imports alone can take tens of seconds.
PROCESS_TIMEOUT = 240


def own_environment() -> dict[str, str]:
    """This process's environment without any platform's settings, for a bot it starts."""
    return {k: v for k, v in os.environ.items() if not k.startswith(PLATFORM_VARIABLES)}


def run_bot(
    env: dict[str, str], *args: str, as_plain_owner: bool = False
) -> subprocess.CompletedProcess[str]:
    """``as_plain_owner``: without root's power to write any file (CAP_DAC_OVERRIDE and
    friends dropped), so a test run as root meets a read-only file as a service account does."""
    clean = own_environment()
    caps = "-dac_override,-dac_read_search,-fowner"
    prefix = ["setpriv", f"--bounding-set={caps}"] if as_plain_owner and not os.geteuid() else []
    command = [*prefix, sys.executable, "-m", "bot", *args]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**clean, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    # Not communicate(timeout=...): its wait for the exit polls with time.sleep, which fails
    # (EINVAL) under scripts/test.sh's faketime run; a timer ends a process that hangs instead.
    hung = threading.Event()

    def end() -> None:
        hung.set()
        process.kill()

    timer = threading.Timer(PROCESS_TIMEOUT, end)
    timer.start()
    try:
        out, err = process.communicate()
    finally:
        timer.cancel()
    if hung.is_set():
        raise subprocess.TimeoutExpired(command, PROCESS_TIMEOUT, out, err)
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def main_in_process(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """``bot.__main__.main`` in this process, with the environment ``run_bot`` gives a real
    one (for tests beside a harness bot, and for what stops before any platform starts, where
    a process of its own would show nothing more): exit code, stdout, stderr."""
    from bot.__main__ import main

    out, err = io.StringIO(), io.StringIO()
    platforms = [key for key in os.environ if key.startswith(PLATFORM_VARIABLES)]
    saved = {key: os.environ.get(key) for key in [*platforms, *env]}
    for key in platforms:
        del os.environ[key]
    os.environ.update(env)
    # A command past its settings sets up logging as a process does (bot/runtime/logs.py):
    # the root logger's handlers and the exception hooks are the test process's again after.
    root = logging.getLogger()
    handlers, level, hooks = root.handlers[:], root.level, (sys.excepthook, threading.excepthook)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as done:  # argparse's usage errors
                code = int(done.code or 0)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        root.handlers[:], sys.excepthook, threading.excepthook = handlers, *hooks
        root.setLevel(level)
        logging.captureWarnings(False)
    return code, out.getvalue(), err.getvalue()


async def start_bot(env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    """``python -m bot`` started as a subprocess while this process's event loop keeps
    serving (a harness bot, the fake servers)."""
    clean = own_environment()
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args,
        cwd=ROOT,
        env={**clean, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip


async def run_bot_beside(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """``python -m bot`` to its end beside this process's bot: exit code, stdout, stderr."""
    process = await start_bot(env, *args)
    out, err = await asyncio.wait_for(process.communicate(), PROCESS_TIMEOUT)
    return process.returncode or 0, out.decode(), err.decode()
