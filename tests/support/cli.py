"""The real ``python -m bot`` as an operator or cron runs it: as a subprocess, or in-process."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_bot(
    env: dict[str, str], *args: str, user: int | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``user``: run as that uid (a root test cannot meet a read-only file otherwise)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    prefix = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"] if user else []
    return subprocess.run(
        [*prefix, sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env={**clean, "PYTHONDONTWRITEBYTECODE": "1", **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def main_in_process(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """``bot.__main__.main`` in this process (for tests that run beside a harness bot):
    exit code, stdout, stderr."""
    from bot.__main__ import main

    out, err = io.StringIO(), io.StringIO()
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
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
    return code, out.getvalue(), err.getvalue()


async def run_bot_beside(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """``python -m bot`` as a subprocess while this process's event loop keeps serving (a
    harness bot): exit code, stdout, stderr."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args,
        cwd=ROOT,
        env={**clean, "PYTHONDONTWRITEBYTECODE": "1", **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, out.decode(), err.decode()
